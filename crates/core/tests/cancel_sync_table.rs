//! Cancel sync, walked over the whole built-in marketplace table (R25–R27, R12, R28): every
//! marketplace, every one of its status words, the key that finds the line (primary, and the
//! fallback when the record lacks a part of the primary key), and what happens to the line
//! (unshipped → cancelled; printed → held; shipped → held; unmatched → kept once; a word that is
//! not a cancel word → nothing; Fashionplus 취소거부 → the held cancel is withdrawn).

mod support;

use jumun_core::cancel_sync::{
    kept_that_now_apply, match_cancels, CancelRecord, CancelVerdict, KeyUsed, LineRef,
};
use jumun_core::claim::{ClaimKind, ClaimProgress, ClaimSource, HoldKind, HoldReason};
use jumun_core::command::Command;
use jumun_core::ids::{IdBlock, LineId, OrderId};
use jumun_core::marketplace::{
    MarketplaceCode, MarketplaceKeys, MarketplaceProfile, MarketplaceTable,
};
use jumun_core::order::{ClaimState, LineStatus};
use jumun_core::{Book, Ctx, Refusal};
use std::collections::{BTreeMap, BTreeSet};
use support::{at, invoice, new_order, op, refuse, run, ship};

/// The table file itself, parsed here independently of the engine's parser, so that the key the
/// engine reports is checked against the text of seed 002's table and not against itself.
const TSV: &str = include_str!("../data/marketplaces.tsv");

/// The order every case uses: its id in a fresh book.
const ORDER: u64 = 7;

/// A marketplace row as the file says it: cancel words, withdraw words, primary and fallback key
/// text (a fallback without the order no. is scoped to the order, so it reads `order_no+…`).
struct Row {
    cancel_words: Vec<String>,
    withdraw_words: Vec<String>,
    primary: String,
    fallback: Option<String>,
}

fn rows() -> BTreeMap<String, Row> {
    let words = |col: &str| -> Vec<String> {
        if col.trim() == "-" {
            Vec::new()
        } else {
            col.split(';').map(|w| w.trim().to_owned()).collect()
        }
    };
    let scoped = |key: &str| -> String {
        let key: String = key.split('+').map(str::trim).collect::<Vec<_>>().join("+");
        if key.split('+').any(|p| p == "order_no") {
            key
        } else {
            format!("order_no+{key}")
        }
    };
    TSV.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty() && !l.starts_with("code\t"))
        .map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            assert_eq!(cols.len(), 8, "row {l:?}");
            let key = cols[5].trim();
            let key = key.strip_prefix("(not given)").unwrap_or(key).trim();
            let mut shapes = key.split('|');
            let primary = scoped(shapes.next().expect("a primary key"));
            let fallback = shapes.next().map(scoped);
            (
                cols[0].trim().to_owned(),
                Row {
                    cancel_words: words(cols[3]),
                    withdraw_words: words(cols[4]),
                    primary,
                    fallback,
                },
            )
        })
        .collect()
}

/// Keys carrying every part any marketplace's key needs; every part differs between lines, so
/// only a key of the order no. alone names more than one line of the order.
fn full_keys(order_no: &str, line: u64) -> MarketplaceKeys {
    MarketplaceKeys {
        order_no: order_no.into(),
        line_no: Some(format!("{order_no}-{line}")),
        line_no2: Some(format!("D{line}")),
        product_code: Some(format!("P{line}")),
        product_name: Some(format!("상품{line}")),
        option: Some(format!("옵션{line}")),
        option_id: Some(format!("OPT{line}")),
        codes: ["code4", "code6", "code18", "code22"]
            .into_iter()
            .map(|code| (code.to_owned(), format!("{code}-{order_no}-{line}")))
            .collect(),
    }
}

/// A book with one paid order of `marketplace`: line 1 (2 units) and line 2 (1 unit), both with
/// full keys.
fn book_of(marketplace: &str) -> Book {
    let mut order = new_order(marketplace, ORDER, &[(1, 2), (2, 1)]);
    for line in &mut order.lines {
        line.keys = full_keys(&order.order_no, line.id.0);
    }
    let mut book = Book::new();
    run(
        &mut book,
        Command::CollectOrder(order),
        &Ctx::sync(&MarketplaceCode::from(marketplace), at(0)),
    );
    for line in [1, 2] {
        let keys = &book.line(OrderId(ORDER), LineId(line)).expect("line").keys;
        assert_eq!(keys, &line_keys(marketplace, line));
    }
    book
}

fn order_no(book: &Book) -> String {
    book.orders[&OrderId(ORDER)].order_no.clone()
}

/// The keys line `line` of a marketplace's order was collected with (see [`book_of`]).
fn line_keys(marketplace: &str, line: u64) -> MarketplaceKeys {
    full_keys(&format!("{marketplace}-{ORDER}"), line)
}

fn record(marketplace: &str, status: &str, keys: MarketplaceKeys) -> CancelRecord {
    CancelRecord {
        marketplace: MarketplaceCode::from(marketplace),
        status: status.into(),
        keys,
        quantity: None,
        claim_no: Some("CL-1".into()),
        reported_at: at(5),
    }
}

fn refs(lines: &[u64]) -> Vec<LineRef> {
    lines
        .iter()
        .map(|l| LineRef {
            order: OrderId(ORDER),
            line: LineId(*l),
        })
        .collect()
}

/// The lines of the order a record with line 1's keys names under a key: both lines for the
/// order no. alone, else line 1 only.
fn named_by(key: &str) -> Vec<u64> {
    if key == "order_no" {
        vec![1, 2]
    } else {
        vec![1]
    }
}

fn sync_ctx(marketplace: &str, hours: i64) -> Ctx {
    Ctx::sync(&MarketplaceCode::from(marketplace), at(hours))
}

/// Runs one sync batch through the command (as the server does), returning the matcher's answer
/// for each record, computed on the book before the batch.
fn sync(
    book: &mut Book,
    marketplace: &str,
    records: Vec<CancelRecord>,
    hours: i64,
) -> Vec<jumun_core::cancel_sync::CancelMatch> {
    let answers = match_cancels(book, &records);
    let len = 2 * records.len() as u64 + 2;
    run(
        book,
        Command::SyncCancels {
            records,
            ids: IdBlock::new(1_000 + 10 * hours as u64, len),
        },
        &sync_ctx(marketplace, hours),
    );
    answers
}

fn json(book: &Book) -> String {
    serde_json::to_string(book).expect("book serialises")
}

fn line_state(book: &Book, line: u64) -> (LineStatus, ClaimState, Option<HoldKind>) {
    let l = book.line(OrderId(ORDER), LineId(line)).expect("line");
    (l.status, l.claim_state, l.hold.as_ref().map(|h| h.kind))
}

fn table() -> &'static MarketplaceTable {
    MarketplaceTable::builtin()
}

fn code(profile: &MarketplaceProfile) -> &str {
    profile.code.as_str()
}

/// Removes one part from a record's keys.
fn without(mut keys: MarketplaceKeys, part: &str) -> MarketplaceKeys {
    match part {
        "line_no" => keys.line_no = None,
        "line_no2" => keys.line_no2 = None,
        "product_code" => keys.product_code = None,
        "product_name" => keys.product_name = None,
        "option" => {
            keys.option = None;
            keys.option_id = None;
        }
        code if code.starts_with("code") => {
            keys.codes.remove(code);
        }
        other => panic!("cannot remove {other}"),
    }
    keys
}

/// Gives one part of a record's keys a value no line has.
fn with_wrong(mut keys: MarketplaceKeys, part: &str) -> MarketplaceKeys {
    let wrong = Some("없는값".to_owned());
    match part {
        "line_no" => keys.line_no = wrong,
        "line_no2" => keys.line_no2 = wrong,
        "product_code" => keys.product_code = wrong,
        "product_name" => keys.product_name = wrong,
        "option" => keys.option = wrong,
        code if code.starts_with("code") => {
            keys.codes.insert(code.to_owned(), "없는값".into());
        }
        other => panic!("cannot change {other}"),
    }
    keys
}

#[test]
fn r25_r26_table_walk_covers_all_43_marketplaces_as_the_file_says() {
    let rows = rows();
    assert_eq!(table().len(), 43);
    assert_eq!(rows.len(), 43);
    for profile in table().iter() {
        let row = &rows[code(profile)];
        assert_eq!(
            profile.cancel_statuses, row.cancel_words,
            "{}",
            profile.code
        );
        assert_eq!(
            profile.withdraw_statuses, row.withdraw_words,
            "{}",
            profile.code
        );
        assert_eq!(
            profile.match_rule.primary.to_string(),
            row.primary,
            "{}",
            profile.code
        );
        assert_eq!(
            profile
                .match_rule
                .fallback
                .as_ref()
                .map(ToString::to_string),
            row.fallback,
            "{}",
            profile.code
        );
    }
}

/// R25, R26, R27: each cancel word of each marketplace cancels an unshipped line, found by the
/// marketplace's primary key; only the lines that key names are cancelled.
#[test]
fn r27_every_cancel_word_cancels_an_unshipped_line_by_the_primary_key() {
    let rows = rows();
    let mut walked = 0;
    for profile in table().iter() {
        let m = code(profile);
        let row = &rows[m];
        for word in &profile.cancel_statuses {
            let mut book = book_of(m);
            let answers = sync(&mut book, m, vec![record(m, word, line_keys(m, 1))], 1);
            let expected = named_by(&row.primary);
            assert_eq!(
                answers[0].key_used,
                Some(KeyUsed::Primary(row.primary.clone())),
                "{m} {word}"
            );
            assert_eq!(
                answers[0].verdict,
                CancelVerdict::Applies {
                    cancel: refs(&expected),
                    hold: Vec::new()
                },
                "{m} {word}"
            );
            for line in [1, 2] {
                let (status, state, hold) = line_state(&book, line);
                assert_eq!(status, LineStatus::Preparing, "{m} {word} line {line}");
                assert_eq!(hold, None, "{m} {word} line {line}");
                let want = if expected.contains(&line) {
                    ClaimState::Cancelled
                } else {
                    ClaimState::Normal
                };
                assert_eq!(state, want, "{m} {word} line {line}");
            }
            let claim = book.claims.values().next().expect("a claim");
            assert_eq!(book.claims.len(), 1, "{m} {word}");
            assert_eq!(claim.kind, ClaimKind::Cancel);
            assert_eq!(claim.progress, ClaimProgress::Completed);
            assert!(
                matches!(&claim.source, ClaimSource::Marketplace { status, .. } if status == word),
                "{m} {word}: {:?}",
                claim.source
            );
            // Syncing the same record again changes nothing (a sync repeats every 10–30 min).
            let again = json(&book);
            let answers = sync(&mut book, m, vec![record(m, word, line_keys(m, 1))], 2);
            assert_eq!(
                answers[0].verdict,
                CancelVerdict::AlreadyApplied,
                "{m} {word}"
            );
            assert_eq!(
                json(&book),
                again,
                "{m} {word}: a repeated cancel changes nothing"
            );
            walked += 1;
        }
    }
    let words: usize = table().iter().map(|p| p.cancel_statuses.len()).sum();
    assert_eq!(walked, words);
    assert!(walked >= 70, "only {walked} cancel words walked");
}

/// R27: a cancel of an invoiced line whose label is not printed yet still cancels it (nothing is
/// packed), and the unbundled order whose every line goes loses its invoice.
#[test]
fn r27_every_cancel_word_cancels_an_invoiced_unprinted_line() {
    let rows = rows();
    for profile in table().iter() {
        let m = code(profile);
        for word in &profile.cancel_statuses {
            let mut book = book_of(m);
            invoice(&mut book, ORDER);
            let answers = sync(&mut book, m, vec![record(m, word, line_keys(m, 1))], 2);
            let expected = named_by(&rows[m].primary);
            assert_eq!(
                answers[0].verdict,
                CancelVerdict::Applies {
                    cancel: refs(&expected),
                    hold: Vec::new()
                },
                "{m} {word}"
            );
            for line in &expected {
                assert_eq!(line_state(&book, *line).1, ClaimState::Cancelled, "{m}");
            }
            let order = &book.orders[&OrderId(ORDER)];
            if expected.len() == 2 {
                assert!(
                    order.invoice.is_none(),
                    "{m}: a wholly cancelled order keeps no invoice"
                );
            } else {
                assert!(order.invoice.is_some(), "{m}: line 2 still ships");
                assert_eq!(line_state(&book, 2).0, LineStatus::ReadyToShip);
            }
        }
    }
}

/// R27, R28: a cancel of a printed line holds it (the parcel may be packed); the held line
/// cannot ship until the operator resolves it.
#[test]
fn r27_every_cancel_word_holds_a_printed_line() {
    let rows = rows();
    for profile in table().iter() {
        let m = code(profile);
        for word in &profile.cancel_statuses {
            let mut book = book_of(m);
            invoice(&mut book, ORDER);
            run(
                &mut book,
                Command::PrintInvoice {
                    order: OrderId(ORDER),
                },
                &op(2),
            );
            let answers = sync(&mut book, m, vec![record(m, word, line_keys(m, 1))], 3);
            let expected = named_by(&rows[m].primary);
            assert_eq!(
                answers[0].key_used,
                Some(KeyUsed::Primary(rows[m].primary.clone())),
                "{m} {word}"
            );
            assert_eq!(
                answers[0].verdict,
                CancelVerdict::Applies {
                    cancel: Vec::new(),
                    hold: refs(&expected)
                },
                "{m} {word}"
            );
            for line in [1, 2] {
                let l = book.line(OrderId(ORDER), LineId(line)).expect("line");
                assert_eq!(l.status, LineStatus::ReadyToShip, "{m} {word}");
                assert_eq!(l.claim_state, ClaimState::Normal, "{m} {word}");
                if expected.contains(&line) {
                    let hold = l.hold.as_ref().expect("held");
                    assert_eq!(hold.kind, HoldKind::Cancel, "{m} {word}");
                    assert_eq!(hold.reason, HoldReason::CancelAfterPrint, "{m} {word}");
                } else {
                    assert!(l.hold.is_none(), "{m} {word}: line 2 is not named");
                }
            }
            let claim = book.claims.values().next().expect("a claim");
            assert_eq!(claim.progress, ClaimProgress::Requested, "{m} {word}");
            let refusal = refuse(
                &mut book,
                Command::Ship {
                    order: OrderId(ORDER),
                },
                &op(4),
            );
            assert!(
                matches!(
                    refusal,
                    Refusal::OnHold {
                        hold: HoldKind::Cancel,
                        ..
                    }
                ),
                "{m} {word}: {refusal:?}"
            );
            // Again: already held for this cancel, nothing more.
            let before = json(&book);
            let answers = sync(&mut book, m, vec![record(m, word, line_keys(m, 1))], 5);
            assert_eq!(answers[0].verdict, CancelVerdict::AlreadyApplied, "{m}");
            assert_eq!(json(&book), before, "{m} {word}");
        }
    }
}

/// R27: a cancel of a shipped line becomes a hold for the operator (return intercept); the line
/// stays in transit and is not cancelled.
#[test]
fn r27_every_cancel_word_holds_a_shipped_line_for_return_intercept() {
    let rows = rows();
    for profile in table().iter() {
        let m = code(profile);
        for word in &profile.cancel_statuses {
            let mut book = book_of(m);
            ship(&mut book, ORDER);
            let answers = sync(&mut book, m, vec![record(m, word, line_keys(m, 1))], 4);
            let expected = named_by(&rows[m].primary);
            assert_eq!(
                answers[0].verdict,
                CancelVerdict::Applies {
                    cancel: Vec::new(),
                    hold: refs(&expected)
                },
                "{m} {word}"
            );
            for line in &expected {
                let l = book.line(OrderId(ORDER), LineId(*line)).expect("line");
                assert_eq!(l.status, LineStatus::InTransit, "{m} {word}");
                assert_eq!(l.claim_state, ClaimState::Normal, "{m} {word}");
                let hold = l.hold.as_ref().expect("held");
                assert_eq!(hold.kind, HoldKind::Cancel, "{m} {word}");
                assert_eq!(hold.reason, HoldReason::ReturnIntercept, "{m} {word}");
            }
        }
    }
}

/// R26: a record lacking a part of the primary key is matched by the fallback, when the
/// marketplace has one; so is a record whose primary key finds nothing. Without a fallback such a
/// record matches nothing and is kept (R27), never matched by a looser key.
#[test]
fn r26_fallback_key_is_used_when_the_record_lacks_a_primary_part() {
    let rows = rows();
    let mut with_fallback = 0;
    let mut without_fallback = 0;
    for profile in table().iter() {
        let m = code(profile);
        let row = &rows[m];
        let Some(word) = profile.cancel_statuses.first() else {
            continue;
        };
        let primary_parts: Vec<&str> = row.primary.split('+').collect();
        let fallback_parts: Vec<&str> = row
            .fallback
            .as_deref()
            .map(|f| f.split('+').collect())
            .unwrap_or_default();
        // A part of the primary key that the fallback does not need.
        let Some(part) = primary_parts
            .iter()
            .copied()
            .find(|p| *p != "order_no" && !fallback_parts.contains(p))
        else {
            continue;
        };
        for (case, keys) in [
            ("lacking", without(line_keys(m, 1), part)),
            ("wrong", with_wrong(line_keys(m, 1), part)),
        ] {
            let mut book = book_of(m);
            assert_eq!(order_no(&book), format!("{m}-{ORDER}"));
            let answers = sync(&mut book, m, vec![record(m, word, keys.clone())], 1);
            match &row.fallback {
                Some(fallback) => {
                    assert_eq!(
                        answers[0].key_used,
                        Some(KeyUsed::Fallback(fallback.clone())),
                        "{m} {case} {part}"
                    );
                    assert_eq!(
                        answers[0].verdict,
                        CancelVerdict::Applies {
                            cancel: refs(&named_by(fallback)),
                            hold: Vec::new()
                        },
                        "{m} {case} {part}"
                    );
                    for line in named_by(fallback) {
                        assert_eq!(line_state(&book, line).1, ClaimState::Cancelled, "{m}");
                    }
                    with_fallback += 1;
                }
                None => {
                    assert_eq!(answers[0].key_used, None, "{m} {case} {part}");
                    assert_eq!(
                        answers[0].verdict,
                        CancelVerdict::Unmatched,
                        "{m} {case} {part}"
                    );
                    assert_eq!(book.unmatched_cancels.len(), 1, "{m} {case}");
                    assert_eq!(line_state(&book, 1).1, ClaimState::Normal, "{m}");
                    without_fallback += 1;
                }
            }
        }
    }
    // interpark, instore, godomall, hns, brandi, zigzag, wemakeprice-api, wemakeprice2, player.
    assert_eq!(with_fallback, 2 * 9);
    assert!(without_fallback > 0);
}

/// R27: a record naming no line is kept and shown, once, however often the sync repeats it —
/// across runs and within one batch.
#[test]
fn r27_unmatched_record_is_kept_once_even_when_synced_twice() {
    for profile in table().iter() {
        let m = code(profile);
        for word in &profile.cancel_statuses {
            let mut book = book_of(m);
            let lost = record(m, word, full_keys(&format!("{m}-999"), 1));
            let answers = sync(&mut book, m, vec![lost.clone(), lost.clone()], 1);
            assert_eq!(answers[0].verdict, CancelVerdict::Unmatched, "{m} {word}");
            assert_eq!(answers[0].key_used, None, "{m} {word}");
            assert_eq!(book.unmatched_cancels, vec![lost.clone()], "{m} {word}");
            let before = json(&book);
            let answers = sync(&mut book, m, vec![lost.clone()], 2);
            assert_eq!(answers[0].verdict, CancelVerdict::Unmatched, "{m} {word}");
            assert_eq!(book.unmatched_cancels, vec![lost], "{m} {word}");
            assert_eq!(json(&book), before, "{m} {word}");
            for line in [1, 2] {
                assert_eq!(line_state(&book, line).1, ClaimState::Normal, "{m}");
            }
            assert!(book.claims.is_empty(), "{m} {word}");
        }
    }
}

/// R27: the collector syncs again only the kept records that now act on a line — one whose
/// order was collected after it — not one naming a line the console never had (Coupang lists no
/// item cancelled before 상품준비중), which a sync would only keep again.
#[test]
fn r27_only_kept_records_that_now_act_on_a_line_are_synced_again() {
    let m = "coupang";
    let word = table()
        .get(&MarketplaceCode::from(m))
        .expect("coupang")
        .cancel_statuses[0]
        .clone();
    // Both records come before any order: both are kept.
    let mut book = Book::new();
    let later = record(m, &word, line_keys(m, 1));
    let never = record(m, &word, full_keys(&format!("{m}-{ORDER}"), 77));
    sync(&mut book, m, vec![later.clone(), never.clone()], 1);
    assert_eq!(book.unmatched_cancels, vec![later.clone(), never.clone()]);
    assert!(kept_that_now_apply(&book, &MarketplaceCode::from(m)).is_empty());
    // The order comes (lines 1 and 2; no line 77): only the first record acts now.
    let mut order = new_order(m, ORDER, &[(1, 2), (2, 1)]);
    for line in &mut order.lines {
        line.keys = full_keys(&order.order_no, line.id.0);
    }
    run(
        &mut book,
        Command::CollectOrder(order),
        &Ctx::sync(&MarketplaceCode::from(m), at(2)),
    );
    assert_eq!(
        kept_that_now_apply(&book, &MarketplaceCode::from(m)),
        vec![later.clone()]
    );
    assert!(kept_that_now_apply(&book, &MarketplaceCode::from("smartstore")).is_empty());
    // Synced again, it applies and leaves the kept list; the other stays for the operator.
    sync(&mut book, m, vec![later], 3);
    assert_eq!(line_state(&book, 1).1, ClaimState::Cancelled);
    assert_eq!(book.unmatched_cancels, vec![never]);
    assert!(kept_that_now_apply(&book, &MarketplaceCode::from(m)).is_empty());
}

/// Lines without their reference to the latest claim: a withdrawn claim stays the line's latest
/// claim (its history), everything else must be as before it (R12).
fn without_claim_ref(lines: &[jumun_core::order::Line]) -> Vec<jumun_core::order::Line> {
    lines
        .iter()
        .cloned()
        .map(|mut l| {
            l.claim = None;
            l
        })
        .collect()
}

/// Every status word any marketplace uses, plus words no marketplace uses.
fn all_words() -> BTreeSet<String> {
    let mut words: BTreeSet<String> = table()
        .iter()
        .flat_map(|p| p.cancel_statuses.iter().chain(&p.withdraw_statuses))
        .cloned()
        .collect();
    for other in ["배송중", "정상", "반품요청", "교환요청", "", "취소 완료"] {
        words.insert(other.to_owned());
    }
    words
}

/// R25: only a marketplace's own words cancel. Another marketplace's cancel word, or any other
/// word, is not a cancel: no claim, no hold, nothing kept, nothing changed. (A marketplace with
/// no words at all is below: its records are kept for the operator.)
#[test]
fn r25_a_word_not_in_the_marketplaces_table_is_not_a_cancel() {
    for profile in table().iter().filter(|p| p.knows_cancel_words()) {
        let m = code(profile);
        let foreign: Vec<String> = all_words()
            .into_iter()
            .filter(|w| {
                !profile.cancel_statuses.contains(w) && !profile.withdraw_statuses.contains(w)
            })
            .collect();
        assert!(!foreign.is_empty());
        for stage in ["preparing", "printed", "shipped"] {
            let mut book = book_of(m);
            match stage {
                "printed" => {
                    invoice(&mut book, ORDER);
                    run(
                        &mut book,
                        Command::PrintInvoice {
                            order: OrderId(ORDER),
                        },
                        &op(2),
                    );
                }
                "shipped" => ship(&mut book, ORDER),
                _ => {}
            }
            let before = json(&book);
            let records: Vec<CancelRecord> = foreign
                .iter()
                .map(|w| record(m, w, line_keys(m, 1)))
                .collect();
            let answers = match_cancels(&book, &records);
            for (answer, word) in answers.iter().zip(&foreign) {
                assert_eq!(answer.verdict, CancelVerdict::NotACancel, "{m} {word:?}");
                assert_eq!(answer.key_used, None, "{m} {word:?}");
            }
            let (_, events) = book
                .sync_cancels(&records, IdBlock::new(500, 200), &sync_ctx(m, 6))
                .expect("a sync of non-cancel words is not refused");
            assert!(events.is_empty(), "{m} {stage}: {events:?}");
            assert_eq!(json(&book), before, "{m} {stage}: nothing changes");
        }
    }
}

/// R25, R27: the five marketplaces for which the seed names no cancel word never cancel anything
/// by sync, but their records are never dropped either: whatever the word, a record is kept for
/// the operator, the lines it names are held (취소보류, "판매처 취소 여부 확인 필요") so they cannot
/// ship, and a repeat of the same record (every sync) holds nothing again, even after the
/// operator released the lines. A record naming no line is kept like any unmatched one.
#[test]
fn r25_records_of_marketplaces_without_cancel_words_are_kept_and_their_lines_held() {
    let silent: BTreeSet<&str> = table()
        .iter()
        .filter(|p| p.cancel_statuses.is_empty() && p.withdraw_statuses.is_empty())
        .map(code)
        .collect();
    assert_eq!(
        silent,
        BTreeSet::from(["nsmall", "lottecom", "seoulstore", "gsretail", "gseshop"])
    );
    for m in silent {
        for word in ["취소요청", "취소완료", "주문취소", ""] {
            let mut book = book_of(m);
            let named = record(m, word, line_keys(m, 1));
            let nowhere = record(m, word, full_keys(&format!("{m}-999"), 1));
            let answers = match_cancels(&book, &[named.clone(), nowhere.clone()]);
            // The lines the marketplace's key names: line 1, or the whole order for a key of
            // the order number alone.
            let CancelVerdict::Unconfirmed { hold: named_lines } = &answers[0].verdict else {
                panic!("{m} {word:?}: {:?}", answers[0].verdict);
            };
            assert!(named_lines.contains(&refs(&[1])[0]), "{m} {word:?}");
            assert_eq!(answers[1].verdict, CancelVerdict::Unmatched, "{m} {word:?}");
            let (_, events) = book
                .sync_cancels(
                    &[named.clone(), nowhere.clone()],
                    IdBlock::new(500, 8),
                    &sync_ctx(m, 1),
                )
                .expect("not refused");
            assert!(!events.is_empty(), "{m} {word:?}");
            let line = book.line(OrderId(ORDER), LineId(1)).expect("line");
            let hold = line.hold.clone().expect("held for the operator");
            assert_eq!(hold.kind, HoldKind::Cancel, "{m} {word:?}");
            assert_eq!(hold.reason, HoldReason::CancelUnconfirmed, "{m} {word:?}");
            assert_ne!(
                line.claim_state,
                ClaimState::Cancelled,
                "{m}: nothing cancelled"
            );
            // A line the key does not name is untouched; both records are kept for the operator.
            let other = book.line(OrderId(ORDER), LineId(2)).expect("line");
            assert_eq!(
                other.hold.is_some(),
                named_lines.contains(&refs(&[2])[0]),
                "{m} {word:?}"
            );
            assert_eq!(book.unmatched_cancels, vec![named.clone(), nowhere.clone()]);
            // A held line does not ship (R28).
            assert!(
                book.execute(
                    &Command::Ship {
                        order: OrderId(ORDER)
                    },
                    &op(3)
                )
                .is_err(),
                "{m} {word:?}"
            );
            // The sync repeats: nothing new.
            let before = json(&book);
            let (_, again) = book
                .sync_cancels(
                    &[named.clone(), nowhere.clone()],
                    IdBlock::new(600, 8),
                    &sync_ctx(m, 2),
                )
                .expect("not refused");
            assert!(again.is_empty(), "{m} {word:?}: {again:?}");
            assert_eq!(json(&book), before, "{m} {word:?}");
            // The operator releases the line: the same record, synced again, holds nothing.
            run(
                &mut book,
                Command::ReleaseHold {
                    order: OrderId(ORDER),
                    lines: Vec::new(),
                },
                &op(4),
            );
            assert!(book
                .line(OrderId(ORDER), LineId(1))
                .expect("line")
                .hold
                .is_none());
            let (_, after_release) = book
                .sync_cancels(
                    std::slice::from_ref(&named),
                    IdBlock::new(700, 8),
                    &sync_ctx(m, 5),
                )
                .expect("not refused");
            assert!(after_release.is_empty(), "{m} {word:?}: {after_release:?}");
        }
    }
}

/// R25, R12: a withdraw word (Fashionplus 취소거부) after a cancel that holds a printed line
/// withdraws it: the claim is withdrawn, the line is back exactly as before, and it ships.
#[test]
fn r25_r12_withdraw_word_after_a_held_cancel_restores_the_line() {
    let mut walked = 0;
    for profile in table().iter() {
        let m = code(profile);
        for withdraw in &profile.withdraw_statuses {
            for cancel in &profile.cancel_statuses {
                let mut book = book_of(m);
                invoice(&mut book, ORDER);
                run(
                    &mut book,
                    Command::PrintInvoice {
                        order: OrderId(ORDER),
                    },
                    &op(2),
                );
                let printed = json(&book);
                let lines_before: Vec<_> = book.orders[&OrderId(ORDER)].lines.clone();
                let answers = sync(&mut book, m, vec![record(m, cancel, line_keys(m, 1))], 3);
                let named = match &answers[0].verdict {
                    CancelVerdict::Applies { cancel, hold } if cancel.is_empty() => hold.clone(),
                    other => panic!("{m} {cancel}: {other:?}"),
                };
                assert!(line_state(&book, 1).2 == Some(HoldKind::Cancel));
                let answers = sync(&mut book, m, vec![record(m, withdraw, line_keys(m, 1))], 4);
                assert_eq!(
                    answers[0].verdict,
                    CancelVerdict::Withdraws {
                        lines: named.clone()
                    },
                    "{m} {withdraw}"
                );
                let claim = book.claims.values().next().expect("the claim");
                assert_eq!(claim.progress, ClaimProgress::Withdrawn, "{m} {withdraw}");
                assert_eq!(
                    without_claim_ref(&book.orders[&OrderId(ORDER)].lines),
                    lines_before,
                    "{m}: the lines are back exactly as they were"
                );
                assert!(book.orders[&OrderId(ORDER)]
                    .lines
                    .iter()
                    .filter(|l| named.iter().any(|at| at.line == l.id))
                    .all(|l| l.claim == Some(claim.id)));
                assert_ne!(
                    json(&book),
                    printed,
                    "the withdrawn claim stays in the book"
                );
                // The withdrawal again: nothing left to withdraw.
                let again = json(&book);
                let answers = sync(&mut book, m, vec![record(m, withdraw, line_keys(m, 1))], 5);
                assert_eq!(answers[0].verdict, CancelVerdict::AlreadyApplied, "{m}");
                assert_eq!(json(&book), again, "{m}");
                run(
                    &mut book,
                    Command::Ship {
                        order: OrderId(ORDER),
                    },
                    &op(6),
                );
                assert_eq!(line_state(&book, 1).0, LineStatus::InTransit);
                walked += 1;
            }
        }
    }
    assert!(walked >= 2, "Fashionplus has two cancel words and 취소거부");
}

/// R25, R12: Fashionplus 취소거부 after a synced cancel that already cancelled an unshipped line
/// withdraws it too: the line is normal again and can be invoiced.
#[test]
fn r25_r12_fashionplus_cancel_refused_after_a_completed_cancel_restores_the_line() {
    let m = "fashionplus";
    let mut book = book_of(m);
    let collected: Vec<_> = book.orders[&OrderId(ORDER)].lines.clone();
    let answers = sync(
        &mut book,
        m,
        vec![record(m, "취소신청", line_keys(m, 1))],
        1,
    );
    assert_eq!(
        answers[0].verdict,
        CancelVerdict::Applies {
            cancel: refs(&[1, 2]),
            hold: Vec::new()
        }
    );
    assert!(book.orders[&OrderId(ORDER)].is_cancelled());
    let answers = sync(
        &mut book,
        m,
        vec![record(m, "취소거부", line_keys(m, 1))],
        2,
    );
    assert_eq!(
        answers[0].verdict,
        CancelVerdict::Withdraws {
            lines: refs(&[1, 2])
        }
    );
    assert_eq!(
        without_claim_ref(&book.orders[&OrderId(ORDER)].lines),
        collected
    );
    invoice(&mut book, ORDER);
    assert_eq!(line_state(&book, 2).0, LineStatus::ReadyToShip);
}

/// R25: a withdraw word with no cancel to withdraw changes nothing.
#[test]
fn r25_withdraw_word_without_a_cancel_changes_nothing() {
    for profile in table().iter() {
        let m = code(profile);
        for withdraw in &profile.withdraw_statuses {
            let mut book = book_of(m);
            let before = json(&book);
            let answers = sync(&mut book, m, vec![record(m, withdraw, line_keys(m, 1))], 1);
            assert_eq!(answers[0].verdict, CancelVerdict::AlreadyApplied, "{m}");
            assert_eq!(json(&book), before, "{m}");
        }
    }
}

/// R27: a cancel synced before its order was collected (a marketplace cancel made moments after
/// the order) is kept; once the order is in, the same record synced again (the collector sends
/// the kept ones whose order arrived) cancels its line and leaves the kept list. Found by the
/// collection soak (docs/benchmarks.md).
#[test]
fn r27_a_cancel_kept_before_its_order_arrived_applies_once_the_order_is_collected() {
    let m = "coupang";
    let word = table()
        .iter()
        .find(|p| code(p) == m)
        .and_then(|p| p.cancel_statuses.first().cloned())
        .expect("coupang has a cancel word");
    let record = record(m, &word, line_keys(m, 1));
    // The cancel first: nothing to match, kept.
    let mut early = Book::new();
    let (answers, _) = early
        .sync_cancels(
            std::slice::from_ref(&record),
            IdBlock::new(500, 4),
            &sync_ctx(m, 1),
        )
        .expect("not refused");
    assert_eq!(answers[0].verdict, CancelVerdict::Unmatched);
    assert_eq!(early.unmatched_cancels, vec![record.clone()]);
    // The order arrives (collected as `book_of` does, on top of the kept record).
    let mut book = book_of(m);
    book.unmatched_cancels = early.unmatched_cancels.clone();
    let (answers, events) = book
        .sync_cancels(
            std::slice::from_ref(&record),
            IdBlock::new(600, 4),
            &sync_ctx(m, 2),
        )
        .expect("not refused");
    assert!(
        matches!(answers[0].verdict, CancelVerdict::Applies { .. }),
        "{:?}",
        answers[0].verdict
    );
    assert!(book.unmatched_cancels.is_empty(), "no longer kept");
    assert_eq!(
        book.line(OrderId(ORDER), LineId(1))
            .expect("line")
            .claim_state,
        ClaimState::Cancelled
    );
    // The log says so (a browser folding it drops the record from its kept list too).
    assert!(events
        .iter()
        .any(|e| matches!(e.change, jumun_core::event::Change::KeptCancelMatched(_))));
}

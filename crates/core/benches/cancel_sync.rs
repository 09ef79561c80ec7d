//! Cancel-sync benchmark (run: `cargo bench -p jumun-core --bench cancel_sync`).
//!
//! Prints, on this machine, the time of `cancel_sync::match_cancels` for 100,000 marketplace
//! cancel records against a book of 1,000,000 lines (500,000 orders × 2 lines, 17 marketplaces of
//! the built-in table with their own keys); aim < 1 s. Also prints what building that book costs
//! (collecting the orders, invoicing some) and a full rebuild of the derived indexes, and the
//! verdict counts, so a reader sees the matching did real work.
//!
//! Figures are printed, never asserted. The only check is for correctness: every record that
//! names an existing unshipped line by its primary key must be matched by that key; a failed
//! check exits non-zero with a message.

use jumun_bench::figures::{begin, finish, ms, per_sec, proc_status, verdict};
use jumun_bench::orders::{self, at, line_keys, OrderSpec, Rng};
use jumun_core::cancel_sync::{match_cancels, CancelMatch, CancelRecord, CancelVerdict, KeyUsed};
use jumun_core::carrier::Carrier;
use jumun_core::ids::{IdBlock, LineId, OrderId};
use jumun_core::marketplace::MarketplaceCode;
use jumun_core::order::{NewOrder, Payment};
use jumun_core::{Book, Command, Ctx};
use std::collections::BTreeMap;
use std::process::ExitCode;
use std::time::{Duration as StdDuration, Instant};

const ORDERS: u64 = 500_000;
const LINES_PER_ORDER: u64 = 2;
const RECORDS: usize = 100_000;
const PRODUCTS: u64 = 3_000;
const RUNS: usize = 5;

/// Marketplaces of the built-in table, with a weight each, a cancel word from the table and
/// whether the bench builds fallback records for it (the primary key part the record lacks).
struct Market {
    code: &'static str,
    weight: u64,
    cancel_word: &'static str,
    fallback: Option<Missing>,
}

/// The part of the primary key a fallback record lacks.
#[derive(Clone, Copy)]
enum Missing {
    LineNo,
    LineNo2,
    ProductCode,
    Code18,
}

const MARKETS: &[Market] = &[
    market("coupang", 22, "출고중지요청", None),
    market("smartstore", 18, "취소요청", None),
    market("cafe24", 9, "취소접수-관리자", None),
    market("11st", 8, "취소신청", None),
    market("zigzag", 6, "취소요청중", Some(Missing::LineNo2)),
    market("brandi", 4, "주문취소중", Some(Missing::LineNo2)),
    market("shinsegae", 3, "주문취소", None),
    market("emart", 3, "주문취소", None),
    market("auction", 4, "취소요청", None),
    market("interpark", 3, "취소요청", Some(Missing::LineNo)),
    market("29cm", 3, "취소완료", None),
    market("akmall", 2, "취소완료", None),
    market("wemakeprice2", 3, "취소승인", Some(Missing::Code18)),
    market("player", 2, "주문취소", Some(Missing::ProductCode)),
    market("godomall", 4, "고객요청취소", Some(Missing::LineNo)),
    market("tmon", 3, "출고전 취소요청", None),
    market("fashionplus", 3, "취소신청", None),
];

const fn market(
    code: &'static str,
    weight: u64,
    cancel_word: &'static str,
    fallback: Option<Missing>,
) -> Market {
    Market {
        code,
        weight,
        cancel_word,
        fallback,
    }
}

/// Status words marketplaces send that are not cancel words (R25).
const OTHER_WORDS: &[&str] = &["배송중", "결제완료", "배송준비중", "교환요청", "반품요청"];

/// How far an order of the book has come.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Stage {
    AwaitingPayment,
    Preparing,
    Printed,
    Shipped,
}

struct Meta {
    id: OrderId,
    market: usize,
    stage: Stage,
}

fn main() -> ExitCode {
    begin("jumun-core bench: cancel_sync");
    println!();
    let result = bench();
    finish(result)
}

fn bench() -> Result<(), String> {
    let mut rng = Rng(0x5eed_0003);
    let mut book = Book::new();
    let mut meta: Vec<Meta> = Vec::with_capacity(ORDERS as usize);

    // Collect 500,000 orders (5% unpaid bank transfers).
    let started = Instant::now();
    for n in 0..ORDERS {
        let id = OrderId(n + 1);
        let market = rng.weighted(MARKETS, |m| m.weight);
        let unpaid = rng.below(100) < 5;
        let payment = if unpaid {
            Payment::BankTransfer { deadline: at(72) }
        } else {
            Payment::Paid
        };
        let new = new_order(&mut rng, id, market, payment);
        let ctx = Ctx::sync(&new.marketplace, at(0));
        book.execute(&Command::CollectOrder(new), &ctx)
            .map_err(|refusal| format!("bench data: collecting order {id} refused: {refusal}"))?;
        let stage = if unpaid {
            Stage::AwaitingPayment
        } else {
            Stage::Preparing
        };
        meta.push(Meta { id, market, stage });
    }
    let collected = started.elapsed();
    let lines: usize = book.orders.values().map(|o| o.lines.len()).sum();
    println!(
        "book: {} orders, {lines} lines over {} marketplaces",
        book.orders.len(),
        MARKETS.len()
    );
    println!(
        "  collect (Book::execute of CollectOrder, indexes kept up to date): {} | {} orders/s",
        ms(collected),
        per_sec(ORDERS as usize, collected)
    );

    // 8% of the paid orders printed, 7% shipped, so cancels meet held as well as open lines.
    let started = Instant::now();
    let mut commands = 0usize;
    for m in meta.iter_mut().filter(|m| m.stage == Stage::Preparing) {
        let roll = rng.below(100);
        if roll >= 15 {
            continue;
        }
        let order = m.id;
        let mut steps = vec![
            Command::IssueInvoice {
                order,
                carrier: Carrier::cj(),
                tracking_no: format!("6{:011}", order.0),
            },
            Command::PrintInvoice { order },
        ];
        m.stage = Stage::Printed;
        if roll >= 8 {
            steps.push(Command::Ship { order });
            m.stage = Stage::Shipped;
        }
        for step in &steps {
            book.execute(step, &op(2))
                .map_err(|refusal| format!("bench data: {step:?} refused: {refusal}"))?;
            commands += 1;
        }
    }
    let advanced = started.elapsed();
    println!(
        "  invoice/print/ship 15% of the orders ({commands} commands): {} | {} commands/s",
        ms(advanced),
        per_sec(commands, advanced)
    );

    let started = Instant::now();
    book.rebuild_indexes();
    let rebuilt = started.elapsed();
    println!(
        "  Book::rebuild_indexes (line index, tracking, order nos, line owners; as after loading a \
         snapshot): {} | {} lines/s",
        ms(rebuilt),
        per_sec(lines, rebuilt)
    );
    println!(
        "  memory with the book built: VmRSS {}",
        proc_status("VmRSS:")
    );

    // 100,000 records: 70% by primary key on unshipped lines, 10% needing the fallback key, 10%
    // naming no line, 10% with a status word that is not a cancel word.
    let started = Instant::now();
    let (records, categories) = make_records(&mut rng, &book, &meta);
    println!(
        "records: {} built in {}",
        records.len(),
        ms(started.elapsed())
    );

    let mut times = Vec::new();
    let mut answers = Vec::new();
    for _ in 0..RUNS {
        let started = Instant::now();
        let found = match_cancels(&book, &records);
        times.push(started.elapsed());
        answers = found;
    }
    times.sort();
    let median = times[times.len() / 2];
    println!(
        "match_cancels: {} records against {lines} lines: best {} median {} ({RUNS} runs) | {} \
         records/s (median)",
        records.len(),
        ms(times[0]),
        ms(median),
        per_sec(records.len(), median)
    );
    print_verdicts(&answers, &categories);
    check(&answers, &categories)?;
    println!(
        "aim: matching 100,000 cancels against 1,000,000 lines < 1 s -> {}",
        verdict(StdDuration::from_secs(1), median)
    );

    // The same batch as the command a sync runs: decide (read-only) the events it would make.
    let command = Command::SyncCancels {
        records,
        ids: IdBlock::new(10_000_000_000, 2 * RECORDS as u64 + 2),
    };
    let started = Instant::now();
    let changes = book
        .decide(&command, &op(3))
        .map_err(|refusal| format!("SyncCancels refused: {refusal}"))?;
    let decided = started.elapsed();
    println!(
        "Book::decide(SyncCancels) of the same {RECORDS} records (matching + the changes): {} -> \
         {} changes",
        ms(decided),
        changes.len()
    );
    Ok(())
}

/// What a record was built to be.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Category {
    Primary,
    Fallback,
    Unmatched,
    NotACancelWord,
}

fn make_records(rng: &mut Rng, book: &Book, meta: &[Meta]) -> (Vec<CancelRecord>, Vec<Category>) {
    let mut records = Vec::with_capacity(RECORDS);
    let mut categories = Vec::with_capacity(RECORDS);
    let open: Vec<&Meta> = meta
        .iter()
        .filter(|m| matches!(m.stage, Stage::AwaitingPayment | Stage::Preparing))
        .collect();
    let with_fallback: Vec<&Meta> = meta
        .iter()
        .filter(|m| MARKETS[m.market].fallback.is_some())
        .collect();
    let primary = RECORDS * 7 / 10;
    let tenth = RECORDS / 10;
    // Distinct orders for the primary records: a strided walk over the open orders.
    let stride = 7_919; // a prime not dividing the count, so the walk visits distinct orders
    let start = rng.below(open.len() as u64) as usize;
    for k in 0..primary {
        let m = open[(start + k * stride) % open.len()];
        records.push(record_for(
            rng,
            book,
            m,
            MARKETS[m.market].cancel_word,
            None,
        ));
        categories.push(Category::Primary);
    }
    for _ in 0..tenth {
        let m = with_fallback[rng.below(with_fallback.len() as u64) as usize];
        let market = &MARKETS[m.market];
        records.push(record_for(
            rng,
            book,
            m,
            market.cancel_word,
            market.fallback,
        ));
        categories.push(Category::Fallback);
    }
    for k in 0..tenth {
        let market = &MARKETS[rng.below(MARKETS.len() as u64) as usize];
        let order_no = format!("NX{:010}", k);
        records.push(CancelRecord {
            marketplace: MarketplaceCode::from(market.code),
            status: market.cancel_word.into(),
            keys: line_keys(market.code, &order_no, 0, rng.below(PRODUCTS), 0),
            quantity: None,
            claim_no: Some(format!("CX{k}")),
            reported_at: at(3),
        });
        categories.push(Category::Unmatched);
    }
    for _ in 0..tenth {
        let m = &meta[rng.below(meta.len() as u64) as usize];
        let word = OTHER_WORDS[rng.below(OTHER_WORDS.len() as u64) as usize];
        records.push(record_for(rng, book, m, word, None));
        categories.push(Category::NotACancelWord);
    }
    // Shuffle, so the batch is not grouped by kind (Fisher–Yates).
    for i in (1..records.len()).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        records.swap(i, j);
        categories.swap(i, j);
    }
    (records, categories)
}

/// A record naming one line of an order, with all its keys, or without one part of the primary
/// key (so only the fallback can find it).
fn record_for(
    rng: &mut Rng,
    book: &Book,
    m: &Meta,
    status: &str,
    missing: Option<Missing>,
) -> CancelRecord {
    let order = &book.orders[&m.id];
    let line = &order.lines[rng.below(order.lines.len() as u64) as usize];
    let mut keys = line.keys.clone();
    match missing {
        Some(Missing::LineNo) => keys.line_no = None,
        Some(Missing::LineNo2) => keys.line_no2 = None,
        Some(Missing::ProductCode) => keys.product_code = None,
        Some(Missing::Code18) => {
            keys.codes.remove("code18");
        }
        None => {}
    }
    CancelRecord {
        marketplace: order.marketplace.clone(),
        status: status.into(),
        keys,
        quantity: None,
        claim_no: Some(format!("C{}-{}", m.id.0, line.id.0)),
        reported_at: at(3),
    }
}

fn verdict_name(answer: &CancelMatch) -> &'static str {
    match answer.verdict {
        CancelVerdict::Applies { ref hold, .. } if hold.is_empty() => "cancels",
        CancelVerdict::Applies { ref cancel, .. } if cancel.is_empty() => "holds",
        CancelVerdict::Applies { .. } => "cancels+holds",
        CancelVerdict::Withdraws { .. } => "withdraws",
        CancelVerdict::AlreadyApplied => "already applied",
        CancelVerdict::Unmatched => "unmatched",
        CancelVerdict::Unconfirmed { .. } => "kept, lines held to confirm",
        CancelVerdict::NotACancel => "not a cancel",
        CancelVerdict::UnknownMarketplace => "unknown marketplace",
    }
}

fn key_name(answer: &CancelMatch) -> &'static str {
    match answer.key_used {
        Some(KeyUsed::Primary(_)) => "primary",
        Some(KeyUsed::Fallback(_)) => "fallback",
        None => "none",
    }
}

fn print_verdicts(answers: &[CancelMatch], categories: &[Category]) {
    let mut verdicts: BTreeMap<&str, usize> = BTreeMap::new();
    let mut keys: BTreeMap<&str, usize> = BTreeMap::new();
    let mut by_category: BTreeMap<Category, BTreeMap<String, usize>> = BTreeMap::new();
    let mut cancelled = 0usize;
    let mut held = 0usize;
    for answer in answers {
        *verdicts.entry(verdict_name(answer)).or_default() += 1;
        *keys.entry(key_name(answer)).or_default() += 1;
        if let CancelVerdict::Applies { cancel, hold } = &answer.verdict {
            cancelled += cancel.len();
            held += hold.len();
        }
        *by_category
            .entry(categories[answer.record])
            .or_default()
            .entry(format!("{} by {}", verdict_name(answer), key_name(answer)))
            .or_default() += 1;
    }
    println!("  verdicts: {verdicts:?}");
    println!("  key used: {keys:?}");
    println!("  lines to cancel: {cancelled}, lines to hold (printed or shipped): {held}");
    for (category, counts) in by_category {
        println!("  built as {category:?}: {counts:?}");
    }
}

/// Correctness, not time: every primary record names an open line and must cancel it by the
/// primary key; every record built to match nothing must be unmatched.
fn check(answers: &[CancelMatch], categories: &[Category]) -> Result<(), String> {
    if answers.len() != categories.len() {
        return Err(format!(
            "{} answers for {} records",
            answers.len(),
            categories.len()
        ));
    }
    for answer in answers {
        let ok = match categories[answer.record] {
            Category::Primary => {
                matches!(answer.key_used, Some(KeyUsed::Primary(_)))
                    && matches!(&answer.verdict, CancelVerdict::Applies { cancel, hold }
                        if !cancel.is_empty() && hold.is_empty())
            }
            Category::Fallback => matches!(answer.key_used, Some(KeyUsed::Fallback(_))),
            Category::Unmatched => answer.verdict == CancelVerdict::Unmatched,
            Category::NotACancelWord => answer.verdict == CancelVerdict::NotACancel,
        };
        if !ok {
            return Err(format!(
                "record {} built as {:?} got {:?}",
                answer.record, categories[answer.record], answer
            ));
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// generated data

fn op(hours: i64) -> Ctx {
    Ctx::operator("출고담당", at(hours))
}

/// An order of [`LINES_PER_ORDER`] lines (line ids `LINES_PER_ORDER × order + n`).
fn new_order(rng: &mut Rng, id: OrderId, market: usize, payment: Payment) -> NewOrder {
    orders::order(
        rng,
        OrderSpec {
            id,
            marketplace: MARKETS[market].code,
            number: id.0,
            lines: (0..LINES_PER_ORDER)
                .map(|n| LineId(id.0 * LINES_PER_ORDER + n))
                .collect(),
            products: PRODUCTS,
            options: 15,
            ordered_at: at(-2),
            payment,
            buyer: id.0,
        },
    )
}

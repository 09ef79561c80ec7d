//! The marketplace adapters' parsers under hostile input (proptest): every recorded fixture page
//! of `tests/fixtures/marketplaces/` is mutated — a value replaced by another type, a number by
//! an edge value, a string by a status word or a date at the calendar's ends, a string of
//! 100 000+ characters, a field dropped, an element duplicated, nesting 10 000 levels deep, bytes
//! that are not UTF-8 or a lone surrogate inside a string, the body cut short, bad bytes written
//! anywhere, the envelope itself replaced (`tests/robustness/`) — and fed as bytes to the page
//! parser (`read_page`) and the adapter's normalizer for that feed (`*_of`).
//!
//! Properties, for every case:
//!
//! - nothing panics;
//! - a body comes out either as a page or as `AdapterError::Malformed` holding the whole body,
//!   and only when the envelope itself is broken: a mutation inside one element always gives a
//!   page;
//! - on a page, every element of the list is either parsed or in the malformed list, exactly
//!   once, with its raw JSON exactly as it was in the body (`parsed + malformed == elements`);
//! - the elements the mutation did not touch come out as they did from the unmutated page
//!   (parsed the same, or malformed with the same error): the rest of the page goes on;
//! - after normalizing, every parsed element is used (an item carries it), says there is nothing
//!   to collect (a claims feed's order without a claim), repeats one read before, or is in the
//!   malformed list with its raw JSON (a group — the product orders or sheets of one order — as
//!   the list of its members' JSON); and the items of the orders the mutation did not touch are
//!   the same as from the unmutated page.
//!
//! `JUMUN_PROPTEST_CASES` (as for `jumun-core`'s properties) or proptest's own `PROPTEST_CASES`
//! sets the cases per feed (default [`DEFAULT_CASES`], a few seconds in all);
//! `docs/robustness.md` has the figures of a long run.

mod robustness;

use jumun_server::marketplaces::naver::ChangeCursor;
use jumun_server::marketplaces::{
    cafe24, coupang, generic, naver, read_page, AdapterError, BodyProblem, Collected, Connection,
    Credentials, Cursor, Element, MalformedPayload, MarketClaim, MarketOrder,
};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use robustness::{mutation, Expect, Fixture, ModelElement};
use serde::de::DeserializeOwned;
use std::cell::RefCell;
use std::collections::HashSet;
use std::fmt::Debug;
use std::time::Instant;

/// Cases per feed when neither `JUMUN_PROPTEST_CASES` nor `PROPTEST_CASES` is set.
const DEFAULT_CASES: u32 = 64;

/// The request every page is said to answer.
const AT: &str = "GET https://fixture.test/page";

// ---------------------------------------------------------------------------------------------
// The feeds
// ---------------------------------------------------------------------------------------------

/// One feed of one adapter: its fixture page and how its items name the elements they carry.
struct Feed<W, T> {
    name: &'static str,
    fixture: &'static str,
    /// The JSON pointer of the list.
    list: &'static str,
    marketplace: &'static str,
    normalize: fn(&Connection, Vec<Element<W>>, &mut Collected<T>),
    /// What names an element (an order id, a product order id, a shipment box, a claim number).
    element_key: fn(&W) -> String,
    /// The order an element belongs to.
    element_order: fn(&W) -> String,
    /// The element is read and gives nothing to collect (no claim in it, no unit to ship).
    nothing: fn(&W) -> bool,
    /// The element keys an item carries.
    item_keys: fn(&T) -> Vec<String>,
    /// The order an item belongs to.
    item_order: fn(&T) -> String,
}

fn order_lines(
    order: &MarketOrder,
    key: impl Fn(&jumun_server::marketplaces::MarketLine) -> Option<String>,
) -> Vec<String> {
    order.lines.iter().filter_map(key).collect()
}

fn order_no(order: &MarketOrder) -> String {
    order.order_no.clone()
}

fn claim_order_no(claim: &MarketClaim) -> String {
    claim.keys.order_no.clone()
}

fn claim_no(claim: &MarketClaim) -> Vec<String> {
    claim.claim_no.iter().cloned().collect()
}

fn never<W>(_: &W) -> bool {
    false
}

#[test]
fn cafe24_orders_survive_hostile_pages() {
    check(Feed {
        name: "cafe24 orders",
        fixture: "cafe24/orders.json",
        list: cafe24::ORDERS_LIST,
        marketplace: "cafe24",
        normalize: cafe24::orders_of,
        element_key: |o: &cafe24::wire::Order| o.order_id.clone(),
        element_order: |o| o.order_id.clone(),
        nothing: never,
        item_keys: |o| vec![o.order_no.clone()],
        item_order: order_no,
    });
}

#[test]
fn cafe24_claims_survive_hostile_pages() {
    check(Feed {
        name: "cafe24 claims",
        fixture: "cafe24/claims.json",
        list: cafe24::ORDERS_LIST,
        marketplace: "cafe24",
        normalize: cafe24::claims_of,
        element_key: |o: &cafe24::wire::Order| o.order_id.clone(),
        element_order: |o| o.order_id.clone(),
        nothing: |o| {
            o.items.iter().all(|i| {
                matches!(
                    cafe24::status_meaning(&i.order_status),
                    Some(cafe24::StatusMeaning::Fact(_))
                )
            })
        },
        item_keys: |c| vec![c.keys.order_no.clone()],
        item_order: claim_order_no,
    });
}

#[test]
fn naver_changes_survive_hostile_pages() {
    // The changes only name product orders to ask for; the cursor comparison runs on each.
    fn read_changes(
        _: &Connection,
        changes: Vec<Element<naver::wire::LastChangeStatus>>,
        out: &mut Collected<bool>,
    ) {
        let seen = ChangeCursor::parse(&Cursor(
            "2024-03-02T14:10:00.000+09:00|2024030298765402".into(),
        ))
        .expect("a cursor");
        for change in changes {
            let change = change.wire;
            out.items
                .push(seen.covers(&change.last_changed_date, &change.product_order_id));
        }
    }
    check(Feed {
        name: "naver changes",
        fixture: "naver/last-changed-statuses.json",
        list: naver::CHANGES_LIST,
        marketplace: "smartstore",
        normalize: read_changes,
        element_key: |c: &naver::wire::LastChangeStatus| c.product_order_id.clone(),
        // Its items are the cursor's answers, one per change, of no order.
        element_order: |_| String::new(),
        nothing: |_| true,
        item_keys: |_| Vec::new(),
        item_order: |_| String::new(),
    });
}

#[test]
fn naver_orders_survive_hostile_pages() {
    check(Feed {
        name: "naver orders",
        fixture: "naver/product-orders.json",
        list: naver::PRODUCT_ORDERS_LIST,
        marketplace: "smartstore",
        normalize: naver::orders_of,
        element_key: |i: &naver::wire::ProductOrderInfo| i.product_order.product_order_id.clone(),
        element_order: |i| i.order.order_id.clone(),
        nothing: never,
        item_keys: |o| order_lines(o, |l| l.keys.line_no.clone()),
        item_order: order_no,
    });
}

#[test]
fn naver_claims_survive_hostile_pages() {
    check(Feed {
        name: "naver claims",
        fixture: "naver/product-orders.json",
        list: naver::PRODUCT_ORDERS_LIST,
        marketplace: "smartstore",
        normalize: naver::claims_of,
        element_key: |i: &naver::wire::ProductOrderInfo| i.product_order.product_order_id.clone(),
        element_order: |i| i.order.order_id.clone(),
        nothing: |i| {
            let po = &i.product_order;
            let claim_type = po.claim_type.as_deref().unwrap_or_default();
            let current = i.current_claim.as_ref();
            let statuses = [
                po.claim_status.as_deref(),
                current
                    .and_then(|d| d.cancel.as_ref())
                    .and_then(|c| c.claim_status.as_deref()),
                current
                    .and_then(|d| d.return_.as_ref())
                    .and_then(|r| r.claim_status.as_deref()),
                current
                    .and_then(|d| d.exchange.as_ref())
                    .and_then(|x| x.claim_status.as_deref()),
            ];
            claim_type.is_empty()
                || claim_type == "PURCHASE_DECISION_HOLDBACK"
                || statuses
                    .iter()
                    .flatten()
                    .any(|s| s.starts_with("PURCHASE_DECISION"))
        },
        item_keys: |c| c.keys.line_no.iter().cloned().collect(),
        item_order: claim_order_no,
    });
}

#[test]
fn coupang_order_sheets_survive_hostile_pages() {
    check(Feed {
        name: "coupang order sheets",
        fixture: "coupang/ordersheets.json",
        list: coupang::LIST,
        marketplace: "coupang",
        normalize: coupang::orders_of,
        element_key: |s: &coupang::wire::OrderSheet| s.shipment_box_id.to_string(),
        element_order: |s| s.order_id.to_string(),
        nothing: |s| s.order_items.iter().all(|i| i.shipping_count == 0),
        item_keys: |o| order_lines(o, |l| l.shipment_no.clone()),
        item_order: order_no,
    });
}

#[test]
fn coupang_return_requests_survive_hostile_pages() {
    check(Feed {
        name: "coupang return requests",
        fixture: "coupang/return-requests.json",
        list: coupang::LIST,
        marketplace: "coupang",
        normalize: coupang::returns_of,
        element_key: |r: &coupang::wire::ReturnRequest| r.receipt_id.to_string(),
        element_order: |r| r.order_id.to_string(),
        nothing: never,
        item_keys: claim_no,
        item_order: claim_order_no,
    });
}

#[test]
fn coupang_exchange_requests_survive_hostile_pages() {
    check(Feed {
        name: "coupang exchange requests",
        fixture: "coupang/exchange-requests.json",
        list: coupang::LIST,
        marketplace: "coupang",
        normalize: coupang::exchanges_of,
        element_key: |x: &coupang::wire::ExchangeRequest| x.exchange_id.to_string(),
        element_order: |x| x.order_id.to_string(),
        nothing: never,
        item_keys: claim_no,
        item_order: claim_order_no,
    });
}

#[test]
fn generic_orders_survive_hostile_pages() {
    check(Feed {
        name: "generic orders",
        fixture: "generic/orders.json",
        list: generic::ORDERS_LIST,
        marketplace: "zigzag",
        normalize: generic::orders_of,
        element_key: |o: &generic::wire::FeedOrder| o.order_no.clone(),
        element_order: |o| o.order_no.clone(),
        nothing: never,
        item_keys: |o| vec![o.order_no.clone()],
        item_order: order_no,
    });
}

#[test]
fn generic_claims_survive_hostile_pages() {
    check(Feed {
        name: "generic claims",
        fixture: "generic/claims.json",
        list: generic::CLAIMS_LIST,
        marketplace: "zigzag",
        normalize: generic::claims_of,
        element_key: |c: &generic::wire::FeedClaim| {
            c.claim_no.clone().unwrap_or_else(|| c.order_no.clone())
        },
        element_order: |c| c.order_no.clone(),
        nothing: never,
        item_keys: |c| {
            vec![c
                .claim_no
                .clone()
                .unwrap_or_else(|| c.keys.order_no.clone())]
        },
        item_order: claim_order_no,
    });
}

// ---------------------------------------------------------------------------------------------
// The properties
// ---------------------------------------------------------------------------------------------

/// How an element came out of the page parser.
#[derive(Debug, Clone, PartialEq)]
enum Fate<W> {
    Parsed(W),
    Malformed(String),
}

/// The page parser's and the normalizer's answer to one body.
struct Outcome<W, T> {
    fates: Vec<Fate<W>>,
    items: Vec<T>,
    malformed: Vec<MalformedPayload>,
}

/// The indexes of the list's elements a malformed payload's path names.
fn indexes(at_path: &str, list_path: &str) -> Result<Vec<usize>, String> {
    at_path
        .split(", ")
        .map(|part| {
            part.strip_prefix(&format!("{AT} {list_path}["))
                .and_then(|rest| rest.strip_suffix(']'))
                .and_then(|n| n.parse().ok())
                .ok_or_else(|| format!("the path {part:?} names no element of {list_path}"))
        })
        .collect()
}

#[derive(Default, Debug)]
struct Stats {
    cases: u64,
    pages: u64,
    refused: u64,
    parsed: u64,
    malformed: u64,
    normalized_malformed: u64,
    items: u64,
}

fn config() -> Config {
    // `Config::default()` reads `PROPTEST_CASES`; the project's own name wins.
    let mut config = Config {
        failure_persistence: None,
        ..Config::default()
    };
    let project = std::env::var("JUMUN_PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok());
    match project {
        Some(cases) => config.cases = cases,
        None if std::env::var_os("PROPTEST_CASES").is_none() => config.cases = DEFAULT_CASES,
        None => {}
    }
    config
}

fn check<W, T>(feed: Feed<W, T>)
where
    W: DeserializeOwned + Clone + PartialEq + Debug,
    T: Clone + PartialEq + Debug,
{
    let fixture = Fixture::load(feed.fixture, feed.list);
    let conn = Connection::new(feed.marketplace, "https://fixture.test", Credentials::None);
    let list_path = feed
        .list
        .split('/')
        .skip(1)
        .fold("$".to_owned(), |path, segment| format!("{path}.{segment}"));
    let run = |body: &[u8]| -> Result<Outcome<W, T>, AdapterError> {
        let page = read_page::<W>(body, feed.list, AT)?;
        let mut fates: Vec<Option<Fate<W>>> = vec![None; page.len()];
        for element in &page.elements {
            let i = indexes(&element.at, &list_path).expect("an element's path")[0];
            fates[i] = Some(Fate::Parsed(element.wire.clone()));
        }
        for m in &page.malformed {
            let i = indexes(&m.at_path, &list_path).expect("a malformed path")[0];
            fates[i] = Some(Fate::Malformed(m.error.clone()));
        }
        let mut out = Collected::new(Cursor::default());
        (feed.normalize)(&conn, page.elements.clone(), &mut out);
        Ok(Outcome {
            fates: fates
                .into_iter()
                .map(|f| f.expect("every element has a fate"))
                .collect(),
            items: out.items,
            malformed: page.malformed.into_iter().chain(out.malformed).collect(),
        })
    };

    let (body, _) = fixture.body(&fixture.texts(), None);
    let baseline = run(&body).expect("the fixture page parses");
    assert_eq!(baseline.fates.len(), fixture.elements.len());

    let stats = RefCell::new(Stats::default());
    let started = Instant::now();
    let mut runner = TestRunner::new(config());
    let result = runner.run(&mutation(), |mutation| {
        let mut stats = stats.borrow_mut();
        stats.cases += 1;
        let (body, expect) = fixture.mutate(&mutation);
        let (model, hit) = match (expect, run(&body)) {
            (Expect::Page(model), Ok(outcome)) => ((model, outcome), None),
            (
                Expect::Damaged {
                    elements,
                    hit,
                    not_utf8,
                },
                Ok(outcome),
            ) => {
                if not_utf8 && hit.is_none() {
                    return Err(TestCaseError::fail(
                        "bytes that are not UTF-8 outside every element gave a page",
                    ));
                }
                ((elements, outcome), hit.filter(|_| not_utf8))
            }
            // Refused, and may be: a broken envelope, bad bytes in its syntax.
            (Expect::Refused | Expect::Damaged { .. }, Err(e)) => {
                stats.refused += 1;
                return refused_well(&e, &body);
            }
            (Expect::Refused, Ok(_)) => {
                return Err(TestCaseError::fail("a broken envelope gave a page"))
            }
            (Expect::Page(_), Err(e)) => {
                return Err(TestCaseError::fail(format!(
                    "a change inside one element (or an empty envelope) refused the page: {e}"
                )))
            }
        };
        let (model, outcome) = model;
        stats.pages += 1;
        check_page(
            &feed, &list_path, &baseline, &model, hit, &outcome, &mut stats,
        )
    });
    let stats = stats.into_inner();
    println!(
        "{}: {} cases in {:.1} s — {} pages ({} elements parsed, {} malformed by the page \
         parser, {} by the normalizer, {} items), {} bodies refused whole",
        feed.name,
        stats.cases,
        started.elapsed().as_secs_f64(),
        stats.pages,
        stats.parsed,
        stats.malformed,
        stats.normalized_malformed,
        stats.items,
        stats.refused,
    );
    if let Err(e) = result {
        panic!("{}: {e}", feed.name);
    }
    assert!(
        stats.pages > 0 || stats.cases < 8,
        "{}: no case gave a page",
        feed.name
    );
}

/// A body refused whole must say so as `Malformed` and keep all of it.
fn refused_well(error: &AdapterError, body: &[u8]) -> Result<(), TestCaseError> {
    match error {
        AdapterError::Malformed { raw, problem, .. } => {
            prop_assert_eq!(raw, &String::from_utf8_lossy(body).into_owned());
            prop_assert!(!problem.to_string().is_empty());
            if let BodyProblem::NotJson { not_utf8, .. } = problem {
                prop_assert_eq!(*not_utf8, std::str::from_utf8(body).is_err());
            }
            Ok(())
        }
        other => Err(TestCaseError::fail(format!("not Malformed: {other}"))),
    }
}

fn check_page<W, T>(
    feed: &Feed<W, T>,
    list_path: &str,
    baseline: &Outcome<W, T>,
    model: &[ModelElement],
    hit: Option<usize>,
    outcome: &Outcome<W, T>,
    stats: &mut Stats,
) -> Result<(), TestCaseError>
where
    W: PartialEq + Debug,
    T: Clone + PartialEq + Debug,
{
    let text = |i: usize| String::from_utf8_lossy(&model[i].text).into_owned();
    stats.parsed += outcome
        .fates
        .iter()
        .filter(|f| matches!(f, Fate::Parsed(_)))
        .count() as u64;
    stats.items += outcome.items.len() as u64;
    // Every element exactly once, parsed or kept with its raw JSON as it was in the body.
    prop_assert_eq!(outcome.fates.len(), model.len());
    let mut kept = vec![Vec::new(); model.len()];
    for m in &outcome.malformed {
        prop_assert!(!m.error.is_empty());
        let at = indexes(&m.at_path, list_path).map_err(TestCaseError::fail)?;
        let raw = match at.as_slice() {
            [i] => text(*i),
            many => format!(
                "[{}]",
                many.iter().map(|i| text(*i)).collect::<Vec<_>>().join(",")
            ),
        };
        prop_assert_eq!(&m.raw, &raw, "the raw JSON of {}", m.at_path);
        for i in at {
            kept[i].push(m.error.clone());
        }
    }
    for (i, fate) in outcome.fates.iter().enumerate() {
        if let Fate::Malformed(error) = fate {
            stats.malformed += 1;
            prop_assert!(kept[i].contains(error), "element {} kept once", i);
        }
    }
    if let Some(h) = hit {
        prop_assert!(
            matches!(&outcome.fates[h], Fate::Malformed(e) if e.contains("not UTF-8")),
            "the element with the bad bytes is kept as not UTF-8: {:?}",
            outcome.fates[h]
        );
    }
    // The untouched elements come out as before.
    for (i, element) in model.iter().enumerate() {
        if let Some(b) = element.untouched {
            prop_assert_eq!(
                &outcome.fates[i],
                &baseline.fates[b],
                "untouched element {}",
                i
            );
        }
    }
    // Every parsed element is used, has nothing to collect, repeats one read before, or is kept.
    let carried: HashSet<String> = outcome
        .items
        .iter()
        .flat_map(|t| (feed.item_keys)(t))
        .collect();
    let mut earlier = HashSet::new();
    for (i, fate) in outcome.fates.iter().enumerate() {
        let Fate::Parsed(w) = fate else { continue };
        let key = (feed.element_key)(w);
        let normalized_kept = !kept[i].is_empty();
        stats.normalized_malformed += u64::from(normalized_kept);
        prop_assert!(
            normalized_kept
                || carried.contains(&key)
                || (feed.nothing)(w)
                || earlier.contains(&key),
            "element {} ({}) is neither used nor kept: {:?}",
            i,
            key,
            w
        );
        earlier.insert(key);
    }
    // The items of the orders no change touched are the same.
    let touched_orders = |o: &Outcome<W, T>, touched: &dyn Fn(usize) -> bool| -> HashSet<String> {
        o.fates
            .iter()
            .enumerate()
            .filter(|(i, _)| touched(*i))
            .filter_map(|(_, f)| match f {
                Fate::Parsed(w) => Some((feed.element_order)(w)),
                Fate::Malformed(_) => None,
            })
            .collect()
    };
    let still: HashSet<usize> = model.iter().filter_map(|m| m.untouched).collect();
    let mut affected = touched_orders(baseline, &|b| !still.contains(&b));
    affected.extend(touched_orders(outcome, &|i| model[i].untouched.is_none()));
    let others = |items: &[T]| -> Vec<T> {
        items
            .iter()
            .filter(|t| !affected.contains(&(feed.item_order)(t)))
            .cloned()
            .collect()
    };
    prop_assert_eq!(others(&outcome.items), others(&baseline.items));
    Ok(())
}

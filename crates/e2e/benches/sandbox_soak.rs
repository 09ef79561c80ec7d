//! The collection soak (issue 13, proof): the real server collects from the sandbox marketplace
//! for a while, a scripted operator ships what can ship through the operators' push, the
//! collector sends the invoice numbers back, and at the end the console's state is compared
//! with the marketplace's: orders never collected (stuck), claims the console does not hold
//! (lost), withdrawals not applied, invoices the marketplace does not show (refused or unsent).
//! Figures only; run by hand, not in CI:
//!
//! ```sh
//! cargo build -p jumun-server -p jumun-sandbox && cargo xtask build
//! JUMUN_SERVER_BIN=$PWD/target/debug/jumun-server JUMUN_SANDBOX_BIN=$PWD/target/debug/jumun-sandbox \
//!   JUMUN_DIST_DIR=$PWD/dist JUMUN_E2E_ARTIFACTS=$PWD/target/e2e JUMUN_SOAK_MINUTES=10 \
//!   cargo bench -p jumun-e2e --bench sandbox_soak
//! ```
//!
//! The sandbox plays at `JUMUN_SOAK_SPEED` (default 60: a 30-minute scenario cycle every 30 s,
//! every scripted claim — cancels before and after the invoice, returns, exchanges CASE1/CASE2,
//! the Cafe24 line change, Kakao Style delays, withdrawals, refusals — dozens of times), with a
//! backlog of 400 orders at the start (a burst) and a new order every 30 script seconds. The
//! marketplaces' clocks are real time (the adapters take "now" from the system clock), so the
//! days it covers are the days the backlog spans; quiet days are the adapters' unit tests'.

use jumun_core::claim::{ClaimKind, ClaimProgress};
use jumun_core::command::Command;
use jumun_core::ids::OrderId;
use jumun_core::order::{InvoiceUpload, LineStatus};
use jumun_core::Book;
use jumun_e2e::api::{get, login, post};
use jumun_e2e::processes::{start_sandbox_with, start_server_with};
use jumun_e2e::scratch_dir;
use jumun_protocol::connections::ConnectionList;
use jumun_protocol::sync::ChangesPage;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// Orders shipped per push (three operations each, under the push's 500).
const SHIP_PER_PUSH: usize = 150;
/// How long the collector is given to catch up once the operator stops.
const SETTLE: Duration = Duration::from_secs(45);

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn required(name: &str) -> PathBuf {
    PathBuf::from(std::env::var(name).unwrap_or_else(|_| panic!("set {name}")))
}

/// The console's state, folded from the server's log as a browser folds it.
struct Console {
    book: Book,
    since: u64,
}

impl Console {
    fn pull(&mut self, base: &str, token: &str) {
        loop {
            let page: ChangesPage = get(
                base,
                &format!("/api/changes?since={}&limit=5000", self.since),
                Some(token),
            );
            for pulled in &page.events {
                if let Err(e) = self.book.apply(&pulled.event) {
                    panic!("event {} does not apply: {e}", pulled.seq);
                }
            }
            self.since = page.next;
            if !page.more {
                return;
            }
        }
    }

    /// Orders the operator can ship now: every line 상품준비, no hold, no claim under way.
    fn shippable(&self, pushed: &BTreeSet<OrderId>) -> Vec<OrderId> {
        self.book
            .orders
            .values()
            .filter(|o| !pushed.contains(&o.id) && o.bundle.is_none() && o.invoice.is_none())
            .filter(|o| {
                o.lines.iter().all(|l| {
                    l.status == LineStatus::Preparing && l.hold.is_none() && l.claim.is_none()
                }) && !o.lines.is_empty()
            })
            .map(|o| o.id)
            .collect()
    }
}

fn main() {
    let minutes = env_u64("JUMUN_SOAK_MINUTES", 10);
    let speed = env_u64("JUMUN_SOAK_SPEED", 60);
    let data = scratch_dir("soak");
    let sandbox = start_sandbox_with(
        &required("JUMUN_SANDBOX_BIN"),
        7,
        &data,
        &[
            "--speed",
            &speed.to_string(),
            "--backlog",
            "400",
            "--interval",
            "30",
        ],
    );
    let server = start_server_with(
        &required("JUMUN_SERVER_BIN"),
        &data,
        &required("JUMUN_DIST_DIR"),
        &["--demo", "--demo-marketplaces", &sandbox.base_url],
    );
    let base = server.base_url.clone();
    let token = login(&base, "demo", "demo1234");
    let mut console = Console {
        book: Book::new(),
        since: 0,
    };
    let mut pushed: BTreeSet<OrderId> = BTreeSet::new();
    let mut refused_ops = 0usize;
    let mut tracking = 700_000_000_000u64;
    let started = Instant::now();
    let end = started + Duration::from_secs(minutes * 60);
    println!(
        "soak: {minutes} min at speed {speed}; server {base}, sandbox {}",
        sandbox.base_url
    );
    while Instant::now() < end {
        std::thread::sleep(Duration::from_secs(5));
        console.pull(&base, &token);
        let ready = console.shippable(&pushed);
        for chunk in ready.chunks(SHIP_PER_PUSH) {
            let at = chrono::Utc::now().to_rfc3339();
            let mut ops = Vec::new();
            for order in chunk {
                tracking += 1;
                let commands = [
                    Command::IssueInvoice {
                        order: *order,
                        carrier: jumun_core::carrier::Carrier::cj(),
                        tracking_no: tracking.to_string(),
                    },
                    Command::PrintInvoice { order: *order },
                    Command::Ship { order: *order },
                ];
                for (i, command) in commands.iter().enumerate() {
                    ops.push(json!({
                        "key": format!("soak-{}-{i}", order.0),
                        "at": at,
                        "command": command,
                    }));
                }
                pushed.insert(*order);
            }
            let answer: Value = post(&base, "/api/ops", Some(&token), json!({ "ops": ops }));
            refused_ops += answer["results"].as_array().map_or(0, |r| {
                r.iter().filter(|r| r["status"] != "accepted").count()
            });
        }
        println!(
            "  {:>4}s: console {} orders, {} pushed to ship",
            started.elapsed().as_secs(),
            console.book.orders.len(),
            pushed.len()
        );
    }
    // The operator stops; the collector goes on (claims, invoices back) until it settles.
    std::thread::sleep(SETTLE);
    console.pull(&base, &token);
    let market: Value = get(&sandbox.base_url, "/sandbox/orders", None);
    let report = compare(&console.book, &market, SETTLE);
    let connections: ConnectionList = get(&base, "/api/connections", Some(&token));
    println!(
        "\nsoak: {minutes} min, speed {speed}, {} s in all",
        started.elapsed().as_secs()
    );
    for line in report {
        println!("  {line}");
    }
    println!("  operations refused by the engine at push: {refused_ops}");
    for c in &connections.connections {
        let last = c.last_run.as_ref();
        println!(
            "  {:<12} failures in a row {}, last run error {:?}, unacknowledged claims {}",
            c.marketplace,
            c.failures,
            last.and_then(|r| r.error.clone()),
            c.unacknowledged_claims
        );
        for note in last
            .map(|r| r.notes.clone())
            .unwrap_or_default()
            .iter()
            .take(3)
        {
            println!("      note: {note}");
        }
    }
}

/// The console against the marketplace: what each side holds and where they differ.
fn compare(book: &Book, market: &Value, settle: Duration) -> Vec<String> {
    let now_ms = market["now_ms"].as_i64().unwrap_or_default();
    // Orders that arrived before the settling began had every chance to be collected.
    let due = now_ms - settle.as_millis() as i64;
    let mut console: BTreeMap<(String, String), Vec<OrderId>> = BTreeMap::new();
    for order in book.orders.values() {
        console
            .entry((order.marketplace.0.clone(), order.order_no.clone()))
            .or_default()
            .push(order.id);
    }
    let mut out = Vec::new();
    let (mut orders, mut stuck, mut claims, mut lost, mut withdrawals, mut not_withdrawn) =
        (0, Vec::new(), 0, Vec::new(), 0, Vec::new());
    let (mut shipped_by_console, mut shown, mut refused) = (0, 0, Vec::new());
    for view in market["orders"].as_array().into_iter().flatten() {
        let channel = view["order"]["channel"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let order_no = view["order"]["order_no"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        if view["arrived_at"].as_i64().unwrap_or(i64::MAX) > due {
            continue;
        }
        orders += 1;
        let Some(ids) = console.get(&(channel.clone(), order_no.clone())) else {
            stuck.push(format!("{channel} {order_no}"));
            continue;
        };
        let held: Vec<&jumun_core::order::Order> =
            ids.iter().filter_map(|id| book.orders.get(id)).collect();
        let console_claims: Vec<&jumun_core::claim::Claim> = book
            .claims
            .values()
            .filter(|c| ids.contains(&c.order))
            .collect();
        for line in view["lines"].as_array().into_iter().flatten() {
            let claim = &line["claim"];
            if !claim.is_null() && claim["changed_at"].as_i64().unwrap_or(i64::MAX) <= due {
                let kind = match claim["kind"].as_str() {
                    Some("cancel") => ClaimKind::Cancel,
                    Some("return") => ClaimKind::Return,
                    _ => ClaimKind::Exchange,
                };
                let status = claim["status"].as_str().unwrap_or_default();
                let of_kind: Vec<_> = console_claims.iter().filter(|c| c.kind == kind).collect();
                if status == "withdrawn" {
                    withdrawals += 1;
                    if of_kind.iter().any(|c| {
                        matches!(c.progress, ClaimProgress::Requested | ClaimProgress::Open)
                    }) {
                        not_withdrawn.push(format!("{channel} {order_no} {kind:?}"));
                    }
                } else if status != "refused" {
                    claims += 1;
                    let cancelled = kind == ClaimKind::Cancel
                        && held.iter().any(|o| {
                            o.lines.iter().any(|l| {
                                l.claim_state == jumun_core::order::ClaimState::Cancelled
                                    || l.hold.is_some()
                            })
                        });
                    if of_kind.is_empty() && !cancelled {
                        let kept = book
                            .unmatched_cancels
                            .iter()
                            .any(|r| r.marketplace.0 == channel && r.keys.order_no == order_no);
                        lost.push(format!(
                            "{channel} {order_no} {kind:?} {status}{}",
                            if kept { " (kept unmatched)" } else { "" }
                        ));
                    }
                }
            }
        }
        // Invoices: what the console shipped, the marketplace shows with the same number.
        for order in &held {
            let Some(invoice) = &order.invoice else {
                continue;
            };
            let shipped = order.lines.iter().any(|l| {
                l.status.is_shipped() && l.claim_state == jumun_core::order::ClaimState::Normal
            });
            if !shipped || order.invoice_upload == InvoiceUpload::Manual {
                continue;
            }
            shipped_by_console += 1;
            let on_market = view["lines"].as_array().into_iter().flatten().any(|l| {
                l["delivery"]["invoice"]["tracking_no"].as_str()
                    == Some(invoice.tracking_no.as_str())
            });
            if on_market {
                shown += 1;
            } else {
                refused.push(format!(
                    "{channel} {order_no} {} ({:?})",
                    invoice.tracking_no, order.invoice_upload
                ));
            }
        }
    }
    let first = |list: &[String]| list.iter().take(5).cloned().collect::<Vec<_>>().join("; ");
    out.push(format!(
        "orders at the marketplace (arrived before the settling): {orders}; never collected: {} {}",
        stuck.len(),
        first(&stuck)
    ));
    out.push(format!(
        "console: {} orders, {} claims",
        book.orders.len(),
        book.claims.len()
    ));
    out.push(format!(
        "claims at the marketplace: {claims}; not in the console: {} {}",
        lost.len(),
        first(&lost)
    ));
    out.push(format!(
        "withdrawals at the marketplace: {withdrawals}; claim still open in the console: {} {}",
        not_withdrawn.len(),
        first(&not_withdrawn)
    ));
    out.push(format!(
        "orders shipped by the console: {shipped_by_console}; their invoice shown at the marketplace: {shown}; not shown: {} {}",
        refused.len(),
        first(&refused)
    ));
    let pending = book
        .orders
        .values()
        .filter(|o| o.invoice_upload == InvoiceUpload::Pending)
        .count();
    out.push(format!(
        "invoices still waiting to be sent (송장전송대기): {pending}"
    ));
    out
}

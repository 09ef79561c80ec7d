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
//! Two ways to run it:
//!
//! - **Real time** (the default): the sandbox plays at `JUMUN_SOAK_SPEED` (default 60: a
//!   30-minute scenario cycle every 30 s, every scripted claim — cancels before and after the
//!   invoice, returns, exchanges CASE1/CASE2, the Cafe24 line change, Kakao Style delays,
//!   withdrawals, refusals — dozens of times), with a backlog of 400 orders at the start (a
//!   burst) and a new order every `JUMUN_SOAK_INTERVAL` (30) script seconds.
//! - **Simulated days** (`JUMUN_SOAK_CLOCK_RATE`, e.g. 720: twelve marketplace hours a minute):
//!   the sandbox and the server's adapters share a dilated marketplace clock (the sandbox's
//!   `--clock-rate/--clock-anchor`, the server's `--marketplace-clock-rate/-anchor`), so the
//!   24-hour windows, the day-by-day searches and the tokens' lives pass many times; the
//!   sandbox's `--day-pattern` (`JUMUN_SOAK_DAY_PATTERN`, default `1,0,4,1,0`) gives quiet days
//!   (0: no order at all) and bursts (4: four times the orders); the scripts play at speed
//!   60 / rate (their races as fast as in the real-time soak) and a stream order comes every
//!   600 marketplace seconds on a day of weight 1 (`JUMUN_SOAK_INTERVAL`, in script seconds).
//!   The scripted operator's operations carry the real time, as a browser's do (the server
//!   refuses operations stamped in its future).

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
    let rate = env_u64("JUMUN_SOAK_CLOCK_RATE", 1).max(1);
    let simulated = rate > 1;
    // Script seconds per marketplace second: 60 in real time; with a dilated clock 60 / rate, so
    // the scripted races (a cancel minutes after the order, a parcel shipped "outside the
    // console" 30 s after it) play at the pace of the real-time soak against a collector that
    // runs every 5 real seconds, while the days pass.
    let speed: f64 = std::env::var("JUMUN_SOAK_SPEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(60.0 / rate as f64);
    // Script seconds between stream orders: 30 in real time; with a dilated clock, 600
    // marketplace seconds (144 orders on a day of weight 1) in script seconds at this speed.
    let interval = env_u64(
        "JUMUN_SOAK_INTERVAL",
        if simulated {
            (600.0 * speed).round().max(1.0) as u64
        } else {
            30
        },
    );
    let pattern = std::env::var("JUMUN_SOAK_DAY_PATTERN").unwrap_or_else(|_| "1,0,4,1,0".into());
    // The marketplace clock both programs share: anchor + (now − anchor) × rate.
    let anchor_ms = chrono::Utc::now().timestamp_millis();
    let data = scratch_dir("soak");
    let (rate_text, anchor_text) = (rate.to_string(), anchor_ms.to_string());
    let (speed_text, interval_text) = (speed.to_string(), interval.to_string());
    let mut sandbox_args = vec![
        "--speed",
        &speed_text,
        "--backlog",
        "400",
        "--interval",
        &interval_text,
    ];
    if simulated {
        sandbox_args.extend([
            "--clock-rate",
            &rate_text,
            "--clock-anchor",
            &anchor_text,
            "--day-pattern",
            &pattern,
        ]);
    }
    let sandbox = start_sandbox_with(&required("JUMUN_SANDBOX_BIN"), 7, &data, &sandbox_args);
    let mut server_args = vec!["--demo", "--demo-marketplaces", &sandbox.base_url];
    if simulated {
        server_args.extend([
            "--marketplace-clock-rate",
            &rate_text,
            "--marketplace-clock-anchor",
            &anchor_text,
        ]);
    }
    let server = start_server_with(
        &required("JUMUN_SERVER_BIN"),
        &data,
        &required("JUMUN_DIST_DIR"),
        &server_args,
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
        "soak: {minutes} min at speed {speed}, marketplace clock ×{rate}{}; server {base}, sandbox {}",
        if simulated { format!(", day pattern {pattern}") } else { String::new() },
        sandbox.base_url
    );
    while Instant::now() < end {
        std::thread::sleep(Duration::from_secs(5));
        console.pull(&base, &token);
        let ready = console.shippable(&pushed);
        for chunk in ready.chunks(SHIP_PER_PUSH) {
            // The operator's browser runs on the real clock, as in a shop; only the
            // marketplaces' time is dilated (the server refuses operations from its future).
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
    // The settling, in marketplace time: what arrived before it had every chance.
    let report = compare(&console.book, &market, SETTLE * rate as u32);
    let connections: ConnectionList = get(&base, "/api/connections", Some(&token));
    println!(
        "\nsoak: {minutes} min, speed {speed}, marketplace clock ×{rate}, {} s in all",
        started.elapsed().as_secs()
    );
    if simulated {
        let state: Value = get(&sandbox.base_url, "/sandbox/state", None);
        println!(
            "  orders by marketplace day (KST): {}",
            per_day(&state["epoch"], &market)
        );
    }
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

/// The marketplace's orders counted by the Korean day they arrived on: `11-27 0, 11-28 412, …`.
fn per_day(epoch: &Value, market: &Value) -> String {
    let epoch = epoch
        .as_str()
        .and_then(|e| chrono::DateTime::parse_from_rfc3339(e).ok());
    let Some(epoch) = epoch else {
        return "(the sandbox did not say its epoch)".into();
    };
    let mut days: BTreeMap<chrono::NaiveDate, u64> = BTreeMap::new();
    for view in market["orders"].as_array().into_iter().flatten() {
        if let Some(at) = view["arrived_at"].as_i64() {
            let day = (epoch + chrono::Duration::milliseconds(at))
                .with_timezone(&jumun_core::time::KOREA)
                .date_naive();
            *days.entry(day).or_default() += 1;
        }
    }
    // Days with no order at all (quiet) show as 0 between the first and the last.
    if let (Some(first), Some(last)) = (days.keys().next().copied(), days.keys().last().copied()) {
        let mut day = first;
        while day < last {
            days.entry(day).or_default();
            day = day.succ_opt().unwrap_or(last);
        }
    }
    days.iter()
        .map(|(day, n)| format!("{} {n}", day.format("%m-%d")))
        .collect::<Vec<_>>()
        .join(", ")
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
    let mut kept_never_held: Vec<String> = Vec::new();
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
                        // A cancel kept for the operator (R27) whose line the console never
                        // had (Coupang lists no item cancelled before 상품준비중): nothing of it
                        // can ship, and the dashboard shows the record until it is dismissed.
                        let option = line["line"]["option_id"].as_str();
                        let never_held = option.is_some()
                            && !held.iter().any(|o| {
                                o.lines
                                    .iter()
                                    .any(|l| l.keys.option_id.as_deref() == option)
                            });
                        if kept && never_held {
                            kept_never_held.push(format!("{channel} {order_no}"));
                            continue;
                        }
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
        "cancels kept for the operator, of a line the console never had: {} {}",
        kept_never_held.len(),
        first(&kept_never_held)
    ));
    // The lost claims by marketplace, kind and state (the order number left out), and all of
    // them in a file for a closer look.
    let mut kinds: BTreeMap<String, usize> = BTreeMap::new();
    for claim in &lost {
        let mut words = claim.split(' ');
        let channel = words.next().unwrap_or_default();
        let rest: Vec<&str> = words.skip(1).collect();
        *kinds
            .entry(format!("{channel} {}", rest.join(" ")))
            .or_default() += 1;
    }
    for (kind, n) in &kinds {
        out.push(format!("  lost: {n} × {kind}"));
    }
    let _ = std::fs::write(
        jumun_e2e::artifacts().join("soak-lost-claims.txt"),
        lost.join("\n"),
    );
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

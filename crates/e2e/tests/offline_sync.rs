//! End-to-end test of offline work and its sync, against the real `jumun-server` (`--demo
//! --demo-marketplaces` of a `jumun-sandbox --seed 1`) and the release build in headless
//! Chromium: the demo store's orders are really collected from the sandbox marketplace
//! (Smartstore and Coupang collected now through
//! `POST /api/connections/{id}/collect`), the operator signs in through the form, the pull brings
//! the collected orders into IndexedDB, the network goes offline (DevTools network
//! emulation), a cancel and a return run through the app's command layer (the function the CS
//! screens will call, exported as `window.wasmBindings.jumun_run`), the page reloads offline
//! (served by the service worker, data and outbox intact), the network comes back, the outbox
//! drains, and the server's log holds each operation exactly once. A third operation, a cancel of
//! an order another operator cancelled on the server meanwhile, is refused by the server: it is
//! undone locally and the refusal shows on the order.
//!
//! The orders worked on are backlog orders of the sandbox (placed before it started, no scripted
//! claim ever touches them), picked from `GET /sandbox/orders` and found in the server's log by
//! marketplace and order number: a Smartstore order is cancelled, a Coupang order that the other
//! operator invoiced and shipped through `POST /api/ops` before the browser went offline is
//! returned, and another Coupang order is the refused cancel. The seed is fixed, so the orders
//! are the same on every run; the scheduler also collects every 5 s, so the test only ever waits
//! for states with a timeout, never for a moment. The API and the sandbox listen on port 0, so
//! tests can run in parallel.

use chrono::{DateTime, Utc};
use jumun_core::carrier::Carrier;
use jumun_core::claim::{ClaimPick, Reason};
use jumun_core::command::{ClaimRequest, ReturnRequest};
use jumun_core::fault::Fault;
use jumun_core::ids::{ClaimId, LineId, OrderId};
use jumun_core::order::{ClaimState, Line, LineStatus, Order, OrderOrigin};
use jumun_core::{Change, Command};
use jumun_e2e::api::{collect_now, get, login, post, start_sandboxed_server, SANDBOX_SEED};
use jumun_e2e::app::{execute_json, network, order, run, state};
use jumun_e2e::webdriver::Session;
use jumun_e2e::{artifacts, required_env, scratch_dir, start_browser};
use jumun_protocol::connections::ConnectionList;
use jumun_protocol::sync::{
    Answer, ChangesPage, ChangesQuery, IdBlockAnswer, OpResult, Operation, PulledEvent,
    PushRequest, PushResponse, ReserveIds,
};
use serde_json::{json, Value};
use std::path::PathBuf;
use std::time::Duration;

/// Pushes operations as a user of the store; every one must be accepted.
fn push(base: &str, token: &str, ops: Vec<Operation>) {
    let answer: PushResponse = post(base, "/api/ops", Some(token), PushRequest { ops });
    for result in answer.results {
        assert!(
            matches!(result.answer, Answer::Done(OpResult::Accepted { .. })),
            "operation: {result:?}"
        );
    }
}

/// The store's whole event log, page by page.
fn all_events(base: &str, token: &str) -> Vec<PulledEvent> {
    let mut events = Vec::new();
    let mut query = ChangesQuery {
        since: 0,
        limit: Some(5000),
    };
    loop {
        let page: ChangesPage = get(base, &query.path(), Some(token));
        events.extend(page.events);
        if !page.more {
            return events;
        }
        query.since = page.next;
    }
}

/// `http://host:port` of a URL.
fn origin(url: &str) -> String {
    let rest = url.strip_prefix("http://").expect("a loopback http URL");
    format!("http://{}", rest.split('/').next().unwrap_or(rest))
}

/// A collected order the test works on: its id in the store, its first line and that line's
/// quantity.
#[derive(Debug, Clone)]
struct Collected {
    marketplace: String,
    order_no: String,
    id: OrderId,
    line: LineId,
    quantity: u32,
}

/// Finds the order `order_no` of `marketplace` that collection created in the server's log.
fn find_collected(events: &[PulledEvent], marketplace: &str, order_no: &str) -> Option<Collected> {
    events.iter().find_map(|pulled| {
        let Change::OrderCreated(created) = &pulled.event.change else {
            return None;
        };
        if created.marketplace.0 != marketplace || created.order_no != order_no {
            return None;
        }
        assert_eq!(
            created.origin,
            OrderOrigin::Collected,
            "a collected order: {created:?}"
        );
        let line = created.lines.first()?;
        Some(Collected {
            marketplace: marketplace.to_owned(),
            order_no: order_no.to_owned(),
            id: created.id,
            line: line.id,
            quantity: line.quantity,
        })
    })
}

/// The system clock as a UTC time.
fn now() -> DateTime<Utc> {
    DateTime::<Utc>::from(std::time::SystemTime::now())
}

fn op(key: &str, command: Command) -> Operation {
    Operation {
        key: key.to_owned(),
        at: now(),
        command,
    }
}

fn claim(claim: ClaimId, order: &Collected) -> ClaimRequest {
    ClaimRequest {
        claim,
        order: order.id,
        lines: vec![ClaimPick {
            line: order.line,
            quantity: order.quantity,
            split_line: None,
        }],
        reason: Reason::ChangeOfMind,
        fault: Fault::Buyer,
        memo: "e2e".into(),
    }
}

/// The order in IndexedDB, or `None` while it is not there (or the app not ready).
fn order_if_pulled(browser: &Session, id: OrderId) -> Option<Order> {
    execute_json::<Option<Order>>(
        browser,
        "const w = window.wasmBindings; \
         return w ? w.jumun_order(arguments[0]).catch(e => null) : null;",
        vec![json!(id.0)],
    )
    .unwrap_or(None)
    .flatten()
}

/// The line `line` of an order, if both are there.
fn line_of(order: Option<Order>, line: LineId) -> Option<Line> {
    order.and_then(|order| order.line(line).cloned())
}

/// Whether the line `line` of an order is in `status`.
fn line_is(order: Option<Order>, line: LineId, status: LineStatus) -> bool {
    line_of(order, line).is_some_and(|l| l.status == status)
}

fn new_id(browser: &Session) -> ClaimId {
    let id = browser
        .execute("return window.wasmBindings.jumun_new_id();", vec![])
        .expect("a new id")
        .as_u64()
        .expect("a number");
    ClaimId(id)
}

#[test]
fn offline_cancel_and_return_reach_the_server_exactly_once() {
    let dist = PathBuf::from(required_env("JUMUN_DIST_DIR"));
    let (_sandbox, server) =
        start_sandboxed_server(&scratch_dir("server-data-offline-sync"), &dist);
    let base = server.base_url.clone();
    let owner = login(&base, "demo", "demo1234");
    let operator = login(&base, "operator", "operator1234");

    // Collect Smartstore and Coupang now (the scheduler collects every connection every 5 s as
    // well; a manual run waits for a scheduled one in progress).
    let connections = get::<ConnectionList>(&base, "/api/connections", Some(&owner)).connections;
    let mut sandbox = String::new();
    for marketplace in ["smartstore", "coupang"] {
        sandbox = origin(&collect_now(&base, &operator, &connections, marketplace));
    }

    // The sandbox's backlog orders (placed before it started; no scenario ever touches them) of
    // the two marketplaces, oldest first: the same for every run with this seed.
    // The sandbox is a marketplace, not this API: its answers are read as plain JSON.
    let sandbox_orders: Value = get(&sandbox, "/sandbox/orders", None);
    let backlog: Vec<(String, String)> = sandbox_orders["orders"]
        .as_array()
        .expect("sandbox orders")
        .iter()
        .filter(|o| o["scenario"].is_null() && o["malformed"] == json!(false))
        .filter(|o| o["arrived_at"].as_i64().is_some_and(|at| at < 0))
        .filter(|o| {
            ["smartstore", "coupang"].contains(&o["order"]["channel"].as_str().unwrap_or(""))
        })
        .map(|o| {
            (
                o["order"]["channel"].as_str().unwrap().to_owned(),
                o["order"]["order_no"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let pick = |marketplace: &str, nth: usize| -> (String, String) {
        backlog
            .iter()
            .filter(|(m, _)| m == marketplace)
            .nth(nth)
            .unwrap_or_else(|| {
                panic!("seed {SANDBOX_SEED} has a {marketplace} backlog order #{nth}: {backlog:?}")
            })
            .clone()
    };
    // A: an unshipped Smartstore order to cancel; B: a Coupang order to ship, then return;
    // C: another Coupang order, whose cancel the server will refuse.
    let wanted = [
        pick("smartstore", 0),
        pick("coupang", 0),
        pick("coupang", 1),
    ];

    // Find them in the server's log (collected by the runs above).
    let mut found: Vec<Collected> = Vec::new();
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while found.len() < wanted.len() {
        let events = all_events(&base, &owner);
        found = wanted
            .iter()
            .filter_map(|(m, no)| find_collected(&events, m, no))
            .collect();
        assert!(
            std::time::Instant::now() < deadline,
            "the collected orders {wanted:?} reach the server's log within 30 s; found {found:?}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    let (a, b, c) = (found[0].clone(), found[1].clone(), found[2].clone());
    eprintln!("orders: cancel {a:?}, return {b:?}, refused cancel {c:?}");

    // The other operator invoices and ships B (a return needs a shipped line).
    push(
        &base,
        &operator,
        vec![
            op(
                "operator-b-invoice",
                Command::IssueInvoice {
                    order: b.id,
                    carrier: Carrier::cj(),
                    tracking_no: "600012345678".into(),
                },
            ),
            op("operator-b-print", Command::PrintInvoice { order: b.id }),
            op("operator-b-ship", Command::Ship { order: b.id }),
        ],
    );

    let browser = start_browser("chromium-profile-offline-sync");
    browser.goto(&format!("{base}/")).expect("open the app");

    // Sign in through the form.
    browser
        .sign_in("demo", "demo", "demo1234")
        .expect("sign in through the form");

    // The pull brings the collected orders into IndexedDB (B shipped), and an id block for
    // offline work.
    browser
        .wait_until(
            "the collected orders pulled",
            Duration::from_secs(60),
            |br| {
                if state(br).is_none_or(|st| st.ids_left == 0) {
                    return Ok(false);
                }
                let pulled = [&a, &c]
                    .iter()
                    .all(|o| line_is(order_if_pulled(br, o.id), o.line, LineStatus::Preparing));
                let shipped = line_is(order_if_pulled(br, b.id), b.line, LineStatus::InTransit);
                Ok(pulled && shipped)
            },
        )
        .expect("the collected orders arrive");
    browser
        .wait_until("the service worker", Duration::from_secs(30), |br| {
            let state = br.execute(
                "const c = navigator.serviceWorker && navigator.serviceWorker.controller; \
                 return c ? c.state : null;",
                vec![],
            )?;
            Ok(state == json!("activated"))
        })
        .expect("the service worker controls the page");

    // Offline.
    network(&browser, true);
    browser
        .wait_for(".sync-chip.offline", Duration::from_secs(20))
        .expect("the chip says offline");

    // A cancel, a return, and a cancel the server will refuse, through the command layer.
    let (claim_a, claim_b, claim_c) = (new_id(&browser), new_id(&browser), new_id(&browser));
    let cancelled = run(&browser, &Command::Cancel(claim(claim_a, &a)));
    assert!(!cancelled.expect("cancel ran locally").is_empty());
    let returned = run(
        &browser,
        &Command::Return(ReturnRequest {
            claim: claim(claim_b, &b),
            pickup: None,
            complete_at_once: true,
        }),
    );
    assert!(!returned.expect("return ran locally").is_empty());
    let doomed = run(&browser, &Command::Cancel(claim(claim_c, &c)));
    assert!(!doomed.expect("cancel ran locally").is_empty());
    let before_reload = state(&browser).expect("the app's state");
    let keys = before_reload.outbox.clone();
    assert_eq!(keys.len(), 3, "three operations wait: {before_reload:?}");
    let orders_offline = before_reload.orders;
    assert!(
        orders_offline >= 3,
        "the collected orders are in IndexedDB: {before_reload:?}"
    );
    let local_a = order(&browser, a.id);

    // Meanwhile the other operator cancels order C on the server.
    let reserved: IdBlockAnswer = post(&base, "/api/ids", Some(&operator), ReserveIds { count: 1 });
    let other_claim = ClaimId(reserved.start);
    push(
        &base,
        &operator,
        vec![op(
            "other-operator-cancel-c",
            Command::Cancel(claim(other_claim, &c)),
        )],
    );

    // Reload while offline: the service worker serves the app; data and outbox are there.
    browser.goto(&format!("{base}/")).expect("reload offline");
    browser
        .wait_until(
            "the app offline with its outbox",
            Duration::from_secs(30),
            |br| Ok(state(br).is_some_and(|st| st.orders == orders_offline && st.pending == 3)),
        )
        .expect("the outbox survives the reload");
    assert_eq!(
        order(&browser, a.id),
        local_a,
        "the local cancel is still shown"
    );
    browser
        .wait_for(".sync-chip.offline", Duration::from_secs(20))
        .expect("still offline after the reload");
    browser
        .screenshot(&artifacts().join("offline-sync-offline.png"))
        .expect("screenshot");

    // Online: the outbox drains.
    network(&browser, false);
    browser
        .wait_until("the outbox to drain", Duration::from_secs(60), |br| {
            Ok(state(br).is_some_and(|st| st.pending == 0))
        })
        .expect("the outbox drains");

    // The server's log: each accepted operation's events once, the refused one absent.
    let events = all_events(&base, &owner);
    for (key, claim) in [(&keys[0], claim_a), (&keys[1], claim_b)] {
        let seqs: Vec<u64> = events
            .iter()
            .filter(|e| e.key.as_ref() == Some(key))
            .map(|e| e.seq)
            .collect();
        assert!(!seqs.is_empty(), "operation {key} reached the server");
        assert!(
            seqs.windows(2).all(|w| w[1] == w[0] + 1),
            "operation {key} was applied once: seqs {seqs:?}"
        );
        let opened = events
            .iter()
            .filter(
                |e| matches!(&e.event.change, Change::ClaimOpened(opened) if opened.id == claim),
            )
            .count();
        assert_eq!(opened, 1, "claim {claim:?} opened once");
    }
    assert!(
        events.iter().all(|e| e.key.as_ref() != Some(&keys[2])),
        "the refused cancel left nothing in the server's log"
    );

    // The refusal shows on order C, and C shows the server's state (cancelled by the other
    // operator), not the local cancel's claim.
    let notice = browser
        .wait_for(
            &format!("li.notice[data-orders=\"{}\"]", c.id),
            Duration::from_secs(30),
        )
        .expect("the refusal notice shows on the order");
    let text = browser.text(&notice[0]).unwrap();
    assert!(text.contains("서버가 거부"), "notice: {text}");
    browser
        .wait_until(
            "order C to show the server's cancel",
            Duration::from_secs(30),
            |br| Ok(line_of(order(br, c.id), c.line).is_some_and(|l| l.claim == Some(other_claim))),
        )
        .expect("order C is rebuilt from the server");
    assert_ne!(
        line_of(order(&browser, a.id), a.line).map(|l| l.claim_state),
        Some(ClaimState::Normal),
        "order {} ({} {}) stays cancelled",
        a.id,
        a.marketplace,
        a.order_no
    );
    assert_eq!(
        line_of(order(&browser, b.id), b.line).and_then(|l| l.claim),
        Some(claim_b),
        "order {} ({} {}) carries the return",
        b.id,
        b.marketplace,
        b.order_no
    );
    browser
        .wait_for(".sync-chip.online", Duration::from_secs(30))
        .expect("the chip says online");
    browser
        .screenshot(&artifacts().join("offline-sync-online.png"))
        .expect("screenshot");
}

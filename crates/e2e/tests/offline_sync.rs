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

use jumun_e2e::processes::{start_sandbox, start_server_with, RunningSandbox, RunningServer};
use jumun_e2e::webdriver::Session;
use jumun_e2e::{artifacts, chromium_args, required_env, scratch_dir};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The sandbox's seed: its orders are a pure function of it.
const SANDBOX_SEED: u64 = 1;

/// The sandbox marketplace, then the real server with the demo store fed by it (`--demo
/// --demo-marketplaces URL`), both on free ports, both with their data in `data_dir`.
fn start_sandboxed_server(data_dir: &Path, dist_dir: &Path) -> (RunningSandbox, RunningServer) {
    let sandbox = start_sandbox(
        &PathBuf::from(required_env("JUMUN_SANDBOX_BIN")),
        SANDBOX_SEED,
        data_dir,
    );
    let server = start_server_with(
        &PathBuf::from(required_env("JUMUN_SERVER_BIN")),
        data_dir,
        dist_dir,
        &["--demo", "--demo-marketplaces", &sandbox.base_url],
    );
    (sandbox, server)
}

fn post(base: &str, path: &str, token: Option<&str>, body: Value) -> Value {
    let mut request = ureq::post(&format!("{base}{path}"));
    if let Some(token) = token {
        request = request.header("Authorization", &format!("Bearer {token}"));
    }
    request
        .send_json(body)
        .unwrap_or_else(|e| panic!("POST {path}: {e}"))
        .body_mut()
        .read_json()
        .expect("a JSON answer")
}

fn get(base: &str, path: &str, token: Option<&str>) -> Value {
    let mut request = ureq::get(&format!("{base}{path}"));
    if let Some(token) = token {
        request = request.header("Authorization", &format!("Bearer {token}"));
    }
    request
        .call()
        .unwrap_or_else(|e| panic!("GET {base}{path}: {e}"))
        .body_mut()
        .read_json()
        .expect("a JSON answer")
}

fn login(base: &str, user: &str, password: &str) -> String {
    let answer = post(
        base,
        "/api/auth/login",
        None,
        json!({ "store": "demo", "login": user, "password": password }),
    );
    answer["token"].as_str().expect("a token").to_owned()
}

/// Pushes operations as a user of the store; every one must be accepted.
fn push(base: &str, token: &str, ops: Vec<Value>) {
    let answer = post(base, "/api/ops", Some(token), json!({ "ops": ops }));
    for result in answer["results"].as_array().expect("results") {
        assert_eq!(result["status"], "accepted", "operation: {result}");
    }
}

/// The store's whole event log, page by page.
fn all_events(base: &str, token: &str) -> Vec<Value> {
    let mut events = Vec::new();
    let mut since = 0;
    loop {
        let page = get(
            base,
            &format!("/api/changes?since={since}&limit=5000"),
            Some(token),
        );
        events.extend(page["events"].as_array().expect("events").iter().cloned());
        if page["more"] != json!(true) {
            return events;
        }
        since = page["next"].as_u64().expect("the next seq");
    }
}

/// Collects a marketplace's connection now (`POST /api/connections/{id}/collect`) and checks
/// the run did not fail; answers the connection's base URL.
fn collect_now(base: &str, token: &str, connections: &[Value], marketplace: &str) -> String {
    let connection = connections
        .iter()
        .find(|c| c["marketplace"] == json!(marketplace))
        .unwrap_or_else(|| panic!("the demo store has a {marketplace} connection"));
    let id = connection["id"].as_i64().expect("a connection id");
    let run = post(
        base,
        &format!("/api/connections/{id}/collect"),
        Some(token),
        json!({}),
    );
    assert!(run["error"].is_null(), "{marketplace} collected: {run}");
    connection["base_url"]
        .as_str()
        .expect("a base URL")
        .to_owned()
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
    id: u64,
    line: u64,
    quantity: u64,
}

/// Finds the order `order_no` of `marketplace` that collection created in the server's log.
fn find_collected(events: &[Value], marketplace: &str, order_no: &str) -> Option<Collected> {
    events.iter().find_map(|e| {
        let created = &e["event"]["change"]["OrderCreated"];
        if created["marketplace"] != json!(marketplace) || created["order_no"] != json!(order_no) {
            return None;
        }
        assert_eq!(
            created["origin"], "Collected",
            "a collected order: {created}"
        );
        let line = &created["lines"][0];
        Some(Collected {
            marketplace: marketplace.to_owned(),
            order_no: order_no.to_owned(),
            id: created["id"].as_u64()?,
            line: line["id"].as_u64()?,
            quantity: line["quantity"].as_u64()?,
        })
    })
}

fn now() -> String {
    // RFC 3339 from the system clock, without a date crate: seconds since the epoch.
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let days = secs / 86_400;
    let rem = secs % 86_400;
    // Civil from days (Howard Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

fn op(key: &str, command: Value) -> Value {
    json!({ "key": key, "at": now(), "command": command })
}

fn claim(claim: u64, order: &Collected) -> Value {
    json!({
        "claim": claim, "order": order.id,
        "lines": [{ "line": order.line, "quantity": order.quantity, "split_line": null }],
        "reason": "ChangeOfMind", "fault": "Buyer", "memo": "e2e"
    })
}

fn state(browser: &Session) -> Value {
    browser
        .execute(
            "return window.wasmBindings.jumun_state().then(JSON.parse).catch(e => null);",
            vec![],
        )
        .unwrap_or(Value::Null)
}

fn run(browser: &Session, command: Value) -> Value {
    browser
        .execute(
            "return window.wasmBindings.jumun_run(arguments[0]).then(JSON.parse, e => ({error: String(e)}));",
            vec![json!(command.to_string())],
        )
        .expect("run a command")
}

fn order(browser: &Session, id: u64) -> Value {
    browser
        .execute(
            "return window.wasmBindings.jumun_order(arguments[0]).then(JSON.parse);",
            vec![json!(id)],
        )
        .expect("read an order")
}

/// The order in IndexedDB, or null while it is not there (or the app not ready).
fn order_if_pulled(browser: &Session, id: u64) -> Value {
    browser
        .execute(
            "const w = window.wasmBindings; \
             return w ? w.jumun_order(arguments[0]).then(JSON.parse).catch(e => null) : null;",
            vec![json!(id)],
        )
        .unwrap_or(Value::Null)
}

/// The line of `order` with id `line`.
fn line_of(order: &Value, line: u64) -> Value {
    order["lines"]
        .as_array()
        .and_then(|lines| lines.iter().find(|l| l["id"] == json!(line)).cloned())
        .unwrap_or(Value::Null)
}

fn new_id(browser: &Session) -> u64 {
    browser
        .execute("return window.wasmBindings.jumun_new_id();", vec![])
        .expect("a new id")
        .as_u64()
        .expect("a number")
}

fn network(browser: &Session, offline: bool) {
    browser
        .cdp("Network.enable", json!({}))
        .expect("CDP Network.enable");
    browser
        .cdp(
            "Network.emulateNetworkConditions",
            json!({ "offline": offline, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1 }),
        )
        .expect("CDP Network.emulateNetworkConditions");
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
    let connections = get(&base, "/api/connections", Some(&owner))["connections"]
        .as_array()
        .expect("connections")
        .clone();
    let mut sandbox = String::new();
    for marketplace in ["smartstore", "coupang"] {
        sandbox = origin(&collect_now(&base, &operator, &connections, marketplace));
    }

    // The sandbox's backlog orders (placed before it started; no scenario ever touches them) of
    // the two marketplaces, oldest first: the same for every run with this seed.
    let sandbox_orders = get(&sandbox, "/sandbox/orders", None);
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
                json!({ "IssueInvoice": { "order": b.id, "carrier": "cj", "tracking_no": "600012345678" } }),
            ),
            op(
                "operator-b-print",
                json!({ "PrintInvoice": { "order": b.id } }),
            ),
            op("operator-b-ship", json!({ "Ship": { "order": b.id } })),
        ],
    );

    let driver =
        jumun_e2e::processes::start_chromedriver(&PathBuf::from(required_env("CHROMEDRIVER")));
    let browser = Session::start(
        &driver.url,
        &PathBuf::from(required_env("CHROMIUM")),
        &chromium_args(&scratch_dir("chromium-profile-offline-sync")),
    )
    .expect("start a Chromium session");
    browser.goto(&format!("{base}/")).expect("open the app");

    // Sign in through the form.
    browser
        .wait_for("form.login-form", Duration::from_secs(30))
        .expect("the login form shows without a session");
    browser
        .execute(
            "const set = (n, v) => { const i = document.querySelector(`input[name=${n}]`); \
             i.value = v; i.dispatchEvent(new Event('input', { bubbles: true })); }; \
             set('store', 'demo'); set('login', 'demo'); set('password', 'demo1234'); \
             document.querySelector('form.login-form button[type=submit]').click(); return true;",
            vec![],
        )
        .expect("fill the login form");

    // The pull brings the collected orders into IndexedDB (B shipped), and an id block for
    // offline work.
    browser
        .wait_until(
            "the collected orders pulled",
            Duration::from_secs(60),
            |br| {
                let st = state(br);
                if st["ids_left"].as_u64().unwrap_or(0) == 0 {
                    return Ok(false);
                }
                let pulled = [&a, &c]
                    .iter()
                    .all(|o| line_of(&order_if_pulled(br, o.id), o.line)["status"] == "Preparing");
                let shipped = line_of(&order_if_pulled(br, b.id), b.line)["status"] == "InTransit";
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
    let cancelled = run(&browser, json!({ "Cancel": claim(claim_a, &a) }));
    assert!(cancelled.is_array(), "cancel ran locally: {cancelled}");
    let returned = run(
        &browser,
        json!({ "Return": { "claim": claim(claim_b, &b), "pickup": null, "complete_at_once": true } }),
    );
    assert!(returned.is_array(), "return ran locally: {returned}");
    let doomed = run(&browser, json!({ "Cancel": claim(claim_c, &c) }));
    assert!(doomed.is_array(), "cancel ran locally: {doomed}");
    let before_reload = state(&browser);
    let keys: Vec<String> = before_reload["outbox"]
        .as_array()
        .expect("outbox keys")
        .iter()
        .map(|k| k.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(keys.len(), 3, "three operations wait: {before_reload}");
    let orders_offline = before_reload["orders"].clone();
    assert!(
        orders_offline.as_u64().unwrap_or(0) >= 3,
        "the collected orders are in IndexedDB: {before_reload}"
    );
    let local_a = order(&browser, a.id);

    // Meanwhile the other operator cancels order C on the server.
    let other_claim = post(&base, "/api/ids", Some(&operator), json!({ "count": 1 }))["start"]
        .as_u64()
        .expect("a reserved id");
    push(
        &base,
        &operator,
        vec![op(
            "other-operator-cancel-c",
            json!({ "Cancel": claim(other_claim, &c) }),
        )],
    );

    // Reload while offline: the service worker serves the app; data and outbox are there.
    browser.goto(&format!("{base}/")).expect("reload offline");
    browser
        .wait_until(
            "the app offline with its outbox",
            Duration::from_secs(30),
            |br| {
                let st = state(br);
                Ok(st["orders"] == orders_offline && st["pending"] == json!(3))
            },
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
            Ok(state(br)["pending"] == json!(0))
        })
        .expect("the outbox drains");

    // The server's log: each accepted operation's events once, the refused one absent.
    let events = all_events(&base, &owner);
    for (key, claim) in [(&keys[0], claim_a), (&keys[1], claim_b)] {
        let seqs: Vec<u64> = events
            .iter()
            .filter(|e| e["key"] == json!(key))
            .map(|e| e["seq"].as_u64().unwrap())
            .collect();
        assert!(!seqs.is_empty(), "operation {key} reached the server");
        assert!(
            seqs.windows(2).all(|w| w[1] == w[0] + 1),
            "operation {key} was applied once: seqs {seqs:?}"
        );
        let opened = events
            .iter()
            .filter(|e| e["event"].to_string().contains("ClaimOpened"))
            .filter(|e| e["event"]["change"]["ClaimOpened"]["id"] == json!(claim))
            .count();
        assert_eq!(opened, 1, "claim {claim} opened once");
    }
    assert!(
        events.iter().all(|e| e["key"] != json!(keys[2])),
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
            |br| Ok(line_of(&order(br, c.id), c.line)["claim"] == json!(other_claim)),
        )
        .expect("order C is rebuilt from the server");
    assert_ne!(
        line_of(&order(&browser, a.id), a.line)["claim_state"],
        json!("Normal"),
        "order {} ({} {}) stays cancelled",
        a.id,
        a.marketplace,
        a.order_no
    );
    assert_eq!(
        line_of(&order(&browser, b.id), b.line)["claim"],
        json!(claim_b),
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

//! End-to-end test of offline work and its sync, against the real `jumun-server` (`--demo`) and
//! the release build in headless Chromium: the operator signs in through the form, the pull
//! brings the collected orders into IndexedDB, the network goes offline (DevTools network
//! emulation), a cancel and a return run through the app's command layer (the function the CS
//! screens will call, exported as `window.wasmBindings.jumun_run`), the page reloads offline
//! (served by the service worker, data and outbox intact), the network comes back, the outbox
//! drains, and the server's log holds each operation exactly once. A third operation, a cancel of
//! an order another operator cancelled on the server meanwhile, is refused by the server: it is
//! undone locally and the refusal shows on the order.
//!
//! Orders are seeded with `CollectOrder` operations pushed to `POST /api/ops` with the demo
//! owner's token (a stand-in for marketplace collection).

use jumun_e2e::processes::{start_server, RunningServer};
use jumun_e2e::required_env;
use jumun_e2e::webdriver::Session;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::time::Duration;

fn artifacts() -> PathBuf {
    PathBuf::from(required_env("JUMUN_E2E_ARTIFACTS"))
}

fn scratch_dir(name: &str) -> PathBuf {
    let dir = artifacts().join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create a scratch directory");
    dir
}

/// The real server with the demo store: `JUMUN_DEMO=1` (the same as `--demo`), which the child
/// inherits (this test binary runs this one test).
fn start_demo_server(binary: &Path, data_dir: &Path, dist_dir: &Path) -> RunningServer {
    std::env::set_var("JUMUN_DEMO", "1");
    start_server(binary, data_dir, dist_dir)
}

fn chromium_args() -> Vec<String> {
    let profile = scratch_dir("chromium-profile-offline-sync");
    [
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1280,800",
        "--lang=ko-KR",
    ]
    .iter()
    .map(|s| s.to_string())
    .chain([format!("--user-data-dir={}", profile.display())])
    .collect()
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

fn get(base: &str, path: &str, token: &str) -> Value {
    ureq::get(&format!("{base}{path}"))
        .header("Authorization", &format!("Bearer {token}"))
        .call()
        .unwrap_or_else(|e| panic!("GET {path}: {e}"))
        .body_mut()
        .read_json()
        .expect("a JSON answer")
}

/// Pushes operations as the test's own "collector"; every one must be accepted.
fn push(base: &str, token: &str, ops: Vec<Value>) {
    let answer = post(base, "/api/ops", Some(token), json!({ "ops": ops }));
    for result in answer["results"].as_array().expect("results") {
        assert_eq!(result["status"], "accepted", "seed operation: {result}");
    }
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

fn collect_order(id: u64, line: u64, order_no: &str) -> Value {
    json!({ "CollectOrder": {
        "id": id,
        "marketplace": "coupang",
        "order_no": order_no,
        "ordered_at": now(),
        "payment": "Paid",
        "paid_at": now(),
        "delivery": {
            "orderer_name": "김민지", "orderer_phone": "010-1111-2222",
            "recipient_name": "김민지", "recipient_phone": "010-1111-2222",
            "recipient_landline": "", "postcode": "06236",
            "address": "서울특별시 강남구 테헤란로 123", "memo": ""
        },
        "lines": [{
            "id": line,
            "keys": { "order_no": order_no, "line_no": format!("{order_no}-1") },
            "product_name": "반팔 티셔츠", "option": "블랙 / L",
            "quantity": 1, "unit_price": 19900
        }]
    }})
}

fn op(key: &str, command: Value) -> Value {
    json!({ "key": key, "at": now(), "command": command })
}

fn claim(claim: u64, order: u64, line: u64) -> Value {
    json!({
        "claim": claim, "order": order,
        "lines": [{ "line": line, "quantity": 1, "split_line": null }],
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

fn new_id(browser: &Session) -> u64 {
    browser
        .execute("return window.wasmBindings.jumun_new_id();", vec![])
        .expect("a new id")
        .as_u64()
        .expect("a number")
}

fn line_status(order: &Value) -> String {
    order["lines"][0]["claim_state"].to_string()
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
    let server = start_demo_server(
        &PathBuf::from(required_env("JUMUN_SERVER_BIN")),
        &scratch_dir("server-data-offline-sync"),
        &dist,
    );
    let base = server.base_url.clone();
    let login = post(
        &base,
        "/api/auth/login",
        None,
        json!({ "store": "demo", "login": "demo", "password": "demo1234" }),
    );
    let token = login["token"].as_str().expect("a token").to_owned();

    // Three collected orders; the second shipped (a return needs a shipped line).
    let ids = post(&base, "/api/ids", Some(&token), json!({ "count": 20 }));
    let s = ids["start"].as_u64().unwrap();
    let (a, b, c) = (s, s + 2, s + 4);
    push(
        &base,
        &token,
        vec![
            op("seed-a", collect_order(a, a + 1, "E2E-A")),
            op("seed-b", collect_order(b, b + 1, "E2E-B")),
            op("seed-c", collect_order(c, c + 1, "E2E-C")),
            op(
                "seed-b-invoice",
                json!({ "IssueInvoice": { "order": b, "carrier": "cj", "tracking_no": "600012345678" } }),
            ),
            op("seed-b-print", json!({ "PrintInvoice": { "order": b } })),
            op("seed-b-ship", json!({ "Ship": { "order": b } })),
        ],
    );

    let driver =
        jumun_e2e::processes::start_chromedriver(&PathBuf::from(required_env("CHROMEDRIVER")));
    let browser = Session::start(
        &driver.url,
        &PathBuf::from(required_env("CHROMIUM")),
        &chromium_args(),
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

    // The pull brings the orders into IndexedDB, and an id block for offline work.
    browser
        .wait_until("the orders pulled", Duration::from_secs(60), |b| {
            let st = state(b);
            Ok(st["orders"] == json!(3) && st["ids_left"].as_u64().unwrap_or(0) > 0)
        })
        .expect("the orders arrive");
    browser
        .wait_until("the service worker", Duration::from_secs(30), |b| {
            let state = b.execute(
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
    let cancelled = run(&browser, json!({ "Cancel": claim(claim_a, a, a + 1) }));
    assert!(cancelled.is_array(), "cancel ran locally: {cancelled}");
    let returned = run(
        &browser,
        json!({ "Return": { "claim": claim(claim_b, b, b + 1), "pickup": null, "complete_at_once": true } }),
    );
    assert!(returned.is_array(), "return ran locally: {returned}");
    let doomed = run(&browser, json!({ "Cancel": claim(claim_c, c, c + 1) }));
    assert!(doomed.is_array(), "cancel ran locally: {doomed}");
    let before_reload = state(&browser);
    let keys: Vec<String> = before_reload["outbox"]
        .as_array()
        .expect("outbox keys")
        .iter()
        .map(|k| k.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(keys.len(), 3, "three operations wait: {before_reload}");
    let local_a = order(&browser, a);

    // Meanwhile another operator cancels order C on the server.
    push(
        &base,
        &token,
        vec![op(
            "other-operator-cancel-c",
            json!({ "Cancel": claim(s + 10, c, c + 1) }),
        )],
    );

    // Reload while offline: the service worker serves the app; data and outbox are there.
    browser.goto(&format!("{base}/")).expect("reload offline");
    browser
        .wait_until(
            "the app offline with its outbox",
            Duration::from_secs(30),
            |b| {
                let st = state(b);
                Ok(st["orders"] == json!(3) && st["pending"] == json!(3))
            },
        )
        .expect("the outbox survives the reload");
    assert_eq!(
        order(&browser, a),
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
        .wait_until("the outbox to drain", Duration::from_secs(60), |b| {
            Ok(state(b)["pending"] == json!(0))
        })
        .expect("the outbox drains");

    // The server's log: each accepted operation's events once, the refused one absent.
    let changes = get(&base, "/api/changes?since=0&limit=5000", &token);
    let events = changes["events"].as_array().expect("events");
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
            &format!("li.notice[data-orders=\"{c}\"]"),
            Duration::from_secs(30),
        )
        .expect("the refusal notice shows on the order");
    let text = browser.text(&notice[0]).unwrap();
    assert!(text.contains("서버가 거부"), "notice: {text}");
    browser
        .wait_until(
            "order C to show the server's cancel",
            Duration::from_secs(30),
            |b| Ok(order(b, c)["lines"][0]["claim"] == json!(s + 10)),
        )
        .expect("order C is rebuilt from the server");
    assert_ne!(line_status(&order(&browser, a)), "\"Normal\"");
    browser
        .wait_for(".sync-chip.online", Duration::from_secs(30))
        .expect("the chip says online");
    browser
        .screenshot(&artifacts().join("offline-sync-online.png"))
        .expect("screenshot");
}

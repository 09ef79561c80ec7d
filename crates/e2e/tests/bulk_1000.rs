//! End-to-end test of 일괄처리 at scale (issue 12 §3 and its proof, R5, R28): the real server fed
//! by the sandbox (a backlog of several days) and the release build in headless Chromium. On the
//! orders placed before today (a stable set: new orders keep arriving), all by keyboard:
//! the whole 상품준비 result gets its invoices from a pasted list of numbers alone (`a`, `i`,
//! Ctrl+Enter, Enter); 배송대기's whole result is marked printed (`a`, `p`); ten orders are held
//! (`x`/`j`, `h`); then the whole 배송대기 result is shipped (`a`, `s`): all but the ten ship and
//! the ten are listed with the hold as their reason. The server then holds every shipment.
//! Screenshot: `target/e2e/orders-bulk-1000.png`.

use chrono::{Duration as Days, Utc};
use jumun_core::time::KOREA;
use jumun_e2e::api::{get, login};
use jumun_e2e::artifacts;
use jumun_e2e::orders::{open_orders_with, press, result_count, text_of, thousands};
use jumun_e2e::webdriver::Session;
use serde_json::{json, Value};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(120);

fn run_js(browser: &Session, script: &str, args: Vec<Value>) {
    browser.execute(script, args).expect("run a script");
}

/// Opens a status tab and waits for its whole result; answers its count. The count is taken
/// once the result is complete, agrees with the tab's own count and holds for a second (the
/// previous search's count shows until the new one lands).
fn open_tab(browser: &Session, tab: &str) -> u64 {
    run_js(
        browser,
        "[...document.querySelectorAll('.status-tabs button')]\
         .find(b => b.textContent.startsWith(arguments[0])).click(); return true;",
        vec![json!(tab)],
    );
    let tab_count = |b: &Session| -> Option<u64> {
        let text = text_of(b, ".status-tabs button.active .count");
        let digits: String = text.chars().filter(char::is_ascii_digit).collect();
        digits.parse().ok()
    };
    let mut last = None;
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let active = text_of(browser, ".status-tabs button.active");
        let now = result_count(browser)
            .filter(|n| active.starts_with(tab) && tab_count(browser) == Some(*n));
        if now.is_some() && now == last {
            return now.unwrap_or_default();
        }
        last = now;
        assert!(
            std::time::Instant::now() < deadline,
            "the {tab} tab: {:?}",
            text_of(browser, ".orders-screen")
        );
        std::thread::sleep(Duration::from_millis(1_000));
    }
}

/// Submits the bulk bar's confirmation (Enter in the form).
fn confirm(browser: &Session) {
    browser
        .wait_for("form.bulk-panel", WAIT)
        .expect("the confirmation");
    run_js(
        browser,
        "document.querySelector('form.bulk-panel').requestSubmit(); return true;",
        vec![],
    );
}

/// Waits for the bulk run's end; answers its headline.
fn wait_done(browser: &Session, what: &str, starts: &str) -> String {
    browser
        .wait_until(what, WAIT, |b| {
            Ok(text_of(b, ".bulk-panel.done strong").starts_with(starts))
        })
        .unwrap_or_else(|e| {
            panic!(
                "{what}: {e}; the bar shows {:?}",
                text_of(browser, ".bulk-panel")
            )
        });
    text_of(browser, ".bulk-panel.done strong")
}

fn close_result(browser: &Session) {
    run_js(
        browser,
        "[...document.querySelectorAll('.bulk-panel button')].find(b => b.textContent === '닫기').click(); return true;",
        vec![],
    );
}

/// Events of the server's store whose change is `kind`, paging through `/api/changes`.
fn server_count(base: &str, token: &str, kind: &str) -> usize {
    let mut since = 0u64;
    let mut found = 0;
    loop {
        let page: Value = get(
            base,
            &format!("/api/changes?since={since}&limit=5000"),
            Some(token),
        );
        for event in page["events"].as_array().expect("events") {
            let change = &event["event"]["change"];
            let name = match change {
                Value::Object(map) => map.keys().next().cloned().unwrap_or_default(),
                Value::String(name) => name.clone(),
                _ => String::new(),
            };
            if name == kind {
                found += 1;
            }
        }
        if page["more"] != json!(true) {
            return found;
        }
        since = page["next"].as_u64().expect("next");
    }
}

#[test]
fn a_thousand_orders_are_invoiced_printed_and_shipped_in_bulk_with_ten_held_back() {
    // Ten days of backlog (an order every five minutes), no new stream orders while the test runs.
    let console = open_orders_with("bulk-1000", &["--backlog", "2900", "--interval", "100000"]);
    let browser = &console.browser;

    // Orders placed before today: the scripted scenarios keep adding today's orders.
    let yesterday = (Utc::now().with_timezone(&KOREA) - Days::days(1))
        .format("%Y-%m-%d")
        .to_string();
    run_js(
        browser,
        "const to = document.querySelectorAll('form.search-row input[type=date]')[1]; \
         to.value = arguments[0]; to.dispatchEvent(new Event('change', { bubbles: true })); return true;",
        vec![json!(yesterday)],
    );
    let preparing = open_tab(browser, "상품준비");
    let token = login(&console.base, "demo", "demo1234");
    println!(
        "held {}, server orders {}, 상품준비 before today: {preparing}",
        console.held,
        server_count(&console.base, &token, "OrderCreated")
    );
    assert!(preparing >= 1_000, "{preparing} orders in 상품준비");

    // 송장입력 of the whole result from numbers alone, in list order.
    press(browser, "a", true);
    press(browser, "i", false);
    browser
        .wait_for(".invoice-dialog textarea", WAIT)
        .expect("i opens 송장입력");
    let numbers: Vec<String> = (0..preparing).map(|i| format!("63{i:010}")).collect();
    run_js(
        browser,
        "const a = document.querySelector('.invoice-dialog textarea'); a.value = arguments[0]; \
         a.dispatchEvent(new Event('input', { bubbles: true })); \
         a.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', ctrlKey: true, bubbles: true })); return true;",
        vec![json!(numbers.join("\n"))],
    );
    browser
        .wait_until("the preview", WAIT, |b| {
            Ok(text_of(b, ".invoice-summary")
                .starts_with(&format!("배정 {}건", thousands(preparing))))
        })
        .unwrap_or_else(|e| panic!("{e}; {:?}", text_of(browser, ".invoice-dialog")));
    run_js(
        browser,
        "document.querySelector('.invoice-dialog .dialog-actions button.primary').click(); return true;",
        vec![],
    );
    let invoiced = wait_done(browser, "송장입력", "송장입력 완료");
    println!("{invoiced}");
    close_result(browser);

    // 송장출력 처리 of the whole 배송대기 result.
    let ready = open_tab(browser, "배송대기");
    assert!(
        ready >= 1_000,
        "{ready} orders in 배송대기 after {invoiced}"
    );
    press(browser, "a", true);
    press(browser, "p", false);
    confirm(browser);
    let printed = wait_done(browser, "송장출력 처리", "송장출력 처리 완료");
    assert_eq!(
        printed,
        format!("송장출력 처리 완료 {}건", thousands(ready))
    );
    close_result(browser);

    // Ten held: x selects the cursor's row, j moves down.
    for i in 0..10 {
        if i > 0 {
            press(browser, "j", false);
        }
        press(browser, "x", false);
    }
    press(browser, "h", false);
    run_js(
        browser,
        "const i = document.querySelector('.bulk-panel input[type=text]'); \
         i.value = '주소 확인 중'; i.dispatchEvent(new Event('input', { bubbles: true })); return true;",
        vec![],
    );
    confirm(browser);
    assert_eq!(wait_done(browser, "보류", "보류 완료"), "보류 완료 10건");
    close_result(browser);

    // Ship the whole result: all but the ten.
    press(browser, "a", true);
    press(browser, "s", false);
    confirm(browser);
    let shipped = wait_done(browser, "배송처리", "배송처리 완료");
    assert_eq!(
        shipped,
        format!("배송처리 완료 {}건 · 실패 10건", thousands(ready - 10))
    );
    let reasons: Vec<String> = serde_json::from_value(
        browser
            .execute(
                "return [...document.querySelectorAll('.bulk-panel.done .failures li span')].map(s => s.textContent);",
                vec![],
            )
            .expect("read the reasons"),
    )
    .expect("reasons");
    assert_eq!(reasons.len(), 10, "{reasons:?}");
    assert!(reasons.iter().all(|r| r.contains("보류")), "{reasons:?}");
    // The list follows: only the ten stay in 배송대기.
    browser
        .wait_until("배송대기 keeps the ten", WAIT, |b| {
            Ok(text_of(b, ".status-tabs button.active .count") == "10"
                && result_count(b) == Some(10))
        })
        .unwrap_or_else(|e| panic!("{e}: {:?}", text_of(browser, ".status-tabs")));
    browser
        .screenshot(&artifacts().join("orders-bulk-1000.png"))
        .expect("save a screenshot");

    // The operations reach the server: every shipment is one of its events.
    let expected = (ready - 10) as usize;
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let on_server = server_count(&console.base, &token, "Shipped");
        if on_server == expected {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the server holds {on_server} of {expected} shipments; the sync note says {:?}",
            text_of(browser, ".sync-note")
        );
        std::thread::sleep(Duration::from_millis(500));
    }
    let errors = browser.console_errors().expect("read the console");
    assert!(errors.is_empty(), "console errors: {errors:#?}");
}

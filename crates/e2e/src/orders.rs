//! 주문 as the end-to-end tests open it: the real server fed by the sandbox marketplace, every
//! connection collected, Chromium signed in on the order list once it lists what the browser
//! holds; and the list's count as the screen shows it.

use crate::console::CollectedConsole;
use crate::processes::{RunningDriver, RunningSandbox, RunningServer};
use crate::webdriver::Session;
use serde_json::json;

/// A console signed in on 주문 over the collected sandbox orders (see [`CollectedConsole`]),
/// and how many orders the browser holds (and the list shows).
pub struct OrdersConsole {
    /// The browser, on 주문.
    pub browser: Session,
    /// The server's base URL.
    pub base: String,
    /// How many orders the browser holds (and the list shows).
    pub held: u32,
    _driver: RunningDriver,
    _server: RunningServer,
    _sandbox: RunningSandbox,
}

/// Starts the server on the sandbox (seed 1), collects every connection, signs in as the demo
/// owner on 주문 and waits until the list counts every pulled order. `name` keeps the test's
/// scratch directories apart.
pub fn open_orders(name: &str) -> OrdersConsole {
    open_orders_with(name, &[])
}

/// [`open_orders`] with more of the sandbox's flags (e.g. `--hostile-every 3`).
pub fn open_orders_with(name: &str, sandbox_flags: &[&str]) -> OrdersConsole {
    let console = CollectedConsole::start_with(name, "/orders", sandbox_flags);
    let held = console.wait_pulled("the collected orders appear in the list", |b, orders| {
        result_count(b) == Some(u64::from(orders))
    });
    let base = console.base().to_owned();
    let CollectedConsole {
        browser,
        driver,
        server,
        sandbox,
        ..
    } = console;
    OrdersConsole {
        browser,
        base,
        held,
        _driver: driver,
        _server: server,
        _sandbox: sandbox,
    }
}

/// The result count the screen shows ("검색결과 N건"), once a search is complete.
pub fn result_count(browser: &Session) -> Option<u64> {
    let text = browser
        .execute(
            "const e = document.querySelector('.result-count'); return e ? e.textContent : '';",
            vec![],
        )
        .ok()?;
    let digits: String = text
        .as_str()?
        .strip_prefix("검색결과 ")?
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// Chooses the search field (its position in the selector) and searches `text` with Enter.
pub fn search(browser: &Session, field: usize, text: &str) {
    browser
        .execute(
            "const form = document.querySelector('form.search-row'); \
             const selects = form.querySelectorAll('select'); \
             const field = selects[selects.length - 1]; \
             field.value = String(arguments[0]); \
             field.dispatchEvent(new Event('change', { bubbles: true })); \
             const input = form.querySelector('input[type=search]'); \
             input.value = arguments[1]; \
             input.dispatchEvent(new Event('input', { bubbles: true })); \
             form.requestSubmit(); return true;",
            vec![json!(field), json!(text)],
        )
        .expect("search");
}

/// Presses a key on the focused element (the table after Enter in the search).
pub fn press(browser: &Session, key: &str, shift: bool) {
    browser
        .execute(
            "window.dispatchEvent(new KeyboardEvent('keydown', \
             { key: arguments[0], shiftKey: arguments[1], bubbles: true })); return true;",
            vec![json!(key), json!(shift)],
        )
        .expect("press a key");
}

/// The text of the first element matching `css`, or "".
pub fn text_of(browser: &Session, css: &str) -> String {
    browser
        .execute(
            "const e = document.querySelector(arguments[0]); return e ? e.textContent : '';",
            vec![json!(css)],
        )
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// A count as the console writes it (`1,578`).
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Clicks the status tab whose label starts with `label` (`상품준비`, `배송대기` …).
pub fn open_status_tab(browser: &Session, label: &str) {
    browser
        .execute(
            "[...document.querySelectorAll('.status-tabs button')]\
             .find(b => b.textContent.startsWith(arguments[0])).click(); return true;",
            vec![json!(label)],
        )
        .expect("open a status tab");
}

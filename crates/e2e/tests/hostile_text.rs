//! End-to-end test of issue 12's "marketplace text is never code": the sandbox gives every third
//! order markup in its recipient's name, delivery memo, product name and option
//! (`--hostile-every 3`: `<img src=x onerror=…>` and `<script>…</script>`, each of which would
//! set `window.__jumunXss` if it ran). The real server collects them through the marketplace
//! adapters, the console pulls them into IndexedDB and shows them in 주문 and in the order's
//! panel: nothing runs, no element is made from them, and the text reads exactly as written.
//! Screenshot: `target/e2e/orders-hostile-text.png`.

use jumun_e2e::a11y::assert_accessible;
use jumun_e2e::artifacts;
use jumun_e2e::orders::{open_orders_with, press, result_count, search};
use jumun_e2e::webdriver::Session;
use jumun_sandbox::generate::{HOSTILE_MEMO, HOSTILE_NAME, HOSTILE_OPTION, HOSTILE_PRODUCT};
use serde_json::json;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(30);

/// Nothing the orders carry ran, and no element was made of their markup.
fn assert_nothing_ran(browser: &Session, where_: &str) {
    let found = browser
        .execute(
            "return { ran: window.__jumunXss === undefined ? null : String(window.__jumunXss), \
                      images: document.querySelectorAll('img[src=\"x\"]').length, \
                      scripts: [...document.querySelectorAll('script')] \
                        .filter(s => s.textContent.includes('__jumunXss')).length };",
            vec![],
        )
        .expect("read the page");
    assert_eq!(
        found,
        json!({ "ran": null, "images": 0, "scripts": 0 }),
        "{where_}: marketplace markup ran or became elements"
    );
}

/// The text of the rows' cells in column `nth` (1-based, as CSS counts).
fn column(browser: &Session, nth: usize) -> Vec<String> {
    let value = browser
        .execute(
            "return [...document.querySelectorAll('table.order-table tbody tr[data-id]')] \
             .map(r => r.children[arguments[0] - 1].textContent);",
            vec![json!(nth)],
        )
        .expect("read a column");
    serde_json::from_value(value).expect("a list of texts")
}

#[test]
fn markup_in_collected_orders_is_shown_as_text_and_never_runs() {
    let console = open_orders_with("hostile-text", &["--hostile-every", "3"]);
    let browser = &console.browser;
    assert_nothing_ran(browser, "the list");

    // 수령자 (field 1) starting with the markup: every hostile order, found by its text.
    search(browser, 1, "<img src=x");
    browser
        .wait_until("the hostile orders found", WAIT, |b| {
            Ok(result_count(b).is_some_and(|n| n > 0 && n < u64::from(console.held)))
        })
        .expect("a recipient search finds the orders whose name holds markup");
    let found = result_count(browser).unwrap_or_default();
    let names = column(browser, 10);
    assert_eq!(names.len() as u64, found, "every one on screen");
    assert!(
        names.iter().all(|n| n == HOSTILE_NAME),
        "the name reads as written: {names:?}"
    );
    let products = column(browser, 6);
    assert!(
        products.iter().all(|p| p.contains(HOSTILE_PRODUCT)),
        "the product name reads as written: {products:?}"
    );
    let options = column(browser, 7);
    assert!(
        options.iter().all(|o| o.contains(HOSTILE_OPTION)),
        "the option reads as written: {options:?}"
    );
    assert_nothing_ran(browser, "the search result");

    // The order's panel: the name and the memo, as text.
    browser
        .execute(
            "document.querySelector('.order-table-wrap').focus(); return true;",
            vec![],
        )
        .expect("focus the list");
    press(browser, "Enter", false);
    browser
        .wait_for(".order-panel dl.facts", WAIT)
        .expect("Enter opens the order's panel");
    let panel = browser
        .execute(
            "return document.querySelector('.order-panel').textContent;",
            vec![],
        )
        .expect("read the panel");
    let panel = panel.as_str().unwrap_or_default();
    for (what, text) in [
        ("name", HOSTILE_NAME),
        ("memo", HOSTILE_MEMO),
        ("product", HOSTILE_PRODUCT),
        ("option", HOSTILE_OPTION),
    ] {
        assert!(
            panel.contains(text),
            "the panel shows the {what} as written ({text}): {panel}"
        );
    }
    assert_nothing_ran(browser, "the order's panel");
    browser
        .screenshot(&artifacts().join("orders-hostile-text.png"))
        .expect("save a screenshot");
    assert_accessible(browser, "주문 (markup in marketplace text)");
}

//! End-to-end test of 송장입력 on a selection (issue 12 §3, R28 "by import of a number list"),
//! against the real server fed by the sandbox and the release build in headless Chromium: on the
//! 상품준비 tab the operator selects three orders, presses `i`, chooses the carrier and pastes a
//! list copied from a spreadsheet (a header row; the orders named by 주문상세번호, 관리번호 and
//! 주문번호; a number with the label's hyphens; a line naming no selected order; a number a
//! spreadsheet turned into `1.23457E+11`). Ctrl+Enter shows what was assigned and every line left
//! out with its reason; Enter issues the three invoices through the engine; the list shows them
//! and the orders hold them; done orders leave the selection. Screenshots: `target/e2e/orders-invoice-*.png`.

use jumun_core::carrier::Carrier;
use jumun_core::ids::OrderId;
use jumun_e2e::a11y::assert_accessible;
use jumun_e2e::app::order;
use jumun_e2e::artifacts;
use jumun_e2e::orders::{open_orders, open_status_tab, press, result_count, text_of};
use jumun_e2e::webdriver::Session;
use serde_json::json;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(30);

/// The 관리번호 of the rows on screen, top to bottom, with their 상태.
fn rows(browser: &Session) -> Vec<(u64, String)> {
    let value = browser
        .execute(
            "return [...document.querySelectorAll('table.order-table tbody tr[data-id]')]\
             .map(r => [Number(r.dataset.id), r.textContent]);",
            vec![],
        )
        .expect("read the rows");
    serde_json::from_value(value).expect("rows")
}

#[test]
fn three_selected_orders_get_their_invoices_from_a_pasted_list() {
    let console = open_orders("bulk-invoice");
    let browser = &console.browser;

    // 상품준비: the orders that can take an invoice.
    open_status_tab(browser, "상품준비");
    browser
        .wait_until("the 상품준비 tab lists orders", WAIT, |b| {
            let shown = rows(b);
            Ok(result_count(b).is_some_and(|n| n >= 3)
                && shown.len() >= 3
                && shown.iter().all(|(_, text)| text.contains("상품준비")))
        })
        .expect("at least three orders in 상품준비");
    // x selects the cursor's row, j moves down.
    for i in 0..3 {
        if i > 0 {
            press(browser, "j", false);
        }
        press(browser, "x", false);
    }
    browser
        .wait_until("three selected", WAIT, |b| {
            Ok(text_of(b, ".selection-bar strong") == "3건 선택")
        })
        .expect("the selection bar counts three");
    // What was selected, as the rows show it (the collector may have added rows meanwhile).
    let chosen: Vec<u64> = serde_json::from_value(
        browser
            .execute(
                "return [...document.querySelectorAll('table.order-table tbody tr[data-id]')]\
                 .filter(r => r.querySelector('input[type=checkbox]').checked)\
                 .map(r => Number(r.dataset.id));",
                vec![],
            )
            .expect("read the selection"),
    )
    .expect("ids");
    assert_eq!(chosen.len(), 3, "{chosen:?}");

    let orders: Vec<_> = chosen
        .iter()
        .map(|id| order(browser, OrderId(*id)).expect("the order is held"))
        .collect();
    // Some marketplaces give no 주문상세번호: the 관리번호 names that order then.
    let first_key = orders[0].lines[0]
        .keys
        .line_no
        .clone()
        .unwrap_or_else(|| chosen[0].to_string());
    let numbers = ["601234567801", "601234567802", "601234567803"];
    let pasted = [
        "주문번호\t송장번호".to_owned(),
        format!("{first_key}\t6012-3456-7801"),
        format!("{}\t{}", chosen[1], numbers[1]),
        format!("{}\t{}", orders[2].order_no, numbers[2]),
        "NO-SUCH-ORDER\t601234567899".to_owned(),
        format!("{}\t1.23457E+11", chosen[0]),
    ]
    .join("\n");

    // i asks for the list.
    press(browser, "i", false);
    let area = browser
        .wait_for(".invoice-dialog textarea", WAIT)
        .expect("i opens 송장입력")
        .remove(0);
    browser
        .execute(
            "const s = document.querySelector('.invoice-dialog select'); s.value = 'lotte'; \
             s.dispatchEvent(new Event('change', { bubbles: true })); \
             const a = document.querySelector('.invoice-dialog textarea'); a.value = arguments[0]; \
             a.dispatchEvent(new Event('input', { bubbles: true })); return true;",
            vec![json!(pasted)],
        )
        .expect("choose 롯데택배 and paste the list");
    browser
        .screenshot(&artifacts().join("orders-invoice-paste.png"))
        .expect("save a screenshot");
    // Ctrl+Enter, typed.
    browser
        .send_keys(&area, "\u{E009}\u{E007}")
        .expect("Ctrl+Enter");
    browser
        .wait_until("the preview", WAIT, |b| {
            Ok(text_of(b, ".invoice-summary").starts_with("배정 3건"))
        })
        .unwrap_or_else(|e| {
            panic!(
                "the preview assigns three: {e}; the dialog shows {:?}",
                text_of(browser, ".invoice-dialog")
            )
        });
    let summary = text_of(browser, ".invoice-summary");
    assert!(
        summary.contains("배정하지 않은 줄 2개") && summary.contains("머리글"),
        "{summary}"
    );
    let problems: Vec<(String, String)> = serde_json::from_value(
        browser
            .execute(
                "return [...document.querySelectorAll('.invoice-problems tbody tr')]\
                 .map(r => [r.cells[0].textContent, r.cells[2].textContent]);",
                vec![],
            )
            .expect("read the lines left out"),
    )
    .expect("pairs");
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert_eq!(problems[0].0, "5");
    assert!(problems[0].1.contains("주문이 없습니다"), "{problems:?}");
    assert_eq!(problems[1].0, "6");
    assert!(problems[1].1.contains("지수"), "{problems:?}");
    let previewed: Vec<(u64, String)> = serde_json::from_value(
        browser
            .execute(
                "return [...document.querySelectorAll('.invoice-preview tbody tr')]\
                 .map(r => [Number(r.cells[0].textContent), r.cells[7].textContent]);",
                vec![],
            )
            .expect("read the preview"),
    )
    .expect("pairs");
    let expected: Vec<(u64, String)> = chosen
        .iter()
        .zip(numbers)
        .map(|(id, n)| (*id, n.to_owned()))
        .collect();
    assert_eq!(previewed, expected);
    browser
        .screenshot(&artifacts().join("orders-invoice-preview.png"))
        .expect("save a screenshot");
    assert_accessible(browser, "주문 (송장입력 미리보기)");

    // Enter on the focused button runs it.
    let run = browser
        .wait_for(".invoice-dialog .dialog-actions button.primary", WAIT)
        .expect("the run button")
        .remove(0);
    assert!(browser
        .text(&run)
        .expect("its words")
        .contains("롯데택배 송장 3건"));
    browser.send_keys(&run, "\u{E007}").expect("Enter");
    browser
        .wait_until("three invoiced", WAIT, |b| {
            Ok(text_of(b, ".bulk-panel.done strong") == "송장입력 완료 3건")
        })
        .unwrap_or_else(|e| {
            panic!(
                "the run invoices three: {e}; the bar shows {:?}",
                text_of(browser, ".bulk-panel")
            )
        });
    for (id, number) in &expected {
        let invoiced = order(browser, OrderId(*id)).expect("held");
        let invoice = invoiced.invoice.expect("an invoice");
        assert_eq!(&invoice.tracking_no, number);
        assert_eq!(invoice.carrier, Carrier::lotte());
    }
    // They leave 상품준비 for 배송대기 (R28): the tab no longer lists them.
    browser
        .wait_until("the tab follows", WAIT, |b| {
            let shown = rows(b);
            Ok(chosen
                .iter()
                .all(|id| shown.iter().all(|(row, _)| row != id)))
        })
        .expect("the invoiced orders leave the 상품준비 tab");
    // Done orders leave the selection: nothing stays selected out of sight.
    assert_eq!(text_of(browser, ".selection-bar strong"), "");
    browser
        .screenshot(&artifacts().join("orders-invoice-done.png"))
        .expect("save a screenshot");
    let errors = browser.console_errors().expect("read the console");
    assert!(errors.is_empty(), "console errors: {errors:#?}");
}

//! End-to-end test of 주문, the order list (issue 12), against the real `jumun-server` fed by the
//! sandbox marketplace (seed 1) and the release build in headless Chromium: the collected orders
//! appear; the count and the status tabs agree with what the browser holds; each search field
//! finds its order (recipient, whole phone, its last four digits, order no., marketplace line
//! no., product/option, 관리번호); sorting by a column; keyboard moves, selection and the order's
//! panel; bulk hold of a selection and bulk ship of the whole result (every refusal listed with
//! its Korean reason); with the network cut, search and the list still work and say they are offline.
//! Screenshots: `target/e2e/orders-*.png`.

use jumun_core::ids::OrderId;
use jumun_core::order::Order;
use jumun_e2e::a11y::assert_accessible;
use jumun_e2e::app::{network, order};
use jumun_e2e::artifacts;
use jumun_e2e::orders::{open_orders, press, result_count, search};
use jumun_e2e::webdriver::Session;
use serde_json::json;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(30);

/// The 관리번호 of the rows on screen, top to bottom.
fn row_ids(browser: &Session) -> Vec<u64> {
    let value = browser
        .execute(
            "return [...document.querySelectorAll('table.order-table tbody tr[data-id]')]\
             .map(r => Number(r.dataset.id));",
            vec![],
        )
        .expect("read the rows");
    serde_json::from_value(value).expect("a list of ids")
}

/// Waits until the list shows `id` among a complete result; answers the count.
fn wait_found(browser: &Session, what: &str, id: u64) -> u64 {
    browser
        .wait_until(what, WAIT, |b| {
            Ok(result_count(b).is_some() && row_ids(b).contains(&id))
        })
        .unwrap_or_else(|e| panic!("{what}: {e}; rows {:?}", row_ids(browser)));
    result_count(browser).expect("a count")
}

#[test]
fn the_order_list_finds_sorts_selects_and_works_offline() {
    // The pull brings the collected orders; the list counts exactly what the browser holds.
    let console = open_orders("order-list");
    let (browser, held) = (&console.browser, console.held);
    let rows = row_ids(browser);
    assert!(!rows.is_empty(), "rows on screen");
    assert!(
        rows.len() < held as usize || held < 40,
        "only the rows in view are rendered ({} of {held})",
        rows.len()
    );
    browser
        .screenshot(&artifacts().join("orders-list.png"))
        .expect("save a screenshot");
    assert_accessible(browser, "주문");

    // The tabs add up to 전체.
    let tabs: Vec<u64> = serde_json::from_value(
        browser
            .execute(
                "return [...document.querySelectorAll('.status-tabs .count')]\
                 .map(c => Number(c.textContent.replace(/,/g, '')));",
                vec![],
            )
            .expect("read the tabs"),
    )
    .expect("tab counts");
    assert_eq!(tabs[0], u64::from(held));
    assert_eq!(tabs[1..].iter().sum::<u64>(), tabs[0], "tabs: {tabs:?}");

    // Each search field finds its order: the first row whose marketplace numbers its lines.
    let (id, target): (u64, Order) = rows
        .iter()
        .filter_map(|id| order(browser, OrderId(*id)).map(|o| (*id, o)))
        .find(|(_, o)| o.lines[0].keys.line_no.is_some())
        .expect("an order with a marketplace line no. on screen");
    let phone: String = target
        .delivery
        .recipient_phone
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    let line = &target.lines[0];
    let searches: Vec<(&str, usize, String)> = vec![
        ("수령자", 1, target.delivery.recipient_name.clone()),
        ("전화번호", 2, target.delivery.recipient_phone.clone()),
        ("전화번호 뒤 4자리", 2, phone[phone.len() - 4..].to_owned()),
        ("주문번호", 3, target.order_no.clone()),
        (
            "주문상세번호",
            4,
            line.keys.line_no.clone().expect("a line no."),
        ),
        ("상품명", 6, line.product_name.clone()),
        ("관리번호", 7, id.to_string()),
        ("통합검색 (주문번호)", 0, target.order_no.clone()),
    ];
    for (what, field, text) in &searches {
        search(browser, *field, text);
        let count = wait_found(browser, what, id);
        assert!(
            count >= 1 && count < u64::from(held),
            "{what} {text}: {count} of {held}"
        );
        if *what == "전화번호 뒤 4자리" {
            browser
                .screenshot(&artifacts().join("orders-search-phone.png"))
                .expect("save a screenshot");
        }
    }
    search(browser, 3, "no-such-order");
    browser
        .wait_until("nothing found", WAIT, |b| Ok(result_count(b) == Some(0)))
        .expect("an order number that does not exist finds nothing");
    assert!(!browser.find_all(".empty-state").expect("find").is_empty());
    browser
        .screenshot(&artifacts().join("orders-empty.png"))
        .expect("save a screenshot");

    // Back to everything; sort by 수량 (largest first) through its header.
    search(browser, 0, "");
    browser
        .wait_until("all again", WAIT, |b| {
            Ok(result_count(b).is_some_and(|n| n >= u64::from(held)))
        })
        .expect("an empty search lists everything");
    browser
        .execute(
            "[...document.querySelectorAll('th button.sort')].find(b => b.textContent.startsWith('수량')).click(); return true;",
            vec![],
        )
        .expect("sort by 수량");
    browser
        .wait_until("sorted by 수량", WAIT, |b| {
            let sorted = b.execute(
                "const q = [...document.querySelectorAll('table.order-table tbody tr[data-id] td:nth-child(8)')]\
                 .map(c => Number(c.textContent.replace(/,/g, ''))); \
                 return q.length > 1 && q.every((v, i) => i == 0 || q[i - 1] >= v);",
                vec![],
            )?;
            Ok(sorted == json!(true) && result_count(b).is_some_and(|n| n >= u64::from(held)))
        })
        .expect("the rows are sorted by 수량, largest first");

    // Keyboard: j moves, x selects, Shift+j extends, Enter opens the order's panel, Esc closes.
    press(browser, "j", false);
    press(browser, "x", false);
    press(browser, "j", true);
    browser
        .wait_until("two selected", WAIT, |b| {
            Ok(b.find_all(".selection-bar strong")?
                .first()
                .map(|e| b.text(e))
                .transpose()?
                .is_some_and(|t| t == "2건 선택"))
        })
        .expect("x and Shift+j select two orders");
    press(browser, "Enter", false);
    browser
        .wait_for(".order-panel dl.facts", WAIT)
        .expect("Enter opens the order's panel");
    browser
        .screenshot(&artifacts().join("orders-panel.png"))
        .expect("save a screenshot");
    assert_accessible(browser, "주문 (주문 패널)");
    press(browser, "Escape", false);
    browser
        .wait_until("panel closed", WAIT, |b| {
            Ok(b.find_all(".order-panel")?.is_empty())
        })
        .expect("Esc closes the panel");

    // Bulk (R5): hold the two selected orders with a reason; then ship the whole result, which
    // no order can be yet (none has an invoice): every one is listed with its reason.
    let click_bulk = |label: &str| {
        browser
            .execute(
                "const b = [...document.querySelectorAll('.bulk-actions button')]\
                 .find(b => b.textContent.startsWith(arguments[0] + ' (')); b.click(); return true;",
                vec![json!(label)],
            )
            .expect("click a bulk action");
    };
    // Its key (h, as the button says) asks for it as the button would.
    press(browser, "h", false);
    browser
        .wait_for(".bulk-panel input[type=text]", WAIT)
        .expect("h asks for a hold, which asks for its reason");
    browser
        .execute(
            "const i = document.querySelector('.bulk-panel input[type=text]'); \
             i.value = '고객 요청 출고 보류'; i.dispatchEvent(new Event('input', { bubbles: true })); \
             document.querySelector('form.bulk-panel').requestSubmit(); return true;",
            vec![],
        )
        .expect("confirm the hold");
    browser
        .wait_until("two held", WAIT, |b| {
            Ok(b.find_all(".bulk-panel.done strong")?
                .first()
                .map(|e| b.text(e))
                .transpose()?
                .is_some_and(|t| t == "보류 완료 2건"))
        })
        .expect("the bulk hold ends with 2 done");
    browser
        .wait_until("the CS column shows the holds", WAIT, |b| {
            let held = b.execute(
                "return [...document.querySelectorAll('table.order-table td.cs')]\
                 .filter(c => c.textContent.includes('주문보류')).length;",
                vec![],
            )?;
            Ok(held == json!(2))
        })
        .expect("the held rows say 주문보류");
    browser
        .execute(
            "[...document.querySelectorAll('.bulk-panel button')].find(b => b.textContent === '닫기').click(); return true;",
            vec![],
        )
        .expect("close the result");
    press(browser, "a", true);
    click_bulk("배송처리");
    // The whole result as the confirmation counts it: the server's collector may have brought
    // more orders since the list was first counted.
    let confirmed: u64 = browser
        .execute(
            "const t = document.querySelector('form.bulk-panel strong').textContent;              return Number(t.replace(/[^0-9]/g, ''));",
            vec![],
        )
        .ok()
        .and_then(|v| v.as_u64())
        .expect("the confirmation says how many orders");
    assert!(confirmed >= u64::from(held), "{confirmed} of {held}");
    browser
        .execute(
            "document.querySelector('form.bulk-panel').requestSubmit(); return true;",
            vec![],
        )
        .expect("confirm the bulk ship");
    browser
        .wait_until("every order refused with its reason", WAIT, |b| {
            let failures = b.execute(
                "return document.querySelectorAll('.bulk-panel.done .failures li').length;",
                vec![],
            )?;
            Ok(failures == json!(confirmed))
        })
        .unwrap_or_else(|e| {
            let _ = browser.screenshot(&artifacts().join("orders-bulk-timeout.png"));
            let seen = browser.execute(
                "const p = document.querySelector('.bulk-panel');                  return [p ? p.textContent : 'no bulk panel',                          (document.querySelector('.result-count') || {}).textContent,                          (document.querySelector('.selection-bar') || {}).textContent];",
                vec![],
            );
            panic!("all {confirmed} orders fail, each listed: {e:?}; the page shows {seen:?}")
        });
    let reasons: Vec<String> = serde_json::from_value(
        browser
            .execute(
                "return [...document.querySelectorAll('.bulk-panel.done .failures li span')].map(s => s.textContent);",
                vec![],
            )
            .expect("read the reasons"),
    )
    .expect("reasons");
    assert!(
        reasons
            .iter()
            .all(|r| r.chars().any(|c| ('가'..='힣').contains(&c))),
        "every reason in Korean: {reasons:?}"
    );
    browser
        .screenshot(&artifacts().join("orders-bulk-result.png"))
        .expect("save a screenshot");
    assert_accessible(browser, "주문 (일괄처리 결과)");
    browser
        .execute(
            "[...document.querySelectorAll('.bulk-panel button')].find(b => b.textContent === '닫기').click(); return true;",
            vec![],
        )
        .expect("close the result");

    // Offline: the list and search work on what the browser holds, and say so.
    network(browser, true);
    search(browser, 3, &target.order_no);
    wait_found(browser, "offline search", id);
    browser
        .wait_until("offline shown", WAIT, |b| {
            Ok(!b.find_all(".sync-note.offline")?.is_empty())
        })
        .expect("the screen says it works offline");
    browser
        .screenshot(&artifacts().join("orders-offline.png"))
        .expect("save a screenshot");
    assert_accessible(browser, "주문 (오프라인)");
    network(browser, false);

    let errors: Vec<_> = browser
        .browser_log()
        .expect("read the console log")
        .into_iter()
        .filter(|e| e.level == "SEVERE" && !e.message.contains("net::ERR_INTERNET_DISCONNECTED"))
        .collect();
    assert!(errors.is_empty(), "console errors: {errors:#?}");
}

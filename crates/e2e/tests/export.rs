//! End-to-end test of 내보내기 (issue 12, "the export's cells read back as written"), against
//! the real `jumun-server` fed by the sandbox marketplace (seed 1) and the release build in
//! headless Chromium: open 주문, press `e`, export 검색결과 전체 as CSV and as .xlsx with the
//! built-in `기본` template; the downloaded files (taken from the Blob the app hands to the
//! browser) hold one row per line of every order, and their cells equal the orders the app
//! holds. Then 양식 관리: a copy of the courier template, renamed, a header renamed, a column
//! moved up (the focus stays on its button), a blank header refused with its message, saved and
//! exported. Screenshots: `target/e2e/orders-export*.png`.

#[allow(dead_code)]
#[path = "../../export/tests/support/reader.rs"]
mod reader;

use base64::Engine;
use jumun_core::ids::OrderId;
use jumun_core::order::Order;
use jumun_e2e::a11y::assert_accessible;
use jumun_e2e::app::order;
use jumun_e2e::artifacts;
use jumun_e2e::orders::open_orders;
use jumun_e2e::webdriver::Session;
use jumun_export::{ColumnTemplate, Field};
use serde_json::json;
use std::collections::BTreeMap;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(30);

/// Keeps every Blob the app turns into a download URL, with the name its link gives it, so the
/// test reads the file the operator would get.
const CATCH_DOWNLOADS: &str = "\
    if (!window.__exports) { \
      window.__exports = []; \
      const make = URL.createObjectURL.bind(URL); \
      URL.createObjectURL = (blob) => { const url = make(blob); window.__exports.push({ url, blob, name: null }); return url; }; \
      document.addEventListener('click', (e) => { \
        const a = e.target; \
        if (a instanceof HTMLAnchorElement && a.download) { \
          const entry = window.__exports.find(x => x.url === a.href); \
          if (entry) entry.name = a.download; \
        } \
      }, true); \
    } return true;";

/// Runs a statement in the page.
fn js(browser: &Session, script: &str) {
    browser
        .execute(&format!("{script} return true;"), vec![])
        .unwrap_or_else(|e| panic!("{script}: {e}"));
}

/// Types `text` into the field `css` as the operator would (an input event).
fn type_into(browser: &Session, css: &str, text: &str) {
    browser
        .execute(
            "const i = document.querySelector(arguments[0]); i.focus(); i.value = arguments[1]; \
             i.dispatchEvent(new Event('input', { bubbles: true })); return true;",
            vec![json!(css), json!(text)],
        )
        .unwrap_or_else(|e| panic!("type into {css}: {e}"));
}

/// Chooses the radio button of this name and value in the dialog.
fn choose(browser: &Session, name: &str, value: &str) {
    browser
        .execute(
            "const r = document.querySelector(`.export-dialog input[name=${arguments[0]}][value=${arguments[1]}]`); \
             r.click(); return r.checked;",
            vec![json!(name), json!(value)],
        )
        .expect("choose an option");
}

/// Runs the export with what the dialog shows and answers the downloaded file's name and bytes.
fn export(browser: &Session, template: &str, extension: &str) -> (String, Vec<u8>) {
    let before = browser
        .execute("return window.__exports.length;", vec![])
        .expect("count the downloads");
    browser
        .execute(
            "document.querySelector('.export-form button[type=submit]').click(); return true;",
            vec![],
        )
        .expect("start the export");
    browser
        .wait_until("the file is downloaded", Duration::from_secs(60), |b| {
            let now = b.execute(
                "const n = window.__exports.length; \
                 return n > arguments[0] && window.__exports[n - 1].name !== null \
                   && document.querySelector('.export-done') !== null;",
                vec![before.clone()],
            )?;
            Ok(now == json!(true))
        })
        .expect("the export ends with a download");
    let answer = browser
        .execute(
            "const last = window.__exports[window.__exports.length - 1]; \
             return new Promise((resolve, reject) => { \
               const reader = new FileReader(); \
               reader.onload = () => resolve([last.name, last.blob.type, reader.result.split(',')[1]]); \
               reader.onerror = () => reject(reader.error); \
               reader.readAsDataURL(last.blob); \
             });",
            vec![],
        )
        .expect("read the downloaded Blob");
    let [name, mime, data]: [String; 3] = serde_json::from_value(answer).expect("name, type, data");
    assert!(
        name.starts_with(&format!("{template}_")) && name.ends_with(&format!(".{extension}")),
        "{name}"
    );
    let expected_mime = match extension {
        "csv" => "text/csv;charset=utf-8",
        _ => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    };
    assert_eq!(mime, expected_mime);
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(data)
        .expect("base64");
    (name, bytes)
}

/// Checks a table of rows (header first) against the orders: one row per line of each order,
/// every order once, and the text cells as the orders hold them.
fn check_rows(what: &str, rows: &[Vec<String>], orders: &BTreeMap<u64, Order>) {
    let template = ColumnTemplate::basic();
    let headers = &rows[0];
    let column = |field: Field| {
        headers
            .iter()
            .position(|h| h == field.korean())
            .unwrap_or_else(|| panic!("{what}: no column {}", field.korean()))
    };
    let lines: usize = orders.values().map(|o| template.lines_of(o).count()).sum();
    assert_eq!(rows.len() - 1, lines, "{what}: one data row per line");

    let mut seen: BTreeMap<u64, usize> = BTreeMap::new();
    for row in &rows[1..] {
        let id: u64 = row[column(Field::ManagementNo)]
            .parse()
            .expect("a 관리번호");
        let order = orders
            .get(&id)
            .unwrap_or_else(|| panic!("{what}: order {id} is not in the app"));
        let index = seen.entry(id).or_default();
        let line = template
            .lines_of(order)
            .nth(*index)
            .unwrap_or_else(|| panic!("{what}: order {id} has more rows than lines"));
        *index += 1;
        for (field, expected) in [
            (Field::OrderNo, order.order_no.as_str()),
            (Field::RecipientName, order.delivery.recipient_name.as_str()),
            (
                Field::RecipientPhone,
                order.delivery.recipient_phone.as_str(),
            ),
            (Field::Address, order.delivery.address.as_str()),
            (Field::ProductName, line.product_name.as_str()),
            (Field::Option, line.option.as_str()),
        ] {
            assert_eq!(
                row[column(field)],
                expected,
                "{what}: order {id}, {field:?}"
            );
        }
    }
    assert_eq!(seen.len(), orders.len(), "{what}: every order once");
}

#[test]
fn the_search_result_exports_as_csv_and_xlsx_that_read_back_as_written() {
    let console = open_orders("export");
    let (browser, held) = (&console.browser, console.held);
    browser
        .execute(CATCH_DOWNLOADS, vec![])
        .expect("catch downloads");

    // `e` opens the dialog; the whole result is offered with its count.
    browser
        .execute(
            "window.dispatchEvent(new KeyboardEvent('keydown', { key: 'e', bubbles: true })); return true;",
            vec![],
        )
        .expect("press e");
    browser
        .wait_for(".export-dialog", WAIT)
        .expect("e opens the export dialog");
    let scope_text = browser
        .execute(
            "return document.querySelector('.export-dialog input[value=result]').parentElement.textContent;",
            vec![],
        )
        .expect("read the scope");
    assert_eq!(
        scope_text.as_str().map(|t| t.replace(',', "")),
        Some(format!("검색결과 전체 {held}건"))
    );
    browser
        .screenshot(&artifacts().join("orders-export.png"))
        .expect("save a screenshot");
    assert_accessible(browser, "내보내기");

    choose(browser, "export-scope", "result");
    choose(browser, "export-format", "csv");
    let (_, csv) = export(browser, "기본", "csv");
    let records = reader::parse_csv(&csv);
    // The orders as the app holds them, by 관리번호 (the first column of 기본).
    let orders: BTreeMap<u64, Order> = records[1..]
        .iter()
        .map(|r| r[0].parse::<u64>().expect("관리번호 first"))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .map(|id| {
            (
                id,
                order(browser, OrderId(id)).expect("the order is in the app"),
            )
        })
        .collect();
    assert_eq!(orders.len(), held as usize, "the whole result is exported");
    check_rows("csv", &records, &orders);

    choose(browser, "export-format", "xlsx");
    let (_, xlsx) = export(browser, "기본", "xlsx");
    let book = reader::read_xlsx(&xlsx);
    let columns = ColumnTemplate::basic().columns.len();
    let rows: Vec<Vec<String>> = (1..=book.last_row)
        .map(|r| {
            (1..=columns)
                .map(|c| {
                    book.cells
                        .get(&(r, c))
                        .map_or_else(String::new, |cell| cell.value.clone())
                })
                .collect()
        })
        .collect();
    check_rows("xlsx", &rows, &orders);
    browser
        .screenshot(&artifacts().join("orders-export-done.png"))
        .expect("save a screenshot");

    // 양식 관리: copy the courier template, rename it and a header, move 품목명 up; a blank
    // header is refused with the template's own message; saved, it exports.
    js(browser, "[...document.querySelectorAll('.dialog-tabs button')].find(b => b.textContent === '양식 관리').click();");
    js(browser, "document.querySelector('button[aria-label=\"택배 송장 양식 복사해서 새 양식 만들기\"]').click();");
    browser
        .wait_for(".template-editor", WAIT)
        .expect("the copy opens in the editor");
    assert_eq!(
        browser
            .execute(
                "return [...document.querySelectorAll('.column-actions button')]\
                 .map(b => (b.disabled ? '-' : '') + b.textContent).join(' ');",
                vec![],
            )
            .expect("read the column buttons"),
        json!(format!("-↑ ↓ 빼기 {}↑ -↓ 빼기", "↑ ↓ 빼기 ".repeat(6))),
        "each column moves up, down or out; the ends cannot move past the edge"
    );
    type_into(browser, ".template-editor input[maxlength]", "롯데 업로드");
    type_into(browser, "#column-0-header", "");
    js(
        browser,
        "document.querySelector('.template-editor button[type=submit]').click();",
    );
    browser
        .wait_until("a blank header refused", WAIT, |b| {
            Ok(b.execute(
                "const e = document.querySelector('.template-editor [role=alert]'); return e ? e.textContent : '';",
                vec![],
            )? == json!("1번째 열의 제목이 비어 있습니다. 제목을 입력하세요."))
        })
        .expect("a blank header is refused");
    type_into(browser, "#column-0-header", "수하인명");
    js(browser, "document.querySelector('#column-4-up').click();");
    browser
        .wait_until("the focus follows the moved column", WAIT, |b| {
            Ok(b.execute("return document.activeElement.id;", vec![])? == json!("column-4-up"))
        })
        .expect("the up button keeps the focus after the move");
    js(
        browser,
        "document.querySelector('.template-editor button[type=submit]').click();",
    );
    browser
        .wait_for(".template-editor .saved-note", WAIT)
        .expect("the template is saved");
    browser
        .screenshot(&artifacts().join("orders-export-templates.png"))
        .expect("save a screenshot");
    assert_accessible(browser, "양식 관리");

    js(browser, "[...document.querySelectorAll('.dialog-tabs button')].find(b => b.textContent === '파일 만들기').click();");
    browser
        .wait_for("#export-template", WAIT)
        .expect("back to the export form");
    browser
        .execute(
            "const s = document.querySelector('#export-template'); s.value = arguments[0]; \
             s.dispatchEvent(new Event('change', { bubbles: true })); return s.value;",
            vec![json!("롯데 업로드")],
        )
        .expect("choose the new template");
    choose(browser, "export-format", "csv");
    let (_, courier) = export(browser, "롯데 업로드", "csv");
    let records = reader::parse_csv(&courier);
    assert_eq!(
        records[0],
        [
            "수하인명",
            "받는분 전화번호",
            "받는분 우편번호",
            "품목명",
            "받는분 주소",
            "수량",
            "배송메시지",
            "주문번호"
        ]
    );
    let shipping: usize = orders
        .values()
        .map(|o| ColumnTemplate::courier().lines_of(o).count())
        .sum();
    assert_eq!(records.len() - 1, shipping, "only the lines that ship");

    let errors = browser.console_errors().expect("read the console log");
    assert!(errors.is_empty(), "console errors: {errors:#?}");
}

//! End-to-end test of 내보내기 (issue 12, "the export's cells read back as written"), against
//! the real `jumun-server` fed by the sandbox marketplace (seed 1) and the release build in
//! headless Chromium: open 주문, press `e`, export 검색결과 전체 as CSV and as .xlsx with the
//! built-in `기본` template; the downloaded files (taken from the Blob the app hands to the
//! browser) hold one row per line of every order, and their cells equal the orders the app
//! holds. Screenshot: `target/e2e/orders-export.png`.

#[allow(dead_code)]
#[path = "../../export/tests/support/reader.rs"]
mod reader;

use base64::Engine;
use jumun_core::ids::OrderId;
use jumun_core::order::Order;
use jumun_e2e::api::{collect_now, get, login, start_sandboxed_server};
use jumun_e2e::app::{order, state};
use jumun_e2e::processes::start_chromedriver;
use jumun_e2e::webdriver::Session;
use jumun_e2e::{artifacts, chromium_args, required_env, scratch_dir};
use jumun_export::{ColumnTemplate, Field};
use jumun_protocol::connections::ConnectionList;
use serde_json::json;
use std::collections::BTreeMap;
use std::path::PathBuf;
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

/// The result count the screen shows ("검색결과 N건"), once a search is complete.
fn result_count(browser: &Session) -> Option<u64> {
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
fn export(browser: &Session, extension: &str) -> (String, Vec<u8>) {
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
        name.starts_with("기본_") && name.ends_with(&format!(".{extension}")),
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
    let dist = PathBuf::from(required_env("JUMUN_DIST_DIR"));
    let data = scratch_dir("server-data-export");
    let (_sandbox, server) = start_sandboxed_server(&data, &dist);
    let base = server.base_url.clone();
    let owner = login(&base, "demo", "demo1234");
    let connections = get::<ConnectionList>(&base, "/api/connections", Some(&owner)).connections;
    for connection in &connections {
        collect_now(&base, &owner, &connections, &connection.marketplace);
    }

    let driver = start_chromedriver(&PathBuf::from(required_env("CHROMEDRIVER")));
    let browser = Session::start(
        &driver.url,
        &PathBuf::from(required_env("CHROMIUM")),
        &chromium_args(&scratch_dir("chromium-profile-export")),
    )
    .expect("start a Chromium session");
    browser.goto(&format!("{base}/orders")).expect("open 주문");
    browser
        .sign_in("demo", "demo", "demo1234")
        .expect("sign in");

    let mut held = 0;
    browser
        .wait_until(
            "the orders pulled and listed",
            Duration::from_secs(90),
            |b| {
                let Some(now) = state(b) else {
                    return Ok(false);
                };
                let settled = now.orders > 20 && now.orders == held;
                held = now.orders;
                Ok(settled && result_count(b) == Some(u64::from(now.orders)))
            },
        )
        .expect("the collected orders appear in the list");
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

    choose(&browser, "export-scope", "result");
    choose(&browser, "export-format", "csv");
    let (_, csv) = export(&browser, "csv");
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
                order(&browser, OrderId(id)).expect("the order is in the app"),
            )
        })
        .collect();
    assert_eq!(orders.len(), held as usize, "the whole result is exported");
    check_rows("csv", &records, &orders);

    choose(&browser, "export-format", "xlsx");
    let (_, xlsx) = export(&browser, "xlsx");
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

    let errors: Vec<_> = browser
        .browser_log()
        .expect("read the console log")
        .into_iter()
        .filter(|e| e.level == "SEVERE")
        .collect();
    assert!(errors.is_empty(), "console errors: {errors:#?}");
}

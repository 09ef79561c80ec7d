//! The export in a real browser (headless Chromium, wasm-bindgen-test): orders in a fresh store,
//! exported in chunks by the dialog's run module (not the UI) as .xlsx and .csv, and read back
//! with the export crate's strict test reader; an index-ordered result's 관리번호; stopping; and
//! the operator's templates kept in the store.
//!
//! Run by `cargo xtask test` (or `cargo test -p jumun --target wasm32-unknown-unknown --test export`
//! with the wasm-bindgen test runner configured).
#![cfg(target_arch = "wasm32")]

// The same reader the export crate's own tests use: a zip, XML and SpreadsheetML reader that
// is independent of the writer's code.
#[allow(dead_code)]
#[path = "../crates/export/tests/support/reader.rs"]
mod reader;

mod support;

use jumun::screens::orders::export::run::{self, Exported, CHUNK};
use jumun::screens::orders::export::templates::{self, SaveError};
use jumun::screens::orders::query::Rows;
use jumun::store::{ListIndex, Store};
use jumun_core::order::{ClaimState, LineStatus, Order};
use jumun_export::{Column, ColumnTemplate, Field, Format, TemplateError};
use std::cell::Cell;
use std::sync::Arc;
use support::{at, fresh_name, line, open, order as plain_order, with_invoice};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const PHONE: &str = "01012345678";
const TRACKING: &str = "512345678901";
const XSS: &str = "<img src=x onerror=alert(1)>";
/// More than two chunks.
const ORDERS: u64 = 2 * CHUNK as u64 + 37;
/// The order holding the values a spreadsheet gets wrong.
const TRICKY: u64 = 777;

async fn fresh_store(test: &str) -> Store {
    open(&fresh_name(&format!("export-{test}"))).await
}

/// Order `id`, ordered a minute after the one before: one line; every 10th has a second,
/// cancelled line; [`TRICKY`] has the phone, the invoice number and the markup.
fn order(id: u64) -> Order {
    let mut order = plain_order(id, "coupang", &format!("C-{id}"), &[&format!("C-{id}-1")]);
    order.dates.ordered_at += chrono::Duration::minutes(id as i64);
    order.delivery.recipient_name = format!("수령자{id}");
    if id.is_multiple_of(10) {
        let mut cancelled = line(id * 10 + 1, None, LineStatus::Preparing);
        cancelled.claim_state = ClaimState::Cancelled;
        order.lines.push(cancelled);
    }
    if id == TRICKY {
        order = with_invoice(order, TRACKING);
        order.delivery.recipient_phone = PHONE.into();
        order.lines[0].product_name = XSS.into();
    }
    order
}

async fn store_with_orders(test: &str) -> (Store, Vec<u64>) {
    let store = fresh_store(test).await;
    let orders: Vec<Order> = (1..=ORDERS).map(order).collect();
    store.put_orders(&orders).await.unwrap();
    // The list's order: newest first.
    let ids: Vec<u64> = (1..=ORDERS).rev().collect();
    (store, ids)
}

/// Runs an export of `ids` to the end; answers it and the progress reported.
async fn export_all(
    store: &Store,
    template: &ColumnTemplate,
    format: Format,
    ids: &[u64],
) -> (Exported, Vec<usize>) {
    let mut reported = Vec::new();
    let exported = run::export(
        store,
        template,
        format,
        ids,
        at(16, 0),
        &Cell::new(false),
        |done| reported.push(done),
    )
    .await
    .unwrap()
    .expect("not stopped");
    (exported, reported)
}

/// Lines in all: one per order, and the cancelled second line of every 10th.
fn all_lines() -> usize {
    (ORDERS + ORDERS / 10) as usize
}

fn header_position(headers: &[String], header: &str) -> usize {
    headers
        .iter()
        .position(|h| h == header)
        .unwrap_or_else(|| panic!("no column {header} in {headers:?}"))
}

#[wasm_bindgen_test]
async fn xlsx_export_in_chunks_reads_back_as_written() {
    let (store, ids) = store_with_orders("xlsx").await;
    let template = ColumnTemplate::basic();
    let (exported, reported) = export_all(&store, &template, Format::Xlsx, &ids).await;

    assert_eq!(
        reported,
        vec![CHUNK, 2 * CHUNK, ids.len()],
        "one report per chunk"
    );
    assert_eq!(exported.orders, ids.len());
    assert_eq!(exported.rows, all_lines());
    assert_eq!(exported.file_name, "기본_20261116_0900.xlsx");

    let names: Vec<String> = reader::unzip(&exported.bytes)
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    for part in [
        "[Content_Types].xml",
        "_rels/.rels",
        "xl/workbook.xml",
        "xl/_rels/workbook.xml.rels",
        "xl/styles.xml",
        "xl/worksheets/sheet1.xml",
    ] {
        assert!(names.iter().any(|n| n == part), "{part} in {names:?}");
    }

    let book = reader::read_xlsx(&exported.bytes);
    assert_eq!(
        book.last_row,
        all_lines() + 1,
        "a header and one row per line"
    );
    let headers: Vec<String> = (1..=template.columns.len())
        .map(|c| book.cells[&(1, c)].value.clone())
        .collect();
    let id_col = header_position(&headers, Field::ManagementNo.korean()) + 1;
    // Rows follow the ids' order: the first data row is the first id's.
    assert_eq!(book.cells[&(2, id_col)].value, ids[0].to_string());
    let tricky_row = (2..=book.last_row)
        .find(|r| book.cells[&(*r, id_col)].value == TRICKY.to_string())
        .expect("the tricky order's row");
    for (field, written) in [
        (Field::RecipientPhone, PHONE),
        (Field::TrackingNo, TRACKING),
        (Field::ProductName, XSS),
    ] {
        let col = header_position(&headers, field.korean()) + 1;
        let cell = &book.cells[&(tricky_row, col)];
        assert_eq!(cell.value, written, "{field:?}");
        assert_eq!(
            cell.cell_type,
            reader::CellType::Text,
            "{field:?} stays text"
        );
    }
    store.close();
}

#[wasm_bindgen_test]
async fn csv_export_of_shipping_lines_reads_back_as_written() {
    let (store, ids) = store_with_orders("csv").await;
    let template = ColumnTemplate {
        name: "송장".into(),
        columns: vec![
            Column::new(Field::ManagementNo),
            Column::named("전화", Field::RecipientPhone),
            Column::named("송장", Field::TrackingNo),
            Column::named("상품", Field::ProductName),
        ],
        lines: jumun_export::LineSelection::Shipping,
    };
    let (exported, _) = export_all(&store, &template, Format::Csv, &ids).await;

    // The cancelled lines stay out: one row per order.
    assert_eq!(exported.rows, ids.len());
    let records = reader::parse_csv(&exported.bytes);
    assert_eq!(records.len(), ids.len() + 1);
    assert_eq!(records[0], ["관리번호", "전화", "송장", "상품"]);
    let tricky = records
        .iter()
        .find(|r| r[0] == TRICKY.to_string())
        .expect("the tricky order's record");
    assert_eq!(tricky[1..], [PHONE, TRACKING, XSS]);
    assert!(exported.file_name.ends_with(".csv"));
    store.close();
}

#[wasm_bindgen_test]
async fn an_index_ordered_result_and_a_selection_give_their_ids() {
    let (store, ids) = store_with_orders("ids").await;
    let rows = Rows::Index {
        index: ListIndex::OrderedAt(None),
        descending: true,
    };
    assert_eq!(run::result_ids(&store, &rows).await.unwrap(), ids);
    let listed = Rows::Ids(Arc::new(ids.clone()));
    assert_eq!(run::result_ids(&store, &listed).await.unwrap(), ids);

    let selected = [3, 900, 41].into_iter().collect();
    assert_eq!(run::selected_ids(&selected, &listed), vec![900, 41, 3]);
    assert_eq!(run::selected_ids(&selected, &rows), vec![3, 41, 900]);
    store.close();
}

#[wasm_bindgen_test]
async fn a_stopped_export_makes_no_file() {
    let (store, ids) = store_with_orders("stop").await;
    let stop = Cell::new(false);
    let mut reported = Vec::new();
    let outcome = run::export(
        &store,
        &ColumnTemplate::basic(),
        Format::Xlsx,
        &ids,
        at(16, 0),
        &stop,
        |done| {
            reported.push(done);
            stop.set(true);
        },
    )
    .await
    .unwrap();
    assert_eq!(outcome, None);
    assert_eq!(reported, vec![CHUNK], "it stops after the chunk under way");
    store.close();
}

#[wasm_bindgen_test]
async fn templates_are_kept_checked_and_deleted() {
    let store = fresh_store("templates").await;
    assert!(templates::load(&store).await.unwrap().is_empty());

    let mut mine = ColumnTemplate::courier();
    mine.name = "  롯데 송장  ".into();
    let saved = templates::save(&store, mine.clone(), None).await.unwrap();
    assert_eq!(saved.len(), 1);
    assert_eq!(saved[0].name, "롯데 송장", "the name is trimmed");
    assert_eq!(templates::load(&store).await.unwrap(), saved);

    // Another with the same name is refused; the same one, renamed, replaces itself.
    assert_eq!(
        templates::save(&store, saved[0].clone(), None).await,
        Err(SaveError::NameTaken("롯데 송장".into()))
    );
    let mut renamed = saved[0].clone();
    renamed.name = "롯데 송장 11월".into();
    renamed.columns.swap(0, 1);
    let list = templates::save(&store, renamed.clone(), Some("롯데 송장"))
        .await
        .unwrap();
    assert_eq!(list, vec![renamed.clone()]);

    // A built-in name and an invalid template are refused with the operator's message.
    let mut builtin = renamed.clone();
    builtin.name = "기본".into();
    assert_eq!(
        templates::save(&store, builtin, None).await,
        Err(SaveError::BuiltinName("기본".into()))
    );
    let mut blank_header = renamed.clone();
    blank_header.name = "빈 제목".into();
    blank_header.columns[2].header = " ".into();
    let refused = templates::save(&store, blank_header, None).await;
    assert_eq!(
        refused,
        Err(SaveError::Invalid(TemplateError::EmptyHeader {
            position: 3
        }))
    );
    assert_eq!(
        refused.unwrap_err().to_string(),
        "3번째 열의 제목이 비어 있습니다. 제목을 입력하세요."
    );

    assert!(templates::delete(&store, "롯데 송장 11월")
        .await
        .unwrap()
        .is_empty());
    assert!(templates::load(&store).await.unwrap().is_empty());
    store.close();
}

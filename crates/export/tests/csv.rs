//! The CSV export read back with an RFC 4180 parser: BOM, CRLF, every field as written.

mod support;

use jumun_core::order::Order;
use jumun_core::time::KOREA;
use jumun_export::{csv, Column, ColumnTemplate, CsvWriter, Field, LineSelection, Value};
use support::reader::parse_csv;
use support::*;

fn all_fields() -> ColumnTemplate {
    ColumnTemplate {
        name: "전체 필드".into(),
        columns: Field::ALL.iter().copied().map(Column::new).collect(),
        lines: LineSelection::All,
    }
}

/// What a field must read back as: text without the characters XML forbids, with a `'` before
/// what a spreadsheet would run as a formula; numbers in digits; dates in Korea's time.
fn expected(value: &Value<'_>) -> String {
    match value {
        Value::Empty => String::new(),
        Value::Text(text) => {
            let text = without_forbidden(text);
            if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
                format!("'{text}")
            } else {
                text
            }
        }
        Value::Number(n) | Value::Money(n) => n.to_string(),
        Value::Date(at) => at
            .with_timezone(&KOREA)
            .format("%Y-%m-%d %H:%M:%S")
            .to_string(),
    }
}

#[test]
fn every_field_reads_back_as_written() {
    let template = all_fields();
    let orders = [tricky_order(), plain_order(20_002)];
    let bytes = csv(&template, &orders).unwrap();
    assert!(
        bytes.starts_with(&[0xEF, 0xBB, 0xBF]),
        "UTF-8 byte-order mark"
    );
    let records = parse_csv(&bytes);

    let headers: Vec<&str> = template.columns.iter().map(|c| c.header.as_str()).collect();
    assert_eq!(records[0], headers);
    let mut row = 0;
    for order in &orders {
        for line in &order.lines {
            row += 1;
            let values: Vec<String> = template
                .columns
                .iter()
                .map(|c| expected(&c.field.value(order, line)))
                .collect();
            assert_eq!(records[row], values, "row {row}");
        }
    }
    assert_eq!(records.len(), row + 1);
}

#[test]
fn number_like_and_hostile_text_reads_back_as_the_order_holds_it() {
    let template = all_fields();
    let records = parse_csv(&csv(&template, &[tricky_order()]).unwrap());
    let field = |header: &str| {
        let at = template
            .columns
            .iter()
            .position(|c| c.header == header)
            .unwrap();
        records[1][at].clone()
    };
    assert_eq!(field("수령자 휴대전화"), PHONE);
    assert_eq!(field("우편번호"), POSTCODE);
    assert_eq!(field("송장번호"), TRACKING);
    assert_eq!(field("상품명"), XSS);
    assert_eq!(field("옵션"), OPTION);
    assert_eq!(field("주문자"), ORDERER);
    // Quoted, line breaks kept, the control character dropped.
    assert_eq!(field("배송메모"), MEMO_CLEAN);
    // Buyer text that a spreadsheet would run as a formula is defused.
    assert_eq!(field("메모"), "'+82 고객 요청: 빠른 배송\n-재발송 X");
    assert_eq!(field("주문일"), "2026-11-15 23:58:01");
    assert_eq!(field("금액"), "25800");
}

#[test]
fn chunks_make_the_same_file_as_one_call() {
    let template = ColumnTemplate::courier();
    let orders: Vec<Order> = (0..1_000)
        .map(|n| {
            if n % 3 == 0 {
                tricky_order()
            } else {
                plain_order(n)
            }
        })
        .collect();
    let mut writer = CsvWriter::new(&template).unwrap();
    for chunk in orders.chunks(128) {
        for order in chunk {
            writer.add(order);
        }
    }
    let shipping: usize = orders
        .iter()
        .map(|o| o.lines.iter().filter(|l| l.ships()).count())
        .sum();
    assert_eq!(writer.rows(), shipping);
    let bytes = writer.finish();
    assert_eq!(bytes, csv(&template, &orders).unwrap());
    assert_eq!(parse_csv(&bytes).len(), shipping + 1);
}

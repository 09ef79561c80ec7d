//! The .xlsx export read back with an independent reader: every cell as written, typed as
//! Excel must type it, in a workbook laid out as Excel expects.

mod support;

use chrono::{DateTime, NaiveDate, Utc};
use jumun_core::order::Order;
use jumun_core::time::KOREA;
use jumun_export::{
    xlsx, Column, ColumnTemplate, ExportError, Field, LineSelection, TemplateError, Value,
    XlsxWriter,
};
use support::reader::{read_xlsx, CellType, Workbook};
use support::*;

/// Every field, each once, every line.
fn all_fields() -> ColumnTemplate {
    ColumnTemplate {
        name: "전체 필드".into(),
        columns: Field::ALL.iter().copied().map(Column::new).collect(),
        lines: LineSelection::All,
    }
}

fn write(template: &ColumnTemplate, orders: &[Order]) -> Workbook {
    read_xlsx(&xlsx(template, orders, now()).unwrap())
}

/// Excel's serial of a moment in Korea's time: days since 1899-12-30.
fn serial(at: DateTime<Utc>) -> f64 {
    let epoch = NaiveDate::from_ymd_opt(1899, 12, 30)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap();
    (at.with_timezone(&KOREA).naive_local() - epoch).num_seconds() as f64 / 86_400.0
}

fn column_of(template: &ColumnTemplate, header: &str) -> usize {
    1 + template
        .columns
        .iter()
        .position(|c| c.header == header)
        .unwrap()
}

#[test]
fn every_cell_reads_back_exactly_as_written() {
    let template = all_fields();
    let orders = [tricky_order(), plain_order(20_002)];
    let book = write(&template, &orders);

    for (i, column) in template.columns.iter().enumerate() {
        let cell = &book.cells[&(1, i + 1)];
        assert_eq!(cell.value, column.header);
        assert_eq!(cell.cell_type, CellType::Text);
        assert!(cell.bold, "the header is bold");
    }
    let mut row = 1;
    let mut written = template.columns.len();
    for order in &orders {
        for line in &order.lines {
            row += 1;
            for (i, column) in template.columns.iter().enumerate() {
                let cell = book.cells.get(&(row, i + 1));
                let what = format!("row {row}, {}", column.header);
                match column.field.value(order, line) {
                    Value::Empty => assert_eq!(cell, None, "{what}: an empty value has no cell"),
                    Value::Text(text) => {
                        let cell = cell.unwrap_or_else(|| panic!("{what}: missing"));
                        assert_eq!(cell.value, without_forbidden(&text), "{what}");
                        assert_eq!(cell.cell_type, CellType::Text, "{what}: a string");
                        assert_eq!(cell.num_fmt, 49, "{what}: styled @");
                        assert_eq!(cell.wrapped, text.contains('\n'), "{what}: wrapping");
                    }
                    Value::Number(n) => {
                        let cell = cell.unwrap_or_else(|| panic!("{what}: missing"));
                        assert_eq!(cell.value, n.to_string(), "{what}");
                        assert_eq!(cell.cell_type, CellType::Number, "{what}");
                        assert_eq!(cell.num_fmt, 0, "{what}: General");
                    }
                    Value::Money(n) => {
                        let cell = cell.unwrap_or_else(|| panic!("{what}: missing"));
                        assert_eq!(cell.value, n.to_string(), "{what}");
                        assert_eq!(cell.cell_type, CellType::Number, "{what}");
                        assert_eq!(cell.num_fmt, 3, "{what}: #,##0");
                    }
                    Value::Date(at) => {
                        let cell = cell.unwrap_or_else(|| panic!("{what}: missing"));
                        assert_eq!(cell.cell_type, CellType::Number, "{what}");
                        assert_eq!(cell.value.parse::<f64>().unwrap(), serial(at), "{what}");
                        assert_eq!(
                            book.num_fmts.get(&cell.num_fmt).map(String::as_str),
                            Some("yyyy-mm-dd hh:mm:ss"),
                            "{what}: a date format"
                        );
                    }
                }
                written += usize::from(cell.is_some());
            }
        }
    }
    assert_eq!(book.last_row, row, "one row per line, after the header");
    assert_eq!(
        book.cells.len(),
        written,
        "no cell beyond the template's columns"
    );
}

#[test]
fn number_like_and_hostile_text_reads_back_as_the_order_holds_it() {
    let template = all_fields();
    let book = write(&template, &[tricky_order()]);
    let text = |header: &str| {
        let cell = &book.cells[&(2, column_of(&template, header))];
        assert_eq!(cell.cell_type, CellType::Text, "{header} is a string");
        assert_eq!(cell.num_fmt, 49, "{header} is styled @");
        cell.value.clone()
    };
    assert_eq!(text("수령자 휴대전화"), PHONE);
    assert_eq!(text("수령자 전화"), LANDLINE);
    assert_eq!(text("우편번호"), POSTCODE);
    assert_eq!(text("송장번호"), TRACKING);
    assert_eq!(text("주문번호"), ORDER_NO);
    assert_eq!(text("주문상세번호"), LINE_NO);
    assert_eq!(text("상품코드"), "0001234");
    assert_eq!(text("관리번호"), "10001");
    assert_eq!(text("상품명"), XSS);
    assert_eq!(text("옵션"), OPTION);
    assert_eq!(text("배송메모"), MEMO_CLEAN);
    assert_eq!(text("주문자"), ORDERER);
    assert_eq!(text("수령자"), "홍길동 😀");
    assert_eq!(text("주소"), ADDRESS);
    let table = jumun_core::marketplace::MarketplaceTable::builtin();
    let smartstore = table.get(&"smartstore".into()).unwrap();
    assert_eq!(text("판매처"), smartstore.korean_name);
    assert_eq!(text("택배사"), "CJ대한통운");
    assert_eq!(text("주문상태"), "배송대기");
    assert_eq!(text("CS상태"), "정상");
    assert_eq!(text("보류"), "주문보류 (주소 확인 <필수> & \"전화\")");
    assert_eq!(text("메모"), "+82 고객 요청: 빠른 배송\n-재발송 X");
    assert_eq!(text("상품명(옵션)"), format!("{XSS} [{OPTION}]"));

    let number = |header: &str| {
        let cell = &book.cells[&(2, column_of(&template, header))];
        assert_eq!(cell.cell_type, CellType::Number, "{header} is a number");
        (cell.value.clone(), cell.num_fmt)
    };
    assert_eq!(number("수량"), ("2".into(), 0));
    assert_eq!(number("판매가"), ("12900".into(), 3));
    assert_eq!(number("옵션추가금액"), ("2000".into(), 3));
    assert_eq!(number("금액"), ("25800".into(), 3));
    assert_eq!(
        number("주문일").0.parse::<f64>().unwrap(),
        serial(kst(2026, 11, 15, 23, 58, 1))
    );
    // The second line is the cancelled one, shown as such.
    assert_eq!(
        book.cells[&(3, column_of(&template, "CS상태"))].value,
        "취소"
    );
}

#[test]
fn the_sheet_is_laid_out_as_excel_expects() {
    let template = ColumnTemplate::basic();
    let orders: Vec<Order> = (1..=5).map(|n| plain_order(30_000 + n)).collect();
    let bytes = xlsx(&template, &orders, now()).unwrap();
    let book = read_xlsx(&bytes);

    assert_eq!(book.part_order[0], "[Content_Types].xml");
    for part in [
        "_rels/.rels",
        "docProps/app.xml",
        "docProps/core.xml",
        "xl/workbook.xml",
        "xl/_rels/workbook.xml.rels",
        "xl/styles.xml",
        "xl/worksheets/sheet1.xml",
    ] {
        assert!(book.parts.contains_key(part), "{part}");
    }
    assert_eq!(book.sheet_name, "기본");

    // Header frozen: a pane split below row 1.
    let view = book
        .sheet
        .child("sheetViews")
        .unwrap()
        .child("sheetView")
        .unwrap();
    let pane = view.child("pane").expect("a pane");
    assert_eq!(pane.attr("state"), Some("frozen"));
    assert_eq!(pane.attr("ySplit"), Some("1"));
    assert_eq!(pane.attr("topLeftCell"), Some("A2"));
    assert_eq!(pane.attr("xSplit"), None);

    // Filter buttons over the header and every row, and the name Excel keeps for them.
    let last_column = (b'A' + template.columns.len() as u8 - 1) as char;
    let range = format!("A1:{last_column}6");
    assert_eq!(
        book.sheet.child("autoFilter").unwrap().attr("ref"),
        Some(range.as_str())
    );
    let defined = book
        .workbook
        .child("definedNames")
        .unwrap()
        .child("definedName")
        .unwrap();
    assert_eq!(defined.attr("name"), Some("_xlnm._FilterDatabase"));
    assert_eq!(defined.attr("localSheetId"), Some("0"));
    assert_eq!(defined.text(), format!("'기본'!$A$1:${last_column}$6"));

    // A width for every column; text columns are @ as a whole.
    let cols = book.sheet.child("cols").unwrap().all("col");
    assert_eq!(cols.len(), template.columns.len());
    for (i, (col, column)) in cols.iter().zip(&template.columns).enumerate() {
        assert_eq!(col.attr("min"), Some((i + 1).to_string().as_str()));
        assert_eq!(col.attr("max"), col.attr("min"));
        let width: f64 = col.attr("width").unwrap().parse().unwrap();
        assert!(
            (4.0..=60.0).contains(&width),
            "{}: width {width}",
            column.header
        );
        let is_text = column.field.kind() == jumun_export::FieldKind::Text;
        assert_eq!(col.attr("style").is_some(), is_text, "{}", column.header);
    }

    // Made at the time given, by no clock of its own.
    let core = support::reader::parse_xml(&book.parts["docProps/core.xml"]);
    assert_eq!(
        core.child("dcterms:created").unwrap().text(),
        "2026-11-16T00:05:00Z"
    );
    assert_eq!(core.child("dc:title").unwrap().text(), "기본");
}

#[test]
fn chunks_make_the_same_file_as_one_call() {
    let template = all_fields();
    let orders: Vec<Order> = (0..3_000)
        .map(|n| {
            if n % 7 == 0 {
                tricky_order()
            } else {
                plain_order(40_000 + n)
            }
        })
        .collect();
    let whole = xlsx(&template, &orders, now()).unwrap();
    let mut writer = XlsxWriter::new(&template, now()).unwrap();
    let mut progress = Vec::new();
    for chunk in orders.chunks(500) {
        for order in chunk {
            writer.add(order).unwrap();
        }
        progress.push(writer.rows());
    }
    let lines: usize = orders.iter().map(|o| o.lines.len()).sum();
    assert_eq!(progress.last(), Some(&lines));
    assert!(progress.windows(2).all(|w| w[0] < w[1]));
    let chunked = writer.finish();
    assert_eq!(chunked, whole);
    let book = read_xlsx(&chunked);
    assert_eq!(book.last_row, lines + 1);
}

#[test]
fn the_courier_template_exports_only_lines_that_ship() {
    let template = ColumnTemplate::courier();
    let book = write(&template, &[tricky_order(), plain_order(50_001)]);
    assert_eq!(book.sheet_name, "택배 송장 양식");
    let headers: Vec<_> = (1..=template.columns.len())
        .map(|c| book.cells[&(1, c)].value.as_str())
        .collect();
    assert_eq!(
        headers,
        [
            "받는분",
            "받는분 전화번호",
            "받는분 우편번호",
            "받는분 주소",
            "품목명",
            "수량",
            "배송메시지",
            "주문번호"
        ]
    );
    // The tricky order's cancelled line and the line exchanged away are left out.
    assert_eq!(book.last_row, 3);
    assert_eq!(book.cells[&(2, 5)].value, format!("{XSS} [{OPTION}]"));
    assert_eq!(book.cells[&(2, 2)].value, PHONE);
    assert_eq!(book.cells[&(3, 5)].value, "텀블러 [500ml]");
    assert_eq!(book.cells[&(3, 8)].value, "NM-50001");
}

#[test]
fn an_export_of_nothing_is_a_header_row() {
    let template = ColumnTemplate::courier();
    let book = write(&template, &[]);
    assert_eq!(book.last_row, 1);
    assert_eq!(book.cells.len(), template.columns.len());
    assert_eq!(
        book.sheet.child("autoFilter").unwrap().attr("ref"),
        Some("A1:H1")
    );
}

#[test]
fn a_cell_holds_at_most_what_excel_allows() {
    let mut order = plain_order(60_001);
    order.delivery.memo = "가나다".repeat(20_000);
    let template = ColumnTemplate {
        name: "메모".into(),
        columns: vec![Column::new(Field::DeliveryMemo)],
        lines: LineSelection::All,
    };
    let book = write(&template, &[order.clone()]);
    let value = &book.cells[&(2, 1)].value;
    assert_eq!(value.encode_utf16().count(), 32_767);
    assert!(order.delivery.memo.starts_with(value.as_str()));
}

#[test]
fn the_sheet_is_named_after_the_template_as_excel_allows() {
    let mut template = ColumnTemplate::courier();
    template.name = "CJ/롯데 [11월]: 발송*?".into();
    let book = write(&template, &[plain_order(70_001)]);
    assert_eq!(book.sheet_name, "CJ롯데 11월 발송");
}

#[test]
fn an_invalid_template_writes_nothing() {
    let mut template = ColumnTemplate::basic();
    template.columns.clear();
    assert!(matches!(
        XlsxWriter::new(&template, now()),
        Err(TemplateError::NoColumns)
    ));
    assert_eq!(
        xlsx(&template, &[plain_order(1)], now()),
        Err(ExportError::Template(TemplateError::NoColumns))
    );
}

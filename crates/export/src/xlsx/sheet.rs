//! The worksheet's XML, written row by row. Its elements follow CT_Worksheet's sequence
//! (ECMA-376 part 1, 18.3.1.99): sheetViews, sheetFormatPr, cols, sheetData, autoFilter,
//! pageMargins — Excel asks to repair a sheet whose elements are out of order. There is no
//! `dimension` (optional, and before the rows, which are not known yet).

use super::parts::{style, MAIN_NS, REL_NS};
use super::xml::{push_escaped, push_inline_string};
use crate::field::{FieldKind, Value};
use crate::template::Column;
use crate::text::{clean, display_width, korean_time, push_korean_time};
use chrono::{DateTime, NaiveDate, Utc};
use std::fmt::Write;

/// The widest column the sheet sets (a long header wraps in its filter button instead).
const MAX_WIDTH: usize = 60;

/// `A`, `B`, … `Z`, `AA`, … for a 0-based column index.
pub(crate) fn column_letters(index: usize) -> String {
    let mut letters = Vec::new();
    let mut n = index + 1;
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push(b'A' + rem as u8);
        n = (n - 1) / 26;
    }
    letters.reverse();
    letters.into_iter().map(char::from).collect()
}

/// A sheet name Excel accepts, from the template's name: at most 31 characters, none of
/// `[ ] : * ? / \`, not starting or ending with `'`, not the reserved `History`; `주문` when
/// nothing is left.
pub(crate) fn sheet_name(template_name: &str) -> String {
    let allowed: String = clean(template_name)
        .chars()
        .filter(|c| !matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\') && !c.is_control())
        .collect();
    let mut name = String::new();
    let mut units = 0;
    for c in allowed.trim().trim_matches('\'').chars() {
        units += c.len_utf16();
        if units > 31 {
            break;
        }
        name.push(c);
    }
    let name = name.trim().trim_matches('\'').trim();
    if name.is_empty() || name.eq_ignore_ascii_case("History") {
        "주문".to_owned()
    } else {
        name.to_owned()
    }
}

/// Excel's serial number of a moment shown in Korea's time zone: days since 1899-12-30, the
/// time of day as the fraction. `None` before 1900-03-01 (where Excel's calendar counts a
/// 1900-02-29 that never was) and after 9999-12-31 (Excel's last date).
pub(crate) fn excel_serial(at: DateTime<Utc>) -> Option<f64> {
    let local = korean_time(at);
    let first = NaiveDate::from_ymd_opt(1900, 3, 1)?.and_hms_opt(0, 0, 0)?;
    let last = NaiveDate::from_ymd_opt(10000, 1, 1)?.and_hms_opt(0, 0, 0)?;
    if local < first || local >= last {
        return None;
    }
    let epoch = NaiveDate::from_ymd_opt(1899, 12, 30)?.and_hms_opt(0, 0, 0)?;
    Some((local - epoch).num_seconds() as f64 / 86_400.0)
}

/// Everything before the first data row: the frozen header row, the column widths, the header.
pub(crate) fn start(out: &mut String, columns: &[Column], letters: &[String]) {
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\r\n");
    let _ = write!(
        out,
        "<worksheet xmlns=\"{MAIN_NS}\" xmlns:r=\"{REL_NS}\">\
         <sheetViews><sheetView tabSelected=\"1\" workbookViewId=\"0\">\
         <pane ySplit=\"1\" topLeftCell=\"A2\" activePane=\"bottomLeft\" state=\"frozen\"/>\
         <selection pane=\"bottomLeft\" activeCell=\"A2\" sqref=\"A2\"/>\
         </sheetView></sheetViews>\
         <sheetFormatPr defaultRowHeight=\"16.5\"/><cols>"
    );
    for (i, column) in columns.iter().enumerate() {
        // Room for the filter button beside the header.
        let width = (display_width(column.header.trim()) + 4)
            .max(column.field.usual_width() as usize)
            .min(MAX_WIDTH);
        // Text columns are `@` throughout, so that what an operator types into them stays text.
        let column_style = if column.field.kind() == FieldKind::Text {
            format!(" style=\"{}\"", style::TEXT)
        } else {
            String::new()
        };
        let _ = write!(
            out,
            "<col min=\"{n}\" max=\"{n}\" width=\"{width}\"{column_style} customWidth=\"1\"/>",
            n = i + 1
        );
    }
    out.push_str("</cols><sheetData><row r=\"1\">");
    for (column, letter) in columns.iter().zip(letters) {
        let _ = write!(
            out,
            "<c r=\"{letter}1\" s=\"{}\" t=\"inlineStr\">",
            style::HEADER
        );
        push_inline_string(out, column.header.trim());
        out.push_str("</c>");
    }
    out.push_str("</row>");
}

/// One cell of row `row`; nothing for an empty value.
pub(crate) fn push_cell(out: &mut String, letter: &str, row: usize, value: &Value<'_>) {
    match value {
        Value::Empty => {}
        Value::Text(text) => push_text_cell(out, letter, row, text),
        Value::Number(n) => {
            let _ = write!(
                out,
                "<c r=\"{letter}{row}\" s=\"{}\"><v>{n}</v></c>",
                style::NUMBER
            );
        }
        Value::Money(n) => {
            let _ = write!(
                out,
                "<c r=\"{letter}{row}\" s=\"{}\"><v>{n}</v></c>",
                style::MONEY
            );
        }
        Value::Date(at) => match excel_serial(*at) {
            Some(serial) => {
                let _ = write!(
                    out,
                    "<c r=\"{letter}{row}\" s=\"{}\"><v>{serial}</v></c>",
                    style::DATE
                );
            }
            // A date Excel cannot show as one is written as it would read.
            None => {
                let mut text = String::new();
                push_korean_time(&mut text, *at);
                push_text_cell(out, letter, row, &text);
            }
        },
    }
}

fn push_text_cell(out: &mut String, letter: &str, row: usize, text: &str) {
    let style = if text.contains('\n') {
        style::TEXT_WRAPPED
    } else {
        style::TEXT
    };
    let _ = write!(out, "<c r=\"{letter}{row}\" s=\"{style}\" t=\"inlineStr\">");
    push_inline_string(out, text);
    out.push_str("</c>");
}

/// The range the header's filter buttons cover: the header and every data row.
pub(crate) fn filter_range(letters: &[String], rows: usize) -> String {
    let last = letters.last().map_or("A", String::as_str);
    format!("$A$1:${last}${}", rows + 1)
}

/// Everything after the last data row.
pub(crate) fn end(out: &mut String, letters: &[String], rows: usize) {
    out.push_str("</sheetData><autoFilter ref=\"");
    push_escaped(out, &filter_range(letters, rows).replace('$', ""));
    out.push_str(
        "\"/><pageMargins left=\"0.7\" right=\"0.7\" top=\"0.75\" bottom=\"0.75\" \
         header=\"0.3\" footer=\"0.3\"/></worksheet>",
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn columns_are_lettered_like_excel() {
        let letters: Vec<_> = [0, 1, 25, 26, 27, 51, 52, 701, 702, 16_383]
            .into_iter()
            .map(column_letters)
            .collect();
        assert_eq!(
            letters,
            ["A", "B", "Z", "AA", "AB", "AZ", "BA", "ZZ", "AAA", "XFD"]
        );
    }

    #[test]
    fn sheet_names_are_what_excel_accepts() {
        assert_eq!(sheet_name("택배 송장 양식"), "택배 송장 양식");
        assert_eq!(sheet_name("CJ/롯데 [11월]: *?\\"), "CJ롯데 11월");
        assert_eq!(sheet_name("'따옴표'"), "따옴표");
        assert_eq!(sheet_name("history"), "주문");
        assert_eq!(sheet_name("[]"), "주문");
        let long = sheet_name(&"가".repeat(40));
        assert_eq!(long.chars().count(), 31);
    }

    #[test]
    fn serials_count_days_since_1899_12_30_in_korean_time() {
        // 1900-03-01 is serial 61 in Excel (its calendar counts 1900-02-29).
        let first = Utc.with_ymd_and_hms(1900, 2, 28, 15, 0, 0).unwrap();
        assert_eq!(excel_serial(first), Some(61.0));
        // 2026-11-16 06:00 KST.
        let at = Utc.with_ymd_and_hms(2026, 11, 15, 21, 0, 0).unwrap();
        let days = (NaiveDate::from_ymd_opt(2026, 11, 16).unwrap()
            - NaiveDate::from_ymd_opt(1899, 12, 30).unwrap())
        .num_days() as f64;
        assert_eq!(excel_serial(at), Some(days + 0.25));
        let before = Utc.with_ymd_and_hms(1900, 2, 28, 14, 59, 59).unwrap();
        assert_eq!(excel_serial(before), None);
    }
}

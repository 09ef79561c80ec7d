//! Jumun's order export: the orders of a search or a selection, one row per order line, in the
//! columns of a template an operator builds and names (엑셀 양식, like the courier forms they keep),
//! written as `.xlsx` or `.csv`.
//!
//! - [`Field`]: every column an operator may want (관리번호, 판매처, 주문번호, 주문상세번호, dates,
//!   주문상태, CS상태, 보류, 상품명, 옵션, 수량, amounts, recipient, phones, address, memo, 택배사,
//!   송장번호 …), each with its Korean name and a [`FieldKind`].
//! - [`ColumnTemplate`]: a name and [`Column`]s (header and field), stored by the app with
//!   serde and checked by [`ColumnTemplate::validate`] ([`TemplateError`], in Korean). Built in:
//!   [`ColumnTemplate::basic`] (`기본`) and [`ColumnTemplate::courier`] (`택배 송장 양식`).
//! - [`XlsxWriter`]: the Excel format. Text stays text (`@`), numbers and dates are typed; see
//!   the [`xlsx`](mod@xlsx) module. [`CsvWriter`]: RFC 4180, UTF-8 with BOM, CRLF; Excel still guesses
//!   types in a CSV (see the [`csv`](mod@csv) module).
//!
//! Both writers take orders one at a time (`new` → `add` … → `finish`), so the browser can write
//! 100,000 lines in chunks, yielding and showing progress between them; [`xlsx()`] and [`csv()`]
//! do it in one call. Pure Rust, no IO and no clock (the export's time is an argument): it builds
//! natively for the tests and for wasm32 for the app.

pub mod csv;
mod field;
mod template;
mod text;
pub mod xlsx;
mod zip;

pub use crate::csv::CsvWriter;
pub use crate::field::{Field, FieldKind, Value};
pub use crate::template::{Column, ColumnTemplate, LineSelection, TemplateError, MAX_COLUMNS};
pub use crate::xlsx::{ExportError, XlsxWriter, MAX_ROWS};

use chrono::{DateTime, Datelike, Timelike, Utc};
use jumun_core::order::Order;
use serde::{Deserialize, Serialize};

/// The two file formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// Excel workbook.
    Xlsx,
    /// Comma-separated values.
    Csv,
}

impl Format {
    /// The file name's extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Xlsx => "xlsx",
            Format::Csv => "csv",
        }
    }

    /// The MIME type, for the download's Blob.
    pub fn mime_type(self) -> &'static str {
        match self {
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Format::Csv => "text/csv;charset=utf-8",
        }
    }

    /// A file name for an export made at `at`: the template's name and Korea's date and time,
    /// `택배 송장 양식_20261116_0905.xlsx`, with the characters file systems refuse replaced.
    pub fn file_name(self, template: &ColumnTemplate, at: DateTime<Utc>) -> String {
        let name: String = template
            .name
            .trim()
            .chars()
            .map(|c| match c {
                '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => '_',
                c if c.is_control() => '_',
                c => c,
            })
            .collect();
        // Written field by field: chrono's `format` would bring its strftime parser into the
        // browser app for this one string (docs/wasm-size.md).
        let t = text::korean_time(at);
        format!(
            "{name}_{:04}{:02}{:02}_{:02}{:02}.{}",
            t.year(),
            t.month(),
            t.day(),
            t.hour(),
            t.minute(),
            self.extension()
        )
    }
}

/// The orders as an .xlsx workbook made at `created_at`.
pub fn xlsx<'a>(
    template: &ColumnTemplate,
    orders: impl IntoIterator<Item = &'a Order>,
    created_at: DateTime<Utc>,
) -> Result<Vec<u8>, ExportError> {
    let mut writer = XlsxWriter::new(template, created_at)?;
    for order in orders {
        writer.add(order)?;
    }
    Ok(writer.finish())
}

/// The orders as CSV.
pub fn csv<'a>(
    template: &ColumnTemplate,
    orders: impl IntoIterator<Item = &'a Order>,
) -> Result<Vec<u8>, TemplateError> {
    let mut writer = CsvWriter::new(template)?;
    for order in orders {
        writer.add(order);
    }
    Ok(writer.finish())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn file_names_carry_the_template_and_korean_time() {
        let at = Utc.with_ymd_and_hms(2026, 11, 16, 0, 5, 0).unwrap();
        let mut template = ColumnTemplate::courier();
        assert_eq!(
            Format::Xlsx.file_name(&template, at),
            "택배 송장 양식_20261116_0905.xlsx"
        );
        template.name = "CJ/롯데: 11월".into();
        assert_eq!(
            Format::Csv.file_name(&template, at),
            "CJ_롯데_ 11월_20261116_0905.csv"
        );
    }
}

//! .xlsx: a minimal Office Open XML workbook (ECMA-376), one sheet, written by hand.
//!
//! - Text cells are inline strings styled `@` (number format 49), so phone numbers keep their
//!   leading zero and a 12-digit invoice number is never shown as `5.12346E+11`; text columns
//!   are `@` as a whole, so what an operator types into them stays text too.
//! - Quantities and amounts are numbers (amounts `#,##0`); dates are Excel dates (serial
//!   numbers in Korea's time) shown `yyyy-mm-dd hh:mm:ss`.
//! - The header row is bold and frozen, with filter buttons; columns are as wide as their
//!   fields usually need.
//! - Text is data: escaped, characters XML 1.0 forbids dropped, Excel's own `_xHHHH_` escape
//!   defused, and cut at 32,767 characters, the most a cell holds.
//!
//! The sheet's XML is deflated as rows come ([`XlsxWriter::add`]), so memory grows with the
//! compressed file, not with the sheet; the zip container is assembled by
//! [`XlsxWriter::finish`].

mod parts;
mod sheet;
mod xml;

use crate::template::{ColumnTemplate, TemplateError};
use crate::text::korean_time;
use crate::zip::{deflate, Deflater, DosTime, ZipWriter};
use chrono::{DateTime, Utc};
use jumun_core::order::Order;
use std::fmt::Write;

/// The most data rows a sheet holds: Excel's 1,048,576 rows less the header.
pub const MAX_ROWS: usize = 1_048_575;

/// The most bytes of sheet XML one export holds, far below zip's 4 GiB without zip64.
const MAX_SHEET_BYTES: u64 = 2 << 30;

/// Sheet XML waits in memory until there is this much, then goes to the compressor.
const FLUSH_AT: usize = 256 * 1024;

/// Why an order could not be added. The order is left out whole; the rows before it stay.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExportError {
    /// The template is not valid.
    #[error(transparent)]
    Template(#[from] TemplateError),
    /// The sheet is full: it holds [`MAX_ROWS`] data rows.
    #[error(
        "엑셀 시트 한 장에는 제목 줄을 빼고 1,048,575줄까지 담을 수 있습니다. 검색 기간을 나누어 여러 파일로 내보내세요."
    )]
    TooManyRows,
    /// The file would be too large.
    #[error("내보낼 내용이 2GB를 넘습니다. 검색 기간을 나누어 여러 파일로 내보내세요.")]
    TooLarge,
}

/// Writes an export as an .xlsx workbook, order by order, so the app can write a long export
/// in chunks and show progress between them.
pub struct XlsxWriter {
    template: ColumnTemplate,
    letters: Vec<String>,
    created_at: DateTime<Utc>,
    sheet: Deflater,
    pending: String,
    rows: usize,
    max_rows: usize,
}

impl std::fmt::Debug for XlsxWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("XlsxWriter")
            .field("template", &self.template.name)
            .field("rows", &self.rows)
            .field("compressed", &self.sheet.compressed_len())
            .finish_non_exhaustive()
    }
}

impl XlsxWriter {
    /// A workbook with the template's header row, made at `created_at` (its document
    /// properties and zip time stamps); refused when the template is not valid.
    pub fn new(
        template: &ColumnTemplate,
        created_at: DateTime<Utc>,
    ) -> Result<Self, TemplateError> {
        template.validate()?;
        let letters: Vec<String> = (0..template.columns.len())
            .map(sheet::column_letters)
            .collect();
        let mut pending = String::with_capacity(FLUSH_AT + 64 * 1024);
        sheet::start(&mut pending, &template.columns, &letters);
        Ok(Self {
            template: template.clone(),
            letters,
            created_at,
            sheet: Deflater::new(),
            pending,
            rows: 0,
            max_rows: MAX_ROWS,
        })
    }

    /// Adds one row per selected line of the order. Refused, leaving the order out whole, when
    /// the sheet is full ([`MAX_ROWS`]) or the file would pass 2 GB.
    pub fn add(&mut self, order: &Order) -> Result<(), ExportError> {
        let mark = self.pending.len();
        let rows_before = self.rows;
        for line in self.template.lines_of(order) {
            if self.rows == self.max_rows {
                self.pending.truncate(mark);
                self.rows = rows_before;
                return Err(ExportError::TooManyRows);
            }
            self.rows += 1;
            let row = self.rows + 1;
            // Writing to a String cannot fail.
            let _ = write!(self.pending, "<row r=\"{row}\">");
            for (column, letter) in self.template.columns.iter().zip(&self.letters) {
                sheet::push_cell(
                    &mut self.pending,
                    letter,
                    row,
                    &column.field.value(order, line),
                );
            }
            self.pending.push_str("</row>");
        }
        if self.sheet.size() + self.pending.len() as u64 > MAX_SHEET_BYTES {
            self.pending.truncate(mark);
            self.rows = rows_before;
            return Err(ExportError::TooLarge);
        }
        if self.pending.len() >= FLUSH_AT {
            self.sheet.write(self.pending.as_bytes());
            self.pending.clear();
        }
        Ok(())
    }

    /// The data rows written so far (the header not counted).
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// The workbook's bytes.
    pub fn finish(self) -> Vec<u8> {
        let mut sheet = self.sheet;
        let mut pending = self.pending;
        sheet::end(&mut pending, &self.letters, self.rows);
        sheet.write(pending.as_bytes());
        let sheet = sheet.finish();

        let name = sheet::sheet_name(&self.template.name);
        let filter = sheet::filter_range(&self.letters, self.rows);
        let mut zip = ZipWriter::new(
            DosTime::new(korean_time(self.created_at)),
            sheet.compressed_len() + 8 * 1024,
        );
        zip.add(
            parts::CONTENT_TYPES,
            deflate(parts::content_types().as_bytes()),
        );
        zip.add(parts::ROOT_RELS, deflate(parts::root_rels().as_bytes()));
        zip.add(parts::APP, deflate(parts::app().as_bytes()));
        zip.add(
            parts::CORE,
            deflate(parts::core(&self.template.name, self.created_at).as_bytes()),
        );
        zip.add(
            parts::WORKBOOK,
            deflate(parts::workbook(&name, &filter).as_bytes()),
        );
        zip.add(
            parts::WORKBOOK_RELS,
            deflate(parts::workbook_rels().as_bytes()),
        );
        zip.add(parts::STYLES, deflate(parts::styles().as_bytes()));
        zip.add(parts::SHEET, sheet);
        zip.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::field::Field;
    use crate::template::Column;
    use chrono::TimeZone;

    /// A bare order with `lines` lines (the integration tests have the full ones).
    fn order(id: u64, lines: u64) -> Order {
        let at = "2026-11-16T01:00:00Z";
        let lines: Vec<_> = (0..lines)
            .map(|n| {
                serde_json::json!({
                    "id": id * 10 + n, "keys": {"order_no": "N1"}, "product_name": "티셔츠",
                    "option": "", "quantity": 1, "unit_price": 9900, "option_price": 0,
                    "status": "Preparing", "claim_state": "Normal"
                })
            })
            .collect();
        serde_json::from_value(serde_json::json!({
            "id": id, "marketplace": "coupang", "order_no": "N1", "origin": "Collected",
            "payment": "Paid", "dates": {"registered_at": at, "ordered_at": at},
            "delivery": {"orderer_name": "", "orderer_phone": "", "recipient_name": "",
                         "recipient_phone": "", "postcode": "", "address": ""},
            "lines": lines, "no_bundle": false, "partial_shipping": false,
            "invoice_upload": "NotDue", "memos": []
        }))
        .unwrap()
    }

    #[test]
    fn a_full_sheet_refuses_the_whole_next_order_and_keeps_the_rows_before() {
        let template = ColumnTemplate {
            name: "t".into(),
            columns: vec![Column::new(Field::ManagementNo)],
            lines: Default::default(),
        };
        let created = Utc.with_ymd_and_hms(2026, 11, 16, 0, 0, 0).unwrap();
        let mut writer = XlsxWriter::new(&template, created).unwrap();
        writer.max_rows = 3;
        writer.add(&order(1, 2)).unwrap();
        let before = writer.pending.clone();
        assert_eq!(writer.add(&order(2, 2)), Err(ExportError::TooManyRows));
        assert_eq!(writer.rows(), 2);
        assert_eq!(writer.pending, before);
        writer.add(&order(3, 1)).unwrap();
        assert_eq!(writer.rows(), 3);
        // The message names the limit.
        let message = ExportError::TooManyRows.to_string().replace(',', "");
        assert!(message.contains(&format!("{MAX_ROWS}줄")), "{message}");
    }
}

//! CSV (RFC 4180): UTF-8 with a byte-order mark so that Excel reads Hangul, CRLF line ends, a
//! field quoted only when it holds a comma, a quote or a line break.
//!
//! CSV carries no types: Excel guesses each field when it opens the file, so it may still show
//! `01012345678` as `1012345678` and `512345678901` as `5.12346E+11`, and turn `1-2` into a
//! date. The `.xlsx` export ([`crate::XlsxWriter`]) is the Excel format and keeps text as text;
//! CSV is for the systems that ask for it.
//!
//! A text field that starts with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading
//! `'`, so that a spreadsheet never runs buyer-written text as a formula (CSV injection).
//! Characters XML 1.0 forbids are dropped as in the `.xlsx` ([`crate::XlsxWriter`]).

use crate::field::Value;
use crate::template::{ColumnTemplate, TemplateError};
use crate::text::{clean, push_korean_time};
use jumun_core::order::Order;
use std::fmt::Write;

/// Writes an export as CSV, order by order, so the app can write a long export in chunks and
/// show progress between them.
#[derive(Debug, Clone)]
pub struct CsvWriter {
    template: ColumnTemplate,
    out: String,
    rows: usize,
}

impl CsvWriter {
    /// A CSV with the template's header row; refused when the template is not valid.
    pub fn new(template: &ColumnTemplate) -> Result<Self, TemplateError> {
        template.validate()?;
        let mut out = String::from('\u{FEFF}');
        for (i, column) in template.columns.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            push_text(&mut out, column.header.trim());
        }
        out.push_str("\r\n");
        Ok(Self {
            template: template.clone(),
            out,
            rows: 0,
        })
    }

    /// Adds one row per selected line of the order.
    pub fn add(&mut self, order: &Order) {
        for line in self.template.lines_of(order) {
            for (i, column) in self.template.columns.iter().enumerate() {
                if i > 0 {
                    self.out.push(',');
                }
                push_value(&mut self.out, &column.field.value(order, line));
            }
            self.out.push_str("\r\n");
            self.rows += 1;
        }
    }

    /// The data rows written so far (the header not counted).
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// The file's bytes.
    pub fn finish(self) -> Vec<u8> {
        self.out.into_bytes()
    }
}

fn push_value(out: &mut String, value: &Value<'_>) {
    match value {
        Value::Empty => {}
        Value::Text(text) => push_text(out, text),
        // Writing to a String cannot fail.
        Value::Number(n) | Value::Money(n) => {
            let _ = write!(out, "{n}");
        }
        Value::Date(at) => push_korean_time(out, *at),
    }
}

/// One text field: cleaned, defused, quoted when needed.
fn push_text(out: &mut String, text: &str) {
    let text = clean(text);
    let formula_like = text.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let quote = text.contains([',', '"', '\r', '\n']);
    if quote {
        out.push('"');
    }
    if formula_like {
        out.push('\'');
    }
    if quote {
        for c in text.chars() {
            if c == '"' {
                out.push('"');
            }
            out.push(c);
        }
        out.push('"');
    } else {
        out.push_str(&text);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(text: &str) -> String {
        let mut out = String::new();
        push_text(&mut out, text);
        out
    }

    #[test]
    fn fields_are_quoted_only_when_needed() {
        assert_eq!(field("홍길동"), "홍길동");
        assert_eq!(field("서울, 강남"), "\"서울, 강남\"");
        assert_eq!(field("7\" 인치"), "\"7\"\" 인치\"");
        assert_eq!(field("문 앞\r\n경비실"), "\"문 앞\r\n경비실\"");
    }

    #[test]
    fn formula_like_text_is_defused() {
        assert_eq!(field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(field("+82 10"), "'+82 10");
        assert_eq!(field("a=b"), "a=b");
    }
}

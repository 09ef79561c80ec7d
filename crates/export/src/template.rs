//! Column templates (엑셀 양식): the columns an operator picks, names and orders, stored by the
//! app and checked before anything is written.

use crate::field::Field;
use jumun_core::order::{Line, Order};
use serde::{Deserialize, Serialize};

/// The most columns an Excel sheet holds (XFD).
pub const MAX_COLUMNS: usize = 16_384;

/// A named list of columns, like the courier upload formats operators keep.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnTemplate {
    /// The name operators pick it by; also the sheet's name (cut to what Excel allows).
    pub name: String,
    /// The columns, left to right.
    pub columns: Vec<Column>,
    /// Which lines of each order get a row.
    #[serde(default)]
    pub lines: LineSelection,
}

/// One column: a header and the field under it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Column {
    /// The header cell, as the operator wrote it.
    pub header: String,
    /// What the column holds.
    pub field: Field,
}

impl Column {
    /// A column headed with the field's Korean name.
    pub fn new(field: Field) -> Self {
        Self::named(field.korean(), field)
    }

    /// A column with its own header.
    pub fn named(header: &str, field: Field) -> Self {
        Self {
            header: header.to_owned(),
            field,
        }
    }
}

/// Which lines of an order are exported.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LineSelection {
    /// Every line, whatever its state: the operator's view of the order.
    #[default]
    All,
    /// Only the lines that go into the parcel ([`Line::ships`]): a cancelled line or one
    /// exchanged away never reaches a courier's upload file (오배송, R10, R28).
    Shipping,
}

impl LineSelection {
    /// Whether this line gets a row.
    pub fn includes(self, line: &Line) -> bool {
        match self {
            LineSelection::All => true,
            LineSelection::Shipping => line.ships(),
        }
    }
}

/// Why a template cannot be used. The messages are the operator's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    /// The name is empty or blank.
    #[error("양식 이름을 입력하세요.")]
    EmptyName,
    /// No column.
    #[error("열을 하나 이상 추가하세요.")]
    NoColumns,
    /// More columns than a sheet holds.
    #[error("열이 {count}개입니다. 엑셀 시트에는 {max}개까지 넣을 수 있습니다.", max = MAX_COLUMNS)]
    TooManyColumns {
        /// How many the template has.
        count: usize,
    },
    /// A blank header.
    #[error("{position}번째 열의 제목이 비어 있습니다. 제목을 입력하세요.")]
    EmptyHeader {
        /// 1-based column position.
        position: usize,
    },
    /// Two columns with the same header (spaces around it do not count).
    #[error(
        "{first}번째 열과 {second}번째 열의 제목이 똑같이 '{header}'입니다. 열 제목은 서로 달라야 합니다."
    )]
    DuplicateHeader {
        /// The header, trimmed.
        header: String,
        /// 1-based position of the first column with it.
        first: usize,
        /// 1-based position of the second.
        second: usize,
    },
}

impl ColumnTemplate {
    /// Checks the template: a name, at least one column and at most a sheet's worth, and a
    /// distinct, non-blank header for each column (an upload form matches columns by header).
    pub fn validate(&self) -> Result<(), TemplateError> {
        if self.name.trim().is_empty() {
            return Err(TemplateError::EmptyName);
        }
        if self.columns.is_empty() {
            return Err(TemplateError::NoColumns);
        }
        if self.columns.len() > MAX_COLUMNS {
            return Err(TemplateError::TooManyColumns {
                count: self.columns.len(),
            });
        }
        let mut seen: std::collections::HashMap<&str, usize> = Default::default();
        for (i, column) in self.columns.iter().enumerate() {
            let header = column.header.trim();
            if header.is_empty() {
                return Err(TemplateError::EmptyHeader { position: i + 1 });
            }
            if let Some(first) = seen.insert(header, i + 1) {
                return Err(TemplateError::DuplicateHeader {
                    header: header.to_owned(),
                    first,
                    second: i + 1,
                });
            }
        }
        Ok(())
    }

    /// The lines of `order` that get a row, in the order's line order.
    pub fn lines_of<'a>(&self, order: &'a Order) -> impl Iterator<Item = &'a Line> + 'a {
        let selection = self.lines;
        order
            .lines
            .iter()
            .filter(move |line| selection.includes(line))
    }

    /// `기본`: every field but the rarely wanted ones (codes, the later dates, memos), in the
    /// editor's order; every line.
    pub fn basic() -> Self {
        const LEFT_OUT: &[Field] = &[
            Field::ProductCode,
            Field::Sku,
            Field::RegisteredAt,
            Field::ProductAndOption,
            Field::OptionPrice,
            Field::OrdererPhone,
            Field::InvoicePrintedAt,
            Field::DeliveredAt,
            Field::ConfirmedAt,
            Field::CancelledAt,
            Field::Bundle,
            Field::Memos,
        ];
        Self {
            name: "기본".to_owned(),
            columns: Field::ALL
                .iter()
                .filter(|field| !LEFT_OUT.contains(field))
                .map(|field| Column::new(*field))
                .collect(),
            lines: LineSelection::All,
        }
    }

    /// `택배 송장 양식`: the upload file a courier's system (CJ대한통운, 롯데택배, 우체국…) takes to
    /// issue invoice numbers, with the headers those forms use; only lines that ship.
    pub fn courier() -> Self {
        Self {
            name: "택배 송장 양식".to_owned(),
            columns: vec![
                Column::named("받는분", Field::RecipientName),
                Column::named("받는분 전화번호", Field::RecipientPhone),
                Column::named("받는분 우편번호", Field::Postcode),
                Column::named("받는분 주소", Field::Address),
                Column::named("품목명", Field::ProductAndOption),
                Column::named("수량", Field::Quantity),
                Column::named("배송메시지", Field::DeliveryMemo),
                Column::named("주문번호", Field::OrderNo),
            ],
            lines: LineSelection::Shipping,
        }
    }

    /// The templates every store starts with.
    pub fn builtin() -> Vec<Self> {
        vec![Self::basic(), Self::courier()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_templates_are_valid_and_distinct() {
        let builtin = ColumnTemplate::builtin();
        for template in &builtin {
            assert_eq!(template.validate(), Ok(()), "{}", template.name);
        }
        assert_ne!(builtin[0].name, builtin[1].name);
    }
}

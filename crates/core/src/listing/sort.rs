//! The order of the order list's rows.

use super::OrderSummary;
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;

/// The column the list is sorted by.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SortKey {
    /// 주문일.
    #[default]
    OrderedAt,
    /// 수집일.
    CollectedAt,
    /// 출고일.
    ShippedAt,
    /// 판매처.
    Marketplace,
    /// 주문번호.
    OrderNo,
    /// 수령자.
    Recipient,
    /// 주문상태, in lifecycle order.
    Status,
    /// 수량.
    Quantity,
    /// 결제금액.
    Amount,
    /// 송장번호.
    TrackingNo,
    /// 관리번호.
    Id,
}

/// A sort: a column and a direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Sort {
    /// The column.
    pub key: SortKey,
    /// Largest (newest) first.
    pub descending: bool,
}

impl Default for Sort {
    /// Newest orders first, as every order screen opens.
    fn default() -> Self {
        Sort {
            key: SortKey::OrderedAt,
            descending: true,
        }
    }
}

impl Sort {
    /// How `a` and `b` compare in this sort; equal keys fall back to 관리번호 (in the same
    /// direction), so the order of rows is total and pages never shuffle.
    pub fn compare(&self, a: &OrderSummary, b: &OrderSummary) -> Ordering {
        self.compare_values((&self.value(a), a.id), (&self.value(b), b.id))
    }

    /// The value of `summary` this sort orders by: what a search keeps of each match, instead of
    /// the whole summary, to sort a large result in little memory.
    pub fn value(&self, summary: &OrderSummary) -> SortValue {
        match self.key {
            SortKey::OrderedAt => SortValue::Number(summary.ordered_at),
            SortKey::CollectedAt => SortValue::Number(summary.collected_at),
            SortKey::ShippedAt => SortValue::Number(summary.shipped_at),
            SortKey::Marketplace => SortValue::Text(summary.marketplace.clone()),
            SortKey::OrderNo => SortValue::Text(summary.order_no.clone()),
            SortKey::Recipient => SortValue::Text(summary.recipient.clone()),
            SortKey::Status => SortValue::Number(summary.status as u8 as f64),
            SortKey::Quantity => SortValue::Number(summary.quantity as f64),
            SortKey::Amount => SortValue::Number(summary.amount.0 as f64),
            SortKey::TrackingNo => SortValue::Text(summary.tracking_no.clone().unwrap_or_default()),
            SortKey::Id => SortValue::Number(0.0),
        }
    }

    /// How two (value, 관리번호) pairs compare in this sort (see [`Sort::compare`]).
    pub fn compare_values(&self, a: (&SortValue, u64), b: (&SortValue, u64)) -> Ordering {
        let ordering = a.0.cmp_value(b.0).then(a.1.cmp(&b.1));
        if self.descending {
            ordering.reverse()
        } else {
            ordering
        }
    }

    /// The sort clicking a column header gives: that column, flipped if it is already the sort,
    /// else newest/largest first for dates and amounts, A→Z for text.
    pub fn toggled(self, key: SortKey) -> Sort {
        if self.key == key {
            Sort {
                key,
                descending: !self.descending,
            }
        } else {
            let descending = matches!(
                key,
                SortKey::OrderedAt
                    | SortKey::CollectedAt
                    | SortKey::ShippedAt
                    | SortKey::Quantity
                    | SortKey::Amount
            );
            Sort { key, descending }
        }
    }
}

/// The value a row is sorted by (see [`Sort::value`]).
#[derive(Debug, Clone, PartialEq)]
pub enum SortValue {
    /// A date, count or amount.
    Number(f64),
    /// Text, compared by code point (Hangul syllables sort in 가나다 order).
    Text(String),
}

impl SortValue {
    fn cmp_value(&self, other: &SortValue) -> Ordering {
        match (self, other) {
            (SortValue::Number(a), SortValue::Number(b)) => a.total_cmp(b),
            (SortValue::Text(a), SortValue::Text(b)) => a.cmp(b),
            // One sort never mixes the two; numbers first keeps the order total all the same.
            (SortValue::Number(_), SortValue::Text(_)) => Ordering::Less,
            (SortValue::Text(_), SortValue::Number(_)) => Ordering::Greater,
        }
    }
}

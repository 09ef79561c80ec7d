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
        let by_key = match self.key {
            SortKey::OrderedAt => a.ordered_at.total_cmp(&b.ordered_at),
            SortKey::CollectedAt => a.collected_at.total_cmp(&b.collected_at),
            SortKey::ShippedAt => a.shipped_at.total_cmp(&b.shipped_at),
            SortKey::Marketplace => a.marketplace.cmp(&b.marketplace),
            SortKey::OrderNo => a.order_no.cmp(&b.order_no),
            SortKey::Recipient => a.recipient.cmp(&b.recipient),
            SortKey::Status => a.status.cmp(&b.status),
            SortKey::Quantity => a.quantity.cmp(&b.quantity),
            SortKey::Amount => a.amount.cmp(&b.amount),
            SortKey::TrackingNo => a.tracking_no.cmp(&b.tracking_no),
            SortKey::Id => Ordering::Equal,
        };
        let ordering = by_key.then(a.id.cmp(&b.id));
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

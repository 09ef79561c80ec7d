//! The history of stock (R30): items, adjustments, product links.

use super::Described;
use crate::event::Change;

/// The words for `change`, if it is of this area.
pub(super) fn describe(change: &Change) -> Option<Described> {
    match change {
        Change::StockItemRegistered(item) => Some((format!("재고 등록 {}", item.sku), None, None)),
        Change::StockAdjusted { sku, delta, before } => Some((
            format!("재고조정 {sku}"),
            Some(before.to_string()),
            Some((before + delta).to_string()),
        )),
        Change::ProductLinked {
            product,
            sku,
            before,
            ..
        } => Some((
            format!("매칭 {} {}", product.product, product.option),
            before.as_ref().map(ToString::to_string),
            Some(sku.to_string()),
        )),
        Change::ProductUnlinked { product, sku, .. } => Some((
            format!("매칭삭제 {} {}", product.product, product.option),
            Some(sku.to_string()),
            None,
        )),
        _ => None,
    }
}

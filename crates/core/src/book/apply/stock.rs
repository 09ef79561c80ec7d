//! The fold of stock (R30): items registered, product links; allocation follows the lines.

use super::{with_line, ReplayError};
use crate::book::Book;
use crate::cancel_sync::LineRef;
use crate::stock::{ProductKey, Sku, StockItem};

impl Book {
    pub(super) fn apply_stock_registered(&mut self, item: &StockItem) -> Result<(), ReplayError> {
        if self.stock.items.contains_key(&item.sku) {
            return Err(ReplayError::Duplicate(format!("stock item {}", item.sku)));
        }
        self.stock.items.insert(item.sku.clone(), item.clone());
        Ok(())
    }

    pub(super) fn apply_linked(
        &mut self,
        product: &ProductKey,
        sku: &Sku,
        lines: &[LineRef],
    ) -> Result<(), ReplayError> {
        self.stock.links.insert(product.clone(), sku.clone());
        for r in lines {
            with_line(&mut self.orders, &mut self.stock, r.order, r.line, |l| {
                l.sku = Some(sku.clone())
            })?;
        }
        Ok(())
    }

    pub(super) fn apply_unlinked(
        &mut self,
        product: &ProductKey,
        lines: &[LineRef],
    ) -> Result<(), ReplayError> {
        self.stock.links.remove(product);
        for r in lines {
            with_line(&mut self.orders, &mut self.stock, r.order, r.line, |l| {
                l.sku = None
            })?;
        }
        Ok(())
    }
}

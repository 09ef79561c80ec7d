//! Stock (R30): items, receiving and counts, product links (매칭), memos.

use super::Book;
use crate::cancel_sync::LineRef;
use crate::context::Ctx;
use crate::event::Change;
use crate::ids::OrderId;
use crate::order::{Memo, MemoKind};
use crate::refusal::Refusal;
use crate::stock::{ProductKey, Sku, StockItem};

impl Book {
    pub(super) fn decide_register_stock(&self, item: &StockItem) -> Result<Vec<Change>, Refusal> {
        if self.stock.items.contains_key(&item.sku) {
            return Err(Refusal::IdTaken {
                what: "stock item".into(),
                id: item.sku.to_string(),
            });
        }
        // Allocation is the engine's to count, from the lines linked to the item.
        let fresh = StockItem {
            allocated: 0,
            ..item.clone()
        };
        Ok(vec![Change::StockItemRegistered(Box::new(fresh))])
    }

    pub(super) fn decide_adjust_stock(
        &self,
        sku: &Sku,
        delta: i64,
    ) -> Result<Vec<Change>, Refusal> {
        let item = self
            .stock
            .items
            .get(sku)
            .ok_or_else(|| Refusal::UnknownSku(sku.clone()))?;
        if delta == 0 {
            return Ok(Vec::new());
        }
        Ok(vec![Change::StockAdjusted {
            sku: sku.clone(),
            delta,
            before: item.on_hand,
        }])
    }

    /// The lines of a product (its marketplace, code or name, option), for linking.
    fn lines_of_product(&self, product: &ProductKey) -> Vec<LineRef> {
        self.orders
            .values()
            .filter(|order| order.marketplace == product.marketplace)
            .flat_map(|order| {
                order
                    .lines
                    .iter()
                    .filter(|line| {
                        line.option == product.option
                            && line
                                .keys
                                .product_code
                                .as_deref()
                                .unwrap_or(&line.product_name)
                                == product.product
                    })
                    .map(move |line| LineRef {
                        order: order.id,
                        line: line.id,
                    })
            })
            .collect()
    }

    pub(super) fn decide_link(
        &self,
        product: &ProductKey,
        sku: &Sku,
    ) -> Result<Vec<Change>, Refusal> {
        if !self.stock.items.contains_key(sku) {
            return Err(Refusal::UnknownSku(sku.clone()));
        }
        let before = self.stock.links.get(product).cloned();
        if before.as_ref() == Some(sku) {
            return Ok(Vec::new());
        }
        Ok(vec![Change::ProductLinked {
            product: product.clone(),
            sku: sku.clone(),
            before,
            lines: self.lines_of_product(product),
        }])
    }

    pub(super) fn decide_unlink(&self, product: &ProductKey) -> Result<Vec<Change>, Refusal> {
        let Some(sku) = self.stock.links.get(product) else {
            return Ok(Vec::new());
        };
        Ok(vec![Change::ProductUnlinked {
            product: product.clone(),
            sku: sku.clone(),
            lines: self.lines_of_product(product),
        }])
    }

    pub(super) fn decide_memo(
        &self,
        order: OrderId,
        text: &str,
        kind: MemoKind,
        ctx: &Ctx,
    ) -> Result<Vec<Change>, Refusal> {
        self.order(order)?;
        if text.trim().is_empty() {
            return Err(Refusal::NothingSelected);
        }
        Ok(vec![Change::MemoAdded {
            order,
            memo: Memo {
                text: text.trim().to_owned(),
                kind,
                author: ctx.actor.to_string(),
                at: ctx.now,
            },
        }])
    }
}

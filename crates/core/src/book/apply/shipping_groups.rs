//! The fold of parcels (R6–R8): delivery info across a bundle, bundles, the no-bundle flag, line
//! divisions, split and merge.

use super::{order_mut, ReplayError};
use crate::book::Book;
use crate::cancel_sync::LineRef;
use crate::ids::{BundleId, LineId, OrderId};
use crate::order::{DeliveryInfo, Order, OrderOrigin};

impl Book {
    pub(super) fn apply_delivery_info(
        &mut self,
        orders: &[OrderId],
        after: &DeliveryInfo,
    ) -> Result<(), ReplayError> {
        for id in orders {
            let order = order_mut(&mut self.orders, *id)?;
            order.delivery = after.clone();
            // The printed label names the old address (R7, R28).
            if let Some(invoice) = &mut order.invoice {
                if invoice.printed_at.is_some() {
                    invoice.label_outdated = true;
                }
            }
        }
        Ok(())
    }

    pub(super) fn apply_bundled(
        &mut self,
        bundle: BundleId,
        orders: &[OrderId],
    ) -> Result<(), ReplayError> {
        for id in orders {
            order_mut(&mut self.orders, *id)?.bundle = Some(bundle);
        }
        self.bundles.insert(bundle, orders.to_vec());
        Ok(())
    }

    pub(super) fn apply_unbundled(
        &mut self,
        bundle: BundleId,
        orders: &[OrderId],
    ) -> Result<(), ReplayError> {
        for id in orders {
            order_mut(&mut self.orders, *id)?.bundle = None;
        }
        self.bundles.remove(&bundle);
        Ok(())
    }

    pub(super) fn apply_no_bundle(
        &mut self,
        order: OrderId,
        no_bundle: bool,
    ) -> Result<(), ReplayError> {
        order_mut(&mut self.orders, order)?.no_bundle = no_bundle;
        Ok(())
    }

    pub(super) fn apply_divided(
        &mut self,
        order: OrderId,
        line: LineId,
        new_line: LineId,
        quantity: u32,
    ) -> Result<(), ReplayError> {
        if self.line_owner.contains_key(&new_line) {
            return Err(ReplayError::Duplicate(format!("line {new_line}")));
        }
        let found = order_mut(&mut self.orders, order)?;
        let at = found
            .lines
            .iter()
            .position(|l| l.id == line)
            .ok_or(ReplayError::MissingLine { order, line })?;
        let original = &mut found.lines[at];
        if quantity == 0 || quantity >= original.quantity {
            return Err(ReplayError::Quantity(line));
        }
        original.quantity -= quantity;
        let mut divided = original.clone();
        divided.id = new_line;
        divided.quantity = quantity;
        divided.split_of = Some(line);
        found.lines.insert(at + 1, divided);
        self.index_line(order, new_line);
        Ok(())
    }

    /// 주문나누기: whole lines move to a new order, re-indexed under it; the flags are
    /// (original, new) pairs.
    pub(super) fn apply_split(
        &mut self,
        from: OrderId,
        new_order: OrderId,
        lines: &[LineId],
        (no_bundle_original, no_bundle_new): (bool, bool),
        (partial_original, partial_new): (bool, bool),
    ) -> Result<(), ReplayError> {
        let original = order_mut(&mut self.orders, from)?;
        original.no_bundle = no_bundle_original || original.no_bundle;
        original.partial_shipping = partial_original || original.partial_shipping;
        let mut split = Order {
            id: new_order,
            origin: OrderOrigin::Split { from },
            lines: Vec::new(),
            bundle: None,
            no_bundle: no_bundle_new,
            partial_shipping: partial_new,
            invoice: None,
            memos: Vec::new(),
            claims_after_confirmation: Vec::new(),
            withdrawn_claims: Vec::new(),
            ..original.clone()
        };
        for id in lines {
            let at = original.lines.iter().position(|l| l.id == *id).ok_or(
                ReplayError::MissingLine {
                    order: from,
                    line: *id,
                },
            )?;
            split.lines.push(original.lines.remove(at));
        }
        if self.orders.contains_key(&new_order) {
            return Err(ReplayError::Duplicate(format!("order {new_order}")));
        }
        let moved: Vec<LineId> = split.lines.iter().map(|l| l.id).collect();
        for id in &moved {
            // Re-index under the new order: remove needs the keys, which moved with it.
            let table = self.table();
            if let Some(l) = split.line(*id) {
                self.index.remove(
                    table,
                    &split.marketplace,
                    &l.keys,
                    LineRef {
                        order: from,
                        line: *id,
                    },
                );
            }
        }
        self.order_nos
            .add(&split.marketplace, &split.order_no, new_order);
        self.orders.insert(new_order, split);
        for id in moved {
            self.index_line(new_order, id);
        }
        Ok(())
    }

    pub(super) fn apply_merged(
        &mut self,
        into: OrderId,
        from: OrderId,
        rejoined: &[(LineId, LineId)],
        moved: &[LineId],
    ) -> Result<(), ReplayError> {
        if !self.orders.contains_key(&into) {
            return Err(ReplayError::MissingOrder(into));
        }
        let all: Vec<LineId> = self
            .orders
            .get(&from)
            .ok_or(ReplayError::MissingOrder(from))?
            .lines
            .iter()
            .map(|l| l.id)
            .collect();
        for line in &all {
            self.unindex_line(from, *line);
        }
        let mut source = self
            .orders
            .remove(&from)
            .ok_or(ReplayError::MissingOrder(from))?;
        self.order_nos
            .remove(&source.marketplace, &source.order_no, from);
        if let Some(bundle) = source.bundle {
            if let Some(members) = self.bundles.get_mut(&bundle) {
                members.retain(|id| *id != from);
            }
        }
        let target = order_mut(&mut self.orders, into)?;
        for (from_line, into_line) in rejoined {
            let units =
                source
                    .line(*from_line)
                    .map(|l| l.quantity)
                    .ok_or(ReplayError::MissingLine {
                        order: from,
                        line: *from_line,
                    })?;
            target
                .line_mut(*into_line)
                .ok_or(ReplayError::MissingLine {
                    order: into,
                    line: *into_line,
                })?
                .quantity += units;
        }
        for line in moved {
            let at = source.lines.iter().position(|l| l.id == *line).ok_or(
                ReplayError::MissingLine {
                    order: from,
                    line: *line,
                },
            )?;
            target.lines.push(source.lines.remove(at));
        }
        for line in moved {
            self.index_line(into, *line);
        }
        // Closed claims and their pickups follow their lines, so a later withdrawal finds them.
        for claim in self.claims.values_mut().filter(|c| c.order == from) {
            claim.order = into;
        }
        for pickup in self.pickups.values_mut().filter(|p| p.order == from) {
            pickup.order = into;
        }
        Ok(())
    }
}

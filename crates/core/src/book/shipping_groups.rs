//! Parcels: delivery info across a bundle (R7), bundles (R6), split and merge (R8).

use super::Book;
use crate::claim::ClaimPick;
use crate::command::SplitRequest;
use crate::event::Change;
use crate::ids::{BundleId, LineId, OrderId};
use crate::order::{DeliveryInfo, Line, LineStatus, Order, OrderOrigin};
use crate::refusal::{Action, Refusal};
use std::collections::BTreeSet;

/// Picked lines — (the line id the claim or split takes, the line as it is now) — and the
/// `LineDivided` changes that partial quantities need first.
pub(super) type Picked<'b> = (Vec<(LineId, &'b Line)>, Vec<Change>);

impl Book {
    /// An order still being prepared, without an invoice: the only kind that can be bundled,
    /// split or merged (R6, R8).
    fn check_preparing(&self, id: OrderId, action: Action) -> Result<&Order, Refusal> {
        let order = self.order(id)?;
        let status = order.status();
        if order.invoice.is_some()
            || order
                .shipping_lines()
                .any(|line| line.status != LineStatus::Preparing)
        {
            return Err(Refusal::NotPreparing {
                order: id,
                status,
                action,
            });
        }
        if order.shipping_lines().next().is_none() {
            return Err(Refusal::AllCancelled(id));
        }
        Ok(order)
    }

    pub(super) fn decide_delivery_info(
        &self,
        id: OrderId,
        info: &DeliveryInfo,
    ) -> Result<Vec<Change>, Refusal> {
        let before = self.order(id)?.delivery.clone();
        let parcel = self.parcel_of(id);
        for order in &parcel {
            if let Some(line) = self
                .order(*order)?
                .shipping_lines()
                .find(|l| l.status.is_shipped())
            {
                return Err(Refusal::IllegalTransition {
                    line: line.id,
                    from: line.status,
                    action: Action::ChangeDeliveryInfo,
                });
            }
        }
        if &before == info {
            return Ok(Vec::new());
        }
        Ok(vec![Change::DeliveryInfoChanged {
            orders: parcel,
            before: Box::new(before),
            after: Box::new(info.clone()),
        }])
    }

    pub(super) fn decide_bundle(
        &self,
        bundle: BundleId,
        orders: &[OrderId],
    ) -> Result<Vec<Change>, Refusal> {
        if self.bundles.contains_key(&bundle) {
            return Err(Refusal::IdTaken {
                what: "bundle".into(),
                id: bundle.to_string(),
            });
        }
        let distinct: BTreeSet<OrderId> = orders.iter().copied().collect();
        if distinct.len() < 2 {
            return Err(Refusal::BundleTooSmall);
        }
        let first = self.order(orders[0])?;
        for id in orders {
            let order = self.check_preparing(*id, Action::Bundle)?;
            if order.no_bundle {
                return Err(Refusal::NoBundle(*id));
            }
            if let Some(bundle) = order.bundle {
                return Err(Refusal::AlreadyBundled { order: *id, bundle });
            }
            if !order.delivery.same_destination(&first.delivery) {
                return Err(Refusal::DifferentDestination(first.id, *id));
            }
        }
        Ok(vec![Change::Bundled {
            bundle,
            orders: distinct.into_iter().collect(),
        }])
    }

    pub(super) fn decide_unbundle(&self, bundle: BundleId) -> Result<Vec<Change>, Refusal> {
        let orders = self
            .bundles
            .get(&bundle)
            .ok_or(Refusal::UnknownBundle(bundle))?;
        for id in orders {
            let order = self.order(*id)?;
            if order.invoice.is_some() {
                return Err(Refusal::NotPreparing {
                    order: *id,
                    status: order.status(),
                    action: Action::Unbundle,
                });
            }
        }
        Ok(vec![Change::Unbundled {
            bundle,
            orders: orders.clone(),
        }])
    }

    pub(super) fn decide_no_bundle(
        &self,
        id: OrderId,
        no_bundle: bool,
    ) -> Result<Vec<Change>, Refusal> {
        let order = self.order(id)?;
        if no_bundle {
            if let Some(bundle) = order.bundle {
                return Err(Refusal::AlreadyBundled { order: id, bundle });
            }
        }
        if order.no_bundle == no_bundle {
            return Ok(Vec::new());
        }
        Ok(vec![Change::NoBundleSet {
            order: id,
            no_bundle,
        }])
    }

    /// Checks picked lines and quantities (R9): each line exists, the quantity is between 1 and
    /// the line's, no line twice, and a partial quantity names a fresh id for the divided line.
    /// Returns each pick with its line, and the `LineDivided` changes partial picks need.
    pub(super) fn resolve_picks<'b>(
        &'b self,
        order: &'b Order,
        picks: &[ClaimPick],
    ) -> Result<Picked<'b>, Refusal> {
        if picks.is_empty() {
            return Err(Refusal::NothingSelected);
        }
        let mut seen = BTreeSet::new();
        let mut resolved = Vec::new();
        let mut divisions = Vec::new();
        for pick in picks {
            let line = order.line(pick.line).ok_or(Refusal::UnknownLine {
                order: order.id,
                line: pick.line,
            })?;
            if !seen.insert(pick.line) {
                return Err(Refusal::BadQuantity {
                    line: pick.line,
                    asked: pick.quantity,
                    available: line.quantity,
                });
            }
            if pick.quantity == 0 || pick.quantity > line.quantity {
                return Err(Refusal::BadQuantity {
                    line: line.id,
                    asked: pick.quantity,
                    available: line.quantity,
                });
            }
            if pick.quantity == line.quantity {
                resolved.push((line.id, line));
                continue;
            }
            let new_line = pick.split_line.ok_or(Refusal::PartNeedsLineId(line.id))?;
            if !seen.insert(new_line) {
                return Err(Refusal::IdTaken {
                    what: "line".into(),
                    id: new_line.to_string(),
                });
            }
            self.check_new_line_id(new_line)?;
            divisions.push(Change::LineDivided {
                order: order.id,
                line: line.id,
                new_line,
                quantity: pick.quantity,
            });
            resolved.push((new_line, line));
        }
        Ok((resolved, divisions))
    }

    pub(super) fn decide_split(&self, request: &SplitRequest) -> Result<Vec<Change>, Refusal> {
        let order = self.check_preparing(request.order, Action::SplitOrder)?;
        self.check_new_order_id(request.new_order)?;
        let (picked, mut changes) = self.resolve_picks(order, &request.lines)?;
        for (_, line) in &picked {
            if !line.ships() {
                return Err(Refusal::ClaimStateForbids {
                    line: line.id,
                    state: line.claim_state,
                    action: Action::SplitLine,
                });
            }
            if let Some(claim) = line.claim.filter(|c| self.claim_is_active(*c)) {
                return Err(Refusal::ClaimAlreadyOpen {
                    line: line.id,
                    claim,
                });
            }
        }
        let moving: u64 = request.lines.iter().map(|p| u64::from(p.quantity)).sum();
        let shipping: u64 = order.shipping_lines().map(|l| u64::from(l.quantity)).sum();
        if moving >= shipping {
            return Err(Refusal::SplitTakesEverything(order.id));
        }
        changes.push(Change::OrderSplit {
            from: order.id,
            new_order: request.new_order,
            lines: picked.iter().map(|(id, _)| *id).collect(),
            no_bundle_original: request.no_bundle_original,
            no_bundle_new: request.no_bundle_new,
            partial_original: request.partial_original,
            partial_new: request.partial_new,
        });
        Ok(changes)
    }

    /// The order a chain of splits started from.
    fn split_root(&self, mut id: OrderId) -> OrderId {
        // Bounded by the number of orders: a split never points at a later order.
        for _ in 0..self.orders.len() {
            match self.orders.get(&id).map(|o| &o.origin) {
                Some(OrderOrigin::Split { from }) if self.orders.contains_key(from) => id = *from,
                _ => break,
            }
        }
        id
    }

    pub(super) fn decide_merge(
        &self,
        into: OrderId,
        from: OrderId,
    ) -> Result<Vec<Change>, Refusal> {
        let target = self.check_preparing(into, Action::MergeOrders)?;
        let source = self.check_preparing(from, Action::MergeOrders)?;
        if into == from || self.split_root(into) != self.split_root(from) {
            return Err(Refusal::NotSplitFamily(into, from));
        }
        // A claim under way names its order; finish or withdraw it before the orders change.
        for line in target.lines.iter().chain(&source.lines) {
            if let Some(claim) = line.claim.filter(|c| self.claim_is_active(*c)) {
                return Err(Refusal::ClaimAlreadyOpen {
                    line: line.id,
                    claim,
                });
            }
        }
        let mut rejoined = Vec::new();
        let mut moved = Vec::new();
        for line in &source.lines {
            let partner = target.lines.iter().find(|t| {
                (t.split_of == Some(line.id) || line.split_of == Some(t.id))
                    && t.status == line.status
                    && t.claim_state == line.claim_state
                    && t.hold == line.hold
                    && t.keys == line.keys
                    && t.claim.is_none()
                    && line.claim.is_none()
            });
            match partner {
                Some(t) => rejoined.push((line.id, t.id)),
                None => moved.push(line.id),
            }
        }
        Ok(vec![Change::OrdersMerged {
            into,
            from,
            rejoined,
            moved,
        }])
    }
}

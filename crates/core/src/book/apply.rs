//! The fold: how each event changes the book. Events were decided against the state they apply
//! to, so applying them only records; what cannot apply (an event stream from elsewhere that does
//! not fit this book) is a [`ReplayError`], never a panic.

use super::Book;
use crate::cancel_sync::LineRef;
use crate::claim::{Claim, ClaimKind, ClaimProgress, HoldReason};
use crate::event::{Change, Event};
use crate::exchange::{Cafe24ExchangeMode, ExchangeState, KakaoExchange};
use crate::ids::{ClaimId, LineId, OrderId, PickupId};
use crate::order::{ClaimState, InvoiceUpload, Line, LineStatus, Order, OrderOrigin};
use crate::stock::Stock;
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

/// An event that does not fit the book it is applied to.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReplayError {
    /// The event names an order the book does not have.
    #[error(
        "event names order {0}, which the book does not have; events are missing or out of order"
    )]
    MissingOrder(OrderId),
    /// The event names a line the order does not have.
    #[error("event names line {line} of order {order}, which does not exist; events are missing or out of order")]
    MissingLine {
        /// The order.
        order: OrderId,
        /// The line.
        line: LineId,
    },
    /// The event names a claim the book does not have.
    #[error("event names claim {0}, which the book does not have")]
    MissingClaim(ClaimId),
    /// The event names a pickup the book does not have.
    #[error("event names pickup {0}, which the book does not have")]
    MissingPickup(PickupId),
    /// The event creates something that already exists.
    #[error("event creates {0}, which already exists; an event was applied twice")]
    Duplicate(String),
    /// A line's quantity would fall to zero or below.
    #[error("event divides line {0} beyond its quantity")]
    Quantity(LineId),
}

/// The CS state of a line while a claim of this kind is under way.
fn in_progress_state(kind: ClaimKind) -> Option<ClaimState> {
    match kind {
        ClaimKind::Cancel => None,
        ClaimKind::Return => Some(ClaimState::Returning),
        ClaimKind::Exchange => Some(ClaimState::Exchanging),
    }
}

/// Changes one line, keeping stock allocation in step with its status (R30): whatever the change,
/// the line's allocation before is released and its allocation after is taken.
fn with_line(
    orders: &mut BTreeMap<OrderId, Order>,
    stock: &mut Stock,
    order: OrderId,
    line: LineId,
    change: impl FnOnce(&mut Line),
) -> Result<(), ReplayError> {
    let found = orders
        .get_mut(&order)
        .ok_or(ReplayError::MissingOrder(order))?
        .line_mut(line)
        .ok_or(ReplayError::MissingLine { order, line })?;
    let before = (found.sku.clone(), found.allocated_quantity());
    change(found);
    let after = (found.sku.clone(), found.allocated_quantity());
    if before != after {
        if let Some(sku) = &before.0 {
            stock.allocate(sku, -i64::from(before.1));
        }
        if let Some(sku) = &after.0 {
            stock.allocate(sku, i64::from(after.1));
        }
    }
    Ok(())
}

/// Changes every line of an order that `pick` selects.
fn with_lines(
    orders: &mut BTreeMap<OrderId, Order>,
    stock: &mut Stock,
    order: OrderId,
    pick: impl Fn(&Line) -> bool,
    change: impl Fn(&mut Line),
) -> Result<(), ReplayError> {
    let ids: Vec<LineId> = orders
        .get(&order)
        .ok_or(ReplayError::MissingOrder(order))?
        .lines
        .iter()
        .filter(|line| pick(line))
        .map(|line| line.id)
        .collect();
    for id in ids {
        with_line(orders, stock, order, id, &change)?;
    }
    Ok(())
}

/// The Kakao Style state of a claim.
fn kakao_mut(
    claims: &mut BTreeMap<ClaimId, Claim>,
    id: ClaimId,
) -> Result<&mut KakaoExchange, ReplayError> {
    claims
        .get_mut(&id)
        .and_then(|c| c.exchange.as_mut())
        .and_then(|e| e.kakao.as_mut())
        .ok_or(ReplayError::MissingClaim(id))
}

fn order_mut(
    orders: &mut BTreeMap<OrderId, Order>,
    id: OrderId,
) -> Result<&mut Order, ReplayError> {
    orders.get_mut(&id).ok_or(ReplayError::MissingOrder(id))
}

impl Book {
    fn index_line(&mut self, order: OrderId, line: LineId) {
        let table = self.table();
        if let Some(o) = self.orders.get(&order) {
            if let Some(l) = o.line(line) {
                self.index
                    .insert(table, &o.marketplace, &l.keys, LineRef { order, line });
                self.line_owner.insert(line, order);
            }
        }
    }

    fn unindex_line(&mut self, order: OrderId, line: LineId) {
        let table = self.table();
        if let Some(o) = self.orders.get(&order) {
            if let Some(l) = o.line(line) {
                self.index
                    .remove(table, &o.marketplace, &l.keys, LineRef { order, line });
                self.line_owner.remove(&line);
            }
        }
    }

    fn set_status(
        &mut self,
        order: OrderId,
        from: LineStatus,
        to: LineStatus,
    ) -> Result<(), ReplayError> {
        with_lines(
            &mut self.orders,
            &mut self.stock,
            order,
            |line| line.status == from && line.ships(),
            |line| line.status = to,
        )
    }

    /// Applies one event.
    pub fn apply(&mut self, event: &Event) -> Result<(), ReplayError> {
        let at = event.at;
        match &event.change {
            Change::OrderCreated(order) => self.apply_order_created(order),
            Change::PaymentConfirmed { order } => {
                order_mut(&mut self.orders, *order)?.dates.paid_at = Some(at);
                self.set_status(*order, LineStatus::AwaitingPayment, LineStatus::Preparing)
            }
            Change::InvoiceIssued { orders, invoice } => {
                for id in orders {
                    order_mut(&mut self.orders, *id)?.invoice = Some(invoice.clone());
                    self.set_status(*id, LineStatus::Preparing, LineStatus::ReadyToShip)?;
                }
                self.tracking
                    .insert(invoice.tracking_no.clone(), orders.clone());
                Ok(())
            }
            Change::InvoiceVoided { orders, invoice } => {
                for id in orders {
                    order_mut(&mut self.orders, *id)?.invoice = None;
                    // Cancelled lines too: no line may claim an invoice its order lost.
                    with_lines(
                        &mut self.orders,
                        &mut self.stock,
                        *id,
                        |line| line.status == LineStatus::ReadyToShip,
                        |line| line.status = LineStatus::Preparing,
                    )?;
                }
                self.tracking.remove(&invoice.tracking_no);
                Ok(())
            }
            Change::InvoicePrinted { orders, .. } => {
                for id in orders {
                    if let Some(invoice) = &mut order_mut(&mut self.orders, *id)?.invoice {
                        invoice.printed_at = Some(at);
                        invoice.label_outdated = false;
                    }
                }
                Ok(())
            }
            Change::Shipped { orders, .. } => {
                for id in orders {
                    self.apply_shipped(*id, at)?;
                }
                Ok(())
            }
            Change::Delivered { order } => {
                order_mut(&mut self.orders, *order)?.dates.delivered_at = Some(at);
                self.set_status(*order, LineStatus::InTransit, LineStatus::Delivered)
            }
            Change::PurchaseConfirmed { order, .. } => {
                order_mut(&mut self.orders, *order)?.dates.confirmed_at = Some(at);
                self.set_status(*order, LineStatus::Delivered, LineStatus::PurchaseConfirmed)
            }
            Change::InvoiceUploaded { order, .. } => {
                order_mut(&mut self.orders, *order)?.invoice_upload = InvoiceUpload::Sent;
                Ok(())
            }
            Change::DeliveryInfoChanged { orders, after, .. } => {
                for id in orders {
                    let order = order_mut(&mut self.orders, *id)?;
                    order.delivery = (**after).clone();
                    if let Some(invoice) = &mut order.invoice {
                        if invoice.printed_at.is_some() {
                            invoice.label_outdated = true;
                        }
                    }
                }
                Ok(())
            }
            Change::Bundled { bundle, orders } => {
                for id in orders {
                    order_mut(&mut self.orders, *id)?.bundle = Some(*bundle);
                }
                self.bundles.insert(*bundle, orders.clone());
                Ok(())
            }
            Change::Unbundled { bundle, orders } => {
                for id in orders {
                    order_mut(&mut self.orders, *id)?.bundle = None;
                }
                self.bundles.remove(bundle);
                Ok(())
            }
            Change::NoBundleSet { order, no_bundle } => {
                order_mut(&mut self.orders, *order)?.no_bundle = *no_bundle;
                Ok(())
            }
            Change::LineDivided {
                order,
                line,
                new_line,
                quantity,
            } => self.apply_divided(*order, *line, *new_line, *quantity),
            Change::OrderSplit {
                from,
                new_order,
                lines,
                no_bundle_original,
                no_bundle_new,
                partial_original,
                partial_new,
            } => {
                let original = order_mut(&mut self.orders, *from)?;
                original.no_bundle = *no_bundle_original || original.no_bundle;
                original.partial_shipping = *partial_original || original.partial_shipping;
                let mut split = Order {
                    id: *new_order,
                    origin: OrderOrigin::Split { from: *from },
                    lines: Vec::new(),
                    bundle: None,
                    no_bundle: *no_bundle_new,
                    partial_shipping: *partial_new,
                    invoice: None,
                    memos: Vec::new(),
                    ..original.clone()
                };
                for id in lines {
                    let at = original.lines.iter().position(|l| l.id == *id).ok_or(
                        ReplayError::MissingLine {
                            order: *from,
                            line: *id,
                        },
                    )?;
                    split.lines.push(original.lines.remove(at));
                }
                if self.orders.contains_key(new_order) {
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
                                order: *from,
                                line: *id,
                            },
                        );
                    }
                }
                self.order_nos
                    .add(&split.marketplace, &split.order_no, *new_order);
                self.orders.insert(*new_order, split);
                for id in moved {
                    self.index_line(*new_order, id);
                }
                Ok(())
            }
            Change::OrdersMerged {
                into,
                from,
                rejoined,
                moved,
            } => self.apply_merged(*into, *from, rejoined, moved),
            Change::HoldPlaced { at: lines, hold } => {
                for r in lines {
                    with_line(&mut self.orders, &mut self.stock, r.order, r.line, |line| {
                        line.hold = Some(hold.clone())
                    })?;
                }
                Ok(())
            }
            Change::HoldReleased { at: lines, .. } => {
                for r in lines {
                    with_line(&mut self.orders, &mut self.stock, r.order, r.line, |line| {
                        line.hold = None
                    })?;
                }
                Ok(())
            }
            Change::ClaimOpened(claim) => {
                if self.claims.contains_key(&claim.id) {
                    return Err(ReplayError::Duplicate(format!("claim {}", claim.id)));
                }
                // A requested marketplace claim only holds its lines; the CS state follows when the
                // operator accepts it.
                let state = (claim.progress == ClaimProgress::Open)
                    .then(|| in_progress_state(claim.kind))
                    .flatten();
                for claimed in &claim.lines {
                    with_line(
                        &mut self.orders,
                        &mut self.stock,
                        claim.order,
                        claimed.line,
                        |line| {
                            line.claim = Some(claim.id);
                            if let Some(state) = state {
                                line.claim_state = state;
                            }
                            if let Some(hold) = &claim.hold {
                                line.hold = Some(hold.clone());
                            }
                        },
                    )?;
                }
                self.claims.insert(claim.id, (**claim).clone());
                Ok(())
            }
            Change::ClaimAccepted { claim, .. } => {
                let found = self
                    .claims
                    .get_mut(claim)
                    .ok_or(ReplayError::MissingClaim(*claim))?;
                found.progress = ClaimProgress::Open;
                let released = found.hold.take();
                let state = in_progress_state(found.kind);
                let (order, lines): (OrderId, Vec<LineId>) =
                    (found.order, found.lines.iter().map(|l| l.line).collect());
                for line in lines {
                    with_line(&mut self.orders, &mut self.stock, order, line, |l| {
                        if released.is_some() && l.hold == released {
                            l.hold = None;
                        }
                        if let Some(state) = state {
                            l.claim_state = state;
                        }
                    })?;
                }
                Ok(())
            }
            Change::ClaimCompleted { claim, .. } => self.apply_claim_completed(*claim, at),
            Change::ClaimConverted { claim, to, .. } => {
                let found = self
                    .claims
                    .get_mut(claim)
                    .ok_or(ReplayError::MissingClaim(*claim))?;
                found.kind = *to;
                found.converted_from_exchange = true;
                Ok(())
            }
            Change::ExchangeArranged { claim, details, .. } => {
                self.claims
                    .get_mut(claim)
                    .ok_or(ReplayError::MissingClaim(*claim))?
                    .exchange = Some((**details).clone());
                Ok(())
            }
            Change::ClaimClosedUndone {
                claim,
                progress,
                reason,
                restored,
                ..
            } => {
                let found = self
                    .claims
                    .get_mut(claim)
                    .ok_or(ReplayError::MissingClaim(*claim))?;
                found.progress = *progress;
                found.closed_at = Some(at);
                found.hold = None;
                if let (Some(reason), Some(kakao)) = (
                    reason,
                    found.exchange.as_mut().and_then(|e| e.kakao.as_mut()),
                ) {
                    kakao.reject_reason = Some(reason.clone());
                }
                let order = found.order;
                for (line, snapshot) in restored {
                    with_line(&mut self.orders, &mut self.stock, order, *line, |l| {
                        l.status = snapshot.status;
                        l.claim_state = snapshot.claim_state;
                        l.hold = snapshot.hold.clone();
                    })?;
                }
                Ok(())
            }
            Change::PickupCreated(pickup) => {
                if self.pickups.contains_key(&pickup.id) {
                    return Err(ReplayError::Duplicate(format!("pickup {}", pickup.id)));
                }
                self.claims
                    .get_mut(&pickup.claim)
                    .ok_or(ReplayError::MissingClaim(pickup.claim))?
                    .pickup = Some(pickup.id);
                self.pickups.insert(pickup.id, (**pickup).clone());
                Ok(())
            }
            Change::PickupStarted { pickup, .. } => {
                self.pickups
                    .get_mut(pickup)
                    .ok_or(ReplayError::MissingPickup(*pickup))?
                    .state = crate::pickup::PickupState::PickingUp;
                Ok(())
            }
            Change::PickupArrived {
                pickup,
                arrived,
                after,
                ..
            } => {
                let found = self
                    .pickups
                    .get_mut(pickup)
                    .ok_or(ReplayError::MissingPickup(*pickup))?;
                for (line, units) in arrived {
                    if let Some(l) = found.lines.iter_mut().find(|l| l.line == *line) {
                        l.arrived += units;
                    }
                }
                found.state = *after;
                found.arrived_at = Some(at);
                Ok(())
            }
            Change::Restocked { pickup, lines, .. } => {
                let found = self
                    .pickups
                    .get_mut(pickup)
                    .ok_or(ReplayError::MissingPickup(*pickup))?;
                let order = found.order;
                for (line, units) in lines {
                    if let Some(l) = found.lines.iter_mut().find(|l| l.line == *line) {
                        l.restocked += units;
                    }
                }
                let order = self
                    .orders
                    .get(&order)
                    .ok_or(ReplayError::MissingOrder(order))?;
                for (line, units) in lines {
                    if let Some(sku) = order.line(*line).and_then(|l| l.sku.clone()) {
                        self.stock.move_on_hand(&sku, i64::from(*units));
                    }
                }
                Ok(())
            }
            Change::ExchangeMoved { claim, to, .. } => {
                let kakao = kakao_mut(&mut self.claims, *claim)?;
                kakao.state = *to;
                match to {
                    ExchangeState::PreparingReplacement => kakao.confirmed_at = Some(at),
                    ExchangeState::ReplacementInTransit => kakao.shipped_at = Some(at),
                    ExchangeState::ReplacementDelivered => kakao.delivered_at = Some(at),
                    _ => {}
                }
                Ok(())
            }
            Change::ExchangeEdited {
                claim,
                options,
                fault,
                payment,
                ..
            } => {
                let found = self
                    .claims
                    .get_mut(claim)
                    .ok_or(ReplayError::MissingClaim(*claim))?;
                found.fault = fault.1;
                if let Some(details) = &mut found.exchange {
                    details.payment = payment.1;
                    for (line, _, after, price) in options {
                        for r in details
                            .replacements
                            .iter_mut()
                            .filter(|r| r.for_line == *line)
                        {
                            r.option = after.clone();
                            r.option_price = *price;
                        }
                    }
                }
                Ok(())
            }
            Change::ExchangeDelayNoticed { claim, notice, .. } => {
                let kakao = kakao_mut(&mut self.claims, *claim)?;
                kakao.delay_notices.push(notice.clone());
                kakao.state = ExchangeState::DelayNoticed;
                Ok(())
            }
            Change::ExchangeLate { claim, penalty, .. } => {
                let kakao = kakao_mut(&mut self.claims, *claim)?;
                kakao.penalty = Some(penalty.clone());
                kakao.state = ExchangeState::Delayed;
                Ok(())
            }
            Change::ReplacementInvoiceSet { claim, after, .. } => {
                let kakao = kakao_mut(&mut self.claims, *claim)?;
                kakao.invoice = Some(after.clone());
                Ok(())
            }
            Change::Cafe24ExchangeResolved { claim, mode, .. } => {
                let details = self
                    .claims
                    .get_mut(claim)
                    .and_then(|c| c.exchange.as_mut())
                    .ok_or(ReplayError::MissingClaim(*claim))?;
                details.cafe24_mode = Some(*mode);
                details.notice_recommended = *mode == Cafe24ExchangeMode::ConsoleOnly;
                Ok(())
            }
            Change::ReplacementLinesAdded { order, lines, .. } => {
                self.apply_lines_added(*order, lines)
            }
            Change::LabelOutdated { orders } => {
                for id in orders {
                    if let Some(invoice) = &mut order_mut(&mut self.orders, *id)?.invoice {
                        if invoice.printed_at.is_some() {
                            invoice.label_outdated = true;
                        }
                    }
                }
                Ok(())
            }
            Change::ClaimAfterConfirmationKept { order, request } => {
                order_mut(&mut self.orders, *order)?
                    .claims_after_confirmation
                    .push((**request).clone());
                Ok(())
            }
            Change::ClaimAfterConfirmationClosed { order, request } => {
                let kept = order_mut(&mut self.orders, *order)?
                    .claims_after_confirmation
                    .iter_mut()
                    .find(|kept| kept.id == *request)
                    .ok_or(ReplayError::MissingClaim(*request))?;
                kept.closed = Some((event.actor.clone(), at));
                Ok(())
            }
            Change::UnmatchedCancelKept(record) => {
                self.unmatched_cancels.push((**record).clone());
                Ok(())
            }
            Change::StockItemRegistered(item) => {
                if self.stock.items.contains_key(&item.sku) {
                    return Err(ReplayError::Duplicate(format!("stock item {}", item.sku)));
                }
                self.stock.items.insert(item.sku.clone(), (**item).clone());
                Ok(())
            }
            Change::StockAdjusted { sku, delta, .. } => {
                self.stock.move_on_hand(sku, *delta);
                Ok(())
            }
            Change::ProductLinked {
                product,
                sku,
                lines,
                ..
            } => {
                self.stock.links.insert(product.clone(), sku.clone());
                for r in lines {
                    with_line(&mut self.orders, &mut self.stock, r.order, r.line, |l| {
                        l.sku = Some(sku.clone())
                    })?;
                }
                Ok(())
            }
            Change::ProductUnlinked { product, lines, .. } => {
                self.stock.links.remove(product);
                for r in lines {
                    with_line(&mut self.orders, &mut self.stock, r.order, r.line, |l| {
                        l.sku = None
                    })?;
                }
                Ok(())
            }
            Change::MemoAdded { order, memo } => {
                order_mut(&mut self.orders, *order)?
                    .memos
                    .push(memo.clone());
                Ok(())
            }
        }
    }

    fn apply_order_created(&mut self, order: &Order) -> Result<(), ReplayError> {
        if self.orders.contains_key(&order.id) {
            return Err(ReplayError::Duplicate(format!("order {}", order.id)));
        }
        for line in &order.lines {
            if let Some(sku) = &line.sku {
                self.stock
                    .allocate(sku, i64::from(line.allocated_quantity()));
            }
        }
        if let Some(invoice) = &order.invoice {
            self.tracking
                .insert(invoice.tracking_no.clone(), vec![order.id]);
        }
        self.order_nos
            .add(&order.marketplace, &order.order_no, order.id);
        let lines: Vec<LineId> = order.lines.iter().map(|l| l.id).collect();
        self.orders.insert(order.id, order.clone());
        for line in lines {
            self.index_line(order.id, line);
        }
        Ok(())
    }

    /// Lines joining an order (the replacements of an exchange before shipping, R10), indexed by
    /// their keys and allocated like collected lines (R30).
    fn apply_lines_added(&mut self, id: OrderId, lines: &[Line]) -> Result<(), ReplayError> {
        for line in lines {
            if self.line_owner.contains_key(&line.id) {
                return Err(ReplayError::Duplicate(format!("line {}", line.id)));
            }
        }
        let order = order_mut(&mut self.orders, id)?;
        order.lines.extend(lines.iter().cloned());
        for line in lines {
            if let Some(sku) = &line.sku {
                self.stock
                    .allocate(sku, i64::from(line.allocated_quantity()));
            }
            self.index_line(id, line.id);
        }
        Ok(())
    }

    fn apply_shipped(&mut self, id: OrderId, at: DateTime<Utc>) -> Result<(), ReplayError> {
        let order = order_mut(&mut self.orders, id)?;
        order.dates.shipped_at = Some(at);
        if order.invoice_upload == InvoiceUpload::NotDue && order.origin != OrderOrigin::Seller {
            order.invoice_upload = InvoiceUpload::Pending;
        }
        // Shipped goods leave the warehouse: on hand goes down by what the parcel carries.
        let leaving: Vec<(crate::stock::Sku, u32)> = order
            .lines
            .iter()
            .filter(|l| l.status == LineStatus::ReadyToShip && l.ships())
            .filter_map(|l| l.sku.clone().map(|sku| (sku, l.quantity)))
            .collect();
        for (sku, units) in leaving {
            self.stock.move_on_hand(&sku, -i64::from(units));
        }
        self.set_status(id, LineStatus::ReadyToShip, LineStatus::InTransit)
    }

    fn apply_divided(
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

    fn apply_merged(
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

    fn apply_claim_completed(&mut self, id: ClaimId, at: DateTime<Utc>) -> Result<(), ReplayError> {
        let claim = self
            .claims
            .get_mut(&id)
            .ok_or(ReplayError::MissingClaim(id))?;
        claim.progress = ClaimProgress::Completed;
        claim.closed_at = Some(at);
        let hold = claim.hold.take();
        let state = match claim.kind {
            ClaimKind::Cancel => ClaimState::Cancelled,
            ClaimKind::Return => ClaimState::Returned,
            ClaimKind::Exchange => ClaimState::Exchanged,
        };
        let order = claim.order;
        let lines: Vec<LineId> = claim.lines.iter().map(|l| l.line).collect();
        for line in lines {
            with_line(&mut self.orders, &mut self.stock, order, line, |l| {
                l.claim_state = state;
                let own_hold = l.hold.as_ref().is_some_and(|h| {
                    Some(h) == hold.as_ref()
                        || matches!(h.reason, HoldReason::MarketplaceClaim(c) if c == id)
                });
                // A line that will never ship (cancelled, or exchanged away before shipping)
                // keeps no hold: there is nothing left to stop.
                if own_hold || !l.ships() {
                    l.hold = None;
                }
            })?;
        }
        if state == ClaimState::Cancelled {
            let order = order_mut(&mut self.orders, order)?;
            if order.is_cancelled() {
                order.dates.cancelled_at = Some(at);
            }
        }
        Ok(())
    }
}

//! The fold: how each event changes the book. Events were decided against the state they apply
//! to, so applying them only records; what cannot apply (an event stream from elsewhere that does
//! not fit this book) is a [`ReplayError`], never a panic.
//!
//! [`Book::apply`] routes each event to the fold of its area, in the files beside this one, which
//! follow the areas the `decide_*` functions do: `lifecycle` (R1–R4, R28, R29), `shipping_groups`
//! (R6–R8), `claims` (R9–R18, R27), `pickups` (R13, R14), `kakao` (R19–R24), `stock` (R30).

mod claims;
mod kakao;
mod lifecycle;
mod pickups;
mod shipping_groups;
mod stock;

use super::Book;
use crate::cancel_sync::LineRef;
use crate::claim::{Claim, ClaimKind};
use crate::event::{Change, Event};
use crate::exchange::KakaoExchange;
use crate::ids::{ClaimId, LineId, OrderId, PickupId};
use crate::order::{ClaimState, Line, LineStatus, Order};
use crate::stock::Stock;
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
pub(super) fn in_progress_state(kind: ClaimKind) -> Option<ClaimState> {
    match kind {
        ClaimKind::Cancel => None,
        ClaimKind::Return => Some(ClaimState::Returning),
        ClaimKind::Exchange => Some(ClaimState::Exchanging),
    }
}

/// Changes one line, keeping stock allocation in step with its status (R30): whatever the change,
/// the line's allocation before is released and its allocation after is taken.
pub(super) fn with_line(
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
pub(super) fn with_lines(
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
pub(super) fn kakao_mut(
    claims: &mut BTreeMap<ClaimId, Claim>,
    id: ClaimId,
) -> Result<&mut KakaoExchange, ReplayError> {
    claims
        .get_mut(&id)
        .and_then(|c| c.exchange.as_mut())
        .and_then(|e| e.kakao.as_mut())
        .ok_or(ReplayError::MissingClaim(id))
}

pub(super) fn order_mut(
    orders: &mut BTreeMap<OrderId, Order>,
    id: OrderId,
) -> Result<&mut Order, ReplayError> {
    orders.get_mut(&id).ok_or(ReplayError::MissingOrder(id))
}

impl Book {
    pub(super) fn index_line(&mut self, order: OrderId, line: LineId) {
        let table = self.table();
        if let Some(o) = self.orders.get(&order) {
            if let Some(l) = o.line(line) {
                self.index
                    .insert(table, &o.marketplace, &l.keys, LineRef { order, line });
                self.line_owner.insert(line, order);
            }
        }
    }

    pub(super) fn unindex_line(&mut self, order: OrderId, line: LineId) {
        let table = self.table();
        if let Some(o) = self.orders.get(&order) {
            if let Some(l) = o.line(line) {
                self.index
                    .remove(table, &o.marketplace, &l.keys, LineRef { order, line });
                self.line_owner.remove(&line);
            }
        }
    }

    pub(super) fn set_status(
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
            // The lifecycle (R1–R4, R28, R29).
            Change::OrderCreated(order) => self.apply_order_created(order),
            Change::PaymentConfirmed { order } => self.apply_payment_confirmed(*order, at),
            Change::InvoiceIssued { orders, invoice } => self.apply_invoice_issued(orders, invoice),
            Change::InvoiceVoided { orders, invoice } => self.apply_invoice_voided(orders, invoice),
            Change::InvoicePrinted { orders, .. } => self.apply_invoice_printed(orders, at),
            Change::LabelOutdated { orders } => self.apply_label_outdated(orders),
            Change::Shipped { orders, .. } => {
                for id in orders {
                    self.apply_shipped(*id, at)?;
                }
                Ok(())
            }
            Change::Delivered { order } => self.apply_delivered(*order, at),
            Change::PurchaseConfirmed { order, .. } => self.apply_purchase_confirmed(*order, at),
            Change::InvoiceUploaded { order, .. } => self.apply_invoice_uploaded(*order),
            Change::MemoAdded { order, memo } => self.apply_memo(*order, memo),
            // Parcels: delivery info, bundles, split and merge (R6–R8).
            Change::DeliveryInfoChanged { orders, after, .. } => {
                self.apply_delivery_info(orders, after)
            }
            Change::Bundled { bundle, orders } => self.apply_bundled(*bundle, orders),
            Change::Unbundled { bundle, orders } => self.apply_unbundled(*bundle, orders),
            Change::NoBundleSet { order, no_bundle } => self.apply_no_bundle(*order, *no_bundle),
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
            } => self.apply_split(
                *from,
                *new_order,
                lines,
                (*no_bundle_original, *no_bundle_new),
                (*partial_original, *partial_new),
            ),
            Change::OrdersMerged {
                into,
                from,
                rejoined,
                moved,
            } => self.apply_merged(*into, *from, rejoined, moved),
            // Claims and holds (R9–R18, R3, R27).
            Change::HoldPlaced { at: lines, hold } => self.apply_hold_placed(lines, hold),
            Change::HoldReleased { at: lines, .. } => self.apply_hold_released(lines),
            Change::ClaimOpened(claim) => self.apply_claim_opened(claim),
            Change::ClaimAccepted { claim, .. } => self.apply_claim_accepted(*claim),
            Change::ClaimCompleted { claim, .. } => self.apply_claim_completed(*claim, at),
            Change::ClaimConverted { claim, to, .. } => self.apply_claim_converted(*claim, *to),
            Change::ExchangeArranged { claim, details, .. } => {
                self.apply_exchange_arranged(*claim, details)
            }
            Change::ClaimClosedUndone {
                claim,
                progress,
                reason,
                restored,
                ..
            } => self.apply_claim_undone(*claim, *progress, reason.as_deref(), restored, at),
            Change::ReplacementLinesAdded { order, lines, .. } => {
                self.apply_lines_added(*order, lines)
            }
            Change::Cafe24ExchangeResolved { claim, mode, .. } => {
                self.apply_cafe24_resolved(*claim, *mode)
            }
            Change::ClaimAfterConfirmationKept { order, request } => {
                self.apply_kept_after_confirmation(*order, request)
            }
            Change::ClaimAfterConfirmationClosed { order, request } => {
                self.apply_closed_after_confirmation(*order, *request, &event.actor, at)
            }
            Change::UnmatchedCancelKept(record) => {
                self.unmatched_cancels.push((**record).clone());
                Ok(())
            }
            Change::KeptCancelMatched(record) => {
                self.unmatched_cancels.retain(|kept| {
                    !(kept.marketplace == record.marketplace
                        && kept.keys == record.keys
                        && kept.status == record.status)
                });
                Ok(())
            }
            // Pickups (R13, R14).
            Change::PickupCreated(pickup) => self.apply_pickup_created(pickup),
            Change::PickupStarted { pickup, .. } => self.apply_pickup_started(*pickup),
            Change::PickupArrived {
                pickup,
                arrived,
                after,
                ..
            } => self.apply_pickup_arrived(*pickup, arrived, *after, at),
            Change::Restocked { pickup, lines, .. } => self.apply_restocked(*pickup, lines),
            // Kakao Style exchanges (R19–R24).
            Change::ExchangeMoved { claim, to, .. } => self.apply_exchange_moved(*claim, *to, at),
            Change::ExchangeEdited {
                claim,
                options,
                fault,
                payment,
                ..
            } => self.apply_exchange_edited(*claim, options, fault.1, payment.1),
            Change::ExchangeDelayNoticed { claim, notice, .. } => {
                self.apply_delay_noticed(*claim, notice)
            }
            Change::ExchangeLate { claim, penalty, .. } => {
                self.apply_exchange_late(*claim, penalty)
            }
            Change::ReplacementInvoiceSet { claim, after, .. } => {
                self.apply_replacement_invoice(*claim, after)
            }
            // Stock (R30).
            Change::StockItemRegistered(item) => self.apply_stock_registered(item),
            Change::StockAdjusted { sku, delta, .. } => {
                self.stock.move_on_hand(sku, *delta);
                Ok(())
            }
            Change::ProductLinked {
                product,
                sku,
                lines,
                ..
            } => self.apply_linked(product, sku, lines),
            Change::ProductUnlinked { product, lines, .. } => self.apply_unlinked(product, lines),
        }
    }
}

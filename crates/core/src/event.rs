//! Events: what a command caused. The console's state is the fold of its events, so replaying
//! them rebuilds it exactly (offline work and sync stand on this), and the events of an order are
//! its history (R31): each carries time, actor and, where a value changed, before and after.

use crate::cancel_sync::{CancelRecord, LineRef};
use crate::carrier::Carrier;
use crate::claim::FeePayment;
use crate::claim::{Claim, ClaimProgress, Hold, LineSnapshot};
use crate::context::Actor;
use crate::exchange::{Cafe24ExchangeMode, DelayNotice, ExchangeState, Penalty};
use crate::fault::Fault;
use crate::ids::{BundleId, ClaimId, LineId, OrderId, PickupId};
use crate::order::{DeliveryInfo, Invoice, Memo, Order};
use crate::pickup::{Pickup, PickupState};
use crate::stock::{ProductKey, Sku, StockItem};
use chrono::{DateTime, Utc};
use jumun_derive::CompactDeserialize;
use serde::{Deserialize, Serialize};

/// One change, with when and by whom (R31).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// When.
    pub at: DateTime<Utc>,
    /// Who.
    pub actor: Actor,
    /// What.
    pub change: Change,
}

/// Lines whose 주문상태 moved together, with the status they left.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Moved {
    /// The order.
    pub order: OrderId,
    /// The lines.
    pub lines: Vec<LineId>,
}

/// What changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, CompactDeserialize)]
pub enum Change {
    /// An order entered the console: collected (R1), created by the seller (R4), or the
    /// replacement order of an exchange (R15, R18).
    OrderCreated(Box<Order>),
    /// 결제대기 → 상품준비 (R2).
    PaymentConfirmed {
        /// The order.
        order: OrderId,
    },
    /// 상품준비 → 배송대기: an invoice for one parcel; every order of a bundle gets it (R6, R28).
    InvoiceIssued {
        /// The orders of the parcel.
        orders: Vec<OrderId>,
        /// The invoice.
        invoice: Invoice,
    },
    /// 배송대기 → 상품준비: the invoice was voided (송장삭제).
    InvoiceVoided {
        /// The orders of the parcel.
        orders: Vec<OrderId>,
        /// The invoice voided.
        invoice: Invoice,
    },
    /// The label was printed (R28).
    InvoicePrinted {
        /// The orders of the parcel.
        orders: Vec<OrderId>,
        /// The invoice number.
        tracking_no: String,
        /// Printed before.
        reprint: bool,
    },
    /// 배송대기 → 배송중: the parcel left (scan or 배송처리, R28).
    Shipped {
        /// The orders of the parcel.
        orders: Vec<OrderId>,
        /// The invoice number.
        tracking_no: String,
    },
    /// 배송중 → 배송완료.
    Delivered {
        /// The order.
        order: OrderId,
    },
    /// 배송완료 → 구매확정, by the buyer or automatically after 7 days (R3).
    PurchaseConfirmed {
        /// The order.
        order: OrderId,
        /// By the 7-day rule rather than the buyer.
        automatic: bool,
    },
    /// The invoice number was sent to the marketplace (R29).
    InvoiceUploaded {
        /// The order.
        order: OrderId,
        /// The number sent.
        tracking_no: String,
    },
    /// 배송정보변경 on every order of a bundle (R7).
    DeliveryInfoChanged {
        /// The orders changed.
        orders: Vec<OrderId>,
        /// Before.
        before: Box<DeliveryInfo>,
        /// After.
        after: Box<DeliveryInfo>,
    },
    /// 합포 (R6).
    Bundled {
        /// The bundle.
        bundle: BundleId,
        /// Its orders.
        orders: Vec<OrderId>,
    },
    /// 합포해제.
    Unbundled {
        /// The bundle.
        bundle: BundleId,
        /// Its orders.
        orders: Vec<OrderId>,
    },
    /// 합포금지 set or cleared.
    NoBundleSet {
        /// The order.
        order: OrderId,
        /// The flag after.
        no_bundle: bool,
    },
    /// One line's quantity divided in two within its order, so that a claim or a split can take
    /// part of it (R8, R9). Quantities are conserved.
    LineDivided {
        /// The order.
        order: OrderId,
        /// The line divided.
        line: LineId,
        /// The new line.
        new_line: LineId,
        /// Units that go to the new line.
        quantity: u32,
    },
    /// 주문나누기: whole lines moved to a new order (R8).
    OrderSplit {
        /// The original order.
        from: OrderId,
        /// The new order.
        new_order: OrderId,
        /// The lines moved.
        lines: Vec<LineId>,
        /// 원주문 합포금지.
        no_bundle_original: bool,
        /// 나누기 주문 합포금지.
        no_bundle_new: bool,
        /// 원주문 부분배송.
        partial_original: bool,
        /// 나누기 주문 부분배송.
        partial_new: bool,
    },
    /// Split orders merged back into one shipment (R8).
    OrdersMerged {
        /// The order that stays.
        into: OrderId,
        /// The order folded into it (it is removed).
        from: OrderId,
        /// Lines of `from` added to a line of `into` that they had been divided from.
        rejoined: Vec<(LineId, LineId)>,
        /// Lines of `from` moved as they are.
        moved: Vec<LineId>,
    },
    /// 보류 placed (R11, R18, R27).
    HoldPlaced {
        /// The lines.
        at: Vec<LineRef>,
        /// The hold.
        hold: Hold,
    },
    /// 보류해제.
    HoldReleased {
        /// The lines.
        at: Vec<LineRef>,
        /// The hold released.
        hold: Hold,
    },
    /// A claim was opened (R9); its lines take the claim's CS state and, if it came from a
    /// marketplace and waits for the operator, a hold (R11).
    ClaimOpened(Box<Claim>),
    /// A marketplace claim was accepted by the operator: requested → open.
    ClaimAccepted {
        /// The claim.
        claim: ClaimId,
        /// Its order.
        order: OrderId,
    },
    /// An exchange's replacement arranged: the replacements and, for CASE1 and the Cafe24
    /// manual exchange, the replacement order (R15, R18).
    ExchangeArranged {
        /// The claim.
        claim: ClaimId,
        /// Its order.
        order: OrderId,
        /// The details.
        details: Box<crate::exchange::ExchangeDetails>,
    },
    /// A marketplace exchange is processed as a cancel or a return instead, because the
    /// marketplace creates the replacement order itself (CASE2, R16).
    ClaimConverted {
        /// The claim.
        claim: ClaimId,
        /// Its order.
        order: OrderId,
        /// The kind it becomes.
        to: crate::claim::ClaimKind,
    },
    /// A claim completed: lines cancelled, returned or exchanged.
    ClaimCompleted {
        /// The claim.
        claim: ClaimId,
        /// Its order.
        order: OrderId,
    },
    /// 철회 or 거부: the claim's lines went back exactly to where they were (R12, R20).
    ClaimClosedUndone {
        /// The claim.
        claim: ClaimId,
        /// Its order.
        order: OrderId,
        /// Withdrawn or rejected.
        progress: ClaimProgress,
        /// The reason the buyer reads (rejects).
        reason: Option<String>,
        /// What each line went back to.
        restored: Vec<(LineId, LineSnapshot)>,
    },
    /// A pickup was registered (R13, R14).
    PickupCreated(Box<Pickup>),
    /// 수거중.
    PickupStarted {
        /// The pickup.
        pickup: PickupId,
        /// Its order.
        order: OrderId,
    },
    /// Goods arrived (도착수량, R14).
    PickupArrived {
        /// The pickup.
        pickup: PickupId,
        /// Its order.
        order: OrderId,
        /// Units arrived now, per line (added to earlier arrivals).
        arrived: Vec<(LineId, u32)>,
        /// State before.
        before: PickupState,
        /// State after.
        after: PickupState,
    },
    /// Arrived goods went back into stock (R14, R30).
    Restocked {
        /// The pickup.
        pickup: PickupId,
        /// Its order.
        order: OrderId,
        /// Units per line.
        lines: Vec<(LineId, u32)>,
    },
    /// A Kakao Style exchange moved (R19, R22).
    ExchangeMoved {
        /// The claim.
        claim: ClaimId,
        /// Its order.
        order: OrderId,
        /// Before.
        from: ExchangeState,
        /// After.
        to: ExchangeState,
    },
    /// Exchange info edited: option, fault, payment (R21).
    ExchangeEdited {
        /// The claim.
        claim: ClaimId,
        /// Its order.
        order: OrderId,
        /// Per replaced line: option before, option after, the new option's extra price.
        options: Vec<(LineId, String, String, crate::money::Won)>,
        /// Fault before → after.
        fault: (Fault, Fault),
        /// Payment before → after.
        payment: (FeePayment, FeePayment),
    },
    /// A delay notice; the buyer is notified (R22).
    ExchangeDelayNoticed {
        /// The claim.
        claim: ClaimId,
        /// Its order.
        order: OrderId,
        /// The notice.
        notice: DelayNotice,
    },
    /// The replacement missed its due date: 교환배송지연 and a penalty (R22).
    ExchangeLate {
        /// The claim.
        claim: ClaimId,
        /// Its order.
        order: OrderId,
        /// The penalty.
        penalty: Penalty,
    },
    /// The replacement's invoice set or edited (R19, R24).
    ReplacementInvoiceSet {
        /// The claim.
        claim: ClaimId,
        /// Its order.
        order: OrderId,
        /// Before.
        before: Option<(Carrier, String)>,
        /// After.
        after: (Carrier, String),
    },
    /// The operator chose how to run a Cafe24 exchange whose line number changed (R18).
    Cafe24ExchangeResolved {
        /// The claim.
        claim: ClaimId,
        /// Its order.
        order: OrderId,
        /// The mode.
        mode: Cafe24ExchangeMode,
    },
    /// An exchange before shipping (R10): the replacement lines join the order the exchanged
    /// lines leave, in the same status, and ship on its invoice.
    ReplacementLinesAdded {
        /// The exchange claim.
        claim: ClaimId,
        /// The order.
        order: OrderId,
        /// The new lines (each names the line it replaces).
        lines: Vec<crate::order::Line>,
    },
    /// What the parcel carries changed after its label was printed: the label names the old
    /// contents, so it must be printed again before the parcel ships (R28).
    LabelOutdated {
        /// The orders of the parcel.
        orders: Vec<OrderId>,
    },
    /// A return or exchange the marketplace reported after 구매확정, kept for the operator
    /// without opening a claim or touching the lines (R3).
    ClaimAfterConfirmationKept {
        /// The order.
        order: OrderId,
        /// The request.
        request: Box<crate::claim::ClaimAfterConfirmation>,
    },
    /// The operator closed such a request (처리완료, R3).
    ClaimAfterConfirmationClosed {
        /// The order.
        order: OrderId,
        /// The request's id.
        request: ClaimId,
    },
    /// A marketplace cancel that matched no line, kept for the operator (R27).
    UnmatchedCancelKept(Box<CancelRecord>),
    /// A kept cancel record matched lines at a later sync (its order was collected after it)
    /// and was applied then: no longer kept (R27).
    KeptCancelMatched(Box<CancelRecord>),
    /// A stock item registered (R30).
    StockItemRegistered(Box<StockItem>),
    /// On-hand quantity changed by receiving or counting (입고, 재고조정).
    StockAdjusted {
        /// The item.
        sku: Sku,
        /// Units added (negative: removed).
        delta: i64,
        /// On hand before.
        before: i64,
    },
    /// 매칭: a product linked to a stock item; the open lines of that product take it (R30).
    ProductLinked {
        /// The product.
        product: ProductKey,
        /// The item.
        sku: Sku,
        /// The item before, if the product was linked to another.
        before: Option<Sku>,
        /// Lines whose stock item changed.
        lines: Vec<LineRef>,
    },
    /// 매칭삭제.
    ProductUnlinked {
        /// The product.
        product: ProductKey,
        /// The item it was linked to.
        sku: Sku,
        /// Lines that lose the item.
        lines: Vec<LineRef>,
    },
    /// A memo added.
    MemoAdded {
        /// The order.
        order: OrderId,
        /// The memo.
        memo: Memo,
    },
}

impl Event {
    /// The orders this event touches, for an order's history (R31).
    pub fn orders(&self) -> Vec<OrderId> {
        match &self.change {
            Change::OrderCreated(order) => vec![order.id],
            Change::PaymentConfirmed { order }
            | Change::Delivered { order }
            | Change::PurchaseConfirmed { order, .. }
            | Change::InvoiceUploaded { order, .. }
            | Change::NoBundleSet { order, .. }
            | Change::LineDivided { order, .. }
            | Change::MemoAdded { order, .. }
            | Change::ClaimAfterConfirmationKept { order, .. }
            | Change::ClaimAfterConfirmationClosed { order, .. } => vec![*order],
            Change::InvoiceIssued { orders, .. }
            | Change::InvoiceVoided { orders, .. }
            | Change::InvoicePrinted { orders, .. }
            | Change::Shipped { orders, .. }
            | Change::DeliveryInfoChanged { orders, .. }
            | Change::Bundled { orders, .. }
            | Change::Unbundled { orders, .. }
            | Change::LabelOutdated { orders } => orders.clone(),
            Change::OrderSplit {
                from, new_order, ..
            } => vec![*from, *new_order],
            Change::OrdersMerged { into, from, .. } => vec![*into, *from],
            Change::HoldPlaced { at, .. }
            | Change::HoldReleased { at, .. }
            | Change::ProductLinked { lines: at, .. }
            | Change::ProductUnlinked { lines: at, .. } => {
                let mut orders: Vec<OrderId> = at.iter().map(|r| r.order).collect();
                orders.dedup();
                orders
            }
            Change::ClaimOpened(claim) => vec![claim.order],
            Change::PickupCreated(pickup) => vec![pickup.order],
            Change::ClaimAccepted { order, .. }
            | Change::ClaimCompleted { order, .. }
            | Change::ExchangeArranged { order, .. }
            | Change::ClaimConverted { order, .. }
            | Change::ClaimClosedUndone { order, .. }
            | Change::PickupStarted { order, .. }
            | Change::PickupArrived { order, .. }
            | Change::Restocked { order, .. }
            | Change::ExchangeMoved { order, .. }
            | Change::ExchangeEdited { order, .. }
            | Change::ExchangeDelayNoticed { order, .. }
            | Change::ExchangeLate { order, .. }
            | Change::ReplacementInvoiceSet { order, .. }
            | Change::Cafe24ExchangeResolved { order, .. }
            | Change::ReplacementLinesAdded { order, .. } => vec![*order],
            Change::UnmatchedCancelKept(_)
            | Change::KeptCancelMatched(_)
            | Change::StockItemRegistered(_)
            | Change::StockAdjusted { .. } => Vec::new(),
        }
    }
}

impl Event {
    /// The claims, pickups and bundles this event changes or creates, beside its orders
    /// ([`Event::orders`]) — what a client that keeps the book in pieces must load to fold it.
    pub fn subjects(&self) -> crate::command::Subjects {
        let mut s = crate::command::Subjects {
            orders: self.orders(),
            ..Default::default()
        };
        match &self.change {
            Change::ClaimOpened(claim) => s.claims.push(claim.id),
            Change::PickupCreated(pickup) => {
                s.pickups.push(pickup.id);
                s.claims.push(pickup.claim);
            }
            Change::ClaimAccepted { claim, .. }
            | Change::ClaimCompleted { claim, .. }
            | Change::ClaimClosedUndone { claim, .. }
            | Change::ClaimConverted { claim, .. }
            | Change::ExchangeArranged { claim, .. }
            | Change::ExchangeMoved { claim, .. }
            | Change::ExchangeEdited { claim, .. }
            | Change::ExchangeDelayNoticed { claim, .. }
            | Change::ExchangeLate { claim, .. }
            | Change::ReplacementInvoiceSet { claim, .. }
            | Change::Cafe24ExchangeResolved { claim, .. }
            | Change::ReplacementLinesAdded { claim, .. } => s.claims.push(*claim),
            Change::PickupStarted { pickup, .. }
            | Change::PickupArrived { pickup, .. }
            | Change::Restocked { pickup, .. } => s.pickups.push(*pickup),
            Change::Bundled { bundle, .. } | Change::Unbundled { bundle, .. } => {
                s.bundles.push(*bundle)
            }
            _ => {}
        }
        s.all_stock = matches!(
            self.change,
            Change::OrderCreated(_)
                | Change::Shipped { .. }
                | Change::Restocked { .. }
                | Change::StockItemRegistered(_)
                | Change::StockAdjusted { .. }
                | Change::ProductLinked { .. }
                | Change::ProductUnlinked { .. }
        ) || !s.orders.is_empty();
        s
    }
}

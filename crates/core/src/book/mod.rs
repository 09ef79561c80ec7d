//! The book: the whole console state — orders, claims, pickups, bundles, stock — and the one way
//! it changes: a [`Command`] is decided against the state into events, or refused; events are
//! applied (folded) into the state. Replaying the events rebuilds the state exactly.
//!
//! The rules are decided in the submodules, one area each: `lifecycle` (R1–R4, R28, R29),
//! `shipping_groups` (R6–R8), `claims` (R9–R18), `pickups` (R13, R14), `kakao` (R19–R24),
//! `cancels` (R25–R27), `stock` (R30). `apply` is the fold.

mod apply;
mod cancels;
mod claims;
mod kakao;
mod lifecycle;
mod pickups;
mod shipping_groups;
mod stock;

pub use apply::ReplayError;

use crate::cancel_sync::{CancelRecord, KeyUsed, LineIndex, LineRef};
use crate::claim::Claim;
use crate::command::Command;
use crate::context::Ctx;
use crate::event::{Change, Event};
use crate::ids::{BundleId, ClaimId, LineId, OrderId, PickupId};
use crate::marketplace::{MarketplaceCode, MarketplaceKeys, MarketplaceProfile, MarketplaceTable};
use crate::order::{Line, Order};
use crate::pickup::Pickup;
use crate::refusal::Refusal;
use crate::stock::Stock;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The console's state: the fold of its events.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(from = "BookState")]
pub struct Book {
    /// Orders by 관리번호.
    pub orders: BTreeMap<OrderId, Order>,
    /// Claims by id.
    pub claims: BTreeMap<ClaimId, Claim>,
    /// Pickups by id.
    pub pickups: BTreeMap<PickupId, Pickup>,
    /// Bundles (합포) and their orders.
    pub bundles: BTreeMap<BundleId, Vec<OrderId>>,
    /// Stock items and product links (R30).
    pub stock: Stock,
    /// Marketplace cancels that matched nothing, kept for the operator (R27).
    pub unmatched_cancels: Vec<CancelRecord>,
    /// Marketplace keys → lines (R26); derived, rebuilt on load.
    #[serde(skip)]
    index: LineIndex,
    /// Invoice number → the orders of its parcel (R28); derived, rebuilt on load.
    #[serde(skip)]
    tracking: FxHashMap<String, Vec<OrderId>>,
    /// (marketplace, 주문번호) → orders, so a sync never collects an order twice; derived.
    #[serde(skip)]
    order_nos: OrderNos,
    /// Line id → its order (line ids are unique across the book); derived.
    #[serde(skip)]
    line_owner: FxHashMap<LineId, OrderId>,
}

/// (marketplace, 주문번호) → orders. Nested so that a lookup borrows its keys instead of
/// allocating them (it runs on every collection).
#[derive(Debug, Clone, Default)]
struct OrderNos(FxHashMap<MarketplaceCode, FxHashMap<String, Vec<OrderId>>>);

impl OrderNos {
    fn get(&self, marketplace: &MarketplaceCode, order_no: &str) -> &[OrderId] {
        self.0
            .get(marketplace)
            .and_then(|by_no| by_no.get(order_no))
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    fn add(&mut self, marketplace: &MarketplaceCode, order_no: &str, order: OrderId) {
        let by_no = match self.0.get_mut(marketplace) {
            Some(by_no) => by_no,
            None => self.0.entry(marketplace.clone()).or_default(),
        };
        match by_no.get_mut(order_no) {
            Some(ids) => ids.push(order),
            None => {
                by_no.insert(order_no.to_owned(), vec![order]);
            }
        }
    }

    fn remove(&mut self, marketplace: &MarketplaceCode, order_no: &str, order: OrderId) {
        if let Some(ids) = self
            .0
            .get_mut(marketplace)
            .and_then(|m| m.get_mut(order_no))
        {
            ids.retain(|id| *id != order);
        }
    }

    fn clear(&mut self) {
        self.0.clear();
    }
}

/// The stored part of a [`Book`], from which the derived indexes are rebuilt.
#[derive(Deserialize)]
struct BookState {
    orders: BTreeMap<OrderId, Order>,
    claims: BTreeMap<ClaimId, Claim>,
    pickups: BTreeMap<PickupId, Pickup>,
    bundles: BTreeMap<BundleId, Vec<OrderId>>,
    stock: Stock,
    unmatched_cancels: Vec<CancelRecord>,
}

impl From<BookState> for Book {
    fn from(state: BookState) -> Self {
        let mut book = Book {
            orders: state.orders,
            claims: state.claims,
            pickups: state.pickups,
            bundles: state.bundles,
            stock: state.stock,
            unmatched_cancels: state.unmatched_cancels,
            ..Book::default()
        };
        book.rebuild_indexes();
        book
    }
}

/// Books are equal when their states are; the derived indexes follow from the state.
impl PartialEq for Book {
    fn eq(&self, other: &Self) -> bool {
        self.orders == other.orders
            && self.claims == other.claims
            && self.pickups == other.pickups
            && self.bundles == other.bundles
            && self.stock == other.stock
            && self.unmatched_cancels == other.unmatched_cancels
    }
}

impl Eq for Book {}

impl Default for Book {
    fn default() -> Self {
        Self {
            orders: BTreeMap::new(),
            claims: BTreeMap::new(),
            pickups: BTreeMap::new(),
            bundles: BTreeMap::new(),
            stock: Stock::default(),
            unmatched_cancels: Vec::new(),
            index: LineIndex::new(),
            tracking: FxHashMap::default(),
            order_nos: OrderNos::default(),
            line_owner: FxHashMap::default(),
        }
    }
}

/// The result of a bulk command: every order succeeds or fails on its own (R5).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkOutcome {
    /// How many commands were applied.
    pub applied: usize,
    /// Each refused command: its position in the batch and the reason.
    pub failures: Vec<(usize, Refusal)>,
    /// The events of the applied commands, in order.
    pub events: Vec<Event>,
}

impl Book {
    /// An empty book.
    pub fn new() -> Self {
        Self::default()
    }

    /// A book from its parts — for example the pieces of a store a client loaded to decide a
    /// command locally (see [`crate::command::Subjects`]). The derived indexes are built.
    pub fn from_parts(
        orders: BTreeMap<OrderId, Order>,
        claims: BTreeMap<ClaimId, Claim>,
        pickups: BTreeMap<PickupId, Pickup>,
        bundles: BTreeMap<BundleId, Vec<OrderId>>,
        stock: Stock,
    ) -> Self {
        Book::from(BookState {
            orders,
            claims,
            pickups,
            bundles,
            stock,
            unmatched_cancels: Vec::new(),
        })
    }

    /// The marketplace table the book matches with.
    pub fn table(&self) -> &'static MarketplaceTable {
        MarketplaceTable::builtin()
    }

    /// Checks a command against the state: the changes it causes, or why it is refused.
    /// Never changes anything.
    pub fn decide(&self, command: &Command, ctx: &Ctx) -> Result<Vec<Change>, Refusal> {
        match command {
            Command::CollectOrder(new) => self.decide_collect(new, ctx, false),
            Command::CreateSellerOrder(new) => self.decide_collect(new, ctx, true),
            Command::ConfirmPayment { order } => self.decide_confirm_payment(*order),
            Command::IssueInvoice {
                order,
                carrier,
                tracking_no,
            } => self.decide_issue_invoice(*order, carrier, tracking_no, ctx),
            Command::VoidInvoice { order } => self.decide_void_invoice(*order),
            Command::PrintInvoice { order } => self.decide_print(*order),
            Command::Ship { order } => self.decide_ship(*order),
            Command::ScanToShip { tracking_no } => self.decide_scan(tracking_no),
            Command::MarkDelivered { order } => self.decide_delivered(*order),
            Command::ConfirmPurchase { order } => self.decide_confirm_purchase(*order, false),
            Command::RecordInvoiceUpload { order } => self.decide_invoice_upload(*order),
            Command::ChangeDeliveryInfo { order, info } => self.decide_delivery_info(*order, info),
            Command::Bundle { bundle, orders } => self.decide_bundle(*bundle, orders),
            Command::Unbundle { bundle } => self.decide_unbundle(*bundle),
            Command::SetNoBundle { order, no_bundle } => self.decide_no_bundle(*order, *no_bundle),
            Command::Split(request) => self.decide_split(request),
            Command::Merge { into, from } => self.decide_merge(*into, *from),
            Command::PlaceHold {
                order,
                lines,
                reason,
            } => self.decide_place_hold(*order, lines, reason, ctx),
            Command::ReleaseHold { order, lines } => self.decide_release_hold(*order, lines),
            Command::Cancel(request) => self.decide_cancel(request, ctx),
            Command::Return(request) => self.decide_return(request, ctx),
            Command::Exchange(request) => self.decide_exchange(request, ctx),
            Command::CollectClaim(collected) => self.decide_collect_claim(collected, ctx),
            Command::WithdrawClaim { claim } => self.decide_withdraw(*claim),
            Command::SyncCancels { records, ids } => self.decide_sync_cancels(records, *ids, ctx),
            Command::StartPickup { pickup } => self.decide_start_pickup(*pickup),
            Command::RecordArrival { pickup, arrived } => {
                self.decide_arrival(*pickup, arrived, ctx)
            }
            Command::Restock { pickup, lines } => self.decide_restock(*pickup, lines),
            Command::AcceptExchange { claim } => self.decide_kakao_accept(*claim),
            Command::CompleteExchangePickup { claim } => self.decide_kakao_pickup_done(*claim),
            Command::ConfirmExchange { claim } => self.decide_kakao_confirm(*claim),
            Command::ShipReplacement {
                claim,
                carrier,
                tracking_no,
            } => self.decide_kakao_ship(*claim, carrier, tracking_no),
            Command::MarkReplacementDelivered { claim } => self.decide_kakao_delivered(*claim),
            Command::RejectExchange { claim, reason } => self.decide_kakao_reject(*claim, reason),
            Command::EditExchange {
                claim,
                options,
                fault,
                payment,
            } => self.decide_kakao_edit(*claim, options, *fault, *payment),
            Command::NoticeExchangeDelay { claim, due } => {
                self.decide_kakao_delay(*claim, *due, ctx)
            }
            Command::EditReplacementInvoice {
                claim,
                carrier,
                tracking_no,
            } => self.decide_kakao_edit_invoice(*claim, carrier, tracking_no),
            Command::ResolveCafe24Exchange {
                claim,
                mode,
                exchange_order,
                replacements,
                swap,
                pickup,
            } => self.decide_cafe24_exchange(
                *claim,
                *mode,
                *exchange_order,
                replacements,
                *swap,
                pickup.as_ref(),
                ctx,
            ),
            Command::RegisterStockItem(item) => self.decide_register_stock(item),
            Command::AdjustStock { sku, delta } => self.decide_adjust_stock(sku, *delta),
            Command::LinkProduct { product, sku } => self.decide_link(product, sku),
            Command::UnlinkProduct { product } => self.decide_unlink(product),
            Command::AddMemo { order, text, kind } => self.decide_memo(*order, text, *kind, ctx),
            Command::CloseClaimAfterConfirmation { order, request } => {
                self.decide_close_claim_after_confirmation(*order, *request)
            }
        }
    }

    /// Decides a command and applies its events. A refused command changes nothing.
    pub fn execute(&mut self, command: &Command, ctx: &Ctx) -> Result<Vec<Event>, Refusal> {
        let changes = self.decide(command, ctx)?;
        let events: Vec<Event> = changes
            .into_iter()
            .map(|change| Event {
                at: ctx.now,
                actor: ctx.actor.clone(),
                change,
            })
            .collect();
        for event in &events {
            if let Err(error) = self.apply(event) {
                // A decided event that does not apply is a bug in the engine, not the operator's
                // doing; say so plainly rather than leave a half-applied command unexplained.
                return Err(Refusal::Inconsistent(error.to_string()));
            }
        }
        Ok(events)
    }

    /// Runs any number of commands (일괄처리, R5): each succeeds or fails on its own, and every
    /// failure is reported with its reason.
    pub fn execute_bulk<'c>(
        &mut self,
        commands: impl IntoIterator<Item = &'c Command>,
        ctx: &Ctx,
    ) -> BulkOutcome {
        let mut outcome = BulkOutcome::default();
        for (position, command) in commands.into_iter().enumerate() {
            match self.execute(command, ctx) {
                Ok(events) => {
                    outcome.applied += 1;
                    outcome.events.extend(events);
                }
                Err(refusal) => outcome.failures.push((position, refusal)),
            }
        }
        outcome
    }

    /// Rebuilds a book from its events.
    pub fn replay<'e>(events: impl IntoIterator<Item = &'e Event>) -> Result<Book, ReplayError> {
        let mut book = Book::new();
        for event in events {
            book.apply(event)?;
        }
        Ok(book)
    }

    /// The order with this id.
    pub fn order(&self, id: OrderId) -> Result<&Order, Refusal> {
        self.orders.get(&id).ok_or(Refusal::UnknownOrder(id))
    }

    /// A line of an order.
    pub fn line(&self, order: OrderId, line: LineId) -> Result<&Line, Refusal> {
        self.order(order)?
            .line(line)
            .ok_or(Refusal::UnknownLine { order, line })
    }

    /// The claim with this id.
    pub fn claim(&self, id: ClaimId) -> Result<&Claim, Refusal> {
        self.claims.get(&id).ok_or(Refusal::UnknownClaim(id))
    }

    /// The pickup with this id.
    pub fn pickup(&self, id: PickupId) -> Result<&Pickup, Refusal> {
        self.pickups.get(&id).ok_or(Refusal::UnknownPickup(id))
    }

    /// The profile of an order's marketplace.
    pub fn profile(
        &self,
        marketplace: &MarketplaceCode,
    ) -> Result<&'static MarketplaceProfile, Refusal> {
        self.table()
            .get(marketplace)
            .ok_or_else(|| Refusal::UnknownMarketplace(marketplace.clone()))
    }

    /// What the parcel of an order carries, order by order: the lines that ship — never a
    /// cancelled line or one exchanged away before shipping (R10, R28) — of every order of the
    /// bundle that has one. The label's 상품명(+수량) and the packing list print these.
    pub fn parcel_lines(&self, order: OrderId) -> Vec<(OrderId, &Line)> {
        self.parcel_of(order)
            .into_iter()
            .filter_map(|id| self.orders.get(&id))
            .flat_map(|o| o.shipping_lines().map(move |line| (o.id, line)))
            .collect()
    }

    /// The orders of an order's parcel: its bundle, or the order alone (R6).
    pub fn parcel_of(&self, order: OrderId) -> Vec<OrderId> {
        self.orders
            .get(&order)
            .and_then(|o| o.bundle)
            .and_then(|bundle| self.bundles.get(&bundle))
            .cloned()
            .unwrap_or_else(|| vec![order])
    }

    /// The orders whose parcel carries this invoice number (R28).
    pub fn orders_with_tracking(&self, tracking_no: &str) -> Option<&[OrderId]> {
        self.tracking.get(tracking_no.trim()).map(Vec::as_slice)
    }

    /// The orders collected with this marketplace order number.
    pub fn orders_with_order_no(
        &self,
        marketplace: &MarketplaceCode,
        order_no: &str,
    ) -> &[OrderId] {
        self.order_nos.get(marketplace, order_no)
    }

    /// The lines a marketplace record names, by hash lookup on the marketplace's key, then its
    /// fallback (R26).
    pub fn find_lines(
        &self,
        marketplace: &MarketplaceCode,
        keys: &MarketplaceKeys,
    ) -> Option<(Vec<LineRef>, KeyUsed)> {
        self.index.lookup(self.table(), marketplace, keys, |at| {
            self.orders
                .get(&at.order)
                .and_then(|order| order.line(at.line))
                .map(|line| &line.keys)
        })
    }

    /// Whether an id is free for a new order.
    fn check_new_order_id(&self, id: OrderId) -> Result<(), Refusal> {
        if self.orders.contains_key(&id) {
            return Err(Refusal::IdTaken {
                what: "order".into(),
                id: id.to_string(),
            });
        }
        Ok(())
    }

    /// Checks that a new line's id is used nowhere in the book (line ids are unique).
    fn check_new_line_id(&self, id: LineId) -> Result<(), Refusal> {
        if self.line_owner.contains_key(&id) {
            return Err(Refusal::IdTaken {
                what: "line".into(),
                id: id.to_string(),
            });
        }
        Ok(())
    }

    /// Rebuilds the derived indexes from the state (after loading a snapshot).
    pub fn rebuild_indexes(&mut self) {
        let table = self.table();
        let lines: usize = self.orders.values().map(|o| o.lines.len()).sum();
        self.index = LineIndex::with_capacity(lines);
        self.tracking.clear();
        self.order_nos.clear();
        self.line_owner.clear();
        self.line_owner.reserve(lines);
        for order in self.orders.values() {
            for line in &order.lines {
                self.line_owner.insert(line.id, order.id);
                self.index.insert(
                    table,
                    &order.marketplace,
                    &line.keys,
                    LineRef {
                        order: order.id,
                        line: line.id,
                    },
                );
            }
            if let Some(invoice) = &order.invoice {
                self.tracking
                    .entry(invoice.tracking_no.clone())
                    .or_default()
                    .push(order.id);
            }
            self.order_nos
                .add(&order.marketplace, &order.order_no, order.id);
        }
    }
}

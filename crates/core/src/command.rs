//! Commands: what an operator, a sync or an automatic rule asks of the console. Each is checked
//! against the current state by [`crate::Book::decide`] and yields events, or a [`Refusal`] that
//! changes nothing.
//!
//! [`Refusal`]: crate::Refusal

use crate::cancel_sync::CancelRecord;
use crate::carrier::Carrier;
use crate::claim::{ClaimKind, ClaimPick, FeePayment, Reason};
use crate::exchange::Cafe24ExchangeMode;
use crate::fault::Fault;
use crate::ids::{BundleId, ClaimId, IdBlock, LineId, OrderId, PickupId};
use crate::marketplace::MarketplaceKeys;
use crate::money::Won;
use crate::order::{DeliveryInfo, MemoKind, NewOrder};
use crate::pickup::PickupPlan;
use crate::stock::{ProductKey, Sku, StockItem};
use chrono::{DateTime, Utc};
use jumun_derive::CompactDeserialize;
use serde::{Deserialize, Serialize};

/// A command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, CompactDeserialize)]
pub enum Command {
    /// 주문수집: an order collected from its marketplace (R1). Collecting an order already in the
    /// console is refused (the sync asks by 주문번호 first).
    CollectOrder(NewOrder),
    /// 판매자 주문 생성 (R4).
    CreateSellerOrder(NewOrder),
    /// 입금확인: 결제대기 → 상품준비 (R2); refused for an order cancelled at its deadline (R4).
    ConfirmPayment {
        /// The order.
        order: OrderId,
    },
    /// 송장입력: carrier and invoice number for the order's parcel (its whole bundle, R6, R28).
    IssueInvoice {
        /// The order.
        order: OrderId,
        /// 택배사.
        carrier: Carrier,
        /// 송장번호.
        tracking_no: String,
    },
    /// 송장삭제: back to 상품준비.
    VoidInvoice {
        /// The order.
        order: OrderId,
    },
    /// 송장출력 (R28).
    PrintInvoice {
        /// The order.
        order: OrderId,
    },
    /// 배송처리 of an order's parcel (R28).
    Ship {
        /// The order.
        order: OrderId,
    },
    /// 송장 스캔: the scanned invoice number ships its parcel (R28).
    ScanToShip {
        /// The scanned number.
        tracking_no: String,
    },
    /// 배송완료.
    MarkDelivered {
        /// The order.
        order: OrderId,
    },
    /// 구매확정 by the buyer (R3).
    ConfirmPurchase {
        /// The order.
        order: OrderId,
    },
    /// The invoice number was sent to the marketplace (R29).
    RecordInvoiceUpload {
        /// The order.
        order: OrderId,
    },
    /// 배송정보변경 (R7).
    ChangeDeliveryInfo {
        /// The order.
        order: OrderId,
        /// The new info.
        info: DeliveryInfo,
    },
    /// 합포 (R6).
    Bundle {
        /// The new bundle's id.
        bundle: BundleId,
        /// The orders, at least two.
        orders: Vec<OrderId>,
    },
    /// 합포해제.
    Unbundle {
        /// The bundle.
        bundle: BundleId,
    },
    /// 합포금지 on or off.
    SetNoBundle {
        /// The order.
        order: OrderId,
        /// The flag.
        no_bundle: bool,
    },
    /// 주문나누기 (R8).
    Split(SplitRequest),
    /// Merge split orders back into one shipment (R8).
    Merge {
        /// The order that stays.
        into: OrderId,
        /// The order folded into it.
        from: OrderId,
    },
    /// 보류처리 by an operator.
    PlaceHold {
        /// The order.
        order: OrderId,
        /// The lines (empty: all lines).
        lines: Vec<LineId>,
        /// Why.
        reason: String,
    },
    /// 보류해제: releases whatever hold the lines have. A hold a claim placed is released by
    /// processing or withdrawing the claim; an operator may still release it knowingly.
    ReleaseHold {
        /// The order.
        order: OrderId,
        /// The lines (empty: all held lines).
        lines: Vec<LineId>,
    },
    /// CS처리 취소 (R9, R10). With the id of a claim collected from the marketplace, processes it.
    Cancel(ClaimRequest),
    /// CS처리 반품 (R9, R10, R13).
    Return(ReturnRequest),
    /// CS처리 교환 (R9, R10, R15–R17): after shipping the console makes the replacement order
    /// and picks the old item up; before shipping (배송전CS처리) the replacement joins the order
    /// in place of the chosen lines and nothing is picked up. On a CASE2 marketplace processed as
    /// a cancel or a return (R16).
    Exchange(ExchangeRequest),
    /// A claim collected from the marketplace: holds its lines until processed (R11).
    CollectClaim(CollectedClaim),
    /// 철회 (R12).
    WithdrawClaim {
        /// The claim.
        claim: ClaimId,
    },
    /// Marketplace cancels from one sync run (R25–R27).
    SyncCancels {
        /// The records.
        records: Vec<CancelRecord>,
        /// Fresh ids for the claims and divided lines the sync creates (two per record is
        /// always enough).
        ids: IdBlock,
    },
    /// 수거중 (R14).
    StartPickup {
        /// The pickup.
        pickup: PickupId,
    },
    /// 도착: arrived quantities (R14).
    RecordArrival {
        /// The pickup.
        pickup: PickupId,
        /// Units arrived per line.
        arrived: Vec<(LineId, u32)>,
    },
    /// 입고: arrived goods back into stock (R14, R30).
    Restock {
        /// The pickup.
        pickup: PickupId,
        /// Units per line.
        lines: Vec<(LineId, u32)>,
    },
    /// Kakao Style 교환 접수 (R19).
    AcceptExchange {
        /// The claim.
        claim: ClaimId,
    },
    /// Kakao Style 교환 수거 완료 (R19).
    CompleteExchangePickup {
        /// The claim.
        claim: ClaimId,
    },
    /// Kakao Style 교환 수거 완료 확정 (R19, R20).
    ConfirmExchange {
        /// The claim.
        claim: ClaimId,
    },
    /// Kakao Style 교환 배송중 처리 (R19).
    ShipReplacement {
        /// The claim.
        claim: ClaimId,
        /// 택배사.
        carrier: Carrier,
        /// 운송장 번호.
        tracking_no: String,
    },
    /// Kakao Style 교환배송완료 (R19).
    MarkReplacementDelivered {
        /// The claim.
        claim: ClaimId,
    },
    /// Kakao Style 교환 거부 (R20).
    RejectExchange {
        /// The claim.
        claim: ClaimId,
        /// The reason the buyer reads.
        reason: String,
    },
    /// Kakao Style 교환 상품 정보 수정 (R21).
    EditExchange {
        /// The claim.
        claim: ClaimId,
        /// New option per replaced line (same product only).
        options: Vec<(LineId, String, Won)>,
        /// 귀책사유.
        fault: Fault,
        /// 동봉 or 송금.
        payment: FeePayment,
    },
    /// Kakao Style 교환 배송 연기 안내 (R22).
    NoticeExchangeDelay {
        /// The claim.
        claim: ClaimId,
        /// The new due date.
        due: DateTime<Utc>,
    },
    /// Kakao Style 송장 정보 수정 (R24).
    EditReplacementInvoice {
        /// The claim.
        claim: ClaimId,
        /// 택배사.
        carrier: Carrier,
        /// 운송장 번호.
        tracking_no: String,
    },
    /// Runs a Cafe24 exchange whose line number changed in the console (R18): the console makes
    /// the exchange order. Lines still in the warehouse are exchanged away at once (never
    /// shipped, nothing picked up, the replacement not held); shipped lines are picked up.
    ResolveCafe24Exchange {
        /// The claim held for manual handling.
        claim: ClaimId,
        /// How.
        mode: Cafe24ExchangeMode,
        /// The replacement order's id.
        exchange_order: OrderId,
        /// The replacements.
        replacements: Vec<ReplacementRequest>,
        /// Whether the replacement ships before the old item is back (R17; meaningless before
        /// shipping).
        swap: bool,
        /// The pickup of the old item: required when the lines shipped, refused when they did
        /// not.
        pickup: Option<PickupPlan>,
    },
    /// 재고 등록 (R30).
    RegisterStockItem(StockItem),
    /// 입고 / 재고조정 (R30).
    AdjustStock {
        /// The item.
        sku: Sku,
        /// Units added (negative: removed).
        delta: i64,
    },
    /// 매칭 (R30).
    LinkProduct {
        /// The product.
        product: ProductKey,
        /// The item.
        sku: Sku,
    },
    /// 매칭삭제 (R30).
    UnlinkProduct {
        /// The product.
        product: ProductKey,
    },
    /// 처리완료 of a return or exchange the marketplace reported after 구매확정 (R3): the operator
    /// has settled it with the buyer or refused it at the marketplace.
    CloseClaimAfterConfirmation {
        /// The order.
        order: OrderId,
        /// The request's id.
        request: ClaimId,
    },
    /// C/S메모 or 주문메모.
    AddMemo {
        /// The order.
        order: OrderId,
        /// The text.
        text: String,
        /// Which kind.
        kind: MemoKind,
    },
}

/// A cancel, with the lines and quantities chosen (R9).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimRequest {
    /// The claim's id: a new one, or the id of a requested marketplace claim to process.
    pub claim: ClaimId,
    /// The order.
    pub order: OrderId,
    /// Lines and quantities (empty: those of the marketplace claim being processed).
    pub lines: Vec<ClaimPick>,
    /// CS타입.
    pub reason: Reason,
    /// 귀책사유.
    pub fault: Fault,
    /// C/S메모.
    pub memo: String,
}

/// A return (R13).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnRequest {
    /// Lines, quantities, reason, fault, memo.
    pub claim: ClaimRequest,
    /// How the goods come back; `None` only with `complete_at_once`.
    pub pickup: Option<PickupPlan>,
    /// 즉시완료 처리: complete the return now, without waiting for the goods.
    pub complete_at_once: bool,
}

/// The replacement asked for one exchanged line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplacementRequest {
    /// The line being exchanged.
    pub for_line: LineId,
    /// The new line's id in the exchange order.
    pub new_line: LineId,
    /// 상품명 (CASE1 may send another product; Kakao Style the same product only, R21).
    pub product_name: String,
    /// 옵션.
    pub option: String,
    /// 옵션추가금액 per unit.
    pub option_price: Won,
    /// The marketplace keys of the replacement (product code, option id), if known.
    pub keys: Option<MarketplaceKeys>,
}

/// An exchange (R10, R15–R17).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, CompactDeserialize)]
pub struct ExchangeRequest {
    /// Lines, quantities, reason, fault, memo.
    pub claim: ClaimRequest,
    /// The replacement for each line (before shipping, `new_line` is the replacement line's id
    /// in the same order).
    pub replacements: Vec<ReplacementRequest>,
    /// The replacement order's id (CASE1 after shipping; unused before shipping, when the
    /// replacement joins the original order).
    pub exchange_order: OrderId,
    /// 맞교환 (R17).
    pub swap: bool,
    /// How the old item comes back: required after shipping (CASE1), refused before shipping
    /// (nothing to pick up).
    pub pickup: Option<PickupPlan>,
    /// One-way shipping fee, for the exchange costs (R23); must be zero before shipping (no
    /// trip to charge).
    pub shipping_fee_one_way: Won,
    /// How the buyer pays what they owe (동봉 / 송금).
    pub payment: FeePayment,
}

/// A claim as a marketplace reports it (R11).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, CompactDeserialize)]
pub struct CollectedClaim {
    /// The console's id for it.
    pub claim: ClaimId,
    /// The marketplace.
    pub marketplace: crate::marketplace::MarketplaceCode,
    /// Cancel, return or exchange.
    pub kind: ClaimKind,
    /// The keys naming the line.
    pub keys: MarketplaceKeys,
    /// Units (`None`: the whole line).
    pub quantity: Option<u32>,
    /// The marketplace's status word.
    pub status: String,
    /// The marketplace's claim number.
    pub claim_no: Option<String>,
    /// The reason as sent.
    pub reason: Reason,
    /// Fault as sent.
    pub fault: Fault,
    /// Requested option for an exchange, as sent.
    pub requested_option: Option<String>,
    /// Ids for lines divided off when the claim covers part of a line.
    pub split_line: Option<LineId>,
}

/// 주문나누기 (R8).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, CompactDeserialize)]
pub struct SplitRequest {
    /// The order to split.
    pub order: OrderId,
    /// The new order's id.
    pub new_order: OrderId,
    /// Lines and quantities to move (a quantity below the line's divides the line first).
    pub lines: Vec<ClaimPick>,
    /// 원주문 합포금지 설정.
    pub no_bundle_original: bool,
    /// 나누기 주문 합포금지 설정.
    pub no_bundle_new: bool,
    /// 원주문 부분배송 설정.
    pub partial_original: bool,
    /// 나누기 주문 부분배송 설정.
    pub partial_new: bool,
}

/// What a command names directly, so a client that keeps the book in pieces (the browser, in
/// IndexedDB) can load just those pieces — with the orders' bundle mates, their lines' claims and
/// those claims' pickups — into a partial [`crate::Book`] to decide the command locally.
/// Commands that look entities up by marketplace keys or invoice number name them in
/// `marketplace_keys` / `tracking_nos`; `all_stock` asks for the stock table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Subjects {
    /// Orders named.
    pub orders: Vec<OrderId>,
    /// Claims named.
    pub claims: Vec<ClaimId>,
    /// Pickups named.
    pub pickups: Vec<PickupId>,
    /// Bundles named.
    pub bundles: Vec<BundleId>,
    /// Invoice numbers named (scan to ship).
    pub tracking_nos: Vec<String>,
    /// Marketplace records that find their lines by key (claims, cancel sync).
    pub marketplace_keys: Vec<(crate::marketplace::MarketplaceCode, MarketplaceKeys)>,
    /// The command reads or writes stock items and product links.
    pub all_stock: bool,
}

impl Command {
    /// The entities this command names (see [`Subjects`]).
    pub fn subjects(&self) -> Subjects {
        let mut s = Subjects::default();
        match self {
            Command::CollectOrder(new) | Command::CreateSellerOrder(new) => {
                s.orders.push(new.id);
                s.all_stock = true;
            }
            Command::ConfirmPayment { order }
            | Command::IssueInvoice { order, .. }
            | Command::VoidInvoice { order }
            | Command::PrintInvoice { order }
            | Command::Ship { order }
            | Command::MarkDelivered { order }
            | Command::ConfirmPurchase { order }
            | Command::RecordInvoiceUpload { order }
            | Command::ChangeDeliveryInfo { order, .. }
            | Command::SetNoBundle { order, .. }
            | Command::PlaceHold { order, .. }
            | Command::ReleaseHold { order, .. }
            | Command::AddMemo { order, .. }
            | Command::CloseClaimAfterConfirmation { order, .. } => s.orders.push(*order),
            Command::ScanToShip { tracking_no } => {
                s.tracking_nos.push(tracking_no.trim().to_owned())
            }
            Command::Bundle { bundle, orders } => {
                s.bundles.push(*bundle);
                s.orders.extend(orders.iter().copied());
            }
            Command::Unbundle { bundle } => s.bundles.push(*bundle),
            Command::Split(request) => s.orders.extend([request.order, request.new_order]),
            Command::Merge { into, from } => s.orders.extend([*into, *from]),
            Command::Cancel(request) => {
                s.orders.push(request.order);
                s.claims.push(request.claim);
            }
            Command::Return(request) => {
                s.orders.push(request.claim.order);
                s.claims.push(request.claim.claim);
                s.pickups.extend(request.pickup.as_ref().map(|p| p.id));
            }
            Command::Exchange(request) => {
                s.orders
                    .extend([request.claim.order, request.exchange_order]);
                s.claims.push(request.claim.claim);
                s.pickups.extend(request.pickup.as_ref().map(|p| p.id));
                s.all_stock = true;
            }
            Command::CollectClaim(collected) => {
                s.claims.push(collected.claim);
                s.marketplace_keys
                    .push((collected.marketplace.clone(), collected.keys.clone()));
            }
            Command::SyncCancels { records, .. } => {
                s.marketplace_keys.extend(
                    records
                        .iter()
                        .map(|r| (r.marketplace.clone(), r.keys.clone())),
                );
            }
            Command::WithdrawClaim { claim }
            | Command::AcceptExchange { claim }
            | Command::CompleteExchangePickup { claim }
            | Command::ConfirmExchange { claim }
            | Command::MarkReplacementDelivered { claim }
            | Command::RejectExchange { claim, .. }
            | Command::EditExchange { claim, .. }
            | Command::NoticeExchangeDelay { claim, .. }
            | Command::EditReplacementInvoice { claim, .. } => s.claims.push(*claim),
            Command::ShipReplacement { claim, .. } => {
                s.claims.push(*claim);
                s.all_stock = true;
            }
            Command::ResolveCafe24Exchange {
                claim,
                exchange_order,
                pickup,
                ..
            } => {
                s.claims.push(*claim);
                s.orders.push(*exchange_order);
                s.pickups.extend(pickup.as_ref().map(|p| p.id));
                s.all_stock = true;
            }
            Command::StartPickup { pickup }
            | Command::RecordArrival { pickup, .. }
            | Command::Restock { pickup, .. } => {
                s.pickups.push(*pickup);
                s.all_stock = true;
            }
            Command::RegisterStockItem(_)
            | Command::AdjustStock { .. }
            | Command::LinkProduct { .. }
            | Command::UnlinkProduct { .. } => s.all_stock = true,
        }
        s
    }
}

//! Orders and their lines (R1), delivery info (R7), invoices (R28) and the line lifecycle (R2).

mod status;

pub use status::{ClaimState, LineStatus};

use crate::carrier::Carrier;
use crate::claim::{ClaimAfterConfirmation, Hold};
use crate::ids::{BundleId, ClaimId, LineId, OrderId};
use crate::marketplace::{MarketplaceCode, MarketplaceKeys};
use crate::money::Won;
use crate::stock::Sku;
use chrono::{DateTime, Utc};
use jumun_derive::CompactDeserialize;
use serde::{Deserialize, Serialize};

/// Where an order came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum OrderOrigin {
    /// 주문수집: collected from the marketplace (R1).
    Collected,
    /// 판매자 주문 생성: created by the seller, for example in place of an unpaid order that the
    /// payment deadline cancelled (R4).
    Seller,
    /// The replacement order of an exchange made in the console (CASE1, R15; Cafe24, R18).
    Exchange {
        /// The order whose lines are exchanged.
        original: OrderId,
        /// The exchange claim.
        claim: ClaimId,
    },
    /// 주문나누기: lines moved out of another order for partial shipping (R8).
    Split {
        /// The order the lines came from.
        from: OrderId,
    },
}

/// How the buyer pays.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Payment {
    /// Paid when ordered (card, pay services…).
    Paid,
    /// 무통장입금: unpaid until the transfer arrives; cancelled automatically at the deadline (R4).
    BankTransfer {
        /// 입금기한.
        deadline: DateTime<Utc>,
    },
}

/// 배송정보: orderer, recipient, phones, address and memo (R7).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, CompactDeserialize)]
pub struct DeliveryInfo {
    /// 주문자명.
    pub orderer_name: String,
    /// 주문자 휴대전화.
    pub orderer_phone: String,
    /// 수령자명.
    pub recipient_name: String,
    /// 수령자 휴대전화.
    pub recipient_phone: String,
    /// 수령자 일반전화.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub recipient_landline: String,
    /// 우편번호.
    pub postcode: String,
    /// 주소.
    pub address: String,
    /// 배송메모.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub memo: String,
}

impl DeliveryInfo {
    /// Whether two orders go to the same person at the same place, so they may share a parcel
    /// (R6). Spaces and hyphens in phone numbers and addresses do not count.
    pub fn same_destination(&self, other: &DeliveryInfo) -> bool {
        fn norm(s: &str) -> String {
            s.chars()
                .filter(|c| !c.is_whitespace() && *c != '-')
                .collect()
        }
        norm(&self.recipient_name) == norm(&other.recipient_name)
            && norm(&self.recipient_phone) == norm(&other.recipient_phone)
            && norm(&self.postcode) == norm(&other.postcode)
            && norm(&self.address) == norm(&other.address)
    }
}

/// 송장: the invoice (waybill) of a parcel (R28).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Invoice {
    /// 택배사.
    pub carrier: Carrier,
    /// 송장번호.
    pub tracking_no: String,
    /// When it was issued.
    pub issued_at: DateTime<Utc>,
    /// When the label was last printed; `None` until it is.
    pub printed_at: Option<DateTime<Utc>>,
    /// The delivery info changed after printing: the printed label names the old address, so the
    /// label must be printed again before the parcel can ship (R7, R28).
    pub label_outdated: bool,
}

/// 송장전송: whether the invoice number must still be sent to the marketplace (R29).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum InvoiceUpload {
    /// Nothing to send (not shipped, or a seller-created order).
    NotDue,
    /// Shipped; the number waits to be sent.
    Pending,
    /// Sent and acknowledged by the marketplace.
    Sent,
    /// The operator types the number into the marketplace by hand (Cafe24 "exchange in both", R18).
    Manual,
}

/// One product line of an order (R1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, CompactDeserialize)]
pub struct Line {
    /// The console's id of the line.
    pub id: LineId,
    /// The marketplace keys the line was collected with (R1, R26).
    pub keys: MarketplaceKeys,
    /// 상품명.
    pub product_name: String,
    /// 옵션.
    pub option: String,
    /// 수량.
    pub quantity: u32,
    /// 판매가 per unit.
    pub unit_price: Won,
    /// 옵션추가금액 per unit, included in `unit_price` (exchange costs compare it, R23).
    pub option_price: Won,
    /// The stock item the product is linked to (매칭, R30), if any.
    pub sku: Option<Sku>,
    /// 주문상태 (R2).
    pub status: LineStatus,
    /// CS상태.
    pub claim_state: ClaimState,
    /// 보류 (R11).
    pub hold: Option<Hold>,
    /// The latest claim on the line; whether it is still under way is the claim's progress.
    pub claim: Option<ClaimId>,
    /// The line this one was split from (by quantity), so that a merge can put them back (R8).
    pub split_of: Option<LineId>,
    /// 교환상품: the line of the same order this one replaced in an exchange before shipping
    /// (R10); the replaced line stays in the order, exchanged away, and never ships.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replaces: Option<LineId>,
}

impl Line {
    /// Whether the line goes into the parcel when its order ships. Cancelled lines stay behind,
    /// and so do lines exchanged away before they shipped ([`Line::is_exchanged_away`]): the old
    /// item must never leave beside its replacement (오배송, R10, R18, R28).
    pub fn ships(&self) -> bool {
        self.claim_state != ClaimState::Cancelled && !self.is_exchanged_away()
    }

    /// Whether an exchange took this line before it shipped (교환중/교환완료 while still in the
    /// warehouse): its replacement ships instead — in the same order (an exchange before
    /// shipping, R10) or in the exchange order (a Cafe24 exchange run in the console, R18) — and
    /// this line is never invoiced, printed, scanned or shipped. An exchange of a shipped line
    /// leaves the line as it is: the goods are already with the buyer.
    pub fn is_exchanged_away(&self) -> bool {
        matches!(
            self.claim_state,
            ClaimState::Exchanging | ClaimState::Exchanged
        ) && !self.status.is_shipped()
    }

    /// The units this line holds in stock allocation (R30): paid, not shipped, not cancelled,
    /// linked to a stock item.
    pub fn allocated_quantity(&self) -> u32 {
        let open = matches!(self.status, LineStatus::Preparing | LineStatus::ReadyToShip);
        if open && self.ships() && self.sku.is_some() {
            self.quantity
        } else {
            0
        }
    }
}

/// The dates an order carries; delay days count from the first three (R32).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, CompactDeserialize)]
pub struct OrderDates {
    /// 등록일: when the console registered (collected or created) the order.
    pub registered_at: DateTime<Utc>,
    /// 주문일: when the buyer ordered.
    pub ordered_at: DateTime<Utc>,
    /// 결제일: when payment was confirmed.
    pub paid_at: Option<DateTime<Utc>>,
    /// 배송처리일: when the parcel was marked shipped.
    pub shipped_at: Option<DateTime<Utc>>,
    /// 배송완료일.
    pub delivered_at: Option<DateTime<Utc>>,
    /// 구매확정일.
    pub confirmed_at: Option<DateTime<Utc>>,
    /// 취소처리일.
    pub cancelled_at: Option<DateTime<Utc>>,
}

/// An order (관리번호) of one marketplace (R1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, CompactDeserialize)]
pub struct Order {
    /// 관리번호.
    pub id: OrderId,
    /// 판매처.
    pub marketplace: MarketplaceCode,
    /// 주문번호 at the marketplace.
    pub order_no: String,
    /// Where the order came from.
    pub origin: OrderOrigin,
    /// How it is paid.
    pub payment: Payment,
    /// Its dates.
    pub dates: OrderDates,
    /// Orderer, recipient, address.
    pub delivery: DeliveryInfo,
    /// The lines, in collection order.
    pub lines: Vec<Line>,
    /// 합포: the bundle it ships in (R6).
    pub bundle: Option<BundleId>,
    /// 합포금지: never bundle this order (R6, R8).
    pub no_bundle: bool,
    /// 부분배송: the order is part of a partial shipment (R8).
    pub partial_shipping: bool,
    /// 송장 (R28).
    pub invoice: Option<Invoice>,
    /// 송장전송 (R29).
    pub invoice_upload: InvoiceUpload,
    /// 주문메모 and C/S메모, oldest first.
    pub memos: Vec<Memo>,
    /// Returns and exchanges the marketplace reported after 구매확정 (R3): kept for the operator,
    /// never opened as claims, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub claims_after_confirmation: Vec<ClaimAfterConfirmation>,
    /// The claims on this order the buyer or the marketplace withdrew (철회, R12), in the order
    /// they were withdrawn: the lines went back, and the list's 철회 filter still finds the order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub withdrawn_claims: Vec<ClaimId>,
}

impl Order {
    /// The line with this id.
    pub fn line(&self, id: LineId) -> Option<&Line> {
        self.lines.iter().find(|line| line.id == id)
    }

    /// The line with this id, to change it.
    pub fn line_mut(&mut self, id: LineId) -> Option<&mut Line> {
        self.lines.iter_mut().find(|line| line.id == id)
    }

    /// The lines that go into the parcel (not cancelled).
    pub fn shipping_lines(&self) -> impl Iterator<Item = &Line> {
        self.lines.iter().filter(|line| line.ships())
    }

    /// The order's delivery status: that of its shipping lines, the least advanced first
    /// (an order whose lines are all cancelled reports its first line's status).
    pub fn status(&self) -> LineStatus {
        self.shipping_lines()
            .map(|line| line.status)
            .min()
            .or_else(|| self.lines.first().map(|line| line.status))
            .unwrap_or(LineStatus::Preparing)
    }

    /// Whether the order still has a line to ship (not every line cancelled or exchanged away).
    pub fn has_lines_to_ship(&self) -> bool {
        self.shipping_lines().next().is_some()
    }

    /// Whether every line is cancelled.
    pub fn is_cancelled(&self) -> bool {
        self.lines
            .iter()
            .all(|line| line.claim_state == ClaimState::Cancelled)
    }

    /// Total units over all lines (conserved by split, merge and claims).
    pub fn total_quantity(&self) -> u64 {
        self.lines.iter().map(|line| u64::from(line.quantity)).sum()
    }
}

/// A C/S memo or order memo.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Memo {
    /// The text.
    pub text: String,
    /// A CS memo that still needs handling (C/S메모 미처리) or a plain order memo.
    pub kind: MemoKind,
    /// Who wrote it.
    pub author: String,
    /// When.
    pub at: DateTime<Utc>,
}

/// The kinds of memo (C/S메모 미처리 · 처리 / 주문메모).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum MemoKind {
    /// C/S메모 미처리.
    CsOpen,
    /// C/S메모 처리.
    CsDone,
    /// 주문메모.
    Order,
}

impl MemoKind {
    /// The console's words for it (seed 001).
    pub fn korean(self) -> &'static str {
        match self {
            MemoKind::CsOpen => "C/S메모 미처리",
            MemoKind::CsDone => "C/S메모 처리",
            MemoKind::Order => "주문메모",
        }
    }
}

/// A line as collected from a marketplace or typed by the seller.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, CompactDeserialize)]
pub struct NewLine {
    /// The console's id for it.
    pub id: LineId,
    /// The marketplace keys it came with.
    pub keys: MarketplaceKeys,
    /// 상품명.
    pub product_name: String,
    /// 옵션.
    pub option: String,
    /// 수량 (at least 1).
    pub quantity: u32,
    /// 판매가 per unit.
    pub unit_price: Won,
    /// 옵션추가금액 per unit.
    #[serde(default)]
    pub option_price: Won,
}

/// An order as collected from a marketplace or typed by the seller (R1, R4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, CompactDeserialize)]
pub struct NewOrder {
    /// The console's id for it.
    pub id: OrderId,
    /// 판매처.
    pub marketplace: MarketplaceCode,
    /// 주문번호.
    pub order_no: String,
    /// 주문일.
    pub ordered_at: DateTime<Utc>,
    /// How it is paid.
    pub payment: Payment,
    /// 결제일, when the marketplace sends it (a paid order without it counts as paid when
    /// ordered).
    #[serde(default)]
    pub paid_at: Option<DateTime<Utc>>,
    /// Orderer, recipient, address.
    pub delivery: DeliveryInfo,
    /// The lines.
    pub lines: Vec<NewLine>,
    /// 합포금지.
    #[serde(default)]
    pub no_bundle: bool,
}

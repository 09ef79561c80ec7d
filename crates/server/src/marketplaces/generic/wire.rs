//! The generic marketplace feed: one documented JSON shape for every marketplace that has no
//! adapter of its own (all of `data/marketplaces.tsv` but Cafe24, Naver SmartStore / Naver Pay and
//! Coupang). A connector (or the sandbox) serves it per marketplace:
//!
//! - `GET {base}/orders?since={cursor}` → [`OrdersFeed`]
//! - `GET {base}/claims?since={cursor}` → [`ClaimsFeed`]
//! - `POST {base}/invoices` with [`InvoiceBody`] → any 2xx
//! - `POST {base}/claims/{claim_no}/ack` → any 2xx
//!
//! with `Authorization: Bearer {api_key}` when the connection has a key. Statuses are the
//! marketplace's own Korean words (the table's cancel words, 반품…/교환… words, 배송중, …);
//! the adapter decides by the word. Times are RFC 3339 (`2024-03-02T10:00:00+09:00`); a time
//! without offset is read as Korean time.
//!
//! Optional links and figures: an order the marketplace created as an exchange's replacement
//! carries `exchange_of {order_no, line_no}` ([`FeedOrder::exchange_of`]); an exchange claim
//! whose replacement was announced late carries `delay_notices` and `due_at`
//! ([`FeedClaim::delay_notices`]).

use super::super::serde_util::null_as_empty;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// `GET {base}/orders?since=…`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OrdersFeed {
    /// New and changed orders.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub orders: Vec<FeedOrder>,
    /// Where the next call starts; absent: the same `since`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// An order of the feed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FeedOrder {
    /// 주문번호.
    pub order_no: String,
    /// 주문일시.
    pub ordered_at: String,
    /// 결제일시.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paid_at: Option<String>,
    /// `paid` or `bank_transfer`.
    #[serde(default = "paid")]
    pub payment: String,
    /// 입금기한, for `bank_transfer`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_due_at: Option<String>,
    /// 주문자명.
    #[serde(default)]
    pub orderer_name: String,
    /// 주문자 휴대전화.
    #[serde(default)]
    pub orderer_phone: String,
    /// 수령자명.
    pub recipient_name: String,
    /// 수령자 휴대전화.
    #[serde(default)]
    pub recipient_phone: String,
    /// 수령자 일반전화.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipient_landline: Option<String>,
    /// 우편번호.
    #[serde(default)]
    pub postcode: String,
    /// 주소.
    pub address: String,
    /// 배송메모.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memo: Option<String>,
    /// The lines.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub lines: Vec<FeedLine>,
    /// For a replacement order the marketplace created for an exchange (CASE2: Musinsa makes a
    /// new order for the item sent in exchange): the original order's line it replaces. Absent
    /// for every other order. The console collects the replacement as an ordinary order (R16)
    /// and notes the link on it for the operator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exchange_of: Option<ExchangeOf>,
}

/// The line a CASE2 replacement order replaces: `{"order_no": "…", "line_no": "…"}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ExchangeOf {
    /// The original order's 주문번호.
    pub order_no: String,
    /// The original line's 주문상세번호 (its `line_no` in the feed), when the marketplace says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line_no: Option<String>,
}

fn paid() -> String {
    "paid".to_owned()
}

/// The keys a feed line or claim carries (the parts of the marketplace's match key).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FeedKeys {
    /// 주문상세번호.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line_no: Option<String>,
    /// 주문상세번호2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line_no2: Option<String>,
    /// 판매처 상품코드.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_code: Option<String>,
    /// 옵션ID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub option_id: Option<String>,
    /// Marketplace-specific codes (`code4`, `code18`, `code22`, …).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub codes: BTreeMap<String, String>,
}

/// A line of a feed order.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FeedLine {
    /// Keys.
    #[serde(flatten)]
    pub keys: FeedKeys,
    /// 상품명.
    pub product_name: String,
    /// 옵션.
    #[serde(default)]
    pub option: String,
    /// 수량.
    pub quantity: u32,
    /// 판매가 per unit (won).
    pub unit_price: i64,
    /// 옵션추가금액 per unit (won).
    #[serde(default)]
    pub option_price: i64,
    /// The marketplace's status word for the line (결제완료, 상품준비중, 배송중, 주문취소, …).
    pub status: String,
    /// The marketplace's shipment (parcel) number, when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipment_no: Option<String>,
}

/// `GET {base}/claims?since=…`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ClaimsFeed {
    /// Claims reported or changed since the cursor.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub claims: Vec<FeedClaim>,
    /// Where the next call starts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// A claim of the feed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FeedClaim {
    /// The marketplace's claim number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claim_no: Option<String>,
    /// 주문번호.
    pub order_no: String,
    /// Keys of the line.
    #[serde(flatten)]
    pub keys: FeedKeys,
    /// 상품명 (for name + option fallback keys).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_name: Option<String>,
    /// 옵션 (for name + option fallback keys).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub option: Option<String>,
    /// Units; absent: the whole line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantity: Option<u32>,
    /// The marketplace's status word (취소요청, 반품접수, 교환철회, …).
    pub status: String,
    /// The reason as sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The option asked for, for an exchange.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requested_option: Option<String>,
    /// When the marketplace reported it.
    pub reported_at: String,
    /// For an exchange whose replacement was announced late (Kakao Style 교환배송연기안내): how
    /// many delay notices the marketplace counts so far. Absent: none (or not said).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delay_notices: Option<u8>,
    /// With `delay_notices`: the replacement's new due date (RFC 3339, or a date as Korean
    /// time).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_at: Option<String>,
}

/// `POST {base}/invoices`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct InvoiceBody {
    /// 주문번호.
    pub order_no: String,
    /// The lines in the parcel (their line numbers; empty: the whole order).
    #[serde(default)]
    pub line_nos: Vec<String>,
    /// The marketplace's shipment number, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipment_no: Option<String>,
    /// The console's carrier code (`cj`, `lotte`, …) or the marketplace's own code.
    pub carrier: String,
    /// 송장번호.
    pub tracking_no: String,
}

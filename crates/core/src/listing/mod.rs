//! The order list's read model (주문 화면): what one row shows and what the search filters on.
//!
//! The browser keeps one [`OrderSummary`] per order next to the order itself, so the list can
//! scan, count and sort 100,000 orders without reading any order document; only the rows on
//! screen are shown from summaries. Everything here is pure: periods are instants the caller
//! computes (in KST, [`crate::time::KOREA`]), nothing reads a clock.
//!
//! - [`OrderSummary::of`] derives the summary from an order (its status, CS state, holds, the
//!   recipient's phone digits, the product text searched).
//! - [`OrderFilter`] is one search: period, marketplaces, status tab, CS state, and one search
//!   field with its text; [`OrderFilter::matches`] decides a summary.
//! - [`Sort`] orders the result by a column; [`Sort::compare`] breaks ties by 관리번호 so pages
//!   never shuffle.
//! - [`TabCounts`] counts the status tabs of a result in the same pass.
//! - [`BoardCounts`] (the dashboard's figures) and [`DailyOrders`] (its chart of orders per day
//!   per marketplace) are counted from the same summaries.

mod counts;
mod daily;
mod filter;
mod sort;

pub use counts::BoardCounts;
pub use daily::{day_label, value_ticks, weekday_korean, DailyOrders, CHART_DAYS};
pub use filter::{CsFilter, DateField, OrderFilter, Period, SearchField, TabCounts};
pub use sort::{Sort, SortKey, SortValue};

use crate::claim::HoldKind;
use crate::money::Won;
use crate::order::{ClaimState, InvoiceUpload, LineStatus, Order};
use jumun_derive::CompactDeserialize;
use serde::Serialize;

/// One order as the order list shows and searches it.
#[derive(Debug, Clone, PartialEq, Serialize, CompactDeserialize)]
pub struct OrderSummary {
    /// 관리번호.
    pub id: u64,
    /// 판매처 code.
    pub marketplace: String,
    /// 주문번호.
    pub order_no: String,
    /// Every 주문상세번호 of its lines.
    pub line_nos: Vec<String>,
    /// 주문일, milliseconds since the epoch.
    pub ordered_at: f64,
    /// 수집일 (등록일), milliseconds since the epoch.
    pub collected_at: f64,
    /// 출고일, milliseconds since the epoch; 0 until shipped (IndexedDB cannot index a null).
    pub shipped_at: f64,
    /// The order's 주문상태: its least advanced shipping line ([`Order::status`]).
    pub status: LineStatus,
    /// Every line's 주문상태, once each.
    pub line_statuses: Vec<LineStatus>,
    /// Every CS상태 other than 정상 among its lines, once each.
    pub claim_states: Vec<ClaimState>,
    /// Every hold kind on its lines, once each.
    pub holds: Vec<HoldKind>,
    /// 1 when a line is held (IndexedDB cannot index booleans).
    pub held: u8,
    /// 수령자명.
    pub recipient: String,
    /// 수령자 휴대전화, digits only.
    pub phone: String,
    /// The last four digits of the phone (what customers give on the phone).
    pub phone_last4: String,
    /// 송장번호, once issued.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracking_no: Option<String>,
    /// 택배사 of the invoice, in Korean.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub carrier: Option<String>,
    /// The first line's 상품명.
    pub product: String,
    /// The first line's 옵션.
    pub option: String,
    /// How many lines the order has.
    pub lines: u32,
    /// Units ordered, all lines.
    pub quantity: u64,
    /// 결제금액: (unit price + option price) × quantity over the lines that ship.
    pub amount: Won,
    /// The invoice number still waits to be sent to the marketplace (송장전송, R29).
    pub invoice_unsent: bool,
    /// Every line's product name and option, lower-cased, for the 상품명/옵션 search.
    pub product_text: String,
    /// A claim on the order was withdrawn (철회, R12). Summaries kept before this field read
    /// as not withdrawn until the order is written again.
    #[serde(default)]
    pub withdrawn: bool,
}

/// Keeps each value once, in first-seen order.
fn once<T: PartialEq>(values: impl Iterator<Item = T>) -> Vec<T> {
    let mut kept = Vec::new();
    for value in values {
        if !kept.contains(&value) {
            kept.push(value);
        }
    }
    kept
}

/// A phone number's digits (spaces, hyphens, brackets and `+` do not count).
pub fn phone_digits(phone: &str) -> String {
    phone.chars().filter(char::is_ascii_digit).collect()
}

impl OrderSummary {
    /// The summary of `order`.
    pub fn of(order: &Order) -> Self {
        let phone = phone_digits(&order.delivery.recipient_phone);
        let first = order.lines.first();
        let amount = order
            .lines
            .iter()
            .filter(|line| line.ships())
            .map(|line| Won((line.unit_price.0 + line.option_price.0) * i64::from(line.quantity)))
            .fold(Won::ZERO, |sum, line| Won(sum.0 + line.0));
        let mut product_text = String::new();
        for line in &order.lines {
            product_text.push_str(&line.product_name.to_ascii_lowercase());
            product_text.push(' ');
            product_text.push_str(&line.option.to_ascii_lowercase());
            product_text.push('\n');
        }
        OrderSummary {
            id: order.id.0,
            marketplace: order.marketplace.as_str().to_owned(),
            order_no: order.order_no.clone(),
            line_nos: once(
                order
                    .lines
                    .iter()
                    .filter_map(|line| line.keys.line_no.clone()),
            ),
            ordered_at: order.dates.ordered_at.timestamp_millis() as f64,
            collected_at: order.dates.registered_at.timestamp_millis() as f64,
            shipped_at: order
                .dates
                .shipped_at
                .map_or(0.0, |at| at.timestamp_millis() as f64),
            status: order.status(),
            line_statuses: once(order.lines.iter().map(|line| line.status)),
            claim_states: once(
                order
                    .lines
                    .iter()
                    .map(|line| line.claim_state)
                    .filter(|state| *state != ClaimState::Normal),
            ),
            holds: once(
                order
                    .lines
                    .iter()
                    .filter_map(|line| line.hold.as_ref().map(|h| h.kind)),
            ),
            held: u8::from(order.lines.iter().any(|line| line.hold.is_some())),
            recipient: order.delivery.recipient_name.trim().to_owned(),
            phone_last4: phone
                .get(phone.len().saturating_sub(4)..)
                .unwrap_or_default()
                .to_owned(),
            phone,
            tracking_no: order.invoice.as_ref().map(|i| i.tracking_no.clone()),
            carrier: order.invoice.as_ref().map(|i| i.carrier.to_string()),
            product: first.map(|l| l.product_name.clone()).unwrap_or_default(),
            option: first.map(|l| l.option.clone()).unwrap_or_default(),
            lines: order.lines.len() as u32,
            quantity: order.total_quantity(),
            amount,
            invoice_unsent: order.invoice_upload == InvoiceUpload::Pending,
            product_text,
            withdrawn: !order.withdrawn_claims.is_empty(),
        }
    }

    /// "상품명 외 N건" as operators write an order of several lines.
    pub fn product_label(&self) -> String {
        if self.lines > 1 {
            format!("{} 외 {}건", self.product, self.lines - 1)
        } else {
            self.product.clone()
        }
    }
}

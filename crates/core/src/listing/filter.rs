//! One search of the order list, and the status tabs' counts.

use super::{phone_digits, OrderSummary};
use crate::claim::HoldKind;
use crate::order::{ClaimState, LineStatus};
use jumun_derive::CompactDeserialize;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// Which date a period is about.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DateField {
    /// 주문일.
    #[default]
    Ordered,
    /// 수집일.
    Collected,
    /// 출고일.
    Shipped,
}

impl DateField {
    /// Every date field, in the order the period selector lists them.
    pub const ALL: [DateField; 3] = [DateField::Ordered, DateField::Collected, DateField::Shipped];

    /// The Korean word the console shows.
    pub fn korean(self) -> &'static str {
        match self {
            DateField::Ordered => "주문일",
            DateField::Collected => "수집일",
            DateField::Shipped => "출고일",
        }
    }

    /// The date of `summary` this field names (0 when it has none).
    pub fn of(self, summary: &OrderSummary) -> f64 {
        match self {
            DateField::Ordered => summary.ordered_at,
            DateField::Collected => summary.collected_at,
            DateField::Shipped => summary.shipped_at,
        }
    }
}

/// A period: `[from, to)` in milliseconds since the epoch, on one of the dates.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Period {
    /// Which date.
    pub field: DateField,
    /// From (inclusive).
    pub from: f64,
    /// To (exclusive).
    pub to: f64,
}

impl Period {
    /// Whether `summary`'s date falls in the period (an order not shipped has no 출고일).
    pub fn contains(&self, summary: &OrderSummary) -> bool {
        let at = self.field.of(summary);
        at > 0.0 && at >= self.from && at < self.to
    }
}

/// The CS state an operator filters on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CsFilter {
    /// Any hold (보류 전체).
    AnyHold,
    /// A hold of this kind (취소보류, 교환보류, 반품보류, 주문보류).
    Hold(HoldKind),
    /// A line in this CS상태 (취소, 반품중, 반품완료, 교환중, 교환완료).
    State(ClaimState),
    /// A claim on the order was withdrawn (철회, R12).
    Withdrawn,
    /// No hold and every line 정상.
    Normal,
}

impl CsFilter {
    /// Every choice, in the order the CS selector lists them.
    pub const ALL: [CsFilter; 12] = [
        CsFilter::AnyHold,
        CsFilter::Hold(HoldKind::Cancel),
        CsFilter::Hold(HoldKind::Return),
        CsFilter::Hold(HoldKind::Exchange),
        CsFilter::Hold(HoldKind::Operator),
        CsFilter::State(ClaimState::Cancelled),
        CsFilter::State(ClaimState::Returning),
        CsFilter::State(ClaimState::Returned),
        CsFilter::State(ClaimState::Exchanging),
        CsFilter::State(ClaimState::Exchanged),
        CsFilter::Withdrawn,
        CsFilter::Normal,
    ];

    /// The Korean words the console shows.
    pub fn korean(self) -> &'static str {
        match self {
            CsFilter::AnyHold => "보류 전체",
            CsFilter::Hold(kind) => kind.korean(),
            CsFilter::State(state) => state.korean(),
            CsFilter::Withdrawn => "철회",
            CsFilter::Normal => "정상",
        }
    }

    /// Whether `summary` is in this CS state.
    pub fn matches(self, summary: &OrderSummary) -> bool {
        match self {
            CsFilter::AnyHold => summary.held == 1,
            CsFilter::Hold(kind) => summary.holds.contains(&kind),
            CsFilter::State(state) => summary.claim_states.contains(&state),
            CsFilter::Withdrawn => summary.withdrawn,
            CsFilter::Normal => summary.held == 0 && summary.claim_states.is_empty(),
        }
    }
}

/// The field the search box searches.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SearchField {
    /// 통합검색: any of the fields below.
    #[default]
    All,
    /// 수령자명 (the start of it).
    Recipient,
    /// 전화번호: the whole number, or its last four digits.
    Phone,
    /// 주문번호 (exact).
    OrderNo,
    /// 주문상세번호 (exact).
    LineNo,
    /// 송장번호 (exact).
    TrackingNo,
    /// 상품명 or 옵션 (anywhere in them).
    Product,
    /// 관리번호 (exact).
    Id,
}

impl SearchField {
    /// Every field, in the order the selector lists them.
    pub const ALL: [SearchField; 8] = [
        SearchField::All,
        SearchField::Recipient,
        SearchField::Phone,
        SearchField::OrderNo,
        SearchField::LineNo,
        SearchField::TrackingNo,
        SearchField::Product,
        SearchField::Id,
    ];

    /// The Korean words the console shows.
    pub fn korean(self) -> &'static str {
        match self {
            SearchField::All => "통합검색",
            SearchField::Recipient => "수령자",
            SearchField::Phone => "전화번호",
            SearchField::OrderNo => "주문번호",
            SearchField::LineNo => "주문상세번호",
            SearchField::TrackingNo => "송장번호",
            SearchField::Product => "상품명/옵션",
            SearchField::Id => "관리번호",
        }
    }

    /// Whether `summary` matches `text` (already trimmed, not empty) on this field.
    fn matches(self, summary: &OrderSummary, text: &str) -> bool {
        match self {
            SearchField::All => SearchField::ALL[1..]
                .iter()
                .any(|field| field.matches(summary, text)),
            SearchField::Recipient => summary.recipient.starts_with(text),
            SearchField::Phone => {
                let digits = phone_digits(text);
                match digits.len() {
                    0 => false,
                    4 => summary.phone_last4 == digits,
                    _ => summary.phone == digits,
                }
            }
            SearchField::OrderNo => summary.order_no == text,
            SearchField::LineNo => summary.line_nos.iter().any(|no| no == text),
            SearchField::TrackingNo => summary.tracking_no.as_deref() == Some(text),
            SearchField::Product => summary.product_text.contains(&text.to_ascii_lowercase()),
            SearchField::Id => text.parse::<u64>().is_ok_and(|id| id == summary.id),
        }
    }
}

/// One search of the order list. Every part set must match (the filters combine); an empty
/// filter matches every order.
#[derive(Debug, Clone, Default, PartialEq, Serialize, CompactDeserialize)]
pub struct OrderFilter {
    /// The period, if any.
    #[serde(default)]
    pub period: Option<Period>,
    /// 판매처 codes; empty for every marketplace.
    #[serde(default)]
    pub marketplaces: BTreeSet<String>,
    /// The status tab: the order's 주문상태; `None` for 전체.
    #[serde(default)]
    pub status: Option<LineStatus>,
    /// The CS state, if any.
    #[serde(default)]
    pub cs: Option<CsFilter>,
    /// Only orders whose invoice number waits to be sent (송장 미전송).
    #[serde(default)]
    pub invoice_unsent: bool,
    /// The field the text searches.
    #[serde(default)]
    pub field: SearchField,
    /// The search text; blank searches nothing.
    #[serde(default)]
    pub text: String,
}

impl OrderFilter {
    /// Whether `summary` matches the whole search.
    pub fn matches(&self, summary: &OrderSummary) -> bool {
        self.status.is_none_or(|status| summary.status == status)
            && self.matches_besides_status(summary)
    }

    /// Whether `summary` matches everything but the status tab: what the tabs count.
    pub fn matches_besides_status(&self, summary: &OrderSummary) -> bool {
        let text = self.text.trim();
        self.period.is_none_or(|p| p.contains(summary))
            && (self.marketplaces.is_empty() || self.marketplaces.contains(&summary.marketplace))
            && self.cs.is_none_or(|cs| cs.matches(summary))
            && (!self.invoice_unsent || summary.invoice_unsent)
            && (text.is_empty() || self.field.matches(summary, text))
    }

    /// Whether the search narrows anything besides the status tab.
    pub fn narrows_besides_status(&self) -> bool {
        self.period.is_some()
            || !self.marketplaces.is_empty()
            || self.cs.is_some()
            || self.invoice_unsent
            || !self.text.trim().is_empty()
    }

    /// A phone search for the last four digits, when that is the whole search besides the
    /// status tab: the store answers it from an index instead of a scan.
    pub fn phone_last4(&self) -> Option<String> {
        let digits = phone_digits(self.text.trim());
        let only_text = self.period.is_none()
            && self.marketplaces.is_empty()
            && self.cs.is_none()
            && !self.invoice_unsent;
        (only_text && self.field == SearchField::Phone && digits.len() == 4).then_some(digits)
    }
}

/// How many orders of a result fall in each status tab.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TabCounts {
    /// 전체.
    pub all: u64,
    /// Per 주문상태, in [`TabCounts::STATUSES`] order.
    pub by_status: [u64; 6],
}

impl TabCounts {
    /// The status tabs after 전체, in lifecycle order.
    pub const STATUSES: [LineStatus; 6] = [
        LineStatus::AwaitingPayment,
        LineStatus::Preparing,
        LineStatus::ReadyToShip,
        LineStatus::InTransit,
        LineStatus::Delivered,
        LineStatus::PurchaseConfirmed,
    ];

    /// Counts `summary` (which matched everything but the status tab).
    pub fn add(&mut self, summary: &OrderSummary) {
        self.add_status(summary.status);
    }

    /// Counts one more order in `status`.
    pub fn add_status(&mut self, status: LineStatus) {
        self.all += 1;
        if let Some(i) = Self::STATUSES.iter().position(|s| *s == status) {
            self.by_status[i] += 1;
        }
    }

    /// Counts one order in `status` fewer (never below zero: a count kept elsewhere that has
    /// drifted is corrected by the next full count, not turned negative).
    pub fn remove_status(&mut self, status: LineStatus) {
        self.all = self.all.saturating_sub(1);
        if let Some(i) = Self::STATUSES.iter().position(|s| *s == status) {
            self.by_status[i] = self.by_status[i].saturating_sub(1);
        }
    }

    /// The count of one tab (`None`: 전체).
    pub fn of(&self, status: Option<LineStatus>) -> u64 {
        match status {
            None => self.all,
            Some(status) => Self::STATUSES
                .iter()
                .position(|s| *s == status)
                .map_or(0, |i| self.by_status[i]),
        }
    }
}

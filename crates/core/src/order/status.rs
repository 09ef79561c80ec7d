//! A line's two state columns, as the CS window shows them: 주문상태 (delivery lifecycle, R2) and
//! CS상태 (claim state, R9–R16).

use serde::{Deserialize, Serialize};
use std::fmt;

/// 주문상태: where a line is in its delivery lifecycle (R2).
///
/// 결제대기 → 상품준비 → 배송대기 → 배송중 → 배송완료 → 구매확정. EasyAdmin's 접수 · 송장 · 배송 are
/// `Preparing` · `ReadyToShip` · `InTransit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum LineStatus {
    /// 결제대기: ordered, not paid yet (bank transfer).
    AwaitingPayment,
    /// 상품준비 (접수): paid, being prepared; the only state in which a line can be split (R8).
    Preparing,
    /// 배송대기 (송장): an invoice number is issued (R28).
    ReadyToShip,
    /// 배송중 (배송): handed to the carrier.
    InTransit,
    /// 배송완료.
    Delivered,
    /// 구매확정: no return or exchange can be opened any more (R3).
    PurchaseConfirmed,
}

impl LineStatus {
    /// The Korean word the console shows.
    pub fn korean(self) -> &'static str {
        match self {
            LineStatus::AwaitingPayment => "결제대기",
            LineStatus::Preparing => "상품준비",
            LineStatus::ReadyToShip => "배송대기",
            LineStatus::InTransit => "배송중",
            LineStatus::Delivered => "배송완료",
            LineStatus::PurchaseConfirmed => "구매확정",
        }
    }

    /// Whether the goods have left the warehouse (R10: return and exchange, not cancel).
    pub fn is_shipped(self) -> bool {
        matches!(
            self,
            LineStatus::InTransit | LineStatus::Delivered | LineStatus::PurchaseConfirmed
        )
    }
}

impl fmt::Display for LineStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.korean())
    }
}

/// CS상태: the claim state of a line (정상/취소/반품/교환).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ClaimState {
    /// 정상.
    Normal,
    /// 취소: the line will never ship (R10, R27, R4).
    Cancelled,
    /// 반품 진행 중: a return is open, the goods are on their way back (R13).
    Returning,
    /// 반품완료.
    Returned,
    /// 교환 진행 중 (R15–R19).
    Exchanging,
    /// 교환완료.
    Exchanged,
}

impl ClaimState {
    /// The Korean word the console shows.
    pub fn korean(self) -> &'static str {
        match self {
            ClaimState::Normal => "정상",
            ClaimState::Cancelled => "취소",
            ClaimState::Returning => "반품중",
            ClaimState::Returned => "반품완료",
            ClaimState::Exchanging => "교환중",
            ClaimState::Exchanged => "교환완료",
        }
    }
}

impl fmt::Display for ClaimState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.korean())
    }
}

//! 보류: a hold keeps a line from being invoiced, printed or shipped until an operator resolves it
//! (R11, R18, R27, R28).

use crate::ids::ClaimId;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Which of the dashboard's hold counters a hold belongs to (취소보류/교환보류/반품보류, R11).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum HoldKind {
    /// 취소보류.
    Cancel,
    /// 교환보류.
    Exchange,
    /// 반품보류.
    Return,
    /// 보류 set by an operator for another reason (주문보류).
    Operator,
}

impl HoldKind {
    /// The Korean word the console shows.
    pub fn korean(self) -> &'static str {
        match self {
            HoldKind::Cancel => "취소보류",
            HoldKind::Exchange => "교환보류",
            HoldKind::Return => "반품보류",
            HoldKind::Operator => "주문보류",
        }
    }
}

/// Why a line is on hold.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum HoldReason {
    /// A claim collected from the marketplace waits for the operator (R11).
    MarketplaceClaim(ClaimId),
    /// A marketplace cancel arrived after the label was printed: the parcel may already be packed,
    /// so it is held rather than cancelled (R27).
    CancelAfterPrint,
    /// A marketplace cancel arrived for a line already shipped: stop the parcel or take a return
    /// (반품 회수, R27).
    ReturnIntercept,
    /// A marketplace whose cancel words are not known sent a record that names the line: it may
    /// be a cancel, so the line waits for the operator to confirm (R25).
    CancelUnconfirmed,
    /// A Cafe24 exchange changed the line number after the order was collected: the exchange order
    /// will never be collected, so the operator must run the exchange in the console (R18).
    ManualExchangeRequired(ClaimId),
    /// The replacement of a (non-swap) exchange waits for the old item to arrive (R15, R17).
    AwaitingExchangePickup(ClaimId),
    /// An operator's own hold, with the reason typed.
    Operator(String),
}

/// A hold on a line.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Hold {
    /// Which counter it belongs to.
    pub kind: HoldKind,
    /// Why.
    pub reason: HoldReason,
    /// Since when.
    pub since: DateTime<Utc>,
}

impl fmt::Display for Hold {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let why = match &self.reason {
            HoldReason::MarketplaceClaim(claim) => format!("판매처 클레임 {claim}"),
            HoldReason::CancelAfterPrint => "송장 출력 후 취소".to_owned(),
            HoldReason::ReturnIntercept => "배송 후 취소 (반품 회수 필요)".to_owned(),
            HoldReason::CancelUnconfirmed => "판매처 취소 여부 확인 필요".to_owned(),
            HoldReason::ManualExchangeRequired(claim) => {
                format!("카페24 교환 {claim}: 콘솔에서 수동 교환 필요")
            }
            HoldReason::AwaitingExchangePickup(claim) => format!("교환 {claim}: 회수 대기"),
            HoldReason::Operator(memo) => memo.clone(),
        };
        write!(f, "{} ({why})", self.kind.korean())
    }
}

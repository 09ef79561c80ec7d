//! 수거/회수: the pickup of returned or exchanged goods (R13, R14).

use crate::carrier::Carrier;
use crate::claim::FeePayment;
use crate::ids::{ClaimId, LineId, OrderId, PickupId};
use crate::money::Won;
use chrono::{DateTime, Utc};
use jumun_derive::CompactDeserialize;
use serde::{Deserialize, Serialize};

/// 수거상태 (R14).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PickupState {
    /// 예정: registered, not collected yet.
    Expected,
    /// 수거중: the carrier has collected the parcel.
    PickingUp,
    /// 완료: arrived, every expected unit.
    Done,
    /// 미수: arrived with fewer units than expected.
    Missing,
    /// 초과: arrived with more units than expected.
    Excess,
}

impl PickupState {
    /// The Korean word the console shows.
    pub fn korean(self) -> &'static str {
        match self {
            PickupState::Expected => "예정",
            PickupState::PickingUp => "수거중",
            PickupState::Done => "완료",
            PickupState::Missing => "미수",
            PickupState::Excess => "초과",
        }
    }

    /// Whether goods have arrived.
    pub fn has_arrived(self) -> bool {
        matches!(
            self,
            PickupState::Done | PickupState::Missing | PickupState::Excess
        )
    }
}

/// How a pickup is arranged when a return or exchange is opened (R13).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PickupPlan {
    /// The id of the pickup to create.
    pub id: PickupId,
    /// 회수요청: ask the carrier to collect the parcel (otherwise the buyer sends it).
    pub request_carrier: bool,
    /// The carrier to collect with, when requested.
    pub carrier: Option<Carrier>,
    /// Expected pickup fee (수거예정 금액).
    pub fee: Won,
    /// How the fee is paid.
    pub fee_payment: FeePayment,
    /// 수거메모.
    #[serde(default)]
    pub memo: String,
}

/// One line of a pickup: what is expected and what arrived (R14).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PickupLine {
    /// The line being returned.
    pub line: LineId,
    /// 예정수량.
    pub expected: u32,
    /// 도착수량.
    pub arrived: u32,
    /// Units put back into stock (입고).
    pub restocked: u32,
}

/// A pickup (수거, R14).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, CompactDeserialize)]
pub struct Pickup {
    /// 수거번호.
    pub id: PickupId,
    /// The claim it belongs to.
    pub claim: ClaimId,
    /// The order whose goods come back.
    pub order: OrderId,
    /// 수거상태.
    pub state: PickupState,
    /// How it was arranged.
    pub plan: PickupPlan,
    /// The lines.
    pub lines: Vec<PickupLine>,
    /// 수거등록일.
    pub registered_at: DateTime<Utc>,
    /// 수거도착일.
    pub arrived_at: Option<DateTime<Utc>>,
}

impl Pickup {
    /// The state the arrived quantities put the pickup in.
    pub fn state_for_arrivals(lines: &[PickupLine]) -> PickupState {
        let expected: u64 = lines.iter().map(|l| u64::from(l.expected)).sum();
        let arrived: u64 = lines.iter().map(|l| u64::from(l.arrived)).sum();
        let any_short = lines.iter().any(|l| l.arrived < l.expected);
        if any_short {
            PickupState::Missing
        } else if arrived > expected {
            PickupState::Excess
        } else {
            PickupState::Done
        }
    }
}

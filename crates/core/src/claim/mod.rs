//! Claims — cancel, return, exchange — on chosen lines and quantities (R9–R18), and holds (R11).

mod hold;
mod reason;

pub use hold::{Hold, HoldKind, HoldReason};
pub use reason::{FeePayment, Reason};

use crate::context::Actor;
use crate::exchange::ExchangeDetails;
use crate::fault::Fault;
use crate::ids::{ClaimId, LineId, OrderId, PickupId};
use crate::order::{ClaimState, LineStatus};
use chrono::{DateTime, Utc};
use jumun_derive::CompactDeserialize;
use serde::{Deserialize, Serialize};

/// The three kinds of claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ClaimKind {
    /// 취소: before shipping (R10).
    Cancel,
    /// 반품: after shipping (R10, R13).
    Return,
    /// 교환: after shipping (R10, R15–R24).
    Exchange,
}

impl ClaimKind {
    /// The Korean word the console shows.
    pub fn korean(self) -> &'static str {
        match self {
            ClaimKind::Cancel => "취소",
            ClaimKind::Return => "반품",
            ClaimKind::Exchange => "교환",
        }
    }

    /// The hold a claim of this kind puts on its lines while it waits (R11).
    pub fn hold_kind(self) -> HoldKind {
        match self {
            ClaimKind::Cancel => HoldKind::Cancel,
            ClaimKind::Return => HoldKind::Return,
            ClaimKind::Exchange => HoldKind::Exchange,
        }
    }
}

/// Where a claim came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ClaimSource {
    /// Opened by an operator in the CS window.
    Operator,
    /// Collected from the marketplace (R11, R25–R27).
    Marketplace {
        /// The marketplace's status word, as sent (for example `취소요청`).
        status: String,
        /// The marketplace's own claim number, when it has one.
        claim_no: Option<String>,
    },
}

/// How far a claim has come.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ClaimProgress {
    /// Collected from the marketplace and waiting for the operator: its lines are on hold (R11).
    Requested,
    /// Being processed (goods on their way back, replacement being prepared).
    Open,
    /// Done.
    Completed,
    /// 철회: withdrawn; the lines went back to where they were (R12).
    Withdrawn,
    /// 거부: rejected by the seller (Kakao Style exchanges, R20).
    Rejected,
}

impl ClaimProgress {
    /// The Korean word the console shows.
    pub fn korean(self) -> &'static str {
        match self {
            ClaimProgress::Requested => "요청",
            ClaimProgress::Open => "진행중",
            ClaimProgress::Completed => "완료",
            ClaimProgress::Withdrawn => "철회",
            ClaimProgress::Rejected => "거부",
        }
    }

    /// Whether the claim is still under way.
    pub fn is_active(self) -> bool {
        matches!(self, ClaimProgress::Requested | ClaimProgress::Open)
    }
}

/// What a line looked like before a claim touched it, so that a withdrawal or a rejection can put
/// it back exactly (R12, R20).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct LineSnapshot {
    /// 주문상태 before.
    pub status: LineStatus,
    /// CS상태 before.
    pub claim_state: ClaimState,
    /// 보류 before.
    pub hold: Option<Hold>,
}

/// One line a claim covers, with its quantity (R9).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ClaimLine {
    /// The line. A claim on part of a line's quantity first splits the line, so a claim always
    /// covers whole lines.
    pub line: LineId,
    /// Units claimed.
    pub quantity: u32,
    /// The line before the claim.
    pub before: LineSnapshot,
}

/// A cancel, return or exchange (R9).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, CompactDeserialize)]
pub struct Claim {
    /// Its id.
    pub id: ClaimId,
    /// The order whose lines it covers.
    pub order: OrderId,
    /// Cancel, return or exchange.
    pub kind: ClaimKind,
    /// The lines and quantities.
    pub lines: Vec<ClaimLine>,
    /// CS타입.
    pub reason: Reason,
    /// 귀책사유.
    pub fault: Fault,
    /// C/S메모.
    pub memo: String,
    /// Who opened it: an operator or a marketplace.
    pub source: ClaimSource,
    /// Who opened it, as an actor.
    pub opened_by: Actor,
    /// When.
    pub opened_at: DateTime<Utc>,
    /// How far it has come.
    pub progress: ClaimProgress,
    /// The hold its lines carry while it waits for the operator (R11, R18, R27).
    pub hold: Option<Hold>,
    /// When it completed, was withdrawn or rejected.
    pub closed_at: Option<DateTime<Utc>>,
    /// The pickup of the goods coming back (returns and exchanges, R13–R14).
    pub pickup: Option<PickupId>,
    /// Exchange details (R15–R24).
    pub exchange: Option<ExchangeDetails>,
    /// The exchange was asked for on a marketplace that creates its own replacement order, so it
    /// is processed as this claim (a cancel or a return) instead (R16).
    pub converted_from_exchange: bool,
}

/// The chosen lines and quantities of a claim request (R9).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ClaimPick {
    /// The line.
    pub line: LineId,
    /// Units to claim: at least 1, at most the line's quantity. Fewer than the line's quantity
    /// splits the line (the new line takes the id `split_line`).
    pub quantity: u32,
    /// The id of the line that takes the claimed units when `quantity` is less than the line's.
    pub split_line: Option<LineId>,
}

/// A return or exchange the marketplace reported for lines whose purchase was already confirmed
/// (R3: "이후에는 반품/교환 접수가 불가"). The console opens no claim for it and neither holds nor
/// changes the lines; it keeps the request on the order, flagged for the operator (who settles it
/// with the buyer or refuses it at the marketplace) and counted on the dashboard until the
/// operator closes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, CompactDeserialize)]
pub struct ClaimAfterConfirmation {
    /// The id the sync gave the request, by which the operator closes it.
    pub id: ClaimId,
    /// Return or exchange.
    pub kind: ClaimKind,
    /// The confirmed lines the request names.
    pub lines: Vec<LineId>,
    /// Units asked for (`None`: the whole line).
    pub quantity: Option<u32>,
    /// The marketplace's status word, as sent.
    pub status: String,
    /// The marketplace's claim number.
    pub claim_no: Option<String>,
    /// The reason as sent.
    pub reason: Reason,
    /// Fault as sent.
    pub fault: Fault,
    /// The option asked for, for an exchange.
    pub requested_option: Option<String>,
    /// When the sync reported it.
    pub reported_at: DateTime<Utc>,
    /// Who closed it (처리완료), and when; `None` while it waits for the operator.
    pub closed: Option<(Actor, DateTime<Utc>)>,
}

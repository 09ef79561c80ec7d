//! The dashboard's CS counters (R11): holds and withdrawals by kind, open claims, late Kakao
//! Style exchanges (R22), pickups, and returns or exchanges reported after purchase confirmation
//! (R3).
//!
//! The claim figures are counted claim by claim ([`Dashboard::add_claim`]), so a browser that
//! keeps the claims but not the whole book counts them the same way.

use crate::book::Book;
use crate::claim::{Claim, ClaimKind, ClaimProgress, HoldKind};
use crate::exchange::ExchangeState;
use crate::pickup::PickupState;
use jumun_derive::CompactDeserialize;
use serde::{Deserialize, Serialize};

/// 취소/교환/반품 counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ByKind {
    /// 취소.
    pub cancel: u64,
    /// 교환.
    pub exchange: u64,
    /// 반품.
    pub r#return: u64,
}

/// The dashboard's counters.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, CompactDeserialize)]
pub struct Dashboard {
    /// 보류 현황: held lines, by hold kind.
    pub holds: ByKind,
    /// Lines on an operator's own hold.
    pub operator_holds: u64,
    /// 철회 현황: withdrawn claims, by kind.
    pub withdrawals: ByKind,
    /// Marketplace claims waiting for the operator, by kind.
    pub requested: ByKind,
    /// Pickups not yet arrived (예정 + 수거중).
    pub pickups_pending: u64,
    /// Marketplace cancels kept because they matched nothing (R27).
    pub unmatched_cancels: u64,
    /// Returns and exchanges reported after 구매확정, waiting for the operator (R3).
    #[serde(default)]
    pub claims_after_confirmation: u64,
    /// 교환배송지연: Kakao Style exchanges whose replacement missed its due date (R22).
    #[serde(default)]
    pub exchange_delays: u64,
}

impl Dashboard {
    /// Counts one claim's figures: withdrawn, waiting for the operator, a late exchange.
    pub fn add_claim(&mut self, claim: &Claim) {
        match claim.progress {
            ClaimProgress::Withdrawn => count(&mut self.withdrawals, claim.kind),
            ClaimProgress::Requested => count(&mut self.requested, claim.kind),
            _ => {}
        }
        if exchange_is_late(claim) {
            self.exchange_delays += 1;
        }
    }
}

/// Whether `claim` is a Kakao Style exchange whose replacement missed its due date
/// (교환배송지연, R22).
pub fn exchange_is_late(claim: &Claim) -> bool {
    claim
        .exchange
        .as_ref()
        .and_then(|e| e.kakao.as_ref())
        .is_some_and(|k| k.state == ExchangeState::Delayed)
}

fn count(by: &mut ByKind, kind: ClaimKind) {
    match kind {
        ClaimKind::Cancel => by.cancel += 1,
        ClaimKind::Exchange => by.exchange += 1,
        ClaimKind::Return => by.r#return += 1,
    }
}

impl Book {
    /// Counts the dashboard's CS figures.
    pub fn dashboard(&self) -> Dashboard {
        let mut board = Dashboard {
            claims_after_confirmation: self
                .orders
                .values()
                .flat_map(|o| o.claims_after_confirmation.iter())
                .filter(|kept| kept.closed.is_none())
                .count() as u64,
            ..Dashboard::default()
        };
        for line in self.orders.values().flat_map(|o| o.lines.iter()) {
            match line.hold.as_ref().map(|h| h.kind) {
                Some(HoldKind::Cancel) => board.holds.cancel += 1,
                Some(HoldKind::Exchange) => board.holds.exchange += 1,
                Some(HoldKind::Return) => board.holds.r#return += 1,
                Some(HoldKind::Operator) => board.operator_holds += 1,
                None => {}
            }
        }
        for claim in self.claims.values() {
            board.add_claim(claim);
        }
        board.pickups_pending = self
            .pickups
            .values()
            .filter(|p| matches!(p.state, PickupState::Expected | PickupState::PickingUp))
            .count() as u64;
        board.unmatched_cancels = self.unmatched_cancels.len() as u64;
        board
    }
}

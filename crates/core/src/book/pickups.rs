//! Pickups (R13, R14): 예정 → 수거중 → 완료 / 미수 / 초과, arrival quantities, restock. The
//! arrival of every expected unit completes the return, or the exchange and releases its
//! replacement (R15, R17).

use super::Book;
use crate::cancel_sync::LineRef;
use crate::claim::{ClaimKind, HoldReason};
use crate::context::Ctx;
use crate::event::Change;
use crate::ids::{LineId, PickupId};
use crate::pickup::{Pickup, PickupState};
use crate::refusal::{Action, Refusal};

impl Book {
    pub(super) fn decide_start_pickup(&self, id: PickupId) -> Result<Vec<Change>, Refusal> {
        let pickup = self.pickup(id)?;
        self.check_claim_active_for(pickup)?;
        if pickup.state != PickupState::Expected {
            return Err(Refusal::PickupStateForbids {
                pickup: id,
                state: pickup.state,
                action: Action::StartPickup,
            });
        }
        Ok(vec![Change::PickupStarted {
            pickup: id,
            order: pickup.order,
        }])
    }

    fn check_claim_active_for(&self, pickup: &Pickup) -> Result<(), Refusal> {
        let claim = self.claim(pickup.claim)?;
        if !claim.progress.is_active() {
            return Err(Refusal::ClaimClosed {
                claim: claim.id,
                progress: claim.progress,
            });
        }
        Ok(())
    }

    pub(super) fn decide_arrival(
        &self,
        id: PickupId,
        arrived: &[(LineId, u32)],
        _ctx: &Ctx,
    ) -> Result<Vec<Change>, Refusal> {
        let pickup = self.pickup(id)?;
        self.check_claim_active_for(pickup)?;
        if matches!(pickup.state, PickupState::Done | PickupState::Excess) {
            return Err(Refusal::PickupStateForbids {
                pickup: id,
                state: pickup.state,
                action: Action::RecordArrival,
            });
        }
        if arrived.is_empty() || arrived.iter().all(|(_, units)| *units == 0) {
            return Err(Refusal::NothingSelected);
        }
        let mut lines = pickup.lines.clone();
        for (line, units) in arrived {
            let entry = lines.iter_mut().find(|l| l.line == *line).ok_or_else(|| {
                Refusal::LineNotInClaim {
                    line: *line,
                    what: format!("pickup {id}"),
                }
            })?;
            entry.arrived += units;
        }
        let after = Pickup::state_for_arrivals(&lines);
        let mut changes = vec![Change::PickupArrived {
            pickup: id,
            order: pickup.order,
            arrived: arrived.to_vec(),
            before: pickup.state,
            after,
        }];
        if after != PickupState::Missing {
            changes.extend(self.claim_completed_by_arrival(pickup)?);
        }
        Ok(changes)
    }

    /// Everything came back: the claim completes; an exchange's held replacement is released
    /// (R15, R17).
    fn claim_completed_by_arrival(&self, pickup: &Pickup) -> Result<Vec<Change>, Refusal> {
        let claim = self.claim(pickup.claim)?;
        let mut changes = Vec::new();
        if claim.kind == ClaimKind::Exchange {
            if let Some(replacement) = claim
                .exchange
                .as_ref()
                .and_then(|e| e.replacement_order)
                .and_then(|o| self.orders.get(&o))
            {
                let waiting: Vec<LineRef> = replacement
                    .lines
                    .iter()
                    .filter(|l| {
                        matches!(l.hold.as_ref().map(|h| &h.reason),
                            Some(HoldReason::AwaitingExchangePickup(c)) if *c == claim.id)
                    })
                    .map(|l| LineRef {
                        order: replacement.id,
                        line: l.id,
                    })
                    .collect();
                if let Some(hold) = replacement.lines.iter().find_map(|l| l.hold.clone()) {
                    if !waiting.is_empty() {
                        changes.push(Change::HoldReleased { at: waiting, hold });
                    }
                }
            }
        }
        changes.push(Change::ClaimCompleted {
            claim: claim.id,
            order: claim.order,
        });
        Ok(changes)
    }

    pub(super) fn decide_restock(
        &self,
        id: PickupId,
        lines: &[(LineId, u32)],
    ) -> Result<Vec<Change>, Refusal> {
        let pickup = self.pickup(id)?;
        if !pickup.state.has_arrived() {
            return Err(Refusal::PickupStateForbids {
                pickup: id,
                state: pickup.state,
                action: Action::Restock,
            });
        }
        if lines.is_empty() {
            return Err(Refusal::NothingSelected);
        }
        for (line, units) in lines {
            let entry = pickup
                .lines
                .iter()
                .find(|l| l.line == *line)
                .ok_or_else(|| Refusal::LineNotInClaim {
                    line: *line,
                    what: format!("pickup {id}"),
                })?;
            let left = entry.arrived.saturating_sub(entry.restocked);
            if *units == 0 || *units > left {
                return Err(Refusal::RestockTooMany {
                    line: *line,
                    asked: *units,
                    arrivable: left,
                });
            }
        }
        Ok(vec![Change::Restocked {
            pickup: id,
            order: pickup.order,
            lines: lines.to_vec(),
        }])
    }
}

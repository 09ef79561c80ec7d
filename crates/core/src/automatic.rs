//! The automatic rules (R3, R4, R22): what is due at a given time. The caller's clock calls
//! [`Book::tick`]; the engine never reads a clock of its own.

use crate::book::Book;
use crate::claim::{Claim, ClaimKind, ClaimLine, ClaimProgress, ClaimSource, LineSnapshot, Reason};
use crate::context::{Actor, Ctx};
use crate::event::{Change, Event};
use crate::exchange::Penalty;
use crate::fault::Fault;
use crate::ids::{ClaimId, IdBlock};
use crate::order::{LineStatus, Payment};
use crate::refusal::Refusal;
use chrono::{DateTime, Duration, Utc};

/// Purchase is confirmed automatically this many days after delivery (R3).
pub const AUTO_CONFIRM_DAYS: i64 = 7;

impl Book {
    /// The changes due at `now`: purchase confirmations 7 days after delivery (R3), cancels of
    /// unpaid bank transfers at their deadline (R4), late Kakao Style replacements (R22).
    /// Read-only; `ids` supplies the claim ids of deadline cancels.
    pub fn due(&self, now: DateTime<Utc>, ids: IdBlock) -> Result<Vec<Change>, Refusal> {
        let mut ids = ids;
        let mut changes = Vec::new();
        for order in self.orders.values() {
            let has_active_claim = order
                .lines
                .iter()
                .any(|l| l.claim.is_some_and(|c| self.claim_is_active(c)));
            if let Some(delivered) = order.dates.delivered_at {
                let all_delivered = order.shipping_lines().next().is_some()
                    && order
                        .shipping_lines()
                        .all(|l| l.status == LineStatus::Delivered);
                if all_delivered
                    && !has_active_claim
                    && now >= delivered + Duration::days(AUTO_CONFIRM_DAYS)
                {
                    changes.push(Change::PurchaseConfirmed {
                        order: order.id,
                        automatic: true,
                    });
                }
            }
            if let Payment::BankTransfer { deadline } = order.payment {
                let unpaid: Vec<_> = order
                    .shipping_lines()
                    .filter(|l| {
                        l.status == LineStatus::AwaitingPayment
                            && l.claim_state == crate::order::ClaimState::Normal
                    })
                    .collect();
                if !unpaid.is_empty() && now >= deadline && !has_active_claim {
                    let id = ClaimId(ids.take().ok_or(Refusal::IdBlockUsedUp)?);
                    if self.claims.contains_key(&id) {
                        return Err(Refusal::IdTaken {
                            what: "claim".into(),
                            id: id.to_string(),
                        });
                    }
                    let claim = Claim {
                        id,
                        order: order.id,
                        kind: ClaimKind::Cancel,
                        lines: unpaid
                            .iter()
                            .map(|l| ClaimLine {
                                line: l.id,
                                quantity: l.quantity,
                                before: LineSnapshot {
                                    status: l.status,
                                    claim_state: l.claim_state,
                                    hold: l.hold.clone(),
                                },
                            })
                            .collect(),
                        reason: Reason::PaymentDeadline,
                        fault: Fault::Buyer,
                        memo: String::new(),
                        source: ClaimSource::Operator,
                        opened_by: Actor::Automatic,
                        opened_at: now,
                        progress: ClaimProgress::Open,
                        hold: None,
                        closed_at: None,
                        pickup: None,
                        exchange: None,
                        converted_from_exchange: false,
                    };
                    changes.push(Change::ClaimOpened(Box::new(claim)));
                    changes.push(Change::ClaimCompleted {
                        claim: id,
                        order: order.id,
                    });
                }
            }
        }
        for claim in self.claims.values() {
            let Some(kakao) = claim.exchange.as_ref().and_then(|e| e.kakao.as_ref()) else {
                continue;
            };
            if let Some(missed_due) = kakao.becomes_late(now) {
                changes.push(Change::ExchangeLate {
                    claim: claim.id,
                    order: claim.order,
                    penalty: Penalty {
                        at: now,
                        missed_due,
                    },
                });
            }
        }
        Ok(changes)
    }

    /// Applies what is due at `now` (see [`Book::due`]) as the automatic actor.
    pub fn tick(&mut self, now: DateTime<Utc>, ids: IdBlock) -> Result<Vec<Event>, Refusal> {
        let ctx = Ctx::automatic(now);
        let events: Vec<Event> = self
            .due(now, ids)?
            .into_iter()
            .map(|change| Event {
                at: ctx.now,
                actor: ctx.actor.clone(),
                change,
            })
            .collect();
        for event in &events {
            self.apply(event)
                .map_err(|e| Refusal::Inconsistent(e.to_string()))?;
        }
        Ok(events)
    }
}

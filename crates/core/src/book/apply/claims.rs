//! The fold of claims (R9–R18, R3, R27): holds, claims opened, accepted, converted, completed
//! and undone, exchange arrangements and replacement lines, Cafe24 modes, and requests kept after
//! purchase confirmation.

use super::{in_progress_state, order_mut, with_line, ReplayError};
use crate::book::Book;
use crate::cancel_sync::LineRef;
use crate::claim::{
    Claim, ClaimAfterConfirmation, ClaimKind, ClaimProgress, Hold, HoldReason, LineSnapshot,
};
use crate::context::Actor;
use crate::exchange::{Cafe24ExchangeMode, ExchangeDetails};
use crate::ids::{ClaimId, LineId, OrderId};
use crate::order::{ClaimState, Line};
use chrono::{DateTime, Utc};

impl Book {
    pub(super) fn apply_hold_placed(
        &mut self,
        lines: &[LineRef],
        hold: &Hold,
    ) -> Result<(), ReplayError> {
        for r in lines {
            with_line(&mut self.orders, &mut self.stock, r.order, r.line, |line| {
                line.hold = Some(hold.clone())
            })?;
        }
        Ok(())
    }

    pub(super) fn apply_hold_released(&mut self, lines: &[LineRef]) -> Result<(), ReplayError> {
        for r in lines {
            with_line(&mut self.orders, &mut self.stock, r.order, r.line, |line| {
                line.hold = None
            })?;
        }
        Ok(())
    }

    pub(super) fn apply_claim_opened(&mut self, claim: &Claim) -> Result<(), ReplayError> {
        if self.claims.contains_key(&claim.id) {
            return Err(ReplayError::Duplicate(format!("claim {}", claim.id)));
        }
        // A requested marketplace claim only holds its lines; the CS state follows when the
        // operator accepts it.
        let state = (claim.progress == ClaimProgress::Open)
            .then(|| in_progress_state(claim.kind))
            .flatten();
        for claimed in &claim.lines {
            with_line(
                &mut self.orders,
                &mut self.stock,
                claim.order,
                claimed.line,
                |line| {
                    line.claim = Some(claim.id);
                    if let Some(state) = state {
                        line.claim_state = state;
                    }
                    if let Some(hold) = &claim.hold {
                        line.hold = Some(hold.clone());
                    }
                },
            )?;
        }
        self.claims.insert(claim.id, claim.clone());
        Ok(())
    }

    pub(super) fn apply_claim_accepted(&mut self, claim: ClaimId) -> Result<(), ReplayError> {
        let found = self
            .claims
            .get_mut(&claim)
            .ok_or(ReplayError::MissingClaim(claim))?;
        found.progress = ClaimProgress::Open;
        let released = found.hold.take();
        let state = in_progress_state(found.kind);
        let (order, lines): (OrderId, Vec<LineId>) =
            (found.order, found.lines.iter().map(|l| l.line).collect());
        for line in lines {
            with_line(&mut self.orders, &mut self.stock, order, line, |l| {
                if released.is_some() && l.hold == released {
                    l.hold = None;
                }
                if let Some(state) = state {
                    l.claim_state = state;
                }
            })?;
        }
        Ok(())
    }

    pub(super) fn apply_claim_completed(
        &mut self,
        id: ClaimId,
        at: DateTime<Utc>,
    ) -> Result<(), ReplayError> {
        let claim = self
            .claims
            .get_mut(&id)
            .ok_or(ReplayError::MissingClaim(id))?;
        claim.progress = ClaimProgress::Completed;
        claim.closed_at = Some(at);
        let hold = claim.hold.take();
        let state = match claim.kind {
            ClaimKind::Cancel => ClaimState::Cancelled,
            ClaimKind::Return => ClaimState::Returned,
            ClaimKind::Exchange => ClaimState::Exchanged,
        };
        let order = claim.order;
        let lines: Vec<LineId> = claim.lines.iter().map(|l| l.line).collect();
        for line in lines {
            with_line(&mut self.orders, &mut self.stock, order, line, |l| {
                l.claim_state = state;
                let own_hold = l.hold.as_ref().is_some_and(|h| {
                    Some(h) == hold.as_ref()
                        || matches!(h.reason, HoldReason::MarketplaceClaim(c) if c == id)
                });
                // A line that will never ship (cancelled, or exchanged away before shipping)
                // keeps no hold: there is nothing left to stop.
                if own_hold || !l.ships() {
                    l.hold = None;
                }
            })?;
        }
        if state == ClaimState::Cancelled {
            let order = order_mut(&mut self.orders, order)?;
            if order.is_cancelled() {
                order.dates.cancelled_at = Some(at);
            }
        }
        Ok(())
    }

    pub(super) fn apply_claim_converted(
        &mut self,
        claim: ClaimId,
        to: ClaimKind,
    ) -> Result<(), ReplayError> {
        let found = self
            .claims
            .get_mut(&claim)
            .ok_or(ReplayError::MissingClaim(claim))?;
        found.kind = to;
        found.converted_from_exchange = true;
        Ok(())
    }

    pub(super) fn apply_exchange_arranged(
        &mut self,
        claim: ClaimId,
        details: &ExchangeDetails,
    ) -> Result<(), ReplayError> {
        self.claims
            .get_mut(&claim)
            .ok_or(ReplayError::MissingClaim(claim))?
            .exchange = Some(details.clone());
        Ok(())
    }

    /// 철회 or 거부: the claim's lines go back to their snapshots (R12, R20).
    pub(super) fn apply_claim_undone(
        &mut self,
        claim: ClaimId,
        progress: ClaimProgress,
        reason: Option<&str>,
        restored: &[(LineId, LineSnapshot)],
        at: DateTime<Utc>,
    ) -> Result<(), ReplayError> {
        let found = self
            .claims
            .get_mut(&claim)
            .ok_or(ReplayError::MissingClaim(claim))?;
        found.progress = progress;
        found.closed_at = Some(at);
        found.hold = None;
        if let (Some(reason), Some(kakao)) = (
            reason,
            found.exchange.as_mut().and_then(|e| e.kakao.as_mut()),
        ) {
            kakao.reject_reason = Some(reason.to_owned());
        }
        let order = found.order;
        if progress == ClaimProgress::Withdrawn {
            if let Some(kept) = self.orders.get_mut(&order) {
                if !kept.withdrawn_claims.contains(&claim) {
                    kept.withdrawn_claims.push(claim);
                }
            }
        }
        for (line, snapshot) in restored {
            with_line(&mut self.orders, &mut self.stock, order, *line, |l| {
                l.status = snapshot.status;
                l.claim_state = snapshot.claim_state;
                l.hold = snapshot.hold.clone();
            })?;
        }
        Ok(())
    }

    /// Lines joining an order (the replacements of an exchange before shipping, R10), indexed by
    /// their keys and allocated like collected lines (R30).
    pub(super) fn apply_lines_added(
        &mut self,
        id: OrderId,
        lines: &[Line],
    ) -> Result<(), ReplayError> {
        for line in lines {
            if self.line_owner.contains_key(&line.id) {
                return Err(ReplayError::Duplicate(format!("line {}", line.id)));
            }
        }
        let order = order_mut(&mut self.orders, id)?;
        order.lines.extend(lines.iter().cloned());
        for line in lines {
            if let Some(sku) = &line.sku {
                self.stock
                    .allocate(sku, i64::from(line.allocated_quantity()));
            }
            self.index_line(id, line.id);
        }
        Ok(())
    }

    pub(super) fn apply_cafe24_resolved(
        &mut self,
        claim: ClaimId,
        mode: Cafe24ExchangeMode,
    ) -> Result<(), ReplayError> {
        let details = self
            .claims
            .get_mut(&claim)
            .and_then(|c| c.exchange.as_mut())
            .ok_or(ReplayError::MissingClaim(claim))?;
        details.cafe24_mode = Some(mode);
        details.notice_recommended = mode == Cafe24ExchangeMode::ConsoleOnly;
        Ok(())
    }

    pub(super) fn apply_kept_after_confirmation(
        &mut self,
        order: OrderId,
        request: &ClaimAfterConfirmation,
    ) -> Result<(), ReplayError> {
        order_mut(&mut self.orders, order)?
            .claims_after_confirmation
            .push(request.clone());
        Ok(())
    }

    pub(super) fn apply_closed_after_confirmation(
        &mut self,
        order: OrderId,
        request: ClaimId,
        actor: &Actor,
        at: DateTime<Utc>,
    ) -> Result<(), ReplayError> {
        let kept = order_mut(&mut self.orders, order)?
            .claims_after_confirmation
            .iter_mut()
            .find(|kept| kept.id == request)
            .ok_or(ReplayError::MissingClaim(request))?;
        kept.closed = Some((actor.clone(), at));
        Ok(())
    }
}

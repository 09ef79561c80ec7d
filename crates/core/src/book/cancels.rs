//! Cancel sync (R25–R27): the matcher's answers become claims, holds and kept records.

use super::Book;
use crate::cancel_sync::{
    match_cancels, synced_cancel_claim, CancelMatch, CancelRecord, CancelVerdict, LineRef,
};
use crate::claim::{
    Claim, ClaimKind, ClaimLine, ClaimProgress, ClaimSource, Hold, HoldKind, HoldReason,
    LineSnapshot, Reason,
};
use crate::context::Ctx;
use crate::event::{Change, Event};
use crate::fault::Fault;
use crate::ids::{ClaimId, IdBlock, OrderId};
use crate::order::LineStatus;
use crate::refusal::Refusal;
use std::collections::BTreeMap;

impl Book {
    /// Matches and applies one sync run's cancels; returns each record's answer and the events.
    pub fn sync_cancels(
        &mut self,
        records: &[CancelRecord],
        ids: IdBlock,
        ctx: &Ctx,
    ) -> Result<(Vec<CancelMatch>, Vec<Event>), Refusal> {
        let matches = match_cancels(self, records);
        let events = self.execute(
            &crate::command::Command::SyncCancels {
                records: records.to_vec(),
                ids,
            },
            ctx,
        )?;
        Ok((matches, events))
    }

    pub(super) fn decide_sync_cancels(
        &self,
        records: &[CancelRecord],
        ids: IdBlock,
        ctx: &Ctx,
    ) -> Result<Vec<Change>, Refusal> {
        let mut ids = ids;
        let mut changes = Vec::new();
        let mut kept_now = Vec::new();
        // Two records of one batch naming the same line act on it once.
        let mut touched: rustc_hash::FxHashSet<LineRef> = rustc_hash::FxHashSet::default();
        for found in match_cancels(self, records) {
            let record = &records[found.record];
            // A kept record that now applies (its order came after it) leaves the kept list as
            // it is applied; the collector sends kept records again each sync (R27). One that
            // finds its lines done already stays kept for the operator, and so does one kept by
            // design (a marketplace without cancel words, `Unconfirmed`).
            if found.verdict.acts_on_lines() && self.is_kept(record, &[]) {
                changes.push(Change::KeptCancelMatched(Box::new(record.clone())));
            }
            match found.verdict {
                CancelVerdict::Applies { cancel, hold } => {
                    let cancel: Vec<LineRef> = cancel
                        .into_iter()
                        .filter(|at| touched.insert(*at))
                        .collect();
                    let hold: Vec<LineRef> =
                        hold.into_iter().filter(|at| touched.insert(*at)).collect();
                    for (order, lines) in by_order(&cancel) {
                        self.synced_cancel(order, &lines, record, &mut ids, ctx, &mut changes)?;
                    }
                    for (order, lines) in by_order(&hold) {
                        self.synced_hold(order, &lines, record, &mut ids, ctx, &mut changes)?;
                    }
                }
                CancelVerdict::Withdraws { lines } => {
                    let mut undone: Vec<ClaimId> = Vec::new();
                    for at in lines.into_iter().filter(|at| touched.insert(*at)) {
                        if let Some(claim) = synced_cancel_claim(self, at) {
                            if !undone.contains(&claim) {
                                undone.push(claim);
                                let claim = self.claim(claim)?;
                                changes.push(self.undo_claim(
                                    claim,
                                    ClaimProgress::Withdrawn,
                                    None,
                                )?);
                            }
                        }
                    }
                }
                CancelVerdict::Unmatched | CancelVerdict::UnknownMarketplace => {
                    // Kept once: a sync repeats every 10–30 minutes.
                    if !self.is_kept(record, &kept_now) {
                        kept_now.push(record.clone());
                        changes.push(Change::UnmatchedCancelKept(Box::new(record.clone())));
                    }
                }
                CancelVerdict::Unconfirmed { hold } => {
                    // Kept for the operator, and its lines held once: a record the operator has
                    // already seen (kept) holds nothing again when the sync repeats it.
                    if self.is_kept(record, &kept_now) {
                        continue;
                    }
                    kept_now.push(record.clone());
                    changes.push(Change::UnmatchedCancelKept(Box::new(record.clone())));
                    let hold: Vec<LineRef> =
                        hold.into_iter().filter(|at| touched.insert(*at)).collect();
                    for (order, lines) in by_order(&hold) {
                        self.synced_hold_with(
                            order,
                            &lines,
                            record,
                            Some(HoldReason::CancelUnconfirmed),
                            &mut ids,
                            ctx,
                            &mut changes,
                        )?;
                    }
                }
                CancelVerdict::AlreadyApplied | CancelVerdict::NotACancel => {}
            }
        }
        Ok(changes)
    }

    /// A synced cancel of unshipped lines: opened and completed at once (R27). A cancel of part
    /// of one line divides it; an unbundled order losing every line loses its invoice too.
    fn synced_cancel(
        &self,
        order_id: OrderId,
        lines: &[LineRef],
        record: &CancelRecord,
        ids: &mut IdBlock,
        ctx: &Ctx,
        changes: &mut Vec<Change>,
    ) -> Result<(), Refusal> {
        let order = self.order(order_id)?;
        let mut claimed = Vec::new();
        for at in lines {
            let line = self.line(at.order, at.line)?;
            let mut id = line.id;
            if let (Some(units), 1) = (record.quantity, lines.len()) {
                if units > 0 && units < line.quantity {
                    id = crate::ids::LineId(ids.take().ok_or(Refusal::IdBlockUsedUp)?);
                    self.check_new_line_id(id)?;
                    changes.push(Change::LineDivided {
                        order: order_id,
                        line: line.id,
                        new_line: id,
                        quantity: units,
                    });
                }
            }
            let quantity = if id == line.id {
                line.quantity
            } else {
                record.quantity.unwrap_or(line.quantity)
            };
            claimed.push(ClaimLine {
                line: id,
                quantity,
                before: LineSnapshot {
                    status: line.status,
                    claim_state: line.claim_state,
                    hold: line.hold.clone(),
                },
            });
        }
        let whole = claimed
            .iter()
            .all(|c| lines.iter().any(|l| l.line == c.line));
        let all_go = whole
            && order
                .shipping_lines()
                .all(|l| lines.iter().any(|at| at.line == l.id));
        if all_go && order.bundle.is_none() {
            if let Some(invoice) = &order.invoice {
                if order
                    .shipping_lines()
                    .all(|l| l.status == LineStatus::ReadyToShip)
                {
                    changes.push(Change::InvoiceVoided {
                        orders: vec![order_id],
                        invoice: invoice.clone(),
                    });
                }
            }
        }
        let claim = self.synced_claim(
            order_id,
            claimed,
            record,
            None,
            ClaimProgress::Open,
            ids,
            ctx,
        )?;
        let id = claim.id;
        changes.push(Change::ClaimOpened(Box::new(claim)));
        changes.push(Change::ClaimCompleted {
            claim: id,
            order: order_id,
        });
        Ok(())
    }

    /// Whether this record is kept already (in the book, or earlier in this batch).
    fn is_kept(&self, record: &CancelRecord, kept_now: &[CancelRecord]) -> bool {
        self.unmatched_cancels
            .iter()
            .chain(kept_now.iter())
            .any(|kept| {
                kept.marketplace == record.marketplace
                    && kept.keys == record.keys
                    && kept.status == record.status
            })
    }

    /// A synced cancel of printed or shipped lines: a cancel hold for the operator (R27).
    fn synced_hold(
        &self,
        order_id: OrderId,
        lines: &[LineRef],
        record: &CancelRecord,
        ids: &mut IdBlock,
        ctx: &Ctx,
        changes: &mut Vec<Change>,
    ) -> Result<(), Refusal> {
        self.synced_hold_with(order_id, lines, record, None, ids, ctx, changes)
    }

    /// [`Self::synced_hold`] with the hold's reason given (`None`: by where the lines are).
    #[allow(clippy::too_many_arguments)]
    fn synced_hold_with(
        &self,
        order_id: OrderId,
        lines: &[LineRef],
        record: &CancelRecord,
        reason: Option<HoldReason>,
        ids: &mut IdBlock,
        ctx: &Ctx,
        changes: &mut Vec<Change>,
    ) -> Result<(), Refusal> {
        let mut claimed = Vec::new();
        let mut shipped = false;
        for at in lines {
            let line = self.line(at.order, at.line)?;
            shipped |= line.status.is_shipped();
            claimed.push(ClaimLine {
                line: line.id,
                quantity: line.quantity,
                before: LineSnapshot {
                    status: line.status,
                    claim_state: line.claim_state,
                    hold: line.hold.clone(),
                },
            });
        }
        let hold = Hold {
            kind: HoldKind::Cancel,
            reason: reason.unwrap_or(if shipped {
                HoldReason::ReturnIntercept
            } else {
                HoldReason::CancelAfterPrint
            }),
            since: ctx.now,
        };
        let claim = self.synced_claim(
            order_id,
            claimed,
            record,
            Some(hold),
            ClaimProgress::Requested,
            ids,
            ctx,
        )?;
        changes.push(Change::ClaimOpened(Box::new(claim)));
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn synced_claim(
        &self,
        order: OrderId,
        lines: Vec<ClaimLine>,
        record: &CancelRecord,
        hold: Option<Hold>,
        progress: ClaimProgress,
        ids: &mut IdBlock,
        ctx: &Ctx,
    ) -> Result<Claim, Refusal> {
        let id = ClaimId(ids.take().ok_or(Refusal::IdBlockUsedUp)?);
        if self.claims.contains_key(&id) {
            return Err(Refusal::IdTaken {
                what: "claim".into(),
                id: id.to_string(),
            });
        }
        Ok(Claim {
            id,
            order,
            kind: ClaimKind::Cancel,
            lines,
            reason: Reason::Other(record.status.clone()),
            fault: Fault::Buyer,
            memo: String::new(),
            source: ClaimSource::Marketplace {
                status: record.status.clone(),
                claim_no: record.claim_no.clone(),
            },
            opened_by: ctx.actor.clone(),
            opened_at: ctx.now,
            progress,
            hold,
            closed_at: None,
            pickup: None,
            exchange: None,
            converted_from_exchange: false,
        })
    }
}

/// Lines grouped by order, in order.
fn by_order(lines: &[LineRef]) -> BTreeMap<OrderId, Vec<LineRef>> {
    let mut grouped: BTreeMap<OrderId, Vec<LineRef>> = BTreeMap::new();
    for at in lines {
        grouped.entry(at.order).or_default().push(*at);
    }
    grouped
}

//! Cancel sync from marketplaces (R25–R27): which status words cancel, which key matches a record
//! to console lines, and what happens to the lines it matches.
//!
//! [`match_cancels`] is pure and read-only: for each record it answers the lines it cancels, the
//! lines it holds (a printed label or a shipped parcel), the lines a withdrawal restores, or that
//! it matched nothing and is kept. [`crate::Command::SyncCancels`] turns those answers into events.

mod index;

pub use index::{KeyUsed, LineIndex, LineRef};

use crate::book::Book;
use crate::claim::{ClaimKind, ClaimProgress, ClaimSource, HoldKind};
use crate::marketplace::{CancelStatusMeaning, MarketplaceCode, MarketplaceKeys};
use crate::order::{ClaimState, LineStatus};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A cancel as a marketplace reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CancelRecord {
    /// The marketplace.
    pub marketplace: MarketplaceCode,
    /// Its status word, as sent (R25).
    pub status: String,
    /// The keys naming the line (R26).
    pub keys: MarketplaceKeys,
    /// Units cancelled (`None`: the whole line).
    pub quantity: Option<u32>,
    /// The marketplace's claim number, if it has one.
    pub claim_no: Option<String>,
    /// When the marketplace reported it.
    pub reported_at: DateTime<Utc>,
}

/// What a cancel record does (R27).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum CancelVerdict {
    /// It cancels these unshipped lines and holds these printed or shipped ones.
    Applies {
        /// Lines cancelled (not shipped, label not printed).
        cancel: Vec<LineRef>,
        /// Lines held with a cancel hold: label printed (the parcel may be packed) or shipped
        /// (return intercept).
        hold: Vec<LineRef>,
    },
    /// A withdrawal (Fashionplus 취소거부) restores lines a synced cancel holds.
    Withdraws {
        /// Lines whose cancel is withdrawn.
        lines: Vec<LineRef>,
    },
    /// Every matched line is already cancelled or held for this: a repeat of an earlier sync.
    AlreadyApplied,
    /// No line matches: the record is kept and shown, never dropped.
    Unmatched,
    /// The marketplace's table gives no cancel words (R25: seed 002 names none for it), so the
    /// record cannot be read as a cancel or not: it is kept for the operator, and the lines it
    /// matches are held (취소보류) until the operator confirms or releases them. They never ship
    /// meanwhile, and nothing is cancelled without the operator.
    Unconfirmed {
        /// Lines held for the operator to confirm.
        hold: Vec<LineRef>,
    },
    /// The status word is not one of the marketplace's cancel words: not a cancel (R25).
    NotACancel,
    /// The marketplace is not in the table: kept and shown.
    UnknownMarketplace,
}

impl CancelVerdict {
    /// Whether a sync with this verdict cancels, holds or restores lines (and so takes a kept
    /// record off the kept list).
    pub fn acts_on_lines(&self) -> bool {
        matches!(
            self,
            CancelVerdict::Applies { .. } | CancelVerdict::Withdraws { .. }
        )
    }
}

/// The answer for one record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CancelMatch {
    /// The record's position in the batch.
    pub record: usize,
    /// The key that found the lines (R26).
    pub key_used: Option<KeyUsed>,
    /// What the record does.
    pub verdict: CancelVerdict,
}

/// How a matched line stands with respect to a cancel (R27).
enum LineFate {
    Cancel,
    Hold,
    Already,
}

fn fate(book: &Book, at: LineRef) -> Option<LineFate> {
    let order = book.orders.get(&at.order)?;
    let line = order.line(at.line)?;
    if line.claim_state == ClaimState::Cancelled {
        return Some(LineFate::Already);
    }
    if line
        .hold
        .as_ref()
        .is_some_and(|h| h.kind == HoldKind::Cancel)
    {
        return Some(LineFate::Already);
    }
    if matches!(
        line.claim_state,
        ClaimState::Returned
            | ClaimState::Exchanged
            | ClaimState::Returning
            | ClaimState::Exchanging
    ) {
        // Already on its way back or done: nothing more for a cancel to do.
        return Some(LineFate::Already);
    }
    let printed = order
        .invoice
        .as_ref()
        .is_some_and(|i| i.printed_at.is_some());
    Some(match line.status {
        LineStatus::AwaitingPayment | LineStatus::Preparing => LineFate::Cancel,
        LineStatus::ReadyToShip if !printed => LineFate::Cancel,
        _ => LineFate::Hold,
    })
}

/// The kept records of `marketplace` that would now act on a line (R27): their order came after
/// them, so a sync of them applies (or withdraws) and they leave the kept list. A kept record
/// that still names no line the book has (Coupang lists no item cancelled before 상품준비중) is
/// not among them: syncing it again would only keep it again.
pub fn kept_that_now_apply(book: &Book, marketplace: &MarketplaceCode) -> Vec<CancelRecord> {
    let kept: Vec<CancelRecord> = book
        .unmatched_cancels
        .iter()
        .filter(|r| &r.marketplace == marketplace)
        .cloned()
        .collect();
    match_cancels(book, &kept)
        .into_iter()
        .filter(|m| m.verdict.acts_on_lines())
        .map(|m| kept[m.record].clone())
        .collect()
}

/// Matches a batch of marketplace cancels against the console's lines (R25–R27), by hash lookups
/// in the book's line index. Read-only: it decides, it changes nothing.
pub fn match_cancels(book: &Book, records: &[CancelRecord]) -> Vec<CancelMatch> {
    records
        .iter()
        .enumerate()
        .map(|(i, record)| match_one(book, i, record))
        .collect()
}

fn match_one(book: &Book, i: usize, record: &CancelRecord) -> CancelMatch {
    let table = book.table();
    let answer = |key_used, verdict| CancelMatch {
        record: i,
        key_used,
        verdict,
    };
    let Some(profile) = table.get(&record.marketplace) else {
        return answer(None, CancelVerdict::UnknownMarketplace);
    };
    let meaning = profile.cancel_status(&record.status);
    if meaning == CancelStatusMeaning::Unrecognised {
        if profile.knows_cancel_words() {
            return answer(None, CancelVerdict::NotACancel);
        }
        return match book.find_lines(&record.marketplace, &record.keys) {
            None => answer(None, CancelVerdict::Unmatched),
            Some((lines, key_used)) => {
                let hold: Vec<LineRef> = lines
                    .into_iter()
                    .filter(|at| matches!(fate(book, *at), Some(LineFate::Cancel | LineFate::Hold)))
                    .collect();
                let verdict = if hold.is_empty() {
                    CancelVerdict::AlreadyApplied
                } else {
                    CancelVerdict::Unconfirmed { hold }
                };
                answer(Some(key_used), verdict)
            }
        };
    }
    let Some((lines, key_used)) = book.find_lines(&record.marketplace, &record.keys) else {
        return answer(None, CancelVerdict::Unmatched);
    };
    if meaning == CancelStatusMeaning::Withdraws {
        let held: Vec<LineRef> = lines
            .into_iter()
            .filter(|at| synced_cancel_claim(book, *at).is_some())
            .collect();
        let verdict = if held.is_empty() {
            CancelVerdict::AlreadyApplied
        } else {
            CancelVerdict::Withdraws { lines: held }
        };
        return answer(Some(key_used), verdict);
    }
    let mut cancel = Vec::new();
    let mut hold = Vec::new();
    for at in lines {
        match fate(book, at) {
            Some(LineFate::Cancel) => cancel.push(at),
            Some(LineFate::Hold) => hold.push(at),
            Some(LineFate::Already) | None => {}
        }
    }
    let verdict = if cancel.is_empty() && hold.is_empty() {
        CancelVerdict::AlreadyApplied
    } else {
        CancelVerdict::Applies { cancel, hold }
    };
    answer(Some(key_used), verdict)
}

/// The synced cancel claim a withdrawal would undo on this line: held or completed, never one the
/// payment deadline made (R4, R12).
pub(crate) fn synced_cancel_claim(book: &Book, at: LineRef) -> Option<crate::ids::ClaimId> {
    let line = book.orders.get(&at.order)?.line(at.line)?;
    let claim = book.claims.get(&line.claim?)?;
    let synced = matches!(claim.source, ClaimSource::Marketplace { .. });
    let undoable = matches!(
        claim.progress,
        ClaimProgress::Requested | ClaimProgress::Completed
    ) && claim.reason != crate::claim::Reason::PaymentDeadline;
    (synced && claim.kind == ClaimKind::Cancel && undoable).then_some(claim.id)
}

//! The dashboard's counting: one scan of the order summaries (status, CS state, 송장 미전송 and
//! the chart's days) and one of the claims (withdrawn, late exchanges, requests), in batches
//! that let the page breathe. Nothing loads an order document.

use crate::screens::orders::query::SCAN_BATCH;
use crate::store::{Store, StoreError};
use jumun_core::claim::{Claim, ClaimKind, ClaimProgress};
use jumun_core::dashboard::{exchange_is_late, Dashboard};
use jumun_core::listing::{BoardCounts, DailyOrders, CHART_DAYS};

/// How many claims of each list the dashboard names (the newest); the count is of all.
pub const CLAIMS_LISTED: usize = 20;

/// A claim as the dashboard lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct ClaimRow {
    /// The claim's id.
    pub id: u64,
    /// 관리번호 of its order.
    pub order: u64,
    /// 취소, 반품 or 교환.
    pub kind: ClaimKind,
    /// When it was withdrawn (or opened, for a late exchange), epoch milliseconds.
    pub at: f64,
}

impl ClaimRow {
    fn of(claim: &Claim) -> Self {
        ClaimRow {
            id: claim.id.0,
            order: claim.order.0,
            kind: claim.kind,
            at: claim
                .closed_at
                .unwrap_or(claim.opened_at)
                .timestamp_millis() as f64,
        }
    }
}

/// What the browser's claims say.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ClaimFigures {
    /// The engine's claim counters (withdrawn, requested, 교환배송지연).
    pub counters: Dashboard,
    /// The newest withdrawn claims.
    pub withdrawn: Vec<ClaimRow>,
    /// The late exchanges (교환배송지연), newest first.
    pub late: Vec<ClaimRow>,
}

impl ClaimFigures {
    fn add(&mut self, claim: &Claim) {
        self.counters.add_claim(claim);
        if claim.progress == ClaimProgress::Withdrawn {
            keep_newest(&mut self.withdrawn, ClaimRow::of(claim));
        }
        if exchange_is_late(claim) {
            keep_newest(&mut self.late, ClaimRow::of(claim));
        }
    }
}

/// Keeps the [`CLAIMS_LISTED`] newest rows, newest first.
fn keep_newest(rows: &mut Vec<ClaimRow>, row: ClaimRow) {
    let at = rows.partition_point(|r| r.at >= row.at);
    if at < CLAIMS_LISTED {
        rows.insert(at, row);
        rows.truncate(CLAIMS_LISTED);
    }
}

/// Everything the dashboard counts in the browser.
#[derive(Debug, Clone, PartialEq)]
pub struct Tally {
    /// Orders by status, CS state and 송장 미전송.
    pub counts: BoardCounts,
    /// Orders per day per marketplace.
    pub chart: DailyOrders,
    /// The claims' figures.
    pub claims: ClaimFigures,
    /// When it was counted, epoch milliseconds.
    pub at: f64,
}

/// Counts the store's summaries and claims at `now` (epoch milliseconds); `None` when `now` is
/// not a date, or when `wanted` turns false between two batches (the screen was left: a count
/// of 100,000 summaries must not hold IndexedDB for the screen opened next).
pub async fn count(
    store: &Store,
    now: f64,
    wanted: impl Fn() -> bool,
) -> Result<Option<Tally>, StoreError> {
    let Some(mut chart) = DailyOrders::ending_at(now, CHART_DAYS) else {
        return Ok(None);
    };
    let mut counts = BoardCounts::default();
    let mut after = None;
    loop {
        if !wanted() {
            return Ok(None);
        }
        let batch = store.list_batch(after, SCAN_BATCH).await?;
        for summary in &batch {
            counts.add(summary);
            chart.add(summary);
        }
        match batch.last() {
            Some(last) if batch.len() == SCAN_BATCH as usize => after = Some(last.id),
            _ => break,
        }
    }
    let mut claims = ClaimFigures::default();
    let mut after = None;
    loop {
        if !wanted() {
            return Ok(None);
        }
        let batch = store.claims_batch(after, SCAN_BATCH).await?;
        for claim in &batch {
            claims.add(claim);
        }
        match batch.last() {
            Some(last) if batch.len() == SCAN_BATCH as usize => after = Some(last.id.0),
            _ => break,
        }
    }
    Ok(Some(Tally {
        counts,
        chart,
        claims,
        at: now,
    }))
}

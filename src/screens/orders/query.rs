//! The order list's query: which orders match a search, in what order, and how many fall in each
//! status tab, over the summaries the store keeps (never the order documents).
//!
//! Three plans, chosen by [`Search::plan`]:
//! - **Index**: no filter besides the status tab, sorted by a date: the list pages straight
//!   through an index (`list_window`); counts come from index counts. Nothing is scanned, so
//!   opening 주문 costs one window whatever the store holds.
//! - **Phone**: the last four digits of a phone alone: one index lookup.
//! - **Scan**: anything else: summaries are read in batches by 관리번호, each tested with
//!   [`OrderFilter::matches`]; the result keeps only (sort value, 관리번호) per match. The result
//!   is published as it grows, and a newer search stops an older one.
//!
//! After a write, [`Matches::apply_changes`] updates a scanned result from the changed
//! summaries alone.

use crate::store::{ListIndex, Store, StoreError};
use jumun_core::listing::{OrderFilter, OrderSummary, Sort, SortKey, SortValue, TabCounts};
use jumun_core::order::LineStatus;
use std::cell::Cell;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;
use std::sync::Arc;

/// Summaries read per batch of a scan: large enough that IndexedDB's per-request cost does not
/// dominate, small enough that one batch never holds the page for long.
pub const SCAN_BATCH: u32 = 2_000;

/// A search and its sort.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Search {
    /// What matches.
    pub filter: OrderFilter,
    /// In what order.
    pub sort: Sort,
}

/// How a search is answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plan {
    /// Paging through an index.
    Index {
        /// The index.
        index: ListIndex,
        /// Newest first.
        descending: bool,
    },
    /// The phone-last-4 index.
    PhoneLast4(String),
    /// A scan of every summary.
    Scan,
}

impl Search {
    /// The cheapest way to answer the search.
    pub fn plan(&self) -> Plan {
        let filter = &self.filter;
        if !filter.narrows_besides_status() {
            let index = match (self.sort.key, filter.status) {
                (SortKey::OrderedAt, status) => Some(ListIndex::OrderedAt(status)),
                (SortKey::CollectedAt, None) => Some(ListIndex::CollectedAt),
                (SortKey::ShippedAt, None) => Some(ListIndex::ShippedAt),
                _ => None,
            };
            if let Some(index) = index {
                return Plan::Index {
                    index,
                    descending: self.sort.descending,
                };
            }
        }
        match filter.phone_last4() {
            Some(last4) => Plan::PhoneLast4(last4),
            None => Plan::Scan,
        }
    }
}

/// Where the rows of a result come from.
#[derive(Debug, Clone, PartialEq)]
pub enum Rows {
    /// Positions in an index.
    Index {
        /// The index.
        index: ListIndex,
        /// Newest first.
        descending: bool,
    },
    /// The matching 관리번호, in list order.
    Ids(Arc<Vec<u64>>),
}

/// A search's result, as far as it has come.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    /// Rows in the list (the current tab).
    pub total: u64,
    /// Every status tab's count.
    pub tabs: TabCounts,
    /// Where the rows come from.
    pub rows: Rows,
    /// Summaries read so far (a scan), for its progress.
    pub scanned: u64,
    /// The scan has read every summary (always, for the other plans).
    pub complete: bool,
}

impl Found {
    /// The 관리번호 of every row, when the result holds them (a scan or a lookup).
    pub fn ids(&self) -> Option<&[u64]> {
        match &self.rows {
            Rows::Ids(ids) => Some(ids),
            Rows::Index { .. } => None,
        }
    }
}

/// A scanned result: each match's sort value, and which orders the tabs counted (so a change can
/// be applied without scanning again).
#[derive(Debug, Default)]
pub struct Matches {
    sorted: Vec<(SortValue, u64)>,
    counted: HashMap<u64, LineStatus>,
    tabs: TabCounts,
}

impl Matches {
    fn add(&mut self, search: &Search, summary: &OrderSummary) {
        if !search.filter.matches_besides_status(summary) {
            return;
        }
        self.tabs.add(summary);
        self.counted.insert(summary.id, summary.status);
        if search.filter.matches(summary) {
            self.sorted.push((search.sort.value(summary), summary.id));
        }
    }

    fn sort(&mut self, sort: &Sort) {
        self.sorted
            .sort_by(|a, b| sort.compare_values((&a.0, a.1), (&b.0, b.1)));
    }

    fn found(&self, scanned: u64, complete: bool) -> Found {
        Found {
            total: self.sorted.len() as u64,
            tabs: self.tabs.clone(),
            rows: Rows::Ids(Arc::new(self.sorted.iter().map(|(_, id)| *id).collect())),
            scanned,
            complete,
        }
    }

    /// Applies changed orders: `changed` are the 관리번호 a write touched and `now` their
    /// summaries as the store holds them after it (an id missing from `now` was removed).
    pub fn apply_changes(
        &mut self,
        search: &Search,
        changed: &[u64],
        now: &[OrderSummary],
    ) -> Found {
        let mut removed = HashSet::new();
        for id in changed {
            if let Some(status) = self.counted.remove(id) {
                self.tabs.remove_status(status);
                removed.insert(*id);
            }
        }
        // One pass, however many changed: a bulk chunk touches hundreds at once.
        if !removed.is_empty() {
            self.sorted.retain(|(_, kept)| !removed.contains(kept));
        }
        for summary in now {
            if !search.filter.matches_besides_status(summary) {
                continue;
            }
            self.tabs.add(summary);
            self.counted.insert(summary.id, summary.status);
            if search.filter.matches(summary) {
                let value = search.sort.value(summary);
                let at = self.sorted.partition_point(|(v, id)| {
                    search.sort.compare_values((v, *id), (&value, summary.id))
                        == std::cmp::Ordering::Less
                });
                self.sorted.insert(at, (value, summary.id));
            }
        }
        self.found(self.tabs.all, true)
    }
}

/// Runs `search` on `store`, telling `publish` the result as it grows, until it is complete or
/// `current` no longer equals `generation` (a newer search started). Returns the scanned
/// matches, kept for [`Matches::apply_changes`] (`None` for an index plan).
pub async fn run(
    store: &Store,
    search: &Search,
    generation: u64,
    current: Rc<Cell<u64>>,
    publish: impl Fn(Found),
) -> Result<Option<Matches>, StoreError> {
    match search.plan() {
        Plan::Index { index, descending } => {
            let tabs = store.list_tab_counts().await?;
            let total = match index {
                ListIndex::OrderedAt(status) => tabs.of(status),
                ListIndex::CollectedAt | ListIndex::ShippedAt => tabs.all,
            };
            publish(Found {
                total,
                tabs,
                rows: Rows::Index { index, descending },
                scanned: 0,
                complete: true,
            });
            Ok(None)
        }
        Plan::PhoneLast4(last4) => {
            let mut matches = Matches::default();
            for summary in store.list_by_phone_last4(&last4).await? {
                matches.add(search, &summary);
            }
            matches.sort(&search.sort);
            publish(matches.found(matches.tabs.all, true));
            Ok(Some(matches))
        }
        Plan::Scan => {
            let mut matches = Matches::default();
            let mut after = None;
            let mut scanned = 0u64;
            let mut last_publish = js_sys::Date::now();
            loop {
                let batch = store.list_batch(after, SCAN_BATCH).await?;
                if current.get() != generation {
                    return Ok(None);
                }
                let Some(last) = batch.last() else { break };
                after = Some(last.id);
                scanned += batch.len() as u64;
                for summary in &batch {
                    matches.add(search, summary);
                }
                let done = batch.len() < SCAN_BATCH as usize;
                // The first rows as soon as there are any, then a few times a second.
                let now = js_sys::Date::now();
                if done || scanned == batch.len() as u64 || now - last_publish > 300.0 {
                    matches.sort(&search.sort);
                    publish(matches.found(scanned, done));
                    last_publish = now;
                }
                if done {
                    return Ok(Some(matches));
                }
            }
            matches.sort(&search.sort);
            publish(matches.found(scanned, true));
            Ok(Some(matches))
        }
    }
}

/// The rows at positions `[start, start + len)` of a result.
pub async fn window(
    store: &Store,
    rows: &Rows,
    start: usize,
    len: usize,
) -> Result<Vec<OrderSummary>, StoreError> {
    match rows {
        Rows::Index { index, descending } => {
            store
                .list_window(*index, *descending, start as u32, len as u32)
                .await
        }
        Rows::Ids(ids) => {
            let end = (start + len).min(ids.len());
            if start >= end {
                return Ok(Vec::new());
            }
            store.list_rows(&ids[start..end]).await
        }
    }
}

//! The status tabs' counts of the whole store, kept in `list_counts` (schema version 5) and
//! moved by every write of the order list in the same transaction.
//!
//! Why kept and not counted: IndexedDB counts a key range by walking it, so counting the six
//! status tabs and 전체 over 100,000 summaries takes about a second — on every opening of 주문 and
//! after every write (a bulk chunk, a sync pull). Kept, they cost one `get`.
//!
//! Every write of `order_list` goes through [`ListWrites`]: it knows (or reads, in the same
//! transaction) each order's status before the write, and moves the counts by the difference.
//! [`count_by_index`] is the full count: the upgrade to version 5 keeps its result, and
//! [`super::Store::list_tab_counts`] falls back to it (and keeps it) should the record be
//! missing.

use super::rows;
use super::rows::MetaRow;
use super::schema::{indexes, stores};
use super::{js_number, meta_row, StoreError};
use indexed_db_futures::object_store::ObjectStore;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::Transaction;
use indexed_db_futures::KeyRange;
use jumun_core::listing::{OrderSummary, TabCounts};
use jumun_core::order::{LineStatus, Order};
use wasm_bindgen::JsValue;

/// The `list_counts` record holding the kept [`TabCounts`] (a `{name, value}` row, as `meta`'s).
pub(crate) const TAB_COUNTS: &str = "tabs";

/// An order's status before a write: known to the caller (it loaded the order), or to be read.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Before {
    /// The caller knows it: `None` for an order the store did not hold.
    Known(Option<LineStatus>),
    /// Read from the order's summary in the same transaction.
    Unknown,
}

impl Before {
    /// The status of `order` as it was loaded (`None`: it was not in the store).
    pub(crate) fn of(order: Option<&Order>) -> Self {
        Self::Known(order.map(Order::status))
    }
}

/// The writes of one transaction to `orders` and `order_list`, applied together with the move
/// of the kept counts by [`ListWrites::apply`]. The transaction must cover `orders`,
/// `order_list` and `list_counts`.
#[derive(Default)]
pub(crate) struct ListWrites<'a> {
    puts: Vec<(&'a Order, Before)>,
    deletes: Vec<(u64, Before)>,
}

impl<'a> ListWrites<'a> {
    /// Writes `order` (insert or replace).
    pub(crate) fn put(&mut self, order: &'a Order, before: Before) {
        self.puts.push((order, before));
    }

    /// Removes the order with this 관리번호.
    pub(crate) fn delete(&mut self, id: u64, before: Before) {
        self.deletes.push((id, before));
    }

    /// Issues the writes in `tx` and moves the kept counts. The statuses not known are read
    /// first, all requests at once (one round trip, however many).
    pub(crate) async fn apply(mut self, tx: &Transaction<'_>) -> Result<(), StoreError> {
        if self.puts.is_empty() && self.deletes.is_empty() {
            return Ok(());
        }
        // One write per order (the last one asked): two reads of the same "before" would move
        // the counts twice.
        let mut seen = std::collections::HashSet::new();
        self.puts.reverse();
        self.puts.retain(|(order, _)| seen.insert(order.id.0));
        self.puts.reverse();
        self.deletes.retain(|(id, _)| seen.insert(*id));
        let list = tx.object_store(stores::ORDER_LIST)?;
        let ids = self
            .puts
            .iter()
            .map(|(order, before)| (order.id.0, *before))
            .chain(self.deletes.iter().copied());
        let mut pending = Vec::new();
        for (id, before) in ids {
            pending.push(match before {
                Before::Known(status) => Err(status),
                Before::Unknown => Ok(list
                    .get::<JsValue, JsValue, _>(KeyRange::Only(js_number(id)))
                    .primitive()?),
            });
        }
        let kept_in = tx.object_store(stores::LIST_COUNTS)?;
        let kept = kept_counts(&kept_in).await?;
        let mut befores = Vec::with_capacity(pending.len());
        for request in pending {
            befores.push(match request {
                Err(known) => known,
                Ok(request) => match request.await? {
                    Some(row) => Some(status_of(&row)?),
                    None => None,
                },
            });
        }
        let mut counts = kept;
        let mut befores = befores.into_iter();
        let orders = tx.object_store(stores::ORDERS)?;
        for (order, _) in &self.puts {
            let before = befores.next().flatten();
            if let Some(counts) = counts.as_mut() {
                if let Some(status) = before {
                    counts.remove_status(status);
                }
            }
            let summary = OrderSummary::of(order);
            if let Some(counts) = counts.as_mut() {
                counts.add_status(summary.status);
            }
            orders
                .put(rows::OrderRow::of(order)?.to_js()?)
                .primitive()?;
            list.put(serde_wasm_bindgen::to_value(&summary)?)
                .primitive()?;
        }
        for (id, _) in &self.deletes {
            if let (Some(counts), Some(status)) = (counts.as_mut(), befores.next().flatten()) {
                counts.remove_status(status);
            }
            for store in [&orders, &list] {
                store
                    .delete::<JsValue, _>(KeyRange::Only(js_number(*id)))
                    .primitive()?;
            }
        }
        // No counts kept (the record lost): the next reader counts them in full; moving nothing
        // keeps them from being made up.
        if let Some(counts) = counts {
            kept_in.put(meta_row(TAB_COUNTS, &counts)?).primitive()?;
        }
        Ok(())
    }
}

/// The kept counts, if any, from the `list_counts` store.
async fn kept_counts(store: &ObjectStore<'_>) -> Result<Option<TabCounts>, StoreError> {
    let value: Option<JsValue> = store
        .get::<JsValue, JsValue, _>(KeyRange::Only(JsValue::from_str(TAB_COUNTS)))
        .primitive()?
        .await?;
    let Some(value) = value else { return Ok(None) };
    let row: MetaRow = serde_wasm_bindgen::from_value(value)?;
    serde_json::from_str(&row.value)
        .map(Some)
        .map_err(|e| StoreError::corrupt("주문상태별 건수", e))
}

/// The `status` of a stored summary, read alone (the rest of the row is not decoded).
fn status_of(row: &JsValue) -> Result<LineStatus, StoreError> {
    let status = js_sys::Reflect::get(row, &JsValue::from_str("status"))
        .map_err(|_| StoreError::corrupt("주문 목록 레코드", "no status"))?;
    Ok(serde_wasm_bindgen::from_value(status)?)
}

/// `[status, -∞] … [status, +∞]` on `status_ordered_at`: one status tab.
pub(crate) fn status_range(status: LineStatus) -> KeyRange<JsValue> {
    let bound = |at: f64| -> JsValue {
        js_sys::Array::of2(
            &JsValue::from_str(&rows::status_key(status)),
            &JsValue::from_f64(at),
        )
        .into()
    };
    KeyRange::Bound(bound(f64::NEG_INFINITY), false, bound(f64::INFINITY), false)
}

/// Counts every tab by walking the indexes of `list` (the `order_list` store): seven walks over
/// the whole store, so only when no counts are kept.
pub(crate) async fn count_by_index(list: &ObjectStore<'_>) -> Result<TabCounts, StoreError> {
    let index = list.index(indexes::STATUS_ORDERED_AT)?;
    let mut counts = TabCounts {
        all: u64::from(list.count().primitive()?.await?),
        ..TabCounts::default()
    };
    for (i, status) in TabCounts::STATUSES.iter().enumerate() {
        counts.by_status[i] = u64::from(
            index
                .count()
                .with_query::<JsValue, _>(status_range(*status))
                .primitive()?
                .await?,
        );
    }
    Ok(counts)
}

/// Counts in full and keeps the result, in `tx` (readwrite over `order_list` and `list_counts`,
/// so no write lands between the count and its keeping).
pub(crate) async fn recount(tx: &Transaction<'_>) -> Result<TabCounts, StoreError> {
    let counts = count_by_index(&tx.object_store(stores::ORDER_LIST)?).await?;
    tx.object_store(stores::LIST_COUNTS)?
        .put(meta_row(TAB_COUNTS, &counts)?)
        .primitive()?;
    Ok(counts)
}

/// The kept counts, in a read transaction over `list_counts`.
pub(crate) async fn kept(tx: &Transaction<'_>) -> Result<Option<TabCounts>, StoreError> {
    kept_counts(&tx.object_store(stores::LIST_COUNTS)?).await
}

//! Reading the order list: order summaries (`order_list`, schema version 4) by window, by id, by
//! the phone's last four digits, and in batches for a scan. Nothing here loads an order
//! document or the whole store.

use super::counts;
use super::rows::summary_of;
use super::schema::{indexes, stores};
use super::{js_number, Store, StoreError};
use indexed_db_futures::cursor::CursorDirection;
use indexed_db_futures::prelude::*;
use indexed_db_futures::KeyRange;
use jumun_core::listing::{OrderSummary, TabCounts};
use jumun_core::order::LineStatus;
use wasm_bindgen::JsValue;

/// An index the list can page through in its own order, with no scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListIndex {
    /// 주문일; within one status tab when given.
    OrderedAt(Option<LineStatus>),
    /// 수집일.
    CollectedAt,
    /// 출고일 (orders not shipped sort as 0).
    ShippedAt,
}

impl Store {
    /// How many orders the whole store holds in each status tab: the kept counts (one read),
    /// or, should the record be missing, a full count kept for next time.
    pub async fn list_tab_counts(&self) -> Result<TabCounts, StoreError> {
        self.check_open()?;
        let tx = self.db.transaction(stores::LIST_COUNTS).build()?;
        if let Some(counts) = counts::kept(&tx).await? {
            return Ok(counts);
        }
        drop(tx);
        self.list_recount_tabs().await
    }

    /// Counts every status tab in full by walking the indexes (about a second over 100,000
    /// orders) and keeps the result: what the first reader does, a repair should the kept
    /// counts ever be doubted, and what the tests hold the kept counts to.
    pub async fn list_recount_tabs(&self) -> Result<TabCounts, StoreError> {
        self.check_open()?;
        let tx = self
            .db
            .transaction([stores::ORDER_LIST, stores::LIST_COUNTS])
            .with_mode(indexed_db_futures::transaction::TransactionMode::Readwrite)
            .build()?;
        let counts = counts::recount(&tx).await?;
        tx.commit().await?;
        Ok(counts)
    }

    /// `limit` summaries from position `offset` of `index`, newest (largest) first when
    /// `descending`. The cursor skips to the offset inside IndexedDB, so a window deep in a
    /// list of 100,000 reads only its own rows.
    pub async fn list_window(
        &self,
        index: ListIndex,
        descending: bool,
        offset: u32,
        limit: u32,
    ) -> Result<Vec<OrderSummary>, StoreError> {
        self.check_open()?;
        let tx = self.db.transaction(stores::ORDER_LIST).build()?;
        let store = tx.object_store(stores::ORDER_LIST)?;
        let direction = if descending {
            CursorDirection::Prev
        } else {
            CursorDirection::Next
        };
        let (name, range) = match index {
            ListIndex::OrderedAt(None) => (indexes::ORDERED_AT, None),
            ListIndex::OrderedAt(Some(status)) => (
                indexes::STATUS_ORDERED_AT,
                Some(counts::status_range(status)),
            ),
            ListIndex::CollectedAt => (indexes::COLLECTED_AT, None),
            ListIndex::ShippedAt => (indexes::SHIPPED_AT, None),
        };
        let index = store.index(name)?;
        let cursor = match range {
            Some(range) => {
                index
                    .open_cursor()
                    .with_query::<JsValue, _>(range)
                    .with_direction(direction)
                    .primitive()?
                    .await?
            }
            None => {
                index
                    .open_cursor()
                    .with_direction(direction)
                    .primitive()?
                    .await?
            }
        };
        let mut found = Vec::new();
        let Some(mut cursor) = cursor else {
            return Ok(found);
        };
        cursor.advance_by(offset).await?;
        while found.len() < limit as usize {
            match cursor.next_record::<JsValue>().await? {
                // Advanced past the end, the cursor reads as undefined rather than ending.
                Some(value) if value.is_undefined() || value.is_null() => break,
                Some(value) => found.push(summary_of(value)?),
                None => break,
            }
        }
        Ok(found)
    }

    /// The summaries of these orders, in the same order; an order no longer kept is left out.
    pub async fn list_rows(&self, ids: &[u64]) -> Result<Vec<OrderSummary>, StoreError> {
        let found = self.get_each(stores::ORDER_LIST, ids).await?;
        found.into_iter().map(summary_of).collect()
    }

    /// Orders to a phone ending in these four digits (by the index).
    pub async fn list_by_phone_last4(&self, last4: &str) -> Result<Vec<OrderSummary>, StoreError> {
        self.check_open()?;
        let tx = self.db.transaction(stores::ORDER_LIST).build()?;
        let store = tx.object_store(stores::ORDER_LIST)?;
        let found = store
            .index(indexes::PHONE_LAST4)?
            .get_all::<JsValue>()
            .with_query::<JsValue, _>(KeyRange::Only(JsValue::from_str(last4)))
            .primitive()?
            .await?;
        found.into_iter().map(|v| summary_of(v?)).collect()
    }

    /// Up to `limit` summaries after 관리번호 `after` (from the first when `None`), in 관리번호
    /// order: one batch of a scan. The caller yields to the page between batches.
    pub async fn list_batch(
        &self,
        after: Option<u64>,
        limit: u32,
    ) -> Result<Vec<OrderSummary>, StoreError> {
        let found = self.rows_after(stores::ORDER_LIST, after, limit).await?;
        found.into_iter().map(summary_of).collect()
    }

    /// Up to `limit` rows of `store` after key `after` (from the first when `None`), in key
    /// order: one batch of a scan over a store keyed by number.
    pub(super) async fn rows_after(
        &self,
        store: &str,
        after: Option<u64>,
        limit: u32,
    ) -> Result<Vec<JsValue>, StoreError> {
        self.check_open()?;
        let tx = self.db.transaction(store).build()?;
        let store = tx.object_store(store)?;
        let found = match after {
            Some(after) => {
                store
                    .get_all::<JsValue>()
                    .with_query::<JsValue, _>(KeyRange::LowerBound(js_number(after), true))
                    .with_limit(limit)
                    .primitive()?
                    .await?
            }
            None => {
                store
                    .get_all::<JsValue>()
                    .with_limit(limit)
                    .primitive()?
                    .await?
            }
        };
        found
            .into_iter()
            .map(|v| v.map_err(StoreError::from))
            .collect()
    }
}

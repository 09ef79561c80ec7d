//! The book in pieces: loading the pieces a command or an event names (with what the engine
//! needs beside them) into a partial [`Book`] inside a transaction, and writing back what changed.
//!
//! What is loaded for a set of [`Subjects`]: the named orders, claims, pickups and bundles; the
//! orders found by invoice number or marketplace keys; then, until nothing new turns up, each
//! order's bundle and its bundle mates, each order's claims (index `order`), each claim's order
//! and pickup, each pickup's claim and order; and the whole stock table when `all_stock`.
//! Pieces looked up and absent are remembered as absent, so a piece the book creates is written as
//! new and one it removes is deleted.

use super::counts::{Before, ListWrites};
use super::rows::{self, PieceRow, StockRow};
use super::schema::{indexes, stores};
use super::StoreError;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::Transaction;
use indexed_db_futures::KeyRange;
use jumun_core::claim::Claim;
use jumun_core::command::Subjects;
use jumun_core::ids::{BundleId, ClaimId, OrderId, PickupId};
use jumun_core::order::Order;
use jumun_core::pickup::Pickup;
use jumun_core::stock::{ProductKey, Sku, Stock, StockItem};
use jumun_core::Book;
use serde::de::DeserializeOwned;
use std::collections::BTreeMap;
use wasm_bindgen::JsValue;

/// The pieces as they were in the store when loaded (`None`: looked up, absent).
#[derive(Debug, Default)]
pub(crate) struct Pieces {
    orders: BTreeMap<OrderId, Option<Order>>,
    claims: BTreeMap<ClaimId, Option<Claim>>,
    pickups: BTreeMap<PickupId, Option<Pickup>>,
    bundles: BTreeMap<BundleId, Option<Vec<OrderId>>>,
    stock: Option<Stock>,
}

fn num(n: u64) -> JsValue {
    JsValue::from_f64(n as f64)
}

fn parse<T: DeserializeOwned>(what: &str, doc: &str) -> Result<T, StoreError> {
    serde_json::from_str(doc).map_err(|e| StoreError::corrupt(what, e))
}

fn to_json<T: serde::Serialize>(what: &str, value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::corrupt(what, e))
}

/// The ids of `wanted` not in `loaded` yet, each once, in order.
fn not_loaded<K: Ord, V>(mut wanted: Vec<K>, loaded: &BTreeMap<K, V>) -> Vec<K> {
    wanted.sort_unstable();
    wanted.dedup();
    wanted.retain(|id| !loaded.contains_key(id));
    wanted
}

/// The pieces of `store` with these ids (`None` where none is kept), all requested before the
/// first is awaited.
///
/// Only the parsing is generic: the requests are [`piece_docs`], compiled once rather than once
/// per kind of piece inside the future of [`Pieces::load`] (docs/wasm-size.md).
async fn pieces<K: Copy, T: DeserializeOwned>(
    tx: &Transaction<'_>,
    store: &str,
    ids: &[K],
    key: impl Fn(K) -> u64,
) -> Result<Vec<(K, Option<T>)>, StoreError> {
    let docs = piece_docs(tx, store, ids.iter().map(|id| key(*id)).collect()).await?;
    ids.iter()
        .zip(docs)
        .map(|(id, doc)| Ok((*id, doc.map(|doc| parse(store, &doc)).transpose()?)))
        .collect()
}

/// The `doc` of each piece of `store` with these keys (`None` where none is kept).
async fn piece_docs(
    tx: &Transaction<'_>,
    store: &str,
    keys: Vec<u64>,
) -> Result<Vec<Option<String>>, StoreError> {
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    let records = tx.object_store(store)?;
    let mut pending = Vec::with_capacity(keys.len());
    for key in keys {
        pending.push(
            records
                .get::<JsValue, JsValue, _>(KeyRange::Only(num(key)))
                .primitive()?,
        );
    }
    let mut found = Vec::with_capacity(pending.len());
    for request in pending {
        let doc = match request.await? {
            None => None,
            Some(value) => {
                let row: PieceRow = serde_wasm_bindgen::from_value(value)?;
                Some(row.doc)
            }
        };
        found.push(doc);
    }
    Ok(found)
}

async fn orders_by_index(
    tx: &Transaction<'_>,
    index: &str,
    key: JsValue,
) -> Result<Vec<Order>, StoreError> {
    let store = tx.object_store(stores::ORDERS)?;
    let found = store
        .index(index)?
        .get_all::<JsValue>()
        .with_query::<JsValue, _>(KeyRange::Only(key))
        .primitive()?
        .await?;
    let mut orders = Vec::new();
    for value in found {
        orders.push(rows::order_of(&value?)?);
    }
    Ok(orders)
}

/// The whole stock table.
pub(crate) async fn load_stock(tx: &Transaction<'_>) -> Result<Stock, StoreError> {
    let store = tx.object_store(stores::STOCK)?;
    let found = store.get_all::<JsValue>().primitive()?.await?;
    let mut stock = Stock::default();
    for value in found {
        let row: StockRow = serde_wasm_bindgen::from_value(value?)?;
        if row.k.starts_with("item:") {
            let item: StockItem = parse("재고", &row.doc)?;
            stock.items.insert(item.sku.clone(), item);
        } else {
            let (key, sku): (ProductKey, Sku) = parse("매칭", &row.doc)?;
            stock.links.insert(key, sku);
        }
    }
    Ok(stock)
}

fn item_key(sku: &Sku) -> String {
    format!("item:{}", sku.0)
}

fn link_key(key: &ProductKey) -> Result<String, StoreError> {
    Ok(format!("link:{}", to_json("매칭", key)?))
}

impl Pieces {
    /// Loads what `subjects` needs and is not loaded yet, and puts it into `book` too (its
    /// indexes rebuilt when anything was added).
    pub async fn load(
        &mut self,
        tx: &Transaction<'_>,
        subjects: &Subjects,
        book: &mut Book,
    ) -> Result<(), StoreError> {
        let mut added = false;
        let mut want_orders: Vec<OrderId> = subjects.orders.clone();
        let mut want_claims: Vec<ClaimId> = subjects.claims.clone();
        let mut want_pickups: Vec<PickupId> = subjects.pickups.clone();
        let mut want_bundles: Vec<BundleId> = subjects.bundles.clone();
        let mut found: Vec<Order> = Vec::new();
        for tracking_no in &subjects.tracking_nos {
            found.extend(
                orders_by_index(tx, indexes::TRACKING_NO, JsValue::from_str(tracking_no)).await?,
            );
        }
        for (marketplace, keys) in &subjects.marketplace_keys {
            found.extend(
                orders_by_index(
                    tx,
                    indexes::MARKETPLACE_ORDER,
                    super::pair(marketplace.as_str(), &keys.order_no),
                )
                .await?,
            );
            for line_no in [&keys.line_no, &keys.line_no2].into_iter().flatten() {
                found.extend(
                    orders_by_index(
                        tx,
                        indexes::MARKETPLACE_LINE,
                        super::pair(marketplace.as_str(), line_no),
                    )
                    .await?,
                );
            }
        }
        for order in found {
            want_orders.push(order.id);
        }
        // Round by round, each kind's wanted pieces are all requested before the first is
        // awaited: a chunk of 200 orders costs a few IndexedDB round trips, not 400.
        loop {
            let mut progress = false;
            // Orders, and for each newly loaded one its bundle and claims.
            let ids = not_loaded(std::mem::take(&mut want_orders), &self.orders);
            if !ids.is_empty() {
                progress = true;
                let orders = tx.object_store(stores::ORDERS)?;
                let claims = tx.object_store(stores::CLAIMS)?;
                let claims_of = claims.index(indexes::ORDER)?;
                let mut pending = Vec::with_capacity(ids.len());
                for id in ids {
                    let order = orders
                        .get::<JsValue, JsValue, _>(KeyRange::Only(num(id.0)))
                        .primitive()?;
                    let claims = claims_of
                        .get_all_keys::<JsValue>()
                        .with_query::<JsValue, _>(KeyRange::Only(num(id.0)))
                        .primitive()?;
                    pending.push((id, order, claims));
                }
                for (id, order, claims) in pending {
                    let order = order.await?.map(|v| rows::order_of(&v)).transpose()?;
                    let claims = claims.await?;
                    if let Some(order) = &order {
                        want_bundles.extend(order.bundle);
                        want_claims.extend(order.lines.iter().filter_map(|l| l.claim));
                        for key in claims {
                            if let Some(n) = key?.as_f64() {
                                want_claims.push(ClaimId(n as u64));
                            }
                        }
                        book.orders.insert(id, order.clone());
                        added = true;
                    }
                    self.orders.insert(id, order);
                }
            }
            let ids = not_loaded(std::mem::take(&mut want_claims), &self.claims);
            for (id, claim) in pieces::<_, Claim>(tx, stores::CLAIMS, &ids, |id| id.0).await? {
                progress = true;
                if let Some(claim) = &claim {
                    want_orders.push(claim.order);
                    want_pickups.extend(claim.pickup);
                    book.claims.insert(id, claim.clone());
                    added = true;
                }
                self.claims.insert(id, claim);
            }
            let ids = not_loaded(std::mem::take(&mut want_pickups), &self.pickups);
            for (id, pickup) in pieces::<_, Pickup>(tx, stores::PICKUPS, &ids, |id| id.0).await? {
                progress = true;
                if let Some(pickup) = &pickup {
                    want_orders.push(pickup.order);
                    want_claims.push(pickup.claim);
                    book.pickups.insert(id, pickup.clone());
                    added = true;
                }
                self.pickups.insert(id, pickup);
            }
            let ids = not_loaded(std::mem::take(&mut want_bundles), &self.bundles);
            for (id, mates) in
                pieces::<_, Vec<OrderId>>(tx, stores::BUNDLES, &ids, |id| id.0).await?
            {
                progress = true;
                if let Some(mates) = &mates {
                    want_orders.extend(mates.iter().copied());
                    book.bundles.insert(id, mates.clone());
                    added = true;
                }
                self.bundles.insert(id, mates);
            }
            if !progress {
                break;
            }
        }
        if subjects.all_stock && self.stock.is_none() {
            let stock = load_stock(tx).await?;
            book.stock = stock.clone();
            self.stock = Some(stock);
            added = true;
        }
        if added {
            book.rebuild_indexes();
        }
        Ok(())
    }

    /// The orders loaded (present or known absent): a superset of those a write changes.
    pub fn order_ids(&self) -> Vec<u64> {
        self.orders.keys().map(|id| id.0).collect()
    }

    /// Makes `target` hold, for every piece loaded, what `source` holds (absent pieces included):
    /// used to put back the server's state of the pieces a refused operation touched.
    pub fn take_from(&self, source: &Book) -> Book {
        let mut book = Book::new();
        for id in self.orders.keys() {
            if let Some(order) = source.orders.get(id) {
                book.orders.insert(*id, order.clone());
            }
        }
        for id in self.claims.keys() {
            if let Some(claim) = source.claims.get(id) {
                book.claims.insert(*id, claim.clone());
            }
        }
        for id in self.pickups.keys() {
            if let Some(pickup) = source.pickups.get(id) {
                book.pickups.insert(*id, pickup.clone());
            }
        }
        for id in self.bundles.keys() {
            if let Some(mates) = source.bundles.get(id) {
                book.bundles.insert(*id, mates.clone());
            }
        }
        if self.stock.is_some() {
            book.stock = source.stock.clone();
        }
        book
    }

    /// Writes what `book` changed against the loaded pieces (new, changed, removed), in `tx`.
    /// Returns the orders written.
    pub async fn write(&self, tx: &Transaction<'_>, book: &Book) -> Result<Vec<Order>, StoreError> {
        let mut written = Vec::new();
        let mut writes = ListWrites::default();
        for (id, order) in &book.orders {
            let before = self.orders.get(id).and_then(Option::as_ref);
            if before != Some(order) {
                // A loaded order's status is known; one not loaded (new to this book) is read.
                let before = match self.orders.get(id) {
                    Some(loaded) => Before::of(loaded.as_ref()),
                    None => Before::Unknown,
                };
                writes.put(order, before);
                written.push(order.clone());
            }
        }
        for (id, before) in &self.orders {
            if let Some(before) = before {
                if !book.orders.contains_key(id) {
                    writes.delete(id.0, Before::of(Some(before)));
                }
            }
        }
        writes.apply(tx).await?;
        let claims = tx.object_store(stores::CLAIMS)?;
        for (id, claim) in &book.claims {
            if self.claims.get(id).and_then(Option::as_ref) != Some(claim) {
                let row = PieceRow {
                    id: id.0,
                    order: Some(claim.order.0),
                    doc: to_json("클레임", claim)?,
                };
                claims
                    .put(serde_wasm_bindgen::to_value(&row)?)
                    .primitive()?;
            }
        }
        for (id, before) in &self.claims {
            if before.is_some() && !book.claims.contains_key(id) {
                claims
                    .delete::<JsValue, _>(KeyRange::Only(num(id.0)))
                    .primitive()?;
            }
        }
        let pickups = tx.object_store(stores::PICKUPS)?;
        for (id, pickup) in &book.pickups {
            if self.pickups.get(id).and_then(Option::as_ref) != Some(pickup) {
                let row = PieceRow {
                    id: id.0,
                    order: Some(pickup.order.0),
                    doc: to_json("수거", pickup)?,
                };
                pickups
                    .put(serde_wasm_bindgen::to_value(&row)?)
                    .primitive()?;
            }
        }
        for (id, before) in &self.pickups {
            if before.is_some() && !book.pickups.contains_key(id) {
                pickups
                    .delete::<JsValue, _>(KeyRange::Only(num(id.0)))
                    .primitive()?;
            }
        }
        let bundles = tx.object_store(stores::BUNDLES)?;
        for (id, mates) in &book.bundles {
            if self.bundles.get(id).and_then(Option::as_ref) != Some(mates) {
                let row = PieceRow {
                    id: id.0,
                    order: None,
                    doc: to_json("합포", mates)?,
                };
                bundles
                    .put(serde_wasm_bindgen::to_value(&row)?)
                    .primitive()?;
            }
        }
        for (id, before) in &self.bundles {
            if before.is_some() && !book.bundles.contains_key(id) {
                bundles
                    .delete::<JsValue, _>(KeyRange::Only(num(id.0)))
                    .primitive()?;
            }
        }
        if let Some(before) = &self.stock {
            let stock = tx.object_store(stores::STOCK)?;
            for (sku, item) in &book.stock.items {
                if before.items.get(sku) != Some(item) {
                    let row = StockRow {
                        k: item_key(sku),
                        doc: to_json("재고", item)?,
                    };
                    stock.put(serde_wasm_bindgen::to_value(&row)?).primitive()?;
                }
            }
            for sku in before.items.keys() {
                if !book.stock.items.contains_key(sku) {
                    stock
                        .delete::<JsValue, _>(KeyRange::Only(JsValue::from_str(&item_key(sku))))
                        .primitive()?;
                }
            }
            for (key, sku) in &book.stock.links {
                if before.links.get(key) != Some(sku) {
                    let row = StockRow {
                        k: link_key(key)?,
                        doc: to_json("매칭", &(key, sku))?,
                    };
                    stock.put(serde_wasm_bindgen::to_value(&row)?).primitive()?;
                }
            }
            for key in before.links.keys() {
                if !book.stock.links.contains_key(key) {
                    stock
                        .delete::<JsValue, _>(KeyRange::Only(JsValue::from_str(&link_key(key)?)))
                        .primitive()?;
                }
            }
        }
        Ok(written)
    }
}

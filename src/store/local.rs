//! The book in pieces, written together with the log: a local command (its pieces, its events
//! and its outbox entry in one transaction), a page of the server's log folded into the pieces,
//! an operation the server accepted, and one it refused (its local effect undone).

use super::pieces::Pieces;
use super::rows::{EventRow, OutboxRow};
use super::schema::{indexes, stores};
use super::{
    meta_row, outbox_number_of, outbox_row, put_local_events, queue_local, EventPosition, OutboxOp,
    ServerEvent, Store, StoreError,
};
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::{Transaction, TransactionMode};
use indexed_db_futures::KeyRange;
use jumun_core::claim::Claim;
use jumun_core::command::Subjects;
use jumun_core::ids::{ClaimId, OrderId};
use jumun_core::order::Order;
use jumun_core::stock::Stock;
use jumun_core::stored;
use jumun_core::{Book, Command, Event};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use wasm_bindgen::JsValue;

/// The meta record listing the server's refusals the operator has not dismissed.
pub const META_NOTICES: &str = "notices";
/// The meta record of operations the server accepted whose events are not pulled yet (key → the
/// last seq of its events): their effect is already in the pieces, so their events are not
/// applied again when they arrive.
pub const META_LANDING: &str = "landing";

/// An operation the server refused (or found invalid): shown on its orders until dismissed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    /// The operation's key.
    pub key: String,
    /// The orders it was about.
    pub orders: Vec<u64>,
    /// What the operator reads ("서버가 거부: …").
    pub message: String,
    /// When the server answered.
    pub at: chrono::DateTime<chrono::Utc>,
}

const ALL: [&str; 10] = [
    stores::OUTBOX,
    stores::EVENTS,
    stores::ORDERS,
    stores::ORDER_LIST,
    stores::LIST_COUNTS,
    stores::CLAIMS,
    stores::PICKUPS,
    stores::BUNDLES,
    stores::STOCK,
    stores::META,
];

/// Adds `more` to `into`.
pub fn merge(into: &mut Subjects, more: Subjects) {
    into.orders.extend(more.orders);
    into.claims.extend(more.claims);
    into.pickups.extend(more.pickups);
    into.bundles.extend(more.bundles);
    into.tracking_nos.extend(more.tracking_nos);
    into.marketplace_keys.extend(more.marketplace_keys);
    into.all_stock |= more.all_stock;
}

/// What a command needs loaded: its subjects, and for a new order the orders with the same
/// marketplace order number (collecting one twice is refused).
pub fn subjects_of(command: &Command) -> Subjects {
    let mut subjects = command.subjects();
    if let Command::CollectOrder(new) | Command::CreateSellerOrder(new) = command {
        subjects.marketplace_keys.push((
            new.marketplace.clone(),
            jumun_core::marketplace::MarketplaceKeys {
                order_no: new.order_no.clone(),
                ..Default::default()
            },
        ));
    }
    subjects
}

async fn meta_value<T: serde::de::DeserializeOwned + Default>(
    tx: &Transaction<'_>,
    name: &str,
) -> Result<T, StoreError> {
    match meta_text(tx, name).await? {
        None => Ok(T::default()),
        Some(text) => {
            serde_json::from_str(&text).map_err(|e| StoreError::corrupt(format!("설정 {name}"), e))
        }
    }
}

/// A `meta` value's JSON text in `tx`. Not generic: compiled once for every [`meta_value`]
/// (docs/wasm-size.md).
async fn meta_text(tx: &Transaction<'_>, name: &str) -> Result<Option<String>, StoreError> {
    let value: Option<JsValue> = tx
        .object_store(stores::META)?
        .get::<JsValue, JsValue, _>(KeyRange::Only(JsValue::from_str(name)))
        .primitive()?
        .await?;
    let Some(value) = value else {
        return Ok(None);
    };
    let row: super::rows::MetaRow = serde_wasm_bindgen::from_value(value)?;
    Ok(Some(row.value))
}

/// The local (array-keyed) event positions of an operation.
async fn local_positions(tx: &Transaction<'_>, key: &str) -> Result<Vec<JsValue>, StoreError> {
    let found = tx
        .object_store(stores::EVENTS)?
        .index(indexes::OP)?
        .get_all_keys::<JsValue>()
        .with_query::<JsValue, _>(KeyRange::Only(JsValue::from_str(key)))
        .primitive()?
        .await?;
    let mut positions = Vec::new();
    for position in found {
        let position = position?;
        if position.is_array() {
            positions.push(position);
        }
    }
    Ok(positions)
}

async fn outbox_number(tx: &Transaction<'_>, key: &str) -> Result<Option<JsValue>, StoreError> {
    Ok(tx
        .object_store(stores::OUTBOX)?
        .index(indexes::KEY)?
        .get_key::<JsValue, _>(KeyRange::Only(JsValue::from_str(key)))
        .with_key_type::<JsValue>()
        .primitive()?
        .await?)
}

fn warn(message: &str) {
    web_sys::console::warn_1(&JsValue::from_str(message));
}

impl Store {
    fn write_all(&self) -> Result<Transaction<'_>, StoreError> {
        Ok(self
            .db
            .transaction(ALL)
            .with_mode(TransactionMode::Readwrite)
            .build()?)
    }

    /// Runs a local command in ONE transaction: loads the pieces it names (see
    /// [`subjects_of`]) into a partial book, lets `decide` run it there, and keeps the changed
    /// pieces, its events (as pending local events) and the operation in the outbox — or, when
    /// `decide` refuses, nothing at all. Returns the outbox number and the events.
    pub async fn run_local<R>(
        &self,
        op: &OutboxOp,
        decide: impl FnOnce(&mut Book) -> Result<Vec<Event>, R>,
    ) -> Result<Result<(u64, Vec<Event>), R>, StoreError> {
        self.check_open()?;
        let outbox_row = outbox_row(op)?;
        let tx = self.write_all()?;
        let mut pieces = Pieces::default();
        let mut book = Book::new();
        pieces
            .load(&tx, &subjects_of(&op.command), &mut book)
            .await?;
        let events = match decide(&mut book) {
            Ok(events) => events,
            // Dropping the transaction aborts it: nothing was written.
            Err(refusal) => return Ok(Err(refusal)),
        };
        let number = queue_local(&tx, outbox_row, &op.key, &events).await?;
        pieces.write(&tx, &book).await?;
        tx.commit().await?;
        self.orders_changed(pieces.order_ids());
        Ok(Ok((number, events)))
    }

    /// What `decide` makes of `command` on the pieces it names, keeping nothing: the partial
    /// book of [`Store::run_local`], in a transaction that is dropped (so aborted) after the
    /// read. The CS window shows a claim's events before the operator saves it.
    pub async fn preview_local<T, R>(
        &self,
        command: &jumun_core::command::Command,
        decide: impl FnOnce(&mut Book) -> Result<T, R>,
    ) -> Result<Result<T, R>, StoreError> {
        self.check_open()?;
        let tx = self.write_all()?;
        let mut pieces = Pieces::default();
        let mut book = Book::new();
        pieces.load(&tx, &subjects_of(command), &mut book).await?;
        Ok(decide(&mut book))
    }

    /// Runs many local commands in ONE transaction (bulk work, R5): loads the pieces every
    /// command names, lets `decide` run each in turn on the same partial book (a refused command
    /// changes nothing, the others go on), and keeps each accepted one as its own operation in
    /// the outbox (with its events), then the changed pieces once. Returns, per operation, its
    /// events or its refusal. One transaction per chunk instead of one per order is what makes a
    /// bulk of thousands take seconds.
    pub async fn run_local_batch<R>(
        &self,
        ops: &[OutboxOp],
        mut decide: impl FnMut(&mut Book, &OutboxOp) -> Result<Vec<Event>, R>,
    ) -> Result<Vec<Result<Vec<Event>, R>>, StoreError> {
        self.check_open()?;
        let rows = ops.iter().map(outbox_row).collect::<Result<Vec<_>, _>>()?;
        let tx = self.write_all()?;
        let mut subjects = Subjects::default();
        for op in ops {
            merge(&mut subjects, subjects_of(&op.command));
        }
        let mut pieces = Pieces::default();
        let mut book = Book::new();
        pieces.load(&tx, &subjects, &mut book).await?;
        let mut results = Vec::with_capacity(ops.len());
        let mut accepted = Vec::new();
        for (position, (op, row)) in ops.iter().zip(rows).enumerate() {
            let decided = decide(&mut book, op);
            if decided.is_ok() {
                accepted.push((position, row));
            }
            results.push(decided);
        }
        // Every outbox entry is requested before the first is awaited: one round trip for the
        // chunk, not one per operation. Their numbers then place their events in the log.
        let outbox = tx.object_store(stores::OUTBOX)?;
        let mut adds = Vec::with_capacity(accepted.len());
        for (position, row) in accepted {
            adds.push((
                position,
                outbox.add(row).with_key_type::<JsValue>().primitive()?,
            ));
        }
        let log = tx.object_store(stores::EVENTS)?;
        for (position, add) in adds {
            let number = outbox_number_of(add.await?)?;
            if let Some(Ok(events)) = results.get(position) {
                put_local_events(&log, number, &ops[position].key, events)?;
            }
        }
        pieces.write(&tx, &book).await?;
        tx.commit().await?;
        self.orders_changed(pieces.order_ids());
        Ok(results)
    }

    /// Folds a page of the server's log in ONE transaction: each event is applied to the pieces
    /// it names — except the events of this browser's own operations (still in the outbox, or
    /// accepted and not yet pulled), whose effect is already there; those replace the local
    /// events of their operation in the log. Keeps the events by seq and the new cursor.
    /// Returns the orders that changed.
    pub async fn fold_server_page(
        &self,
        events: &[ServerEvent],
        cursor: u64,
    ) -> Result<Vec<Order>, StoreError> {
        self.check_open()?;
        let rows = events
            .iter()
            .map(|e| {
                EventRow::new(EventPosition::Server(e.seq), e.key.as_deref(), &e.event)
                    .and_then(|row| Ok(serde_wasm_bindgen::to_value(&row)?))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let tx = self.write_all()?;
        let mut landing: BTreeMap<String, u64> = meta_value(&tx, META_LANDING).await?;
        let mut own: BTreeMap<String, bool> = BTreeMap::new();
        let mut pieces = Pieces::default();
        let mut book = Book::new();
        let log = tx.object_store(stores::EVENTS)?;
        for event in events {
            let mine = match &event.key {
                None => false,
                Some(key) => match own.get(key) {
                    Some(mine) => *mine,
                    None => {
                        let local = local_positions(&tx, key).await?;
                        let mine = !local.is_empty()
                            || landing.contains_key(key)
                            || outbox_number(&tx, key).await?.is_some();
                        for position in local {
                            log.delete::<JsValue, _>(KeyRange::Only(position))
                                .primitive()?;
                        }
                        own.insert(key.clone(), mine);
                        mine
                    }
                },
            };
            if mine {
                continue;
            }
            pieces.load(&tx, &event.event.subjects(), &mut book).await?;
            if let Err(error) = book.apply(&event.event) {
                warn(&format!(
                    "서버 이벤트 {}을(를) 이 브라우저의 주문에 적용하지 못했습니다: {error}",
                    event.seq
                ));
            }
        }
        for row in rows {
            log.put(row).primitive()?;
        }
        let changed = pieces.write(&tx, &book).await?;
        landing.retain(|_, last| *last > cursor);
        let meta = tx.object_store(stores::META)?;
        meta.put(meta_row(META_LANDING, &landing)?).primitive()?;
        meta.put(meta_row(super::META_CURSOR, &cursor)?)
            .primitive()?;
        tx.commit().await?;
        self.orders_changed(pieces.order_ids());
        Ok(changed)
    }

    /// Removes operations the server accepted from the outbox, in one transaction, remembering
    /// (key, last seq of its events) for those whose events are not pulled yet.
    pub async fn accept(&self, accepted: &[(String, u64)]) -> Result<(), StoreError> {
        self.check_open()?;
        let tx = self.write_all()?;
        let cursor: u64 = meta_value(&tx, super::META_CURSOR).await?;
        let mut landing: BTreeMap<String, u64> = meta_value(&tx, META_LANDING).await?;
        let outbox = tx.object_store(stores::OUTBOX)?;
        for (key, last) in accepted {
            if let Some(number) = outbox_number(&tx, key).await? {
                outbox
                    .delete::<JsValue, _>(KeyRange::Only(number))
                    .primitive()?;
            }
            if *last > cursor {
                landing.insert(key.clone(), *last);
            }
        }
        tx.object_store(stores::META)?
            .put(meta_row(META_LANDING, &landing)?)
            .primitive()?;
        tx.commit().await?;
        Ok(())
    }

    /// Undoes an operation the server refused, in ONE transaction: the pieces it touched are
    /// rebuilt from the log without it (the server's events, then the other pending local
    /// operations), its local events and its outbox entry are dropped, and a notice for its
    /// orders is kept. Unknown keys change nothing.
    pub async fn refuse(
        &self,
        key: &str,
        message: &str,
        at: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), StoreError> {
        self.check_open()?;
        let tx = self.write_all()?;
        let Some(number) = outbox_number(&tx, key).await? else {
            return Ok(());
        };
        let outbox = tx.object_store(stores::OUTBOX)?;
        let row: Option<JsValue> = outbox
            .get::<JsValue, JsValue, _>(KeyRange::Only(number.clone()))
            .primitive()?
            .await?;
        let Some(row) = row else {
            return Ok(());
        };
        let row: OutboxRow = serde_wasm_bindgen::from_value(row)?;
        let command: Command =
            stored::decode_command(&row.command).map_err(|e| StoreError::corrupt("작업", e))?;
        let mut subjects = subjects_of(&command);
        let log = tx.object_store(stores::EVENTS)?;
        let all = log.get_all::<JsValue>().primitive()?.await?;
        let mut replayed = Book::new();
        for value in all {
            let row: EventRow = serde_wasm_bindgen::from_value(value?)?;
            let event: Event =
                stored::decode_event(&row.json).map_err(|e| StoreError::corrupt("이벤트", e))?;
            if row.op.as_deref() == Some(key) && matches!(row.k, EventPosition::Local(..)) {
                merge(&mut subjects, event.subjects());
                continue;
            }
            if let Err(error) = replayed.apply(&event) {
                warn(&format!(
                    "작업을 되돌리며 이벤트를 다시 적용하지 못했습니다: {error}"
                ));
            }
        }
        let mut pieces = Pieces::default();
        let mut scratch = Book::new();
        pieces.load(&tx, &subjects, &mut scratch).await?;
        pieces.write(&tx, &pieces.take_from(&replayed)).await?;
        for position in local_positions(&tx, key).await? {
            log.delete::<JsValue, _>(KeyRange::Only(position))
                .primitive()?;
        }
        outbox
            .delete::<JsValue, _>(KeyRange::Only(number))
            .primitive()?;
        let mut notices: Vec<Notice> = meta_value(&tx, META_NOTICES).await?;
        let mut orders: Vec<u64> = subjects.orders.iter().map(|o| o.0).collect();
        orders.sort_unstable();
        orders.dedup();
        notices.push(Notice {
            key: key.to_owned(),
            orders,
            message: message.to_owned(),
            at,
        });
        tx.object_store(stores::META)?
            .put(meta_row(META_NOTICES, &notices)?)
            .primitive()?;
        tx.commit().await?;
        self.orders_changed(pieces.order_ids());
        Ok(())
    }

    /// The server's refusals not dismissed yet, oldest first.
    pub async fn notices(&self) -> Result<Vec<Notice>, StoreError> {
        Ok(self.meta_get(META_NOTICES).await?.unwrap_or_default())
    }

    /// Dismisses a notice.
    pub async fn dismiss_notice(&self, key: &str) -> Result<(), StoreError> {
        let mut notices = self.notices().await?;
        notices.retain(|n| n.key != key);
        self.meta_set(META_NOTICES, &notices).await
    }

    /// A claim.
    pub async fn claim(&self, id: ClaimId) -> Result<Option<Claim>, StoreError> {
        self.check_open()?;
        let tx = self.db.transaction(stores::CLAIMS).build()?;
        let value: Option<JsValue> = tx
            .object_store(stores::CLAIMS)?
            .get::<JsValue, JsValue, _>(KeyRange::Only(JsValue::from_f64(id.0 as f64)))
            .primitive()?
            .await?;
        match value {
            None => Ok(None),
            Some(value) => {
                let row: super::rows::PieceRow = serde_wasm_bindgen::from_value(value)?;
                serde_json::from_str(&row.doc)
                    .map(Some)
                    .map_err(|e| StoreError::corrupt("클레임", e))
            }
        }
    }

    /// The claims of an order.
    pub async fn claims_of(&self, order: OrderId) -> Result<Vec<Claim>, StoreError> {
        self.check_open()?;
        let tx = self.db.transaction(stores::CLAIMS).build()?;
        let found = tx
            .object_store(stores::CLAIMS)?
            .index(indexes::ORDER)?
            .get_all::<JsValue>()
            .with_query::<JsValue, _>(KeyRange::Only(JsValue::from_f64(order.0 as f64)))
            .primitive()?
            .await?;
        let mut claims = Vec::new();
        for value in found {
            let row: super::rows::PieceRow = serde_wasm_bindgen::from_value(value?)?;
            claims.push(
                serde_json::from_str(&row.doc).map_err(|e| StoreError::corrupt("클레임", e))?,
            );
        }
        Ok(claims)
    }

    /// The stock table.
    pub async fn stock(&self) -> Result<Stock, StoreError> {
        self.check_open()?;
        let tx = self.db.transaction(stores::STOCK).build()?;
        super::pieces::load_stock(&tx).await
    }
}

/// The meta record holding this browser's reserved id blocks (from `POST /api/ids`).
pub const META_IDS: &str = "ids";

impl Store {
    /// Takes `count` fresh ids from the reserved blocks, in one transaction (so two commands
    /// never get the same id); `None` (and nothing taken) when the blocks hold fewer.
    pub async fn take_ids(&self, count: usize) -> Result<Option<Vec<u64>>, StoreError> {
        self.check_open()?;
        let tx = self
            .db
            .transaction(stores::META)
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        let mut blocks: Vec<jumun_core::ids::IdBlock> = meta_value(&tx, META_IDS).await?;
        let mut ids = Vec::with_capacity(count);
        for block in blocks.iter_mut() {
            while ids.len() < count {
                match block.take() {
                    Some(id) => ids.push(id),
                    None => break,
                }
            }
        }
        if ids.len() < count {
            return Ok(None);
        }
        blocks.retain(|b| b.next < b.end);
        tx.object_store(stores::META)?
            .put(meta_row(META_IDS, &blocks)?)
            .primitive()?;
        tx.commit().await?;
        Ok(Some(ids))
    }

    /// How many reserved ids are left.
    pub async fn ids_left(&self) -> Result<u64, StoreError> {
        let blocks: Vec<jumun_core::ids::IdBlock> =
            self.meta_get(META_IDS).await?.unwrap_or_default();
        Ok(blocks.iter().map(|b| b.end.saturating_sub(b.next)).sum())
    }

    /// Keeps a block the server reserved.
    pub async fn add_id_block(&self, block: jumun_core::ids::IdBlock) -> Result<(), StoreError> {
        self.check_open()?;
        let tx = self
            .db
            .transaction(stores::META)
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        let mut blocks: Vec<jumun_core::ids::IdBlock> = meta_value(&tx, META_IDS).await?;
        blocks.push(block);
        tx.object_store(stores::META)?
            .put(meta_row(META_IDS, &blocks)?)
            .primitive()?;
        tx.commit().await?;
        Ok(())
    }
}

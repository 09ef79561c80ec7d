//! The browser's offline store: one job — load, query and write domain data in IndexedDB.
//!
//! Orders (with indexes on their marketplace keys, status, hold, recipient, invoice number and
//! dates), the event log, the outbox of operations the server has not accepted yet, and sync
//! metadata. Writes that belong together are one IndexedDB transaction: a local command's events,
//! the orders they changed and its outbox entry are kept all together or not at all.
//!
//! Nothing is loaded at open: callers read what their screen needs, so big data stays in
//! IndexedDB and is not held in memory twice. Errors are [`StoreError`]s whose `Display` is the
//! Korean message for the operator (storage full, another tab blocking an upgrade, …).

mod board;
mod counts;
mod error;
mod list;
mod local;
mod pieces;
mod rows;
pub mod schema;

pub use error::StoreError;
pub use list::ListIndex;
pub use local::{merge, subjects_of, Notice, META_IDS, META_LANDING, META_NOTICES};
pub use rows::EventPosition;

use counts::{Before, ListWrites};
use gloo_events::EventListener;
use indexed_db_futures::database::Database;
use indexed_db_futures::internals::SystemRepr;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::TransactionMode;
use indexed_db_futures::KeyRange;
use jumun_core::ids::OrderId;
use jumun_core::marketplace::MarketplaceCode;
use jumun_core::order::{LineStatus, Order};
use jumun_core::stored;
use jumun_core::{Command, Event};
use rows::{EventRow, MetaRow, OutboxRow};
use schema::{indexes, stores};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// An operation waiting to be sent to the server: the protocol's operation of `POST /api/ops`
/// (`{key, at, command}`), kept as it will be sent.
pub use jumun_protocol::sync::Operation as OutboxOp;

/// An outbox entry with its place in the queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Queued {
    /// Its number in the outbox: operations are sent in this order.
    pub number: u64,
    /// The operation.
    pub op: OutboxOp,
}

/// An event of the server's log, as `GET /api/changes` delivers it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerEvent {
    /// Its seq in the store's log.
    pub seq: u64,
    /// The idempotency key of the operation that caused it, if any.
    pub key: Option<String>,
    /// The event.
    pub event: Event,
}

/// An event of the local log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEvent {
    /// Server seq, or local position.
    pub position: EventPosition,
    /// The operation that caused it, if known.
    pub op: Option<String>,
    /// The event.
    pub event: Event,
}

type Listener = Rc<RefCell<Option<Box<dyn FnMut(StoreError)>>>>;

/// An open connection to the offline store.
pub struct Store {
    db: Database,
    /// Set when another tab's upgrade made this connection close.
    closed: Rc<Cell<bool>>,
    /// Told when that happens.
    on_version_change: Listener,
    /// The connection's `versionchange` listener, removed by [`Store::close`].
    version_change: RefCell<Option<EventListener>>,
    /// Told, after each commit, which orders a write touched (see [`Store::on_orders_changed`]).
    order_listeners: OrderListeners,
}

/// The listeners of [`Store::on_orders_changed`].
type OrderListeners = Rc<RefCell<Vec<Rc<dyn Fn(&OrdersChanged)>>>>;

/// Orders a committed write touched (written, changed or removed): what a screen's query
/// checks to know whether to read again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrdersChanged {
    /// Their 관리번호, once each, ascending.
    pub ids: Vec<u64>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("name", &self.db.name())
            .field("closed", &self.closed.get())
            .finish()
    }
}

/// Opens a readwrite transaction over `stores`.
macro_rules! write_tx {
    ($db:expr, $stores:expr) => {
        $db.transaction($stores)
            .with_mode(TransactionMode::Readwrite)
            .build()?
    };
}

/// The outbox row of an operation, made before its transaction opens (a transaction must not
/// wait on anything but its own requests).
fn outbox_row(op: &OutboxOp) -> Result<JsValue, StoreError> {
    Ok(serde_wasm_bindgen::to_value(&OutboxRow {
        n: None,
        key: op.key.clone(),
        at: op.at.to_rfc3339(),
        command: stored::encode_command(&op.command).map_err(|e| StoreError::corrupt("작업", e))?,
    })?)
}

/// Inside `tx`: adds the operation's outbox row and its events, as pending local events
/// numbered by the outbox entry, to the log. Returns the outbox number.
async fn queue_local(
    tx: &indexed_db_futures::transaction::Transaction<'_>,
    outbox_row: JsValue,
    key: &str,
    events: &[Event],
) -> Result<u64, StoreError> {
    let number: JsValue = tx
        .object_store(stores::OUTBOX)?
        .add(outbox_row)
        .with_key_type::<JsValue>()
        .primitive()?
        .await?;
    let number = outbox_number_of(number)?;
    put_local_events(&tx.object_store(stores::EVENTS)?, number, key, events)?;
    Ok(number)
}

/// The outbox number IndexedDB gave an added entry.
fn outbox_number_of(key: JsValue) -> Result<u64, StoreError> {
    key.as_f64()
        .map(|n| n as u64)
        .ok_or_else(|| StoreError::corrupt("작업 번호", "숫자가 아닙니다"))
}

/// Puts an operation's events in the log as pending local events numbered by its outbox entry.
fn put_local_events(
    log: &indexed_db_futures::object_store::ObjectStore<'_>,
    number: u64,
    key: &str,
    events: &[Event],
) -> Result<(), StoreError> {
    for (index, event) in events.iter().enumerate() {
        let row = EventRow::new(EventPosition::Local(number, index as u32), Some(key), event)?;
        log.put(serde_wasm_bindgen::to_value(&row)?).primitive()?;
    }
    Ok(())
}

impl Store {
    /// Opens (creating or upgrading) the console's store.
    pub async fn open() -> Result<Store, StoreError> {
        Self::open_named(schema::DB_NAME, |_| {}).await
    }

    /// Opens the store called `name`. If another tab holds an older version open and so blocks
    /// the upgrade, `on_blocked` is told ([`StoreError::UpgradeBlocked`], for a banner) and the
    /// open goes on as soon as that tab closes.
    pub async fn open_named(
        name: &str,
        on_blocked: impl FnOnce(StoreError) + 'static,
    ) -> Result<Store, StoreError> {
        let db = Database::open(name)
            .with_version(schema::VERSION)
            .with_on_blocked(move |_event| {
                web_sys::console::warn_1(&JsValue::from_str(
                    &StoreError::UpgradeBlocked.to_string(),
                ));
                on_blocked(StoreError::UpgradeBlocked);
                Ok(())
            })
            .with_on_upgrade_needed_fut(schema::upgrade)
            .await?;
        let closed = Rc::new(Cell::new(false));
        let on_version_change: Listener = Rc::new(RefCell::new(None));
        // Another tab wants to upgrade: close at once so it is not blocked, and tell the operator
        // to reload this one.
        let version_change = {
            let raw: &web_sys::IdbDatabase = db.as_sys().unchecked_ref();
            let connection = raw.clone();
            let closed = closed.clone();
            let listener = on_version_change.clone();
            EventListener::new(raw, "versionchange", move |_| {
                connection.close();
                closed.set(true);
                if let Some(tell) = listener.borrow_mut().as_mut() {
                    tell(StoreError::VersionChanged);
                }
            })
        };
        Ok(Store {
            db,
            closed,
            on_version_change,
            version_change: RefCell::new(Some(version_change)),
            order_listeners: Rc::default(),
        })
    }

    /// Tells `listener` when a newer version in another tab closes this connection.
    pub fn on_version_change(&self, listener: impl FnMut(StoreError) + 'static) {
        *self.on_version_change.borrow_mut() = Some(Box::new(listener));
    }

    /// Tells `listener`, after every committed write that touched orders (a local command, a
    /// page of the server's log, an undone operation), which orders changed. Screens refresh
    /// from this instead of polling.
    pub fn on_orders_changed(&self, listener: impl Fn(&OrdersChanged) + 'static) {
        self.order_listeners.borrow_mut().push(Rc::new(listener));
    }

    /// Tells the listeners of [`Store::on_orders_changed`].
    pub(crate) fn orders_changed(&self, mut ids: Vec<u64>) {
        if ids.is_empty() {
            return;
        }
        ids.sort_unstable();
        ids.dedup();
        let change = OrdersChanged { ids };
        // A copy: a listener may subscribe another while being told.
        let listeners: Vec<_> = self.order_listeners.borrow().clone();
        for listener in listeners {
            listener(&change);
        }
    }

    /// The schema version on disk.
    pub fn version(&self) -> u32 {
        self.db.version() as u32
    }

    /// Closes the connection (the app keeps one open for its whole life; tests close theirs).
    pub fn close(&self) {
        self.version_change.borrow_mut().take();
        self.db.clone().close();
    }

    fn check_open(&self) -> Result<(), StoreError> {
        if self.closed.get() {
            Err(StoreError::VersionChanged)
        } else {
            Ok(())
        }
    }

    // ---- orders -------------------------------------------------------------------------

    /// Writes (inserts or replaces) orders, all in one transaction.
    pub async fn put_orders(&self, orders: &[Order]) -> Result<(), StoreError> {
        self.check_open()?;
        let tx = write_tx!(
            self.db,
            [stores::ORDERS, stores::ORDER_LIST, stores::LIST_COUNTS]
        );
        let mut writes = ListWrites::default();
        for order in orders {
            writes.put(order, Before::Unknown);
        }
        writes.apply(&tx).await?;
        tx.commit().await?;
        self.orders_changed(orders.iter().map(|o| o.id.0).collect());
        Ok(())
    }

    /// The order with this 관리번호.
    pub async fn order(&self, id: OrderId) -> Result<Option<Order>, StoreError> {
        self.check_open()?;
        let tx = self.db.transaction(stores::ORDERS).build()?;
        let store = tx.object_store(stores::ORDERS)?;
        let value: Option<JsValue> = store
            .get::<JsValue, JsValue, _>(KeyRange::Only(js_number(id.0)))
            .primitive()?
            .await?;
        value.map(|v| rows::order_of(&v)).transpose()
    }

    /// These orders (관리번호), in the same order; an order no longer kept is left out. What
    /// a chunk of an export reads.
    pub async fn orders(&self, ids: &[u64]) -> Result<Vec<Order>, StoreError> {
        let found = self.get_each(stores::ORDERS, ids).await?;
        found.iter().map(rows::order_of).collect()
    }

    /// The records of `ids` in `store`, in the same order; a missing one is left out. One
    /// transaction, every request issued before the first is awaited: one round trip, not one
    /// per record. The callers decode them (this future is compiled once, not once per type).
    async fn get_each(&self, store: &str, ids: &[u64]) -> Result<Vec<JsValue>, StoreError> {
        self.check_open()?;
        let tx = self.db.transaction(store).build()?;
        let records = tx.object_store(store)?;
        let mut pending = Vec::with_capacity(ids.len());
        for id in ids {
            pending.push(
                records
                    .get::<JsValue, JsValue, _>(KeyRange::Only(js_number(*id)))
                    .primitive()?,
            );
        }
        let mut found = Vec::with_capacity(ids.len());
        for request in pending {
            if let Some(value) = request.await? {
                found.push(value);
            }
        }
        Ok(found)
    }

    /// How many orders the store holds.
    pub async fn order_count(&self) -> Result<u32, StoreError> {
        self.check_open()?;
        let tx = self.db.transaction(stores::ORDERS).build()?;
        let store = tx.object_store(stores::ORDERS)?;
        Ok(store.count().primitive()?.await?)
    }

    async fn orders_where(
        &self,
        index: &str,
        query: KeyRange<JsValue>,
    ) -> Result<Vec<Order>, StoreError> {
        self.check_open()?;
        let tx = self.db.transaction(stores::ORDERS).build()?;
        let store = tx.object_store(stores::ORDERS)?;
        let index = store.index(index)?;
        let found = index
            .get_all::<JsValue>()
            .with_query::<JsValue, _>(query)
            .primitive()?
            .await?;
        let mut orders = Vec::new();
        for value in found {
            orders.push(rows::order_of(&value?)?);
        }
        Ok(orders)
    }

    async fn count_where(&self, index: &str, query: KeyRange<JsValue>) -> Result<u32, StoreError> {
        self.check_open()?;
        let tx = self.db.transaction(stores::ORDERS).build()?;
        let store = tx.object_store(stores::ORDERS)?;
        let index = store.index(index)?;
        Ok(index
            .count()
            .with_query::<JsValue, _>(query)
            .primitive()?
            .await?)
    }

    /// Orders of a marketplace with this 주문번호.
    pub async fn find_by_marketplace_key(
        &self,
        marketplace: &MarketplaceCode,
        order_no: &str,
    ) -> Result<Vec<Order>, StoreError> {
        let key = pair(marketplace.as_str(), order_no);
        self.orders_where(indexes::MARKETPLACE_ORDER, KeyRange::Only(key))
            .await
    }

    /// Orders of a marketplace with a line of this 주문상세번호.
    pub async fn find_by_marketplace_line(
        &self,
        marketplace: &MarketplaceCode,
        line_no: &str,
    ) -> Result<Vec<Order>, StoreError> {
        let key = pair(marketplace.as_str(), line_no);
        self.orders_where(indexes::MARKETPLACE_LINE, KeyRange::Only(key))
            .await
    }

    /// Orders whose delivery status is `status`.
    pub async fn orders_by_status(&self, status: LineStatus) -> Result<Vec<Order>, StoreError> {
        let key = JsValue::from_str(&rows::status_key(status));
        self.orders_where(indexes::STATUS, KeyRange::Only(key))
            .await
    }

    /// How many orders have this delivery status (counted by the index, nothing is loaded).
    pub async fn count_by_status(&self, status: LineStatus) -> Result<u32, StoreError> {
        let key = JsValue::from_str(&rows::status_key(status));
        self.count_where(indexes::STATUS, KeyRange::Only(key)).await
    }

    /// Orders whose invoice has this 송장번호.
    pub async fn find_by_tracking_no(&self, tracking_no: &str) -> Result<Vec<Order>, StoreError> {
        let key = JsValue::from_str(tracking_no.trim());
        self.orders_where(indexes::TRACKING_NO, KeyRange::Only(key))
            .await
    }

    // ---- local commands and the outbox --------------------------------------------------

    /// Keeps a local command's result in ONE transaction: its events (as pending local events),
    /// the orders they changed, and the operation in the outbox. Returns its outbox number.
    pub async fn apply_local(
        &self,
        op: &OutboxOp,
        events: &[Event],
        changed: &[Order],
    ) -> Result<u64, StoreError> {
        self.check_open()?;
        let outbox_row = outbox_row(op)?;
        let tx = write_tx!(
            self.db,
            [
                stores::OUTBOX,
                stores::EVENTS,
                stores::ORDERS,
                stores::ORDER_LIST,
                stores::LIST_COUNTS
            ]
        );
        let number = queue_local(&tx, outbox_row, &op.key, events).await?;
        let mut writes = ListWrites::default();
        for order in changed {
            writes.put(order, Before::Unknown);
        }
        writes.apply(&tx).await?;
        tx.commit().await?;
        self.orders_changed(changed.iter().map(|o| o.id.0).collect());
        Ok(number)
    }

    /// The operations not yet accepted by the server, oldest first.
    pub async fn outbox_pending(&self) -> Result<Vec<Queued>, StoreError> {
        self.check_open()?;
        let tx = self.db.transaction(stores::OUTBOX).build()?;
        let store = tx.object_store(stores::OUTBOX)?;
        let found = store.get_all::<JsValue>().primitive()?.await?;
        let mut queued = Vec::new();
        for value in found {
            let row: OutboxRow = serde_wasm_bindgen::from_value(value?)?;
            let command: Command =
                stored::decode_command(&row.command).map_err(|e| StoreError::corrupt("작업", e))?;
            let at = chrono::DateTime::parse_from_rfc3339(&row.at)
                .map_err(|e| StoreError::corrupt("작업 시각", e))?
                .with_timezone(&chrono::Utc);
            queued.push(Queued {
                number: row.n.unwrap_or_default(),
                op: OutboxOp {
                    key: row.key,
                    at,
                    command,
                },
            });
        }
        Ok(queued)
    }

    /// How many operations wait to be sent.
    pub async fn outbox_len(&self) -> Result<u32, StoreError> {
        self.check_open()?;
        let tx = self.db.transaction(stores::OUTBOX).build()?;
        let store = tx.object_store(stores::OUTBOX)?;
        Ok(store.count().primitive()?.await?)
    }

    /// Removes the operations the server has answered (accepted, or answered before) from the
    /// outbox, in one transaction. Keys not in the outbox are ignored.
    pub async fn mark_accepted(&self, keys: &[&str]) -> Result<(), StoreError> {
        self.check_open()?;
        let tx = write_tx!(self.db, stores::OUTBOX);
        let store = tx.object_store(stores::OUTBOX)?;
        let by_key = store.index(indexes::KEY)?;
        for key in keys {
            let number: Option<JsValue> = by_key
                .get_key::<JsValue, _>(KeyRange::Only(JsValue::from_str(key)))
                .with_key_type::<JsValue>()
                .primitive()?
                .await?;
            if let Some(number) = number {
                store
                    .delete::<JsValue, _>(KeyRange::Only(number))
                    .primitive()?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    // ---- the event log ------------------------------------------------------------------

    /// Keeps a page of the server's log in ONE transaction: its events by seq, the orders they
    /// left, and the new cursor; local events of operations now in the server's log are dropped
    /// (the server's own events replace them).
    pub async fn put_server_events(
        &self,
        events: &[ServerEvent],
        changed: &[Order],
        cursor: u64,
    ) -> Result<(), StoreError> {
        self.check_open()?;
        let rows = events
            .iter()
            .map(|e| {
                EventRow::new(EventPosition::Server(e.seq), e.key.as_deref(), &e.event)
                    .and_then(|row| Ok(serde_wasm_bindgen::to_value(&row)?))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let cursor_row = meta_row(META_CURSOR, &cursor)?;
        let tx = write_tx!(
            self.db,
            [
                stores::EVENTS,
                stores::ORDERS,
                stores::ORDER_LIST,
                stores::LIST_COUNTS,
                stores::META
            ]
        );
        let log = tx.object_store(stores::EVENTS)?;
        let by_op = log.index(indexes::OP)?;
        let mut keys: Vec<&str> = events.iter().filter_map(|e| e.key.as_deref()).collect();
        keys.sort_unstable();
        keys.dedup();
        for key in keys {
            let positions = by_op
                .get_all_keys::<JsValue>()
                .with_query::<JsValue, _>(KeyRange::Only(JsValue::from_str(key)))
                .primitive()?
                .await?;
            for position in positions {
                let position = position?;
                // Only local events (array keys) are replaced; a seq is the server's own.
                if position.is_array() {
                    log.delete::<JsValue, _>(KeyRange::Only(position))
                        .primitive()?;
                }
            }
        }
        for row in rows {
            log.put(row).primitive()?;
        }
        let mut writes = ListWrites::default();
        for order in changed {
            writes.put(order, Before::Unknown);
        }
        writes.apply(&tx).await?;
        tx.object_store(stores::META)?.put(cursor_row).primitive()?;
        tx.commit().await?;
        self.orders_changed(changed.iter().map(|o| o.id.0).collect());
        Ok(())
    }

    /// The whole local log in replay order: the server's events by seq, then the local ones in
    /// outbox order.
    pub async fn events(&self) -> Result<Vec<StoredEvent>, StoreError> {
        self.check_open()?;
        let tx = self.db.transaction(stores::EVENTS).build()?;
        let store = tx.object_store(stores::EVENTS)?;
        let found = store.get_all::<JsValue>().primitive()?.await?;
        let mut events = Vec::new();
        for value in found {
            let row: EventRow = serde_wasm_bindgen::from_value(value?)?;
            let event: Event =
                stored::decode_event(&row.json).map_err(|e| StoreError::corrupt("이벤트", e))?;
            events.push(StoredEvent {
                position: row.k,
                op: row.op,
                event,
            });
        }
        Ok(events)
    }

    /// The last server seq this browser holds (the sync cursor), 0 before the first pull.
    pub async fn cursor(&self) -> Result<u64, StoreError> {
        Ok(self.meta_get(META_CURSOR).await?.unwrap_or(0))
    }

    // ---- meta ---------------------------------------------------------------------------

    /// A named value (sync cursor, id block, …).
    pub async fn meta_get<T: DeserializeOwned>(&self, name: &str) -> Result<Option<T>, StoreError> {
        self.meta_text(name)
            .await?
            .map(|text| {
                serde_json::from_str(&text)
                    .map_err(|e| StoreError::corrupt(format!("설정 {name}"), e))
            })
            .transpose()
    }

    /// A named value's JSON text. Not generic: compiled once for every [`Store::meta_get`]
    /// (docs/wasm-size.md).
    async fn meta_text(&self, name: &str) -> Result<Option<String>, StoreError> {
        self.check_open()?;
        let tx = self.db.transaction(stores::META).build()?;
        let store = tx.object_store(stores::META)?;
        let value: Option<JsValue> = store
            .get::<JsValue, JsValue, _>(KeyRange::Only(JsValue::from_str(name)))
            .primitive()?
            .await?;
        let Some(value) = value else {
            return Ok(None);
        };
        let row: MetaRow = serde_wasm_bindgen::from_value(value)?;
        Ok(Some(row.value))
    }

    /// Sets a named value.
    ///
    /// Not an `async fn`: its future is [`Store::meta_put`]'s, the same for every `T`.
    pub fn meta_set<T: Serialize>(
        &self,
        name: &str,
        value: &T,
    ) -> impl std::future::Future<Output = Result<(), StoreError>> + '_ {
        self.meta_put(meta_row(name, value))
    }

    /// Writes a `meta` row (or fails with the error of making it).
    async fn meta_put(&self, row: Result<JsValue, StoreError>) -> Result<(), StoreError> {
        let row = row?;
        self.check_open()?;
        let tx = write_tx!(self.db, stores::META);
        tx.object_store(stores::META)?.put(row).primitive()?;
        tx.commit().await?;
        Ok(())
    }
}

/// The meta record holding the sync cursor.
pub const META_CURSOR: &str = "cursor";

fn meta_row<T: Serialize>(name: &str, value: &T) -> Result<JsValue, StoreError> {
    let value =
        serde_json::to_string(value).map_err(|e| StoreError::corrupt(format!("설정 {name}"), e))?;
    meta_row_of(name, value)
}

/// The `meta` row of a value's JSON text (not generic: once for every [`meta_row`]).
fn meta_row_of(name: &str, value: String) -> Result<JsValue, StoreError> {
    let row = MetaRow {
        name: name.to_owned(),
        value,
    };
    Ok(serde_wasm_bindgen::to_value(&row)?)
}

pub(crate) fn js_number(n: u64) -> JsValue {
    JsValue::from_f64(n as f64)
}

/// A two-part array key.
fn pair(a: &str, b: &str) -> JsValue {
    js_sys::Array::of2(&JsValue::from_str(a), &JsValue::from_str(b)).into()
}

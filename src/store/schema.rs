//! The IndexedDB schema and its upgrades.
//!
//! Every version after the first has its own upgrade step; opening runs the steps from the
//! version on disk up to [`VERSION`], all in the one `versionchange` transaction the browser
//! gives the upgrade (so a failed upgrade leaves the old version untouched).
//!
//! Version 1 (the first release of the offline store):
//! - `orders`, key path `id`; each row `{id, marketplace, order_no, status, doc}` where `doc` is
//!   the order as JSON; indexes `marketplace_order` (`[marketplace, order_no]`) and `status`.
//! - `events`, key path `k` (the server's seq, or `[outbox number, index]` for local events);
//!   index `op` (the operation's idempotency key).
//! - `outbox`, key path `n`, auto-increment; unique index `key` (the idempotency key).
//!
//! Version 2:
//! - `meta`, key path `name`: sync cursor, id blocks and other small values.
//! - `orders` gains the indexes `marketplace_line` (multiEntry over `[marketplace, 주문상세번호]`
//!   pairs), `held`, `recipient_name`, `recipient_phone`, `tracking_no`, `ordered_at` and
//!   `registered_at`; every existing row is re-derived from its `doc` to carry their fields.
//!
//! Version 3 (the book in pieces, for deciding commands and folding the server's events locally):
//! - `claims`, key path `id`; each row `{id, order, doc}` (`doc` the claim as JSON); index
//!   `order`, so an order's claims load with it.
//! - `pickups`, key path `id`; each row `{id, order, doc}`.
//! - `bundles`, key path `id`; each row `{id, doc}` (`doc` the bundle's order ids as JSON).
//! - `stock`, key path `k`: `item:<sku>` rows hold a stock item, `link:<product key JSON>` rows a
//!   product link (`doc` as JSON).
//!
//!   Nothing existing changes: before version 3 no build pulled from the server or ran commands
//!   (the stores start empty and fill on the first pull), so there is nothing to convert.
//!
//! Version 4 (the order list): `order_list`, key path `id`, one [`jumun_core::listing::OrderSummary`]
//! per order, written in the same transaction as the order; indexes `ordered_at`, `collected_at`,
//! `shipped_at`, `phone_last4` and `status_ordered_at` (`[status, ordered_at]`). Every kept order
//! gets its summary.
//!
//! Version 5 (kept tab counts): `list_counts`, key path `name`, holds `tabs` (the status tabs'
//! counts, see `store::counts`), counted once by the upgrade and moved by every write of the list.
//! The `orders` indexes `held`, `recipient_name`, `recipient_phone`, `ordered_at` and
//! `registered_at` are removed (the list's summaries answer those searches), and order rows no
//! longer carry their fields.

use super::rows::OrderRow;
use indexed_db_futures::database::{Database, VersionChangeEvent};
use indexed_db_futures::prelude::*;
use indexed_db_futures::KeyPath;
use jumun_core::listing::OrderSummary;
use wasm_bindgen::JsValue;

/// The database's name.
pub const DB_NAME: &str = "jumun";

/// The schema version this build writes.
pub const VERSION: u32 = 5;

/// Object store names.
pub mod stores {
    /// Orders, by 관리번호.
    pub const ORDERS: &str = "orders";
    /// The event log: the server's events by seq, then local pending ones.
    pub const EVENTS: &str = "events";
    /// Operations not yet accepted by the server, in the order they were made.
    pub const OUTBOX: &str = "outbox";
    /// Small named values: the sync cursor, id blocks (since version 2).
    pub const META: &str = "meta";
    /// Claims, by id (since version 3).
    pub const CLAIMS: &str = "claims";
    /// Pickups, by id (since version 3).
    pub const PICKUPS: &str = "pickups";
    /// Bundles (합포), by id (since version 3).
    pub const BUNDLES: &str = "bundles";
    /// Stock items and product links (since version 3).
    pub const STOCK: &str = "stock";
    /// One summary per order, for the order list (since version 4).
    pub const ORDER_LIST: &str = "order_list";
    /// The order list's kept counts, by name (since version 5; see `store::counts`).
    pub const LIST_COUNTS: &str = "list_counts";
}

/// Index names.
pub mod indexes {
    /// `orders`: `[marketplace, order_no]`.
    pub const MARKETPLACE_ORDER: &str = "marketplace_order";
    /// `orders`: the order's `LineStatus` name.
    pub const STATUS: &str = "status";
    /// `orders`, multiEntry: `[marketplace, line_no]` for each line (since version 2).
    pub const MARKETPLACE_LINE: &str = "marketplace_line";
    /// `orders`: 1 when a line is held (versions 2–4).
    pub const HELD: &str = "held";
    /// `orders`: 수령자명 (versions 2–4).
    pub const RECIPIENT_NAME: &str = "recipient_name";
    /// `orders`: 수령자 휴대전화, digits only (versions 2–4).
    pub const RECIPIENT_PHONE: &str = "recipient_phone";
    /// `orders`: 송장번호 (since version 2).
    pub const TRACKING_NO: &str = "tracking_no";
    /// `order_list` (since version 4; on `orders` in versions 2–4): 주문일 in epoch milliseconds.
    pub const ORDERED_AT: &str = "ordered_at";
    /// `orders`: 등록일 in epoch milliseconds (versions 2–4).
    pub const REGISTERED_AT: &str = "registered_at";
    /// `events`: the idempotency key of the operation that caused the event.
    pub const OP: &str = "op";
    /// `outbox`: the idempotency key (unique).
    pub const KEY: &str = "key";
    /// `claims`, `pickups`: the order (since version 3).
    pub const ORDER: &str = "order";
    /// `order_list`: 수집일 in epoch milliseconds (since version 4).
    pub const COLLECTED_AT: &str = "collected_at";
    /// `order_list`: 출고일 in epoch milliseconds, 0 until shipped (since version 4).
    pub const SHIPPED_AT: &str = "shipped_at";
    /// `order_list`: the last four digits of the recipient's phone (since version 4).
    pub const PHONE_LAST4: &str = "phone_last4";
    /// `order_list`: `[status, ordered_at]` (since version 4).
    pub const STATUS_ORDERED_AT: &str = "status_ordered_at";
}

/// The `upgradeneeded` handler: runs every step from the version on disk to [`VERSION`].
pub(crate) async fn upgrade(
    event: VersionChangeEvent,
    db: Database,
) -> indexed_db_futures::Result<()> {
    let old = event.old_version() as u32;
    if old < 1 {
        create_v1(&db)?;
    }
    if old < 2 {
        upgrade_to_v2(&db).await?;
    }
    if old < 3 {
        upgrade_to_v3(&db)?;
    }
    if old < 4 {
        upgrade_to_v4(&db).await?;
    }
    if old < 5 {
        upgrade_to_v5(&db).await?;
    }
    Ok(())
}

fn create_v1(db: &Database) -> indexed_db_futures::Result<()> {
    let orders = db
        .create_object_store(stores::ORDERS)
        .with_key_path(KeyPath::from("id"))
        .build()?;
    orders
        .create_index(
            indexes::MARKETPLACE_ORDER,
            KeyPath::from(["marketplace", "order_no"]),
        )
        .build()?;
    orders
        .create_index(indexes::STATUS, KeyPath::from("status"))
        .build()?;
    let events = db
        .create_object_store(stores::EVENTS)
        .with_key_path(KeyPath::from("k"))
        .build()?;
    events
        .create_index(indexes::OP, KeyPath::from("op"))
        .build()?;
    let outbox = db
        .create_object_store(stores::OUTBOX)
        .with_auto_increment(true)
        .with_key_path(KeyPath::from("n"))
        .build()?;
    outbox
        .create_index(indexes::KEY, KeyPath::from("key"))
        .with_unique(true)
        .build()?;
    Ok(())
}

async fn upgrade_to_v2(db: &Database) -> indexed_db_futures::Result<()> {
    let meta = db
        .create_object_store(stores::META)
        .with_key_path(KeyPath::from("name"))
        .build()?;
    // The existing `orders` store, in the same versionchange transaction.
    let orders = meta.transaction().object_store(stores::ORDERS)?;
    orders
        .create_index(indexes::MARKETPLACE_LINE, KeyPath::from("mp_lines"))
        .with_multi_entry(true)
        .build()?;
    for (name, path) in [
        (indexes::HELD, "held"),
        (indexes::RECIPIENT_NAME, "recipient_name"),
        (indexes::RECIPIENT_PHONE, "recipient_phone"),
        (indexes::TRACKING_NO, "tracking_no"),
        (indexes::ORDERED_AT, "ordered_at"),
        (indexes::REGISTERED_AT, "registered_at"),
    ] {
        orders.create_index(name, KeyPath::from(path)).build()?;
    }
    // Version 1 rows lack the new fields: derive them from each row's document, one row at a
    // time (a cursor, so a large store is never held in memory at once).
    if let Some(mut cursor) = orders.open_cursor().primitive()?.await? {
        while let Some(value) = cursor.next_record::<JsValue>().await? {
            let row = OrderRow::rederive(&value)
                .and_then(|row| row.to_js())
                .map_err(|e| {
                    indexed_db_futures::error::Error::from(JsValue::from_str(&e.to_string()))
                })?;
            cursor.update(row).primitive()?.await?;
        }
    }
    Ok(())
}

fn upgrade_to_v3(db: &Database) -> indexed_db_futures::Result<()> {
    for name in [stores::CLAIMS, stores::PICKUPS] {
        let store = db
            .create_object_store(name)
            .with_key_path(KeyPath::from("id"))
            .build()?;
        store
            .create_index(indexes::ORDER, KeyPath::from("order"))
            .build()?;
    }
    db.create_object_store(stores::BUNDLES)
        .with_key_path(KeyPath::from("id"))
        .build()?;
    db.create_object_store(stores::STOCK)
        .with_key_path(KeyPath::from("k"))
        .build()?;
    Ok(())
}

async fn upgrade_to_v4(db: &Database) -> indexed_db_futures::Result<()> {
    let list = db
        .create_object_store(stores::ORDER_LIST)
        .with_key_path(KeyPath::from("id"))
        .build()?;
    for (name, path) in [
        (indexes::ORDERED_AT, "ordered_at"),
        (indexes::COLLECTED_AT, "collected_at"),
        (indexes::SHIPPED_AT, "shipped_at"),
        (indexes::PHONE_LAST4, "phone_last4"),
    ] {
        list.create_index(name, KeyPath::from(path)).build()?;
    }
    list.create_index(
        indexes::STATUS_ORDERED_AT,
        KeyPath::from(["status", "ordered_at"]),
    )
    .build()?;
    // Every order kept so far gets its summary, one row at a time (a cursor: a large store is
    // never held in memory at once).
    let orders = list.transaction().object_store(stores::ORDERS)?;
    if let Some(mut cursor) = orders.open_cursor().primitive()?.await? {
        while let Some(value) = cursor.next_record::<JsValue>().await? {
            let summary = super::rows::order_of(&value)
                .map(|order| OrderSummary::of(&order))
                .map_err(upgrade_error)?;
            list.put(serde_wasm_bindgen::to_value(&summary)?)
                .primitive()?;
        }
    }
    Ok(())
}

/// A store error inside an upgrade, which speaks `indexed_db_futures` errors.
fn upgrade_error(e: super::StoreError) -> indexed_db_futures::error::Error {
    indexed_db_futures::error::Error::from(JsValue::from_str(&e.to_string()))
}

/// The `orders` indexes version 5 removes: the order list's summaries answer these searches
/// since version 4, and every order written paid for five more index entries.
const RETIRED_ORDER_INDEXES: [&str; 5] = [
    indexes::HELD,
    indexes::RECIPIENT_NAME,
    indexes::RECIPIENT_PHONE,
    indexes::ORDERED_AT,
    indexes::REGISTERED_AT,
];

/// Version 5: `list_counts` keeps the status tabs' counts, moved by every write of the list
/// (`store::counts`), counted here once; the `orders` indexes the list made redundant go. A
/// tab still running an older build (which writes without moving the counts) is closed by the
/// upgrade instead of writing on.
async fn upgrade_to_v5(db: &Database) -> indexed_db_futures::Result<()> {
    let counts = db
        .create_object_store(stores::LIST_COUNTS)
        .with_key_path(KeyPath::from("name"))
        .build()?;
    let tx = counts.transaction();
    let orders = tx.object_store(stores::ORDERS)?;
    for name in RETIRED_ORDER_INDEXES {
        orders.delete_index(name)?;
    }
    let list = tx.object_store(stores::ORDER_LIST)?;
    let tabs = super::counts::count_by_index(&list)
        .await
        .map_err(upgrade_error)?;
    let row = super::meta_row(super::counts::TAB_COUNTS, &tabs).map_err(upgrade_error)?;
    counts.put(row).primitive()?;
    Ok(())
}

//! Hooks for the browser-store benchmark (`cargo bench -p jumun-e2e --bench indexeddb`, see
//! docs/benchmarks.md), exported to JavaScript like the command layer's (`window.wasmBindings`).
//!
//! Used only by that benchmark; nothing in the console calls them. They act on the console's own
//! database (`jumun`) through a [`Store`] connection of their own, opened on first use, so the
//! benchmark times exactly the code the console runs: [`Store::put_orders`],
//! [`Store::orders_by_status`], [`Store::count_by_status`], [`Store::find_by_tracking_no`], [`Store::order_count`].
//! They only write what they are given and read; they never delete.

use crate::store::{Store, StoreError};
use jumun_core::order::{LineStatus, Order};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

thread_local! {
    static STORE: RefCell<Option<Rc<Store>>> = const { RefCell::new(None) };
}

fn js_error(e: impl std::fmt::Display) -> JsValue {
    JsValue::from_str(&e.to_string())
}

async fn store() -> Result<Rc<Store>, StoreError> {
    if let Some(store) = STORE.with(|s| s.borrow().clone()) {
        return Ok(store);
    }
    let store = Rc::new(Store::open().await?);
    STORE.with(|s| *s.borrow_mut() = Some(store.clone()));
    Ok(store)
}

/// `performance.now()` (web-sys's `Performance` feature is not enabled; Reflect reaches it).
fn now_ms() -> f64 {
    let global = js_sys::global();
    js_sys::Reflect::get(&global, &JsValue::from_str("performance"))
        .ok()
        .and_then(|performance| {
            let now = js_sys::Reflect::get(&performance, &JsValue::from_str("now")).ok()?;
            now.dyn_into::<js_sys::Function>()
                .ok()?
                .call0(&performance)
                .ok()?
                .as_f64()
        })
        .unwrap_or_else(js_sys::Date::now)
}

/// Writes orders given as a JSON array of `jumun_core::order::Order` in one transaction
/// ([`Store::put_orders`]). Resolves to `{"count", "parse_ms", "write_ms"}`: `parse_ms` is reading
/// the JSON argument (benchmark input, not part of the store's work), `write_ms` the store call.
#[wasm_bindgen]
pub async fn jumun_bench_put_orders(orders: String) -> Result<String, JsValue> {
    let store = store().await.map_err(js_error)?;
    let started = now_ms();
    let orders: Vec<Order> = serde_json::from_str(&orders).map_err(js_error)?;
    let parsed = now_ms();
    store.put_orders(&orders).await.map_err(js_error)?;
    let written = now_ms();
    Ok(serde_json::json!({
        "count": orders.len(),
        "parse_ms": parsed - started,
        "write_ms": written - parsed,
    })
    .to_string())
}

fn status(name: &str) -> Result<LineStatus, JsValue> {
    serde_json::from_value(serde_json::Value::String(name.to_owned())).map_err(js_error)
}

/// Loads every order whose status is `status` (a `LineStatus` name, e.g. `"Preparing"`) through
/// the `status` index, decoded into `Order`s; resolves to how many.
#[wasm_bindgen]
pub async fn jumun_bench_query_status(status_name: String) -> Result<u32, JsValue> {
    let status = status(&status_name)?;
    let store = store().await.map_err(js_error)?;
    let orders = store.orders_by_status(status).await.map_err(js_error)?;
    Ok(orders.len() as u32)
}

/// Counts the orders whose status is `status` on the `status` index (nothing is loaded).
#[wasm_bindgen]
pub async fn jumun_bench_count_status(status_name: String) -> Result<u32, JsValue> {
    let status = status(&status_name)?;
    let store = store().await.map_err(js_error)?;
    store.count_by_status(status).await.map_err(js_error)
}

/// Loads the orders with this 송장번호 through the `tracking_no` index; resolves to how many.
#[wasm_bindgen]
pub async fn jumun_bench_find_tracking(tracking_no: String) -> Result<u32, JsValue> {
    let store = store().await.map_err(js_error)?;
    let orders = store
        .find_by_tracking_no(&tracking_no)
        .await
        .map_err(js_error)?;
    Ok(orders.len() as u32)
}

/// Opens a new connection to the console's database, counts its orders and closes it: resolves to
/// `{"count", "open_ms", "count_ms"}` (the store's part of a cold start).
#[wasm_bindgen]
pub async fn jumun_bench_open_count() -> Result<String, JsValue> {
    let started = now_ms();
    let store = Store::open().await.map_err(js_error)?;
    let opened = now_ms();
    let count = store.order_count().await.map_err(js_error)?;
    let counted = now_ms();
    store.close();
    Ok(serde_json::json!({
        "count": count,
        "open_ms": opened - started,
        "count_ms": counted - opened,
    })
    .to_string())
}

/// Closes the benchmark's connection (so the database can be deleted without waiting).
#[wasm_bindgen]
pub fn jumun_bench_close() {
    if let Some(store) = STORE.with(|s| s.borrow_mut().take()) {
        store.close();
    }
}

/// Keeps a session for the order-list benchmark (`cargo bench -p jumun-e2e --bench order_list`),
/// so the console opens its screens on the data in the browser with no server (as it does
/// offline). Resolves when it is kept; the page must be loaded again to use it.
#[wasm_bindgen]
pub async fn jumun_bench_keep_session() -> Result<(), JsValue> {
    let store = store().await.map_err(js_error)?;
    let session = crate::session::Session {
        token: "bench".into(),
        store: "bench".into(),
        login: "bench".into(),
        name: "벤치".into(),
        store_name: "벤치 상점".into(),
        role: jumun_protocol::auth::Role::Operator,
    };
    store
        .meta_set(crate::session::META_SESSION, &Some(session))
        .await
        .map_err(js_error)
}

/// 일괄 배송처리 of the newest `count` 배송대기 orders through the command layer (chunks of
/// [`crate::screens::orders::bulk::CHUNK`], one IndexedDB transaction each, the outbox written):
/// resolves to `{"orders", "succeeded", "failed", "ms"}`.
#[wasm_bindgen]
pub async fn jumun_bench_bulk_ship(count: u32) -> Result<String, JsValue> {
    use crate::screens::orders::bulk::{run_on, BulkAction, Plan};
    use crate::store::ListIndex;
    let store = store().await.map_err(js_error)?;
    let ids: Vec<u64> = store
        .list_window(
            ListIndex::OrderedAt(Some(LineStatus::ReadyToShip)),
            true,
            0,
            count,
        )
        .await
        .map_err(js_error)?
        .iter()
        .map(|s| s.id)
        .collect();
    let never = std::sync::atomic::AtomicBool::new(false);
    let started = now_ms();
    let result = run_on(
        &store,
        "bench",
        BulkAction::Ship,
        &Plan::reason(""),
        &ids,
        &never,
        |_, _| {},
    )
    .await;
    let ms = now_ms() - started;
    if let Some(error) = result.error {
        return Err(js_error(error));
    }
    Ok(serde_json::json!({
        "orders": ids.len(),
        "succeeded": result.succeeded,
        "failed": result.failures.len(),
        "ms": ms,
    })
    .to_string())
}

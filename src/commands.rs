//! The command layer: every screen that changes something calls [`run`].
//!
//! A command runs locally first, through `jumun-core`, on the pieces of the book it names (loaded
//! from IndexedDB): the operator sees the result at once, online or not. Its events, the pieces
//! it changed and the operation (with a fresh idempotency key) go into the store in one
//! transaction; the sync ([`crate::sync`]) pushes the operation when the server is reachable. A
//! refused command writes nothing and returns the typed [`Refusal`] (its Korean text is
//! [`Refusal::korean`], kept and tested in the engine).
//!
//! New ids (claims, orders, lines, pickups, bundles) come from [`new_ids`]: blocks the server
//! reserved for this browser, kept in the store's meta and refilled by the sync while online, so
//! offline work can create entities too.

use crate::store::{OutboxOp, Store, StoreError};
use crate::sync::Syncer;
use jumun_core::{Command, Ctx, Event, Refusal};
use std::cell::RefCell;
use std::rc::Rc;

/// Why a command did not run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CommandError {
    /// The engine refused it: nothing changed.
    #[error("{}", .0.korean())]
    Refused(Refusal),
    /// No reserved ids are left for the new entities it creates (offline for a long time).
    #[error(
        "새 번호가 남아 있지 않습니다. 인터넷에 연결되면 번호를 받아 오니 잠시 후 다시 시도하세요."
    )]
    NoIds,
    /// Nobody is signed in.
    #[error("로그인이 필요합니다.")]
    NotSignedIn,
    /// The offline store failed (the message says what to do).
    #[error("{0}")]
    Store(#[from] StoreError),
}

/// The console's store, who is signed in, and the sync to tell about new work: set once the
/// store is open and a session is known.
pub struct Console {
    /// The offline store.
    pub store: Rc<Store>,
    /// The sync.
    pub sync: Rc<Syncer>,
}

thread_local! {
    static CONSOLE: RefCell<Option<Rc<Console>>> = const { RefCell::new(None) };
}

/// Makes `console` the one [`run`] uses.
pub fn install(console: Rc<Console>) {
    CONSOLE.with(|c| *c.borrow_mut() = Some(console));
}

/// The installed console.
pub fn console() -> Option<Rc<Console>> {
    CONSOLE.with(|c| c.borrow().clone())
}

/// Now, from the browser's clock (chrono's own clock is not available in wasm without JS).
pub fn now() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp_millis(js_sys::Date::now() as i64).unwrap_or_default()
}

/// A fresh idempotency key: time and 104 random bits, unique enough across devices.
pub fn new_key() -> String {
    let random = |bits: f64| (js_sys::Math::random() * 2f64.powf(bits)) as u64;
    format!(
        "op-{:x}-{:013x}-{:013x}",
        js_sys::Date::now() as u64,
        random(52.0),
        random(52.0)
    )
}

/// Runs `command` as the signed-in operator: decided locally, kept with its outbox entry, and
/// pushed by the sync when online. Returns its events.
pub async fn run(command: Command) -> Result<Vec<Event>, CommandError> {
    let console = console().ok_or(CommandError::NotSignedIn)?;
    let login = console.sync.login().ok_or(CommandError::NotSignedIn)?;
    let (_, events) = run_on(&console.store, &login, command).await?;
    console.sync.kick();
    Ok(events)
}

/// Runs `command` on `store` as `login` now; returns the operation's key and its events.
pub async fn run_on(
    store: &Store,
    login: &str,
    command: Command,
) -> Result<(String, Vec<Event>), CommandError> {
    let op = OutboxOp {
        key: new_key(),
        at: now(),
        command,
    };
    // The server runs it as the same operator at the same time, so it decides the same way.
    let ctx = Ctx::operator(login, op.at);
    let command = op.command.clone();
    match store
        .run_local(&op, |book| book.execute(&command, &ctx))
        .await?
    {
        Ok((_, events)) => Ok((op.key, events)),
        Err(refusal) => Err(CommandError::Refused(refusal)),
    }
}

/// Runs `commands` on `store` as `login` now, in one transaction (see
/// [`Store::run_local_batch`]): each accepted one is its own operation in the outbox, a refused
/// one changes nothing and the rest go on. Returns each command's events or refusal, in order.
pub async fn run_batch_on(
    store: &Store,
    login: &str,
    commands: Vec<Command>,
) -> Result<Vec<Result<Vec<Event>, Refusal>>, CommandError> {
    let at = now();
    let ops: Vec<OutboxOp> = commands
        .into_iter()
        .map(|command| OutboxOp {
            key: new_key(),
            at,
            command,
        })
        .collect();
    let ctx = Ctx::operator(login, at);
    Ok(store
        .run_local_batch(&ops, |book, op| book.execute(&op.command, &ctx))
        .await?)
}

/// What `command` would do if run now as the signed-in operator, in the history's words
/// (R31), or the engine's refusal; nothing is kept (see [`Store::preview_local`]).
pub async fn preview(
    command: &Command,
) -> Result<Result<Vec<jumun_core::history::HistoryEntry>, Refusal>, CommandError> {
    let console = console().ok_or(CommandError::NotSignedIn)?;
    let login = console.sync.login().ok_or(CommandError::NotSignedIn)?;
    let ctx = Ctx::operator(&login, now());
    Ok(console
        .store
        .preview_local(command, |book| book.execute(command, &ctx))
        .await?
        .map(|events| events.iter().map(jumun_core::history::entry).collect()))
}

/// `count` fresh ids for the entities a command creates.
pub async fn new_ids(count: usize) -> Result<Vec<u64>, CommandError> {
    let console = console().ok_or(CommandError::NotSignedIn)?;
    let ids = console.store.take_ids(count).await?;
    console.sync.kick();
    ids.ok_or(CommandError::NoIds)
}

#[cfg(all(target_arch = "wasm32", feature = "test-hooks"))]
mod hooks {
    //! The command layer, exported to JavaScript (`window.wasmBindings` in the built app), so
    //! the end-to-end tests drive the same functions the screens call.
    use super::*;
    use wasm_bindgen::prelude::*;

    fn js_error(e: impl std::fmt::Display) -> JsValue {
        JsValue::from_str(&e.to_string())
    }

    /// Runs a command given as `jumun_core::Command` JSON; resolves to its events as JSON.
    #[wasm_bindgen]
    pub async fn jumun_run(command: String) -> Result<String, JsValue> {
        let command: Command = serde_json::from_str(&command).map_err(js_error)?;
        let events = run(command).await.map_err(js_error)?;
        serde_json::to_string(&events).map_err(js_error)
    }

    /// A fresh id from the reserved blocks.
    #[wasm_bindgen]
    pub async fn jumun_new_id() -> Result<f64, JsValue> {
        Ok(new_ids(1).await.map_err(js_error)?[0] as f64)
    }

    /// The sync's state as JSON: a [`jumun_protocol::hooks::ConsoleState`].
    #[wasm_bindgen]
    pub async fn jumun_state() -> Result<String, JsValue> {
        let console = console().ok_or_else(|| js_error(CommandError::NotSignedIn))?;
        let store = &console.store;
        let state = jumun_protocol::hooks::ConsoleState {
            orders: store.order_count().await.map_err(js_error)?,
            pending: store.outbox_len().await.map_err(js_error)?,
            outbox: store
                .outbox_pending()
                .await
                .map_err(js_error)?
                .into_iter()
                .map(|q| q.op.key)
                .collect(),
            cursor: store.cursor().await.map_err(js_error)?,
            ids_left: store.ids_left().await.map_err(js_error)?,
            notices: store.notices().await.map_err(js_error)?.len() as u32,
            online: console.sync.status().online,
        };
        serde_json::to_string(&state).map_err(js_error)
    }

    /// An order as `jumun_core::order::Order` JSON (`null` when absent).
    #[wasm_bindgen]
    pub async fn jumun_order(id: f64) -> Result<String, JsValue> {
        let console = console().ok_or_else(|| js_error(CommandError::NotSignedIn))?;
        let order = console
            .store
            .order(jumun_core::ids::OrderId(id as u64))
            .await
            .map_err(js_error)?;
        serde_json::to_string(&order).map_err(js_error)
    }
}

//! The app in the browser, as the end-to-end tests read and drive it: the JavaScript hooks of
//! its command layer (`window.wasmBindings`, see `src/commands.rs`) and the network switch.

use crate::webdriver::{Session, WdResult};
use jumun_core::ids::OrderId;
use jumun_core::order::Order;
use jumun_core::{Command, Event};
use jumun_protocol::hooks::ConsoleState;
use serde::de::DeserializeOwned;
use serde_json::{json, Value};

/// Runs a browser script whose promise resolves to JSON text (or `null`), and decodes it as
/// `T`; an answer that is not a `T` fails the test at once, saying what it was.
pub fn execute_json<T: DeserializeOwned>(
    browser: &Session,
    script: &str,
    args: Vec<Value>,
) -> WdResult<Option<T>> {
    match browser.execute(script, args)? {
        Value::Null => Ok(None),
        Value::String(text) => match serde_json::from_str(&text) {
            Ok(value) => Ok(Some(value)),
            Err(err) => panic!("{script}: not the expected JSON ({err}): {text}"),
        },
        other => panic!("{script}: not JSON text: {other}"),
    }
}

/// The app's sync state, or `None` while the app cannot tell (loading, signed out).
pub fn state(browser: &Session) -> Option<ConsoleState> {
    execute_json(
        browser,
        "const w = window.wasmBindings; \
         return w ? w.jumun_state().catch(e => null) : null;",
        vec![],
    )
    .unwrap_or(None)
}

/// Runs a command through the app's command layer; answers its local events.
pub fn run(browser: &Session, command: &Command) -> WdResult<Vec<Event>> {
    let text = serde_json::to_string(command).expect("a command is JSON");
    execute_json(
        browser,
        "return window.wasmBindings.jumun_run(arguments[0]);",
        vec![json!(text)],
    )
    .map(Option::unwrap_or_default)
}

/// The order in IndexedDB (`None` when it is not there).
pub fn order(browser: &Session, id: OrderId) -> Option<Order> {
    execute_json::<Option<Order>>(
        browser,
        "return window.wasmBindings.jumun_order(arguments[0]);",
        vec![json!(id.0)],
    )
    .expect("read an order")
    .flatten()
}

/// Cuts the browser's network (DevTools emulation) or gives it back.
pub fn network(browser: &Session, offline: bool) {
    browser
        .cdp("Network.enable", json!({}))
        .expect("CDP Network.enable");
    browser
        .cdp(
            "Network.emulateNetworkConditions",
            json!({ "offline": offline, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1 }),
        )
        .expect("CDP Network.emulateNetworkConditions");
}

//! What the app's test hooks answer: the functions the built app exports to JavaScript
//! (`window.wasmBindings`) so the end-to-end tests drive the same command layer the screens
//! call. Not HTTP, but the same contract between two crates (the app writes it, the tests read
//! it through WebDriver), so it is defined here once too. Not in the OpenAPI document.

use serde::{Deserialize, Serialize};

/// `jumun_state()`: where the console's offline store and sync stand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsoleState {
    /// Orders in the offline store.
    pub orders: u32,
    /// Operations waiting to be sent.
    pub pending: u32,
    /// The keys of the waiting operations, oldest first.
    pub outbox: Vec<String>,
    /// The last seq of the server's log folded in.
    pub cursor: u64,
    /// Fresh ids left in the reserved blocks.
    pub ids_left: u64,
    /// Refusal notices not dismissed yet.
    pub notices: u32,
    /// The server answered the last request.
    pub online: bool,
}

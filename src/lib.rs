//! Jumun (주문) — the browser console.
//!
//! A Leptos client-side-rendered app. Components stay thin: every business rule lives in
//! `jumun-core`; this crate renders its state and sends commands.

mod app;
#[cfg(all(target_arch = "wasm32", feature = "test-hooks"))]
pub mod bench;
pub mod commands;
pub mod components;
pub mod context;
pub mod pwa;
pub mod screens;
pub mod sections;
pub mod session;
pub mod store;
pub mod store_read;
pub mod sync;

pub use app::App;

//! The browser–server protocol of Jumun: every type that crosses HTTP, defined once.
//!
//! The server (`jumun-server`) answers with these types and reads its requests into them, the
//! browser app (`jumun`) sends and decodes them, and the end-to-end tests call the API with
//! them; so a field renamed here is renamed for all three, and a mismatch is a compile error
//! instead of a value that silently reads as empty. Commands, events and refusals cross as
//! `jumun_core` types ([`jumun_core::Command`], [`jumun_core::Event`],
//! [`jumun_core::Refusal`]).
//!
//! No IO, no clock: plain data with serde, so it builds for `wasm32-unknown-unknown` as well as
//! natively. With the feature `openapi` (the server's only) every type also derives
//! `utoipa::ToSchema` (query strings `utoipa::IntoParams`), the server's OpenAPI document is
//! generated from them, and [`openapi::components`] lists their schemas for the conformance
//! test that compares the served document with them.
//!
//! Modules follow the API's paths: [`error`] (every error answer), [`health`], [`auth`]
//! (`/api/auth/*`, `/api/me`), [`users`], [`sync`] (`/api/ids`, `/api/ops`, `/api/changes`),
//! [`connections`] (`/api/connections*`, `/api/malformed`), [`dashboard`] (`/api/dashboard`);
//! and [`hooks`], what the built app answers the end-to-end tests through its JavaScript exports.

pub mod auth;
pub mod connections;
pub mod dashboard;
pub mod error;
pub mod health;
pub mod hooks;
#[cfg(feature = "openapi")]
pub mod openapi;
pub mod sync;
pub mod users;

pub use error::ApiErrorBody;

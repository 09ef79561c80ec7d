//! Operators' sync: each store's event log, the one write path into it, and pulls from it.
//!
//! Browsers work offline on their own copy of the book and queue operations (`jumun_core`
//! commands) with an idempotency key each; `POST /api/ops` applies them here through
//! [`Ledger::execute`] and answers accepted or refused per operation. Browsers then pull the
//! store's events since a cursor (`GET /api/changes`) and fold them into their copy. Marketplace
//! facts (collected orders, claims, cancels) go in through [`Ledger::execute_marketplace`] as
//! soon as they are collected, so they win: an operator's queued command that no longer fits —
//! shipping a line the marketplace cancelled — is refused, and the refusal goes back to the
//! operator's browser. The automatic rules run through [`Ledger::tick`].
//!
//! Fresh ids for offline work come from one per-store sequence ([`Ledger::reserve_ids`],
//! `POST /api/ids`), which the server's own sync uses too.

pub mod ledger;
mod store;

pub use ledger::{
    refusal_code, refused, BatchOp, ChangesPage, Ledger, LedgerError, OpResult, Outcome,
    PulledEvent, MAX_ID_BLOCK,
};

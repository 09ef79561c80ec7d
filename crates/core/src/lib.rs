//! Jumun's domain engine.
//!
//! Pure Rust: no IO, no clock, no randomness. Time is always an argument.

pub mod carrier;
pub mod fault;
pub mod ids;
pub mod marketplace;
pub mod money;

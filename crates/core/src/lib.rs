//! Jumun's domain engine.
//!
//! Pure Rust: no IO, no clock, no randomness. Time is always an argument.

pub mod ids;
pub mod marketplace;

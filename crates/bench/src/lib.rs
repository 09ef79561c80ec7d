//! What Jumun's benchmarks share, so each generates its data and prints its figures the same way:
//!
//! - [`orders`]: deterministic Korean marketplace orders — a small seeded generator, products
//!   with options, buyers with Korean names, phones and road addresses, and the keys each
//!   marketplace sends for a line;
//! - [`figures`]: durations, rates and percentiles as the benches print them, and what the
//!   machine was doing (cores, load, memory, CPU time).
//!
//! Nothing here measures or asserts on time: benches print figures, and their only checks are
//! for correctness.

pub mod figures;
pub mod orders;

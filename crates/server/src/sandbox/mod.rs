//! A sandbox marketplace inside the server (issue 4): deterministic Korean orders on several
//! marketplaces at once, with scripted claim scenarios over time.
//!
//! - [`generate`]: people, addresses, products with options, orders — a pure function of a seed.
//! - [`scenario`]: the timeline — which orders exist at a moment and what happened to each line.

pub mod generate;
pub mod scenario;

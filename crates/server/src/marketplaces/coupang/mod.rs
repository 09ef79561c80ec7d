//! coupang adapter.

pub mod wire;

//! generic adapter.

pub mod wire;

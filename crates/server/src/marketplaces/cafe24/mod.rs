//! cafe24 adapter.

pub mod wire;

//! naver adapter.

pub mod wire;

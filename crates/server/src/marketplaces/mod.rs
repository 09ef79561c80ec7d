//! Marketplace adapters (issue 4).
pub mod cafe24;
pub mod coupang;
pub mod generic;
pub mod naver;
mod serde_util;

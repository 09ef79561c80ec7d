//! Marketplaces as data: their identity, the keys their records carry, their cancel-sync table
//! (R25–R27) and exchange behaviour (R15–R19).

pub mod facts;
mod keys;
mod table;

pub use keys::{MarketplaceCode, MarketplaceKeys};
pub use table::{
    CancelStatusMeaning, KeyPart, KeyShape, MarketplaceProfile, MarketplaceTable, MatchRule,
    TableError,
};

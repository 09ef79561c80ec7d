//! Identifiers of the console's own entities.
//!
//! Ids are plain numbers chosen by the caller and passed in commands: the domain has no randomness
//! and no counter of its own, so a browser working offline and the server can both create entities
//! (the caller guarantees uniqueness, for example from an id block reserved per client); the domain
//! refuses a command whose new id is already taken.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident, $prefix:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub u64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!($prefix, "{}"), self.0)
            }
        }
    };
}

id_type!(
    /// 관리번호: the console's own management number of an order (R1).
    OrderId, ""
);
id_type!(
    /// One order line, stable for the line's whole life (a split creates a new line with a new id).
    LineId, "L"
);
id_type!(
    /// 합포: a bundle of orders shipped in one parcel (R6).
    BundleId, "B"
);
id_type!(
    /// A claim (cancel, return, exchange) on chosen lines and quantities (R9).
    ClaimId, "C"
);
id_type!(
    /// 수거: one pickup of returned or exchanged goods (R14).
    PickupId, "P"
);

/// A block of fresh numbers reserved by the caller for ids the engine must create itself (claims
/// and divided lines made by a sync or an automatic rule). The domain has no counter of its own;
/// the server reserves blocks from its sequence, so ids never collide with a browser's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct IdBlock {
    /// The first number not yet used.
    pub next: u64,
    /// One past the last number of the block.
    pub end: u64,
}

impl IdBlock {
    /// A block of `len` numbers from `start`.
    pub fn new(start: u64, len: u64) -> Self {
        Self {
            next: start,
            end: start.saturating_add(len),
        }
    }

    /// The next number, or `None` when the block is used up.
    pub fn take(&mut self) -> Option<u64> {
        (self.next < self.end).then(|| {
            self.next += 1;
            self.next - 1
        })
    }
}

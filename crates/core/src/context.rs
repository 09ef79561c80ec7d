//! Who does a thing and when: every command runs in a [`Ctx`], because the domain has no clock
//! and no notion of a logged-in user of its own (R31 records both with every change).

use crate::marketplace::MarketplaceCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Who made a change (R31).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Actor {
    /// An operator of the console, by login name.
    Operator(String),
    /// A marketplace sync (order collection, claim collection, cancel sync).
    Sync(MarketplaceCode),
    /// An automatic rule of the console (purchase confirmation, payment deadline, delay).
    Automatic,
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Actor::Operator(name) => write!(f, "{name}"),
            Actor::Sync(marketplace) => write!(f, "연동({marketplace})"),
            Actor::Automatic => f.write_str("자동처리"),
        }
    }
}

/// The time and the actor a command runs with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ctx {
    /// Now, as the caller's clock says.
    pub now: DateTime<Utc>,
    /// Who asks.
    pub actor: Actor,
}

impl Ctx {
    /// A context for an operator.
    pub fn operator(name: &str, now: DateTime<Utc>) -> Self {
        Self {
            now,
            actor: Actor::Operator(name.to_owned()),
        }
    }

    /// A context for a marketplace sync.
    pub fn sync(marketplace: &MarketplaceCode, now: DateTime<Utc>) -> Self {
        Self {
            now,
            actor: Actor::Sync(marketplace.clone()),
        }
    }

    /// A context for the automatic rules.
    pub fn automatic(now: DateTime<Utc>) -> Self {
        Self {
            now,
            actor: Actor::Automatic,
        }
    }
}

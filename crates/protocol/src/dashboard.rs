//! `GET /api/dashboard`: the dashboard's figures only the server's whole book holds.
//!
//! The browser counts orders and claims from what it keeps; marketplace cancels that matched no
//! order (R27) are kept in the server's book alone, so they come from here (with the engine's
//! other counters beside them).

use chrono::{DateTime, Utc};
use jumun_core::cancel_sync::CancelRecord;
use jumun_core::dashboard::Dashboard;
use serde::{Deserialize, Serialize};

/// At most this many unmatched cancels are listed (the newest), whatever the count.
pub const MAX_UNMATCHED_LISTED: usize = 50;

/// The server's dashboard figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DashboardFigures {
    /// The engine's counters, a `jumun_core::dashboard::Dashboard` as JSON (`unmatched_cancels`
    /// among them).
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub counters: Dashboard,
    /// The newest unmatched cancels, newest first (at most [`MAX_UNMATCHED_LISTED`]), each a
    /// `jumun_core::cancel_sync::CancelRecord` as JSON.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub unmatched_cancels: Vec<CancelRecord>,
    /// When the server counted them.
    pub counted_at: DateTime<Utc>,
}

//! The one shape of every error answer.

use serde::{Deserialize, Serialize};

/// An error answer: `{code, message}`, with the HTTP status as the response's status (4xx or
/// 5xx). Unknown `/api` paths answer 404 `not_found`, a known path with another method 405
/// `method_not_allowed`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiErrorBody {
    /// Stable machine-readable code, e.g. `not_found`, `invalid_input`, `unauthorized`.
    pub code: String,
    /// What happened and what to do, for a person.
    pub message: String,
}

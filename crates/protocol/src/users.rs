//! The store's users: `GET /api/users`, `POST /api/users`.

use crate::auth::{Role, UserInfo};
use serde::{Deserialize, Serialize};

/// The store's users (`GET /api/users`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserList {
    /// Ordered by login.
    pub users: Vec<UserInfo>,
}

/// A user to create in the caller's store (`POST /api/users`). There is no store field: the
/// store is the caller's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateUser {
    /// The sign-in name: 1–64 of `a-z 0-9 . _ -` (upper case is folded to lower).
    pub login: String,
    /// The name people see: 1–50 characters.
    pub name: String,
    /// `owner`, `operator` or `viewer`.
    pub role: Role,
    /// The first password, at least 8 characters.
    pub password: String,
}

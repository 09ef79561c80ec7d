//! Signing in and out, and who a token belongs to: `POST /api/auth/login`, `POST
//! /api/auth/logout`, `GET /api/me`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The sign-in form (`POST /api/auth/login`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// The store code, e.g. `demo`.
    pub store: String,
    /// The user's login.
    pub login: String,
    /// The user's password.
    pub password: String,
}

/// A successful sign-in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoginResponse {
    /// The bearer token, for `Authorization: Bearer …` on every other endpoint. Shown only
    /// here.
    pub token: String,
    /// When the token stops working (7 days after sign-in unless signed out).
    pub expires_at: DateTime<Utc>,
    /// Who signed in.
    pub user: UserInfo,
    /// Their store.
    pub store: StoreInfo,
}

/// Who a token belongs to (`GET /api/me`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Me {
    /// The user.
    pub user: UserInfo,
    /// Their store.
    pub store: StoreInfo,
    /// When the session ends.
    pub expires_at: DateTime<Utc>,
}

/// The answer to a sign-out (`POST /api/auth/logout`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoggedOut {
    /// Always `true`: the token no longer works.
    pub logged_out: bool,
}

/// A store as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StoreInfo {
    /// The sign-in code, e.g. `demo`.
    pub code: String,
    /// The name people see, e.g. `데모 상점`.
    pub name: String,
}

/// A user as the API shows it (never with a password or its hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserInfo {
    /// The sign-in name; also the actor the store's log names for this user's operations.
    pub login: String,
    /// The name people see.
    pub name: String,
    /// What the user may do.
    pub role: Role,
    /// When the user was created.
    pub created_at: DateTime<Utc>,
}

/// What a user may do in their store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Runs the store: everything, including managing users and marketplace connections.
    Owner,
    /// Works the orders: reads and writes the store's data, sees its users.
    Operator,
    /// Looks only: reads the store's data, changes nothing.
    Viewer,
}

impl Role {
    /// The name used in JSON (and in the server's storage).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Owner => "owner",
            Self::Operator => "operator",
            Self::Viewer => "viewer",
        }
    }

    /// Reads a name written by [`Role::as_str`].
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "owner" => Some(Self::Owner),
            "operator" => Some(Self::Operator),
            "viewer" => Some(Self::Viewer),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_names_are_the_json_names_and_parse_back() {
        for role in [Role::Owner, Role::Operator, Role::Viewer] {
            let json = serde_json::to_string(&role).unwrap();
            assert_eq!(json, format!("\"{}\"", role.as_str()));
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("admin"), None);
    }

    #[test]
    fn a_login_form_with_an_unknown_field_is_refused() {
        let json = r#"{"store": "demo", "login": "demo", "password": "x", "remember": true}"#;
        let err = serde_json::from_str::<LoginRequest>(json).unwrap_err();
        assert!(err.to_string().contains("remember"), "{err}");
    }
}

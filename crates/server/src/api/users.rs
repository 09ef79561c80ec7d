//! The store's users: `GET /api/users` (owners and operators), `POST /api/users` (owners).
//! Both act only on the caller's own store.

use super::json::JsonBody;
use crate::accounts::{Authenticated, NewUser, Role, UserInfo};
use crate::error::ApiError;
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::Utc;
use serde::{Deserialize, Serialize};

/// The store's users.
#[derive(Debug, Serialize)]
pub struct UserList {
    /// Ordered by login.
    pub users: Vec<UserInfo>,
}

/// A user to create in the caller's store. There is no store field: the store is the caller's.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateUser {
    /// The sign-in name.
    pub login: String,
    /// The name people see.
    pub name: String,
    /// `owner`, `operator` or `viewer`.
    pub role: Role,
    /// The first password, at least 8 characters.
    pub password: String,
}

/// `GET /api/users`.
pub async fn list(
    State(state): State<AppState>,
    caller: Authenticated,
) -> Result<Json<UserList>, ApiError> {
    let users = state.accounts.list_users(&caller).await?;
    Ok(Json(UserList { users }))
}

/// `POST /api/users`: 201 with the new user.
pub async fn create(
    State(state): State<AppState>,
    caller: Authenticated,
    JsonBody(form): JsonBody<CreateUser>,
) -> Result<(StatusCode, Json<UserInfo>), ApiError> {
    let user = state
        .accounts
        .create_user(
            &caller,
            NewUser {
                login: form.login,
                name: form.name,
                role: form.role,
                password: form.password,
            },
            Utc::now(),
        )
        .await?;
    tracing::info!(
        store = %caller.store.code,
        by = %caller.user.login,
        login = %user.login,
        role = user.role.as_str(),
        "created user"
    );
    Ok((StatusCode::CREATED, Json(user)))
}

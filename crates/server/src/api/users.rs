//! The store's users: `GET /api/users` (owners and operators), `POST /api/users` (owners).
//! Both act only on the caller's own store.

use super::json::JsonBody;
use crate::accounts::{Authenticated, NewUser};
use crate::error::ApiError;
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::Utc;
use jumun_protocol::auth::UserInfo;
use jumun_protocol::users::{CreateUser, UserList};
use jumun_protocol::ApiErrorBody;

/// The users of the caller's store (owners and operators).
#[utoipa::path(
    get,
    path = "/users",
    operation_id = "list_users",
    tag = "users",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The store's users, by login", body = UserList),
        (status = 401, description = "No valid session (`unauthorized`)", body = ApiErrorBody),
        (status = 403, description = "A viewer may not list users (`forbidden`)", body = ApiErrorBody),
        (status = 500, description = "The server failed (`internal`)", body = ApiErrorBody),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Authenticated,
) -> Result<Json<UserList>, ApiError> {
    let users = state.accounts.list_users(&caller).await?;
    Ok(Json(UserList { users }))
}

/// Create a user in the caller's store (owners).
#[utoipa::path(
    post,
    path = "/users",
    operation_id = "create_user",
    tag = "users",
    security(("bearer" = [])),
    request_body = CreateUser,
    responses(
        (status = 201, description = "Created", body = UserInfo),
        (status = 400, description = "The body is not JSON (`bad_request`)", body = ApiErrorBody),
        (status = 401, description = "No valid session (`unauthorized`)", body = ApiErrorBody),
        (status = 403, description = "Only an owner creates users (`forbidden`)", body = ApiErrorBody),
        (status = 409, description = "The login is taken in this store (`login_taken`)", body = ApiErrorBody),
        (status = 413, description = "The body is too large (`payload_too_large`)", body = ApiErrorBody),
        (status = 415, description = "Not `Content-Type: application/json` (`unsupported_media_type`)", body = ApiErrorBody),
        (status = 422, description = "A field is missing, unknown or invalid, e.g. a short password (`invalid_input`)", body = ApiErrorBody),
        (status = 500, description = "The server failed (`internal`)", body = ApiErrorBody),
    )
)]
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
        store = %caller.store.info.code,
        by = %caller.user.login,
        login = %user.login,
        role = user.role.as_str(),
        "created user"
    );
    Ok((StatusCode::CREATED, Json(user)))
}

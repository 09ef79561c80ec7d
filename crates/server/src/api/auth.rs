//! Sign-in, sign-out, and the bearer-token extractor every data endpoint uses.
//!
//! `POST /api/auth/login` `{store, login, password}` → `{token, expires_at, user, store}`;
//! `POST /api/auth/logout` revokes the caller's token; `GET /api/me` tells who the token is for.

use super::json::JsonBody;
use crate::accounts::token::SessionToken;
use crate::accounts::Authenticated;
use crate::error::ApiError;
use crate::AppState;
use axum::extract::{FromRequestParts, State};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum::Json;
use chrono::Utc;
use jumun_protocol::auth::{LoggedOut, LoginRequest, LoginResponse, Me};
use jumun_protocol::ApiErrorBody;

/// Sign in.
///
/// Answers a bearer token for `Authorization: Bearer <token>` on every other endpoint; it lasts
/// 7 days unless signed out.
#[utoipa::path(
    post,
    path = "/auth/login",
    operation_id = "login",
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in", body = LoginResponse),
        (status = 400, description = "The body is not JSON (`bad_request`)", body = ApiErrorBody),
        (status = 401, description = "Unknown store, login or password (`bad_credentials`)", body = ApiErrorBody),
        (status = 413, description = "The body is too large (`payload_too_large`)", body = ApiErrorBody),
        (status = 415, description = "Not `Content-Type: application/json` (`unsupported_media_type`)", body = ApiErrorBody),
        (status = 422, description = "A field is missing, unknown or of the wrong type (`invalid_input`)", body = ApiErrorBody),
        (status = 500, description = "The server failed (`internal`)", body = ApiErrorBody),
    )
)]
pub async fn login(
    State(state): State<AppState>,
    JsonBody(form): JsonBody<LoginRequest>,
) -> Result<Json<LoginResponse>, ApiError> {
    let signed_in = state
        .accounts
        .sign_in(&form.store, &form.login, &form.password, Utc::now())
        .await?;
    tracing::info!(store = %signed_in.store.info.code, login = %signed_in.user.login, "signed in");
    Ok(Json(LoginResponse {
        token: signed_in.token.as_str().to_owned(),
        expires_at: signed_in.expires_at,
        user: signed_in.user,
        store: signed_in.store.info,
    }))
}

/// Sign out: the caller's token stops working.
#[utoipa::path(
    post,
    path = "/auth/logout",
    operation_id = "logout",
    tag = "auth",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Signed out", body = LoggedOut),
        (status = 401, description = "No valid session (`unauthorized`)", body = ApiErrorBody),
        (status = 500, description = "The server failed (`internal`)", body = ApiErrorBody),
    )
)]
pub async fn logout(
    State(state): State<AppState>,
    caller: Authenticated,
) -> Result<Json<LoggedOut>, ApiError> {
    state.accounts.sign_out(&caller, Utc::now()).await?;
    Ok(Json(LoggedOut { logged_out: true }))
}

/// Who the token is for: the user, their store, and when the session ends.
#[utoipa::path(
    get,
    path = "/me",
    operation_id = "me",
    tag = "auth",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller", body = Me),
        (status = 401, description = "No valid session (`unauthorized`)", body = ApiErrorBody),
        (status = 500, description = "The server failed (`internal`)", body = ApiErrorBody),
    )
)]
pub async fn me(caller: Authenticated) -> Json<Me> {
    Json(Me {
        user: caller.user,
        store: caller.store.info,
        expires_at: caller.expires_at,
    })
}

/// The caller's identity from `Authorization: Bearer <token>`; 401 with `{code, message}` when
/// the header is missing or malformed, or the session is unknown, expired or signed out.
impl FromRequestParts<AppState> for Authenticated {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = bearer_token(parts)?;
        Ok(state.accounts.authenticate(&token, Utc::now()).await?)
    }
}

fn bearer_token(parts: &Parts) -> Result<SessionToken, ApiError> {
    let header = parts.headers.get(AUTHORIZATION).ok_or_else(|| {
        ApiError::unauthorized(
            "sign in first: send Authorization: Bearer <token>, the token from POST /api/auth/login",
        )
    })?;
    let malformed = || {
        ApiError::unauthorized(
            "the Authorization header is not `Bearer <token>` with the token from \
             POST /api/auth/login; sign in again",
        )
    };
    let value = header.to_str().map_err(|_| malformed())?;
    let (scheme, token) = value.trim().split_once(' ').ok_or_else(malformed)?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(malformed());
    }
    SessionToken::parse(token.trim()).ok_or_else(malformed)
}

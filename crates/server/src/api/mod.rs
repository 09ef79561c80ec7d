//! The JSON API under `/api`.
//!
//! Every endpoint but `health` and `auth/login` needs `Authorization: Bearer <token>` and sees
//! only the data of the caller's store.

mod auth;
mod changes;
mod connections;
mod health;
mod json;
mod ops;
mod users;

pub use json::JsonBody;

use crate::error::ApiError;
use crate::AppState;
use axum::extract::{DefaultBodyLimit, OriginalUri};
use axum::http::{Method, StatusCode};
use axum::routing::{get, patch, post};
use axum::Router;

/// Every `/api` route. Unknown `/api/...` paths answer with a JSON 404, never the app's HTML,
/// and a known path with the wrong method with a JSON 405.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/health", get(health::health))
        .route("/auth/login", post(auth::login))
        .route("/auth/logout", post(auth::logout))
        .route("/me", get(auth::me))
        .route("/users", get(users::list).post(users::create))
        .route("/ids", post(ops::reserve_ids))
        .route(
            "/ops",
            post(ops::push).layer(DefaultBodyLimit::max(ops::MAX_PUSH_BYTES)),
        )
        .route("/changes", get(changes::list))
        .route(
            "/connections",
            get(connections::list).post(connections::create),
        )
        .route("/connections/{id}", patch(connections::update))
        .route("/connections/{id}/collect", post(connections::collect))
        .route("/connections/{id}/runs", get(connections::runs))
        .route("/malformed", get(connections::malformed))
        .method_not_allowed_fallback(|method: Method, OriginalUri(uri): OriginalUri| async move {
            ApiError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                format!("{} does not accept {method}", uri.path()),
            )
        })
        .fallback(|OriginalUri(uri): OriginalUri| async move {
            ApiError::not_found(format!("no API endpoint at {}", uri.path()))
        })
}

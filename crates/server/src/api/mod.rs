//! The JSON API under `/api`.

mod health;

use crate::error::ApiError;
use crate::AppState;
use axum::extract::OriginalUri;
use axum::routing::get;
use axum::Router;

/// Every `/api` route. Unknown `/api/...` paths answer with a JSON 404, never the app's HTML.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/health", get(health::health))
        .fallback(|OriginalUri(uri): OriginalUri| async move {
            ApiError::not_found(format!("no API endpoint at {}", uri.path()))
        })
}

//! The JSON API under `/api`.
//!
//! Every endpoint but `health` and `auth/login` needs `Authorization: Bearer <token>` and sees
//! only the data of the caller's store. `GET /api/openapi.json` (no sign-in) is the API's
//! OpenAPI document, generated from the handlers' `#[utoipa::path]` annotations as [`routes`]
//! registers them.

mod auth;
mod changes;
mod connections;
mod dashboard;
mod health;
mod json;
pub mod openapi;
mod ops;
mod users;

pub use json::JsonBody;

use crate::error::ApiError;
use crate::AppState;
use axum::extract::{DefaultBodyLimit, OriginalUri};
use axum::http::{Method, StatusCode};
use axum::Router;
use utoipa::OpenApi;
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouterExt};
use utoipa_axum::routes;

/// Where the app nests [`router`] (`crate::app`); the document's paths start with it.
pub const PREFIX: &str = "/api";

/// Every documented `/api` endpoint, with paths relative to [`PREFIX`]. Each handler's
/// `#[utoipa::path]` gives both its route here and its entry in the OpenAPI document
/// ([`openapi`]), so the two cannot drift apart.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(health::health))
        .routes(routes!(auth::login))
        .routes(routes!(auth::logout))
        .routes(routes!(auth::me))
        .routes(routes!(users::list, users::create))
        .routes(routes!(ops::reserve_ids))
        .routes(routes!(ops::push).layer(DefaultBodyLimit::max(ops::MAX_PUSH_BYTES)))
        .routes(routes!(changes::list))
        .routes(routes!(connections::list, connections::create))
        .routes(routes!(connections::update))
        .routes(routes!(connections::collect))
        .routes(routes!(connections::runs))
        .routes(routes!(connections::malformed))
        .routes(routes!(dashboard::figures))
        .routes(routes!(openapi::document))
}

/// The API's OpenAPI document (served at `GET /api/openapi.json`): the frame of
/// [`openapi::ApiDoc`] with every route of [`routes`] under [`PREFIX`].
pub fn openapi() -> utoipa::openapi::OpenApi {
    OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .nest(PREFIX, routes())
        .into_openapi()
}

/// Every `/api` route. Unknown `/api/...` paths answer with a JSON 404, never the app's HTML,
/// and a known path with the wrong method with a JSON 405.
pub fn router() -> Router<AppState> {
    let (router, _) = routes().split_for_parts();
    router
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

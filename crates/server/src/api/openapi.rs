//! `GET /api/openapi.json`: the API's OpenAPI document.
//!
//! Nothing here lists endpoints: the document is built from each handler's `#[utoipa::path]`
//! annotation as [`super::routes`] registers it, so a route cannot be served without being
//! documented, and the schemas come from the request and response types themselves — the
//! `jumun-protocol` types, which the browser and the tests use too (`tests/openapi_conformance.rs`
//! checks that every served schema is theirs). What this module adds is the document's frame:
//! its title, the bearer security scheme and the tags.

use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;
use jumun_protocol::ApiErrorBody;
use std::sync::LazyLock;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

/// The name of the bearer security scheme in the document.
pub const BEARER_SCHEME: &str = "bearer";

/// The document's frame; [`super::openapi`] adds the paths.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Jumun API",
        description = "Jumun's JSON API. Every endpoint but `health` and `auth/login` needs \
                       `Authorization: Bearer <token>` (the token from `POST /api/auth/login`) \
                       and sees only the caller's store. Errors are `{code, message}` \
                       (`ApiErrorBody`) with the HTTP status; an unknown `/api` path answers \
                       404 `not_found`, a known path with another method 405 \
                       `method_not_allowed`. Commands, events and refusals are `jumun_core` \
                       types as JSON (`Command`, `Event`, `Refusal`): see the jumun-core crate's \
                       documentation (`cargo doc -p jumun-core`)."
    ),
    components(schemas(ApiErrorBody)),
    modifiers(&BearerScheme),
    tags(
        (name = "health", description = "Is the server up"),
        (name = "auth", description = "Sign-in, sign-out, the caller"),
        (name = "users", description = "The store's users"),
        (name = "sync", description = "Operators' sync: id blocks, operations, the event log"),
        (name = "connections", description = "Marketplace connections and their collection runs"),
        (name = "dashboard", description = "The dashboard's counters the browser cannot count itself"),
        (name = "meta", description = "This document"),
    )
)]
pub struct ApiDoc;

/// Adds the bearer scheme the protected endpoints' `security` names.
struct BearerScheme;

impl Modify for BearerScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            BEARER_SCHEME,
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "The token from POST /api/auth/login; it lasts 7 days unless signed out",
                    ))
                    .build(),
            ),
        );
    }
}

/// The document as JSON, built once.
static DOCUMENT: LazyLock<String> = LazyLock::new(|| {
    // A document of strings and string-keyed maps always serialises.
    serde_json::to_string(&super::openapi()).expect("the OpenAPI document serialises to JSON")
});

/// This API's OpenAPI document (no sign-in needed).
#[utoipa::path(
    get,
    path = "/openapi.json",
    operation_id = "openapi_document",
    tag = "meta",
    responses(
        (status = 200, description = "The OpenAPI 3.1 document", body = Object, content_type = "application/json"),
    )
)]
pub async fn document() -> impl IntoResponse {
    ([(CONTENT_TYPE, "application/json")], DOCUMENT.as_str())
}

//! The API's error shape: `{ "code": …, "message": … }` with a matching HTTP status.

use crate::accounts::AccountsError;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use jumun_protocol::ApiErrorBody;

/// An error as the API reports it: the response's HTTP status, and
/// [`ApiErrorBody`] `{code, message}` as its body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// HTTP status (the response's status, not in the body).
    pub status: StatusCode,
    /// Stable machine-readable code, e.g. `not_found`.
    pub code: &'static str,
    /// What happened and what to do, for a person.
    pub message: String,
}

impl ApiError {
    /// 404 for an API path that does not exist.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::NOT_FOUND,
            code: "not_found",
            message: message.into(),
        }
    }

    /// An error with any status and code.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }

    /// 401: the request has no valid session.
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
    }

    /// 500 for a failure on the server's side; the message names what failed.
    pub fn internal(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            code: "internal",
            message: message.into(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let challenge = self.status == StatusCode::UNAUTHORIZED;
        let body = ApiErrorBody {
            code: self.code.to_owned(),
            message: self.message,
        };
        let mut response = (self.status, Json(body)).into_response();
        if challenge {
            // RFC 6750: a 401 names the scheme the client should use.
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

impl From<AccountsError> for ApiError {
    fn from(err: AccountsError) -> Self {
        let (status, code) = match &err {
            AccountsError::BadCredentials => (StatusCode::UNAUTHORIZED, "bad_credentials"),
            AccountsError::UnknownSession
            | AccountsError::SessionExpired(_)
            | AccountsError::SessionRevoked => (StatusCode::UNAUTHORIZED, "unauthorized"),
            AccountsError::Forbidden { .. } => (StatusCode::FORBIDDEN, "forbidden"),
            AccountsError::Invalid { .. } => (StatusCode::UNPROCESSABLE_ENTITY, "invalid_input"),
            AccountsError::LoginTaken(_) => (StatusCode::CONFLICT, "login_taken"),
            AccountsError::StoreCodeTaken(_) => (StatusCode::CONFLICT, "store_code_taken"),
            AccountsError::Password(_)
            | AccountsError::Random(_)
            | AccountsError::Storage(_)
            | AccountsError::Worker(_) => {
                tracing::error!(error = %err, "accounts failure");
                (StatusCode::INTERNAL_SERVER_ERROR, "internal")
            }
        };
        Self::new(status, code, err.to_string())
    }
}

impl From<crate::db::DatabaseError> for ApiError {
    fn from(err: crate::db::DatabaseError) -> Self {
        tracing::error!(error = %err, "database failure");
        Self::internal(err.to_string())
    }
}

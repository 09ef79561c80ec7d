//! Operations from browsers, and id blocks for their offline work.
//!
//! `POST /api/ids` `{count}` (write permission) reserves `count` (1–10,000) fresh numbers from
//! the store's id sequence and answers `{start, len}`: the browser creates ids
//! `start..start+len` offline (orders, lines, claims, …). The server's own sync draws from the
//! same sequence, so ids never collide.
//!
//! `POST /api/ops` (write permission) takes `{"ops": [{"key", "at", "command"}, …]}` — at most
//! [`MAX_OPS_PER_PUSH`] — and applies them in the given order, each on its own, as the signed-in
//! operator, and answers `{"results": [...]}`, one per operation in the same order:
//!
//! - `{"key", "status": "accepted", "seq_from", "seq_to", "events"}`: applied; its events are
//!   `seq_from..=seq_to` in the store's log (`events` is 0 and `seq_to = seq_from - 1` when the
//!   command changed nothing);
//! - `{"key", "status": "refused", "refusal", "code", "message"}`: the domain refused it and
//!   nothing changed; `refusal` is the `jumun_core::Refusal` JSON, `code` its kind in snake case
//!   (`on_hold`, `all_cancelled`, …), `message` a readable explanation;
//! - `{"key", "status": "invalid", "code", "message"}`: the operation itself is malformed (not
//!   an object, a missing or bad key, a bad time, a command that does not parse); it was not
//!   looked at and nothing is remembered for its key, so a corrected operation may reuse it.
//!
//! `key` (1–128 characters, no control characters; a UUID is a good choice) names the operation
//! within the store: a key answered before — accepted or refused — returns the same answer again
//! and applies nothing, so a browser may resend its whole queue after a lost connection. `at` is
//! RFC 3339, the client's time of the operation; it becomes the events' time. Work done offline
//! may be old, so any past time is accepted, but a time more than [`MAX_CLOCK_AHEAD_SECS`]
//! seconds ahead of the server's clock is `invalid` (`clock_ahead`): the device's clock is wrong.
//!
//! The well-formed operations of a push are decided and applied in order, each seeing the
//! effects of the earlier ones, and committed together in one transaction
//! ([`Ledger::execute_batch`](crate::sync::Ledger::execute_batch)); the answers are sent only
//! after that commit. If the database fails the request answers 500 and no operation of the push
//! is answered; resending the push answers from their keys any operations that were kept and
//! applies the others.

use super::json::JsonBody;
use crate::accounts::{Authenticated, Permission};
use crate::error::ApiError;
use crate::sync::{LedgerError, OpResult};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Duration, Utc};
use jumun_core::{Command, Ctx};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The most operations one push may carry.
pub const MAX_OPS_PER_PUSH: usize = 500;
/// How far ahead of the server's clock an operation's `at` may be.
pub const MAX_CLOCK_AHEAD_SECS: i64 = 5 * 60;
/// The longest idempotency key, in bytes.
pub const MAX_KEY_BYTES: usize = 128;
/// The largest push body, in bytes (500 collected orders fit easily).
pub const MAX_PUSH_BYTES: usize = 16 * 1024 * 1024;

/// `POST /api/ids`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReserveIds {
    /// How many ids, 1 to 10,000.
    pub count: u64,
}

/// A reserved block of ids: `start`, `start + 1`, …, `start + len - 1`.
#[derive(Debug, Serialize, ToSchema)]
pub struct IdBlockAnswer {
    /// The first id.
    pub start: u64,
    /// How many.
    pub len: u64,
}

/// `POST /api/ops`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PushRequest {
    /// The operations, each `{key, at, command}`; kept as JSON so that one malformed operation
    /// is answered on its own.
    #[schema(value_type = Vec<Operation>)]
    pub ops: Vec<serde_json::Value>,
}

/// One operation of a push.
// The server reads operations as plain JSON (`PushRequest::ops`) so that a malformed one is
// answered `invalid` on its own; this type only documents their shape in the OpenAPI document.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct Operation {
    /// Names the operation within the store, 1 to 128 bytes without control characters (a UUID
    /// fits); a key answered before answers the same again and applies nothing.
    pub key: String,
    /// The client's time of the operation, RFC 3339; at most 5 minutes ahead of the server's
    /// clock.
    pub at: DateTime<Utc>,
    /// A `jumun_core::Command` as JSON, e.g. `{"AddMemo": {"order": 1, "text": "…", "kind":
    /// "Order"}}`; its variants are documented in the jumun-core crate (`cargo doc -p
    /// jumun-core`).
    #[schema(value_type = Object)]
    pub command: serde_json::Value,
}

/// The answers of a push, one per operation, in order.
#[derive(Debug, Serialize, ToSchema)]
pub struct PushResponse {
    /// The answers.
    pub results: Vec<OpAnswer>,
}

/// The answer to one operation.
#[derive(Debug, Serialize, ToSchema)]
pub struct OpAnswer {
    /// The operation's key (`null` when it had none).
    pub key: Option<String>,
    /// What happened.
    #[serde(flatten)]
    pub answer: Answer,
}

/// Accepted, refused or invalid.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum Answer {
    /// Applied or refused by the domain (also when answered from the key).
    Done(OpResult),
    /// Malformed; not applied.
    Invalid(Invalid),
}

/// A malformed operation.
#[derive(Debug, Serialize, ToSchema)]
pub struct Invalid {
    /// Always `invalid`.
    pub status: &'static str,
    /// `invalid_op`, `invalid_key`, `invalid_time`, `clock_ahead` or `invalid_command`.
    pub code: &'static str,
    /// What is wrong, for a person.
    pub message: String,
}

/// A well-formed operation.
struct Op {
    key: String,
    at: DateTime<Utc>,
    command: Command,
}

impl From<LedgerError> for ApiError {
    fn from(err: LedgerError) -> Self {
        match err {
            LedgerError::BadIdCount(_) => Self::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_input",
                err.to_string(),
            ),
            LedgerError::Replay { .. } | LedgerError::Corrupt { .. } => {
                tracing::error!(error = %err, "store's log unusable");
                Self::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "book_unavailable",
                    err.to_string(),
                )
            }
            LedgerError::Database(err) => err.into(),
            LedgerError::Encode(_) | LedgerError::Worker(_) => {
                tracing::error!(error = %err, "ledger failure");
                Self::internal(err.to_string())
            }
        }
    }
}

/// Reserve a block of fresh ids for offline work (operators and owners).
#[utoipa::path(
    post,
    path = "/ids",
    operation_id = "reserve_ids",
    tag = "sync",
    security(("bearer" = [])),
    request_body = ReserveIds,
    responses(
        (status = 200, description = "The block `start..start+len`", body = IdBlockAnswer),
        (status = 400, description = "The body is not JSON (`bad_request`)", body = ApiError),
        (status = 401, description = "No valid session (`unauthorized`)", body = ApiError),
        (status = 403, description = "A viewer may not write (`forbidden`)", body = ApiError),
        (status = 413, description = "The body is too large (`payload_too_large`)", body = ApiError),
        (status = 415, description = "Not `Content-Type: application/json` (`unsupported_media_type`)", body = ApiError),
        (status = 422, description = "`count` missing or not 1 to 10,000 (`invalid_input`)", body = ApiError),
        (status = 500, description = "The server failed (`internal`, `book_unavailable`)", body = ApiError),
    )
)]
pub async fn reserve_ids(
    State(state): State<AppState>,
    caller: Authenticated,
    JsonBody(form): JsonBody<ReserveIds>,
) -> Result<Json<IdBlockAnswer>, ApiError> {
    caller.require(Permission::Write)?;
    let block = state
        .ledger
        .reserve_ids(caller.store.id, form.count)
        .await?;
    Ok(Json(IdBlockAnswer {
        start: block.next,
        len: block.end - block.next,
    }))
}

/// Apply operations in order (operators and owners), each answered accepted, refused or
/// invalid.
#[utoipa::path(
    post,
    path = "/ops",
    operation_id = "push_ops",
    tag = "sync",
    security(("bearer" = [])),
    request_body = PushRequest,
    responses(
        (status = 200, description = "One answer per operation, in order", body = PushResponse),
        (status = 400, description = "The body is not JSON (`bad_request`)", body = ApiError),
        (status = 401, description = "No valid session (`unauthorized`)", body = ApiError),
        (status = 403, description = "A viewer may not write (`forbidden`)", body = ApiError),
        (status = 413, description = "More than 500 operations (`too_many_ops`) or a body over 16 MiB (`payload_too_large`)", body = ApiError),
        (status = 415, description = "Not `Content-Type: application/json` (`unsupported_media_type`)", body = ApiError),
        (status = 422, description = "`ops` missing or not a list (`invalid_input`)", body = ApiError),
        (status = 500, description = "The server failed; no operation of the push is answered, resend it: kept operations answer from their keys (`internal`, `book_unavailable`)", body = ApiError),
    )
)]
pub async fn push(
    State(state): State<AppState>,
    caller: Authenticated,
    JsonBody(push): JsonBody<PushRequest>,
) -> Result<Json<PushResponse>, ApiError> {
    caller.require(Permission::Write)?;
    if push.ops.len() > MAX_OPS_PER_PUSH {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_many_ops",
            format!(
                "ops: {} operations in one push; send at most {MAX_OPS_PER_PUSH} at a time, in \
                 order",
                push.ops.len()
            ),
        ));
    }
    let received = Utc::now();
    // The malformed operations are answered here; the others go to the ledger as one batch and
    // take their places back in the answer by position.
    let mut answers: Vec<Option<OpAnswer>> = Vec::with_capacity(push.ops.len());
    let mut batch = Vec::with_capacity(push.ops.len());
    let mut batch_keys = Vec::with_capacity(push.ops.len());
    let mut invalid = 0u32;
    for raw in push.ops {
        match parse_op(raw, received) {
            Ok(op) => {
                let ctx = Ctx::operator(&caller.user.login, op.at);
                batch.push((op.command, ctx, Some(op.key.clone())));
                batch_keys.push(op.key);
                answers.push(None);
            }
            Err((key, answer)) => {
                invalid += 1;
                answers.push(Some(OpAnswer {
                    key,
                    answer: Answer::Invalid(answer),
                }));
            }
        }
    }
    let outcomes = if batch.is_empty() {
        Vec::new()
    } else {
        state.ledger.execute_batch(caller.store.id, batch).await?
    };
    if outcomes.len() != batch_keys.len() {
        return Err(ApiError::internal(format!(
            "the ledger answered {} of {} operations",
            outcomes.len(),
            batch_keys.len()
        )));
    }
    let (mut accepted, mut refused, mut repeated) = (0u32, 0u32, 0u32);
    let mut done = batch_keys.into_iter().zip(outcomes);
    let mut results = Vec::with_capacity(answers.len());
    for answer in answers {
        let answer = match answer {
            Some(invalid) => invalid,
            None => {
                let Some((key, outcome)) = done.next() else {
                    break;
                };
                if outcome.repeated {
                    repeated += 1;
                } else if outcome.is_accepted() {
                    accepted += 1;
                } else {
                    refused += 1;
                }
                OpAnswer {
                    key: Some(key),
                    answer: Answer::Done(outcome.result),
                }
            }
        };
        results.push(answer);
    }
    tracing::info!(
        store = %caller.store.code,
        by = %caller.user.login,
        accepted, refused, invalid, repeated,
        "pushed operations"
    );
    Ok(Json(PushResponse { results }))
}

fn invalid(key: Option<String>, code: &'static str, message: String) -> (Option<String>, Invalid) {
    (
        key,
        Invalid {
            status: "invalid",
            code,
            message,
        },
    )
}

/// Checks one operation's shape; the domain checks its command later.
fn parse_op(raw: serde_json::Value, now: DateTime<Utc>) -> Result<Op, (Option<String>, Invalid)> {
    let serde_json::Value::Object(mut fields) = raw else {
        return Err(invalid(
            None,
            "invalid_op",
            "an operation is an object {\"key\", \"at\", \"command\"}".to_owned(),
        ));
    };
    let key = match fields.remove("key") {
        Some(serde_json::Value::String(key)) => key,
        _ => {
            return Err(invalid(
                None,
                "invalid_key",
                "key: every operation needs a text key that names it (for example a UUID)"
                    .to_owned(),
            ))
        }
    };
    if key.is_empty() || key.len() > MAX_KEY_BYTES || key.chars().any(char::is_control) {
        return Err(invalid(
            Some(key),
            "invalid_key",
            format!("key: 1 to {MAX_KEY_BYTES} bytes without control characters (a UUID fits)"),
        ));
    }
    if let Some(other) = fields
        .keys()
        .find(|name| !matches!(name.as_str(), "at" | "command"))
    {
        let message = format!(
            "unknown field {other:?}; an operation has only \"key\", \"at\" and \"command\""
        );
        return Err(invalid(Some(key), "invalid_op", message));
    }
    let at = match fields.remove("at") {
        Some(serde_json::Value::String(text)) => match DateTime::parse_from_rfc3339(&text) {
            Ok(at) => at.with_timezone(&Utc),
            Err(err) => {
                let message = format!(
                    "at: {text:?} is not an RFC 3339 time like 2026-11-24T09:30:00+09:00 ({err})"
                );
                return Err(invalid(Some(key), "invalid_time", message));
            }
        },
        _ => {
            return Err(invalid(
                Some(key),
                "invalid_time",
                "at: every operation needs its time, RFC 3339 (2026-11-24T09:30:00+09:00)"
                    .to_owned(),
            ))
        }
    };
    if at > now + Duration::seconds(MAX_CLOCK_AHEAD_SECS) {
        let message = format!(
            "at: {} is ahead of the server's clock ({}) by more than {} minutes; set the \
             device's clock right and send the operation again",
            at.to_rfc3339(),
            now.to_rfc3339(),
            MAX_CLOCK_AHEAD_SECS / 60
        );
        return Err(invalid(Some(key), "clock_ahead", message));
    }
    let command = match fields.remove("command") {
        Some(command) => match serde_json::from_value::<Command>(command) {
            Ok(command) => command,
            Err(err) => {
                let message = format!(
                    "command: not a command this server understands ({err}); update the app \
                     or fix the operation"
                );
                return Err(invalid(Some(key), "invalid_command", message));
            }
        },
        None => {
            return Err(invalid(
                Some(key),
                "invalid_command",
                "command: every operation needs its command".to_owned(),
            ))
        }
    };
    Ok(Op { key, at, command })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-24T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    fn code(raw: serde_json::Value) -> &'static str {
        match parse_op(raw, now()) {
            Ok(_) => "ok",
            Err((_, invalid)) => invalid.code,
        }
    }

    #[test]
    fn well_formed_operations_parse_and_malformed_ones_say_why() {
        let memo = json!({"AddMemo": {"order": 1, "text": "메모", "kind": "Order"}});
        let op = |key: serde_json::Value, at: &str| json!({"key": key, "at": at, "command": memo});
        assert_eq!(code(op(json!("k1"), "2026-11-24T09:00:00+09:00")), "ok");
        assert_eq!(
            code(op(json!("k1"), "2026-11-01T00:00:00Z")),
            "ok",
            "old is fine"
        );
        assert_eq!(code(op(json!("k1"), "2026-11-24T00:04:59Z")), "ok");
        assert_eq!(code(op(json!("k1"), "2026-11-24T00:05:01Z")), "clock_ahead");
        assert_eq!(code(op(json!("k1"), "yesterday")), "invalid_time");
        assert_eq!(code(op(json!(""), "2026-11-24T00:00:00Z")), "invalid_key");
        assert_eq!(code(op(json!(7), "2026-11-24T00:00:00Z")), "invalid_key");
        assert_eq!(code(json!("AddMemo")), "invalid_op");
        assert_eq!(
            code(json!({"key": "k", "at": "2026-11-24T00:00:00Z", "command": {"Fly": {}}})),
            "invalid_command"
        );
        assert_eq!(
            code(json!({"key": "k", "at": "2026-11-24T00:00:00Z", "command": memo, "x": 1})),
            "invalid_op"
        );
    }
}

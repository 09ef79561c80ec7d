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
use crate::sync::LedgerError;
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Duration, Utc};
use jumun_core::{Command, Ctx};
use jumun_protocol::sync::{
    Answer, IdBlockAnswer, Invalid, InvalidCode, OpAnswer, PushRequest, PushResponse, ReserveIds,
};
use jumun_protocol::ApiErrorBody;
use serde::Deserialize;

pub use jumun_protocol::sync::{MAX_CLOCK_AHEAD_SECS, MAX_KEY_BYTES, MAX_OPS_PER_PUSH};

/// The largest push body, in bytes (500 collected orders fit easily).
pub const MAX_PUSH_BYTES: usize = 16 * 1024 * 1024;

/// A push as it arrives: [`PushRequest`] on the wire, but each operation kept as JSON until
/// [`parse_op`] checks it, so that one malformed operation is answered `invalid` on its own
/// instead of failing the whole push.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UncheckedPush {
    ops: Vec<serde_json::Value>,
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
        (status = 400, description = "The body is not JSON (`bad_request`)", body = ApiErrorBody),
        (status = 401, description = "No valid session (`unauthorized`)", body = ApiErrorBody),
        (status = 403, description = "A viewer may not write (`forbidden`)", body = ApiErrorBody),
        (status = 413, description = "The body is too large (`payload_too_large`)", body = ApiErrorBody),
        (status = 415, description = "Not `Content-Type: application/json` (`unsupported_media_type`)", body = ApiErrorBody),
        (status = 422, description = "`count` missing or not 1 to 10,000 (`invalid_input`)", body = ApiErrorBody),
        (status = 500, description = "The server failed (`internal`, `book_unavailable`)", body = ApiErrorBody),
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
        (status = 400, description = "The body is not JSON (`bad_request`)", body = ApiErrorBody),
        (status = 401, description = "No valid session (`unauthorized`)", body = ApiErrorBody),
        (status = 403, description = "A viewer may not write (`forbidden`)", body = ApiErrorBody),
        (status = 413, description = "More than 500 operations (`too_many_ops`) or a body over 16 MiB (`payload_too_large`)", body = ApiErrorBody),
        (status = 415, description = "Not `Content-Type: application/json` (`unsupported_media_type`)", body = ApiErrorBody),
        (status = 422, description = "`ops` missing or not a list (`invalid_input`)", body = ApiErrorBody),
        (status = 500, description = "The server failed; no operation of the push is answered, resend it: kept operations answer from their keys (`internal`, `book_unavailable`)", body = ApiErrorBody),
    )
)]
pub async fn push(
    State(state): State<AppState>,
    caller: Authenticated,
    JsonBody(push): JsonBody<UncheckedPush>,
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
        store = %caller.store.info.code,
        by = %caller.user.login,
        accepted, refused, invalid, repeated,
        "pushed operations"
    );
    Ok(Json(PushResponse { results }))
}

fn invalid(key: Option<String>, code: InvalidCode, message: String) -> (Option<String>, Invalid) {
    (key, Invalid::new(code, message))
}

/// Checks one operation's shape; the domain checks its command later.
fn parse_op(raw: serde_json::Value, now: DateTime<Utc>) -> Result<Op, (Option<String>, Invalid)> {
    let serde_json::Value::Object(mut fields) = raw else {
        return Err(invalid(
            None,
            InvalidCode::InvalidOp,
            "an operation is an object {\"key\", \"at\", \"command\"}".to_owned(),
        ));
    };
    let key = match fields.remove("key") {
        Some(serde_json::Value::String(key)) => key,
        _ => {
            return Err(invalid(
                None,
                InvalidCode::InvalidKey,
                "key: every operation needs a text key that names it (for example a UUID)"
                    .to_owned(),
            ))
        }
    };
    if key.is_empty() || key.len() > MAX_KEY_BYTES || key.chars().any(char::is_control) {
        return Err(invalid(
            Some(key),
            InvalidCode::InvalidKey,
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
        return Err(invalid(Some(key), InvalidCode::InvalidOp, message));
    }
    let at = match fields.remove("at") {
        Some(serde_json::Value::String(text)) => match DateTime::parse_from_rfc3339(&text) {
            Ok(at) => at.with_timezone(&Utc),
            Err(err) => {
                let message = format!(
                    "at: {text:?} is not an RFC 3339 time like 2026-11-24T09:30:00+09:00 ({err})"
                );
                return Err(invalid(Some(key), InvalidCode::InvalidTime, message));
            }
        },
        _ => {
            return Err(invalid(
                Some(key),
                InvalidCode::InvalidTime,
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
        return Err(invalid(Some(key), InvalidCode::ClockAhead, message));
    }
    let command = match fields.remove("command") {
        Some(command) => match serde_json::from_value::<Command>(command) {
            Ok(command) => command,
            Err(err) => {
                let message = format!(
                    "command: not a command this server understands ({err}); update the app \
                     or fix the operation"
                );
                return Err(invalid(Some(key), InvalidCode::InvalidCommand, message));
            }
        },
        None => {
            return Err(invalid(
                Some(key),
                InvalidCode::InvalidCommand,
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

    /// `None` for a well-formed operation, else its invalid code.
    fn code(raw: serde_json::Value) -> Option<InvalidCode> {
        parse_op(raw, now()).err().map(|(_, invalid)| invalid.code)
    }

    #[test]
    fn well_formed_operations_parse_and_malformed_ones_say_why() {
        let memo = json!({"AddMemo": {"order": 1, "text": "메모", "kind": "Order"}});
        let op = |key: serde_json::Value, at: &str| json!({"key": key, "at": at, "command": memo});
        assert_eq!(code(op(json!("k1"), "2026-11-24T09:00:00+09:00")), None);
        assert_eq!(
            code(op(json!("k1"), "2026-11-01T00:00:00Z")),
            None,
            "old is fine"
        );
        assert_eq!(code(op(json!("k1"), "2026-11-24T00:04:59Z")), None);
        assert_eq!(
            code(op(json!("k1"), "2026-11-24T00:05:01Z")),
            Some(InvalidCode::ClockAhead)
        );
        assert_eq!(
            code(op(json!("k1"), "yesterday")),
            Some(InvalidCode::InvalidTime)
        );
        assert_eq!(
            code(op(json!(""), "2026-11-24T00:00:00Z")),
            Some(InvalidCode::InvalidKey)
        );
        assert_eq!(
            code(op(json!(7), "2026-11-24T00:00:00Z")),
            Some(InvalidCode::InvalidKey)
        );
        assert_eq!(code(json!("AddMemo")), Some(InvalidCode::InvalidOp));
        assert_eq!(
            code(json!({"key": "k", "at": "2026-11-24T00:00:00Z", "command": {"Fly": {}}})),
            Some(InvalidCode::InvalidCommand)
        );
        assert_eq!(
            code(json!({"key": "k", "at": "2026-11-24T00:00:00Z", "command": memo, "x": 1})),
            Some(InvalidCode::InvalidOp)
        );
    }

    #[test]
    fn a_protocol_push_request_is_read_operation_by_operation() {
        let command = jumun_core::Command::AddMemo {
            order: jumun_core::ids::OrderId(1),
            text: "메모".to_owned(),
            kind: jumun_core::order::MemoKind::Order,
        };
        let sent = PushRequest {
            ops: vec![jumun_protocol::sync::Operation {
                key: "k1".to_owned(),
                at: now(),
                command: command.clone(),
            }],
        };
        let received: UncheckedPush =
            serde_json::from_value(serde_json::to_value(&sent).unwrap()).unwrap();
        let ops: Vec<Op> = received
            .ops
            .into_iter()
            .map(|raw| parse_op(raw, now()).unwrap_or_else(|(_, invalid)| panic!("{invalid:?}")))
            .collect();
        assert_eq!(ops.len(), 1);
        assert_eq!((ops[0].key.as_str(), ops[0].at), ("k1", now()));
        assert_eq!(ops[0].command, command);
    }
}

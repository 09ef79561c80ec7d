//! Operators' sync: id blocks (`POST /api/ids`), operations (`POST /api/ops`) and the store's
//! event log (`GET /api/changes`).
//!
//! A browser works offline on its own copy of the store's book: it creates ids from reserved
//! blocks, queues each command as an [`Operation`] with an idempotency key, pushes the queue
//! ([`PushRequest`]) and gets one [`OpAnswer`] per operation, then pulls the log
//! ([`ChangesPage`]) from its cursor and folds the events into its copy.

use chrono::{DateTime, Utc};
use jumun_core::{Command, Event, Refusal};
use serde::de::IntoDeserializer;
use serde::{Deserialize, Serialize};

/// The most operations one push may carry.
pub const MAX_OPS_PER_PUSH: usize = 500;
/// The longest idempotency key, in bytes.
pub const MAX_KEY_BYTES: usize = 128;
/// How far ahead of the server's clock an operation's `at` may be, in seconds.
pub const MAX_CLOCK_AHEAD_SECS: i64 = 5 * 60;
/// Events per page of `GET /api/changes` when `limit` is not given.
pub const DEFAULT_CHANGES_LIMIT: u32 = 500;
/// The largest `limit` of `GET /api/changes`.
pub const MAX_CHANGES_LIMIT: u32 = 5000;

/// `POST /api/ids`: reserve a block of fresh ids for offline work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReserveIds {
    /// How many ids, 1 to 10,000.
    pub count: u64,
}

/// A reserved block of ids: `start`, `start + 1`, …, `start + len - 1`, this browser's alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IdBlockAnswer {
    /// The first id.
    pub start: u64,
    /// How many.
    pub len: u64,
}

/// `POST /api/ops`: operations to apply in order, at most [`MAX_OPS_PER_PUSH`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PushRequest {
    /// The operations, oldest first. The server checks each on its own: a malformed one is
    /// answered `invalid` and the others go on.
    pub ops: Vec<Operation>,
}

/// One operation of a push: a command, when it was done, and the key that names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Operation {
    /// Names the operation within the store, 1 to [`MAX_KEY_BYTES`] bytes without control
    /// characters (a UUID fits); a key answered before answers the same again and applies
    /// nothing, so a whole queue may be sent again after a lost answer.
    pub key: String,
    /// The client's time of the operation, RFC 3339; it becomes the events' time. Any past time
    /// is accepted (offline work may be old), but not more than [`MAX_CLOCK_AHEAD_SECS`]
    /// seconds ahead of the server's clock.
    pub at: DateTime<Utc>,
    /// A `jumun_core::Command` as JSON, e.g. `{"AddMemo": {"order": 1, "text": "…", "kind":
    /// "Order"}}`; its variants are documented in the jumun-core crate (`cargo doc -p
    /// jumun-core`).
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub command: Command,
}

/// The answers of a push, one per operation, in the order they were sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PushResponse {
    /// The answers.
    pub results: Vec<OpAnswer>,
}

/// The answer to one operation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(try_from = "AnswerFields")]
pub struct OpAnswer {
    /// The operation's key (`null` when it had none).
    pub key: Option<String>,
    /// What happened, with its `status`.
    #[serde(flatten)]
    pub answer: Answer,
}

/// Every field an [`OpAnswer`] may have, read in one pass: what an answer is read through (its
/// JSON is the same), so that the refusal is read straight from the text. Read through the
/// flattened, untagged and internally tagged enums, it went through serde's buffered
/// `Content`, which built a second reader of `Refusal` and of every type in it into the browser
/// app (about 90 KB of its wasm; docs/wasm-size.md).
#[derive(Deserialize)]
struct AnswerFields {
    key: Option<String>,
    status: AnswerStatus,
    seq_from: Option<u64>,
    seq_to: Option<u64>,
    events: Option<u64>,
    refusal: Option<Refusal>,
    code: Option<String>,
    message: Option<String>,
    #[serde(default)]
    korean: String,
}

/// The `status` of an answer.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
enum AnswerStatus {
    Accepted,
    Refused,
    Invalid,
}

impl TryFrom<AnswerFields> for OpAnswer {
    type Error = String;

    fn try_from(fields: AnswerFields) -> Result<Self, String> {
        let status = fields.status;
        let need = |field: &str| format!("an answer with status {status:?} has no `{field}`");
        let answer = match status {
            AnswerStatus::Accepted => Answer::Done(OpResult::Accepted {
                seq_from: fields.seq_from.ok_or_else(|| need("seq_from"))?,
                seq_to: fields.seq_to.ok_or_else(|| need("seq_to"))?,
                events: fields.events.ok_or_else(|| need("events"))?,
            }),
            AnswerStatus::Refused => Answer::Done(OpResult::Refused {
                refusal: fields.refusal.ok_or_else(|| need("refusal"))?,
                code: fields.code.ok_or_else(|| need("code"))?,
                message: fields.message.ok_or_else(|| need("message"))?,
                korean: fields.korean,
            }),
            AnswerStatus::Invalid => {
                let code = fields.code.ok_or_else(|| need("code"))?;
                let code = InvalidCode::deserialize(code.as_str().into_deserializer())
                    .map_err(|e: serde::de::value::Error| e.to_string())?;
                Answer::Invalid(Invalid::new(
                    code,
                    fields.message.ok_or_else(|| need("message"))?,
                ))
            }
        };
        Ok(OpAnswer {
            key: fields.key,
            answer,
        })
    }
}

/// Accepted, refused or invalid (told apart by `status`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(untagged)]
pub enum Answer {
    /// Applied, or refused by the domain (also when answered again from the key).
    Done(OpResult),
    /// Malformed; not applied, and nothing is remembered for its key.
    Invalid(Invalid),
}

/// What the domain did with an operation: the answer a key keeps, so a retry gets it again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum OpResult {
    /// Applied: its events are `seq_from..=seq_to` in the store's log (`events` of them; when
    /// the command changed nothing, `events` is 0 and `seq_to` is `seq_from - 1`).
    Accepted {
        /// The first event's seq.
        seq_from: u64,
        /// The last event's seq.
        seq_to: u64,
        /// How many events.
        events: u64,
    },
    /// Refused by the domain: nothing changed (for example a marketplace cancel beat a queued
    /// ship).
    Refused {
        /// The reason, as `jumun_core::Refusal` JSON (the browser shows it in Korean).
        #[cfg_attr(feature = "openapi", schema(value_type = Object))]
        refusal: Refusal,
        /// The refusal's kind in snake case, e.g. `on_hold`.
        code: String,
        /// The refusal's message, for logs and people.
        message: String,
        /// The refusal as the console shows it, in Korean (`Refusal::korean`): what the browser
        /// reads (see [`AnswerSummary`]), so that it needs no reader of `refusal`. Answers stored
        /// by a server older than this field have none (read as empty); the server fills it in
        /// again when it answers from one.
        #[serde(default)]
        korean: String,
    },
}

/// A malformed operation: not looked at, so a corrected operation may reuse its key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Invalid {
    /// Always `invalid`.
    pub status: InvalidStatus,
    /// What kind of malformation.
    pub code: InvalidCode,
    /// What is wrong and what to do, for a person.
    pub message: String,
}

/// The `status` of an [`Invalid`] answer: always `invalid`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum InvalidStatus {
    /// The operation was malformed.
    Invalid,
}

/// Why an operation is malformed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum InvalidCode {
    /// Not an object `{key, at, command}`, or a field other than those three.
    InvalidOp,
    /// No text key, or one that is empty, too long or has control characters.
    InvalidKey,
    /// `at` missing or not RFC 3339.
    InvalidTime,
    /// `at` is more than [`MAX_CLOCK_AHEAD_SECS`] seconds ahead of the server's clock: the
    /// device's clock is wrong.
    ClockAhead,
    /// `command` missing, or not a command this server understands.
    InvalidCommand,
}

impl Invalid {
    /// A malformed operation's answer.
    pub fn new(code: InvalidCode, message: impl Into<String>) -> Self {
        Self {
            status: InvalidStatus::Invalid,
            code,
            message: message.into(),
        }
    }
}

/// The answers of a push as the browser reads them ([`AnswerSummary`]): the JSON of a
/// [`PushResponse`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct PushSummary {
    /// The answers, in the order the operations were sent.
    pub results: Vec<AnswerSummary>,
}

/// What the browser needs of an [`OpAnswer`], read from the same JSON: the key, and the seq to
/// settle an accepted operation at or the text to show for one not applied.
///
/// The typed `refusal` is skipped unread: reading it took a reader of `Refusal` and of every
/// type in it (about 45 KB of the browser app's wasm; docs/wasm-size.md), and the browser only
/// shows it, which the answer's `korean` already is.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "SummaryFields")]
pub struct AnswerSummary {
    /// The operation's key (`null` when it had none).
    pub key: Option<String>,
    /// What happened.
    pub outcome: AnswerOutcome,
}

/// What happened to an operation, as the browser shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnswerOutcome {
    /// Applied (now or before); its events end at `seq_to`.
    Accepted {
        /// The last event's seq.
        seq_to: u64,
    },
    /// Refused by the domain: the refusal in Korean. From a server older than
    /// [`OpResult::Refused`]'s `korean`, its `message` (English) instead.
    Refused(String),
    /// Malformed: the server's message.
    Invalid(String),
}

/// The fields of an answer an [`AnswerSummary`] reads; the others (`refusal` among them) are
/// skipped.
#[derive(Deserialize)]
struct SummaryFields {
    key: Option<String>,
    status: AnswerStatus,
    seq_to: Option<u64>,
    message: Option<String>,
    korean: Option<String>,
}

impl TryFrom<SummaryFields> for AnswerSummary {
    type Error = String;

    fn try_from(fields: SummaryFields) -> Result<Self, String> {
        let status = fields.status;
        let need = |field: &str| format!("an answer with status {status:?} has no `{field}`");
        let message = fields.message.ok_or_else(|| need("message"));
        let outcome = match status {
            AnswerStatus::Accepted => AnswerOutcome::Accepted {
                seq_to: fields.seq_to.ok_or_else(|| need("seq_to"))?,
            },
            AnswerStatus::Refused => {
                AnswerOutcome::Refused(match fields.korean.filter(|korean| !korean.is_empty()) {
                    Some(korean) => korean,
                    None => message?,
                })
            }
            AnswerStatus::Invalid => AnswerOutcome::Invalid(message?),
        };
        Ok(AnswerSummary {
            key: fields.key,
            outcome,
        })
    }
}

/// The query string of `GET /api/changes`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct ChangesQuery {
    /// The last seq the client has (0: from the start).
    #[serde(default)]
    pub since: u64,
    /// Page size, 1 to 5000 (default 500).
    pub limit: Option<u32>,
}

impl ChangesQuery {
    /// The request path with this query, e.g. `/api/changes?since=7&limit=500`.
    pub fn path(&self) -> String {
        match self.limit {
            Some(limit) => format!("/api/changes?since={}&limit={limit}", self.since),
            None => format!("/api/changes?since={}", self.since),
        }
    }
}

/// A page of the store's events after a seq, in seq order (`GET /api/changes`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChangesPage {
    /// The events after the cursor, in seq order.
    pub events: Vec<PulledEvent>,
    /// The cursor for the next page: the last seq returned (the cursor asked for when the page
    /// is empty).
    pub next: u64,
    /// Whether more events follow `next`.
    pub more: bool,
    /// The store's latest seq. Below the cursor asked for only when the client's cursor comes
    /// from another database (restored backup, reset server): it must then pull from 0.
    pub head: u64,
}

/// One event of the store's log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PulledEvent {
    /// Its position in the store's log.
    pub seq: u64,
    /// The `jumun_core::Event`, as JSON.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub event: Event,
    /// The idempotency key of the operation that caused it (so a browser recognises its own
    /// queued operations); `null` for marketplace sync and automatic rules.
    pub key: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(json: &str) -> Result<OpAnswer, serde_json::Error> {
        serde_json::from_str(json)
    }

    #[test]
    fn each_status_of_an_answer_reads_as_its_variant() {
        let accepted = answer(
            r#"{"key": "k1", "status": "accepted", "seq_from": 4, "seq_to": 5, "events": 2}"#,
        )
        .unwrap();
        assert_eq!(accepted.key.as_deref(), Some("k1"));
        assert_eq!(
            accepted.answer,
            Answer::Done(OpResult::Accepted {
                seq_from: 4,
                seq_to: 5,
                events: 2
            })
        );
        let refused = answer(
            r#"{"key": "k2", "status": "refused", "refusal": "NothingSelected",
                "code": "nothing_selected", "message": "nothing selected"}"#,
        )
        .unwrap();
        assert!(matches!(
            refused.answer,
            Answer::Done(OpResult::Refused {
                refusal: Refusal::NothingSelected,
                ..
            })
        ));
        let invalid = answer(
            r#"{"key": null, "status": "invalid", "code": "invalid_key", "message": "key: …"}"#,
        )
        .unwrap();
        assert_eq!(invalid.key, None);
        assert_eq!(
            invalid.answer,
            Answer::Invalid(Invalid::new(InvalidCode::InvalidKey, "key: …"))
        );
    }

    #[test]
    fn every_answer_reads_back_as_written() {
        let answers = [
            OpAnswer {
                key: Some("k1".into()),
                answer: Answer::Done(OpResult::Accepted {
                    seq_from: 8,
                    seq_to: 7,
                    events: 0,
                }),
            },
            OpAnswer {
                key: Some("k2".into()),
                answer: Answer::Done(OpResult::Refused {
                    refusal: Refusal::UnknownLine {
                        order: jumun_core::ids::OrderId(3),
                        line: jumun_core::ids::LineId(4),
                    },
                    code: "unknown_line".into(),
                    message: "order 3 has no line 4".into(),
                    korean: "주문 3에 상품 4이(가) 없습니다.".into(),
                }),
            },
            OpAnswer {
                key: None,
                answer: Answer::Invalid(Invalid::new(InvalidCode::ClockAhead, "at: …")),
            },
        ];
        for written in answers {
            let json = serde_json::to_string(&written).unwrap();
            assert_eq!(answer(&json).unwrap(), written, "{json}");
        }
    }

    #[test]
    fn the_browser_reads_an_answer_as_its_seq_or_the_text_to_show() {
        let summary = |json: &str| serde_json::from_str::<AnswerSummary>(json);
        let accepted = r#"{"key": "k1", "status": "accepted", "seq_from": 4, "seq_to": 5,
                           "events": 2}"#;
        assert_eq!(
            summary(accepted).unwrap(),
            AnswerSummary {
                key: Some("k1".into()),
                outcome: AnswerOutcome::Accepted { seq_to: 5 }
            }
        );
        let refused = OpAnswer {
            key: Some("k2".into()),
            answer: Answer::Done(OpResult::Refused {
                refusal: Refusal::NothingSelected,
                code: "nothing_selected".into(),
                message: "nothing selected".into(),
                korean: Refusal::NothingSelected.korean(),
            }),
        };
        let json = serde_json::to_string(&refused).unwrap();
        assert_eq!(
            summary(&json).unwrap().outcome,
            AnswerOutcome::Refused(Refusal::NothingSelected.korean())
        );
        // A server from before `korean`: its message is shown instead.
        let older = r#"{"key": "k2", "status": "refused", "refusal": "NothingSelected",
                        "code": "nothing_selected", "message": "nothing selected"}"#;
        assert_eq!(
            summary(older).unwrap().outcome,
            AnswerOutcome::Refused("nothing selected".into())
        );
        let invalid = OpAnswer {
            key: None,
            answer: Answer::Invalid(Invalid::new(InvalidCode::InvalidKey, "key: …")),
        };
        let json = serde_json::to_string(&invalid).unwrap();
        assert_eq!(
            summary(&json).unwrap(),
            AnswerSummary {
                key: None,
                outcome: AnswerOutcome::Invalid("key: …".into())
            }
        );
        assert!(summary(r#"{"key": "k", "status": "accepted", "seq_from": 1}"#).is_err());
        assert!(summary(r#"{"key": "k", "status": "refused", "code": "x"}"#).is_err());
    }

    #[test]
    fn an_unknown_status_or_invalid_code_is_an_error_not_a_default() {
        assert!(answer(r#"{"key": "k", "status": "maybe", "code": "x", "message": "m"}"#).is_err());
        assert!(
            answer(r#"{"key": "k", "status": "invalid", "code": "weird", "message": "m"}"#)
                .is_err()
        );
        assert!(answer(r#"{"key": "k", "status": "accepted", "seq_from": 1}"#).is_err());
    }

    #[test]
    fn an_operation_is_key_at_and_command_with_an_rfc_3339_time() {
        let json = r#"{"key": "k", "at": "2026-11-24T09:30:00+09:00",
                       "command": {"Ship": {"order": 7}}}"#;
        let op: Operation = serde_json::from_str(json).unwrap();
        assert_eq!(op.at.to_rfc3339(), "2026-11-24T00:30:00+00:00");
        assert_eq!(
            op.command,
            Command::Ship {
                order: jumun_core::ids::OrderId(7)
            }
        );
        let written = serde_json::to_value(&op).unwrap();
        assert_eq!(written["at"], "2026-11-24T00:30:00Z");
        let extra = r#"{"key": "k", "at": "2026-11-24T00:00:00Z", "command": "x", "note": 1}"#;
        assert!(serde_json::from_str::<Operation>(extra).is_err());
    }

    #[test]
    fn a_changes_query_is_its_path() {
        let first = ChangesQuery {
            since: 0,
            limit: None,
        };
        assert_eq!(first.path(), "/api/changes?since=0");
        let next = ChangesQuery {
            since: 1500,
            limit: Some(500),
        };
        assert_eq!(next.path(), "/api/changes?since=1500&limit=500");
    }
}

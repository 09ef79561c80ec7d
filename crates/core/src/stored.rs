//! The stored format of events and commands: what the server's database (SQLite or PostgreSQL)
//! and every browser's IndexedDB keep, and must still read after an upgrade.
//!
//! Each stored value is an envelope with the format's version: `{"v":2,"event":{…}}` for an
//! [`Event`], `{"v":2,"command":{…}}` for a [`Command`]. Reading goes through the upcasters: a
//! value written in an older version is brought forward one version at a time to the current one,
//! then read as today's type. Version 1 is the format written before versions existed — the bare
//! JSON of the value, with no envelope — which every database made by earlier builds holds.
//!
//! # Changing the format
//! `crates/core/tests/stored_format.rs` keeps a golden file per version
//! (`tests/golden/stored-v{N}.json`: one stored sample of every variant). Its test fails when a
//! variant's JSON changes. A change that old readers or new readers cannot take as it is (a field
//! renamed, removed or made required, a variant renamed) needs: [`FORMAT_VERSION`] + 1, an
//! upcaster from the previous version in `upcast`, and a new golden file
//! (`JUMUN_BLESS_GOLDEN=1 cargo test -p jumun-core --test stored_format`); the previous golden file
//! stays, and the test reads it through the upcasters. An optional field that is left out when
//! empty needs no new version.

use crate::{Command, Event};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The version this build writes.
pub const FORMAT_VERSION: u32 = 2;

/// What kind of value is stored: it names the envelope's payload field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoredKind {
    /// An [`Event`]: `{"v":…,"event":…}`.
    Event,
    /// A [`Command`]: `{"v":…,"command":…}`.
    Command,
}

impl StoredKind {
    fn field(self) -> &'static str {
        match self {
            StoredKind::Event => "event",
            StoredKind::Command => "command",
        }
    }
}

impl std::fmt::Display for StoredKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.field())
    }
}

/// Why a stored value cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum StoredFormatError {
    /// The stored text is not JSON at all.
    #[error(
        "the stored {kind} is not JSON ({source}); the row is damaged — restore it from a backup"
    )]
    NotJson {
        /// Event or command.
        kind: StoredKind,
        /// The parser's complaint.
        source: serde_json::Error,
    },
    /// Written by a newer build of Jumun than this one.
    #[error(
        "the stored {kind} has format version {found}, but this build of Jumun reads versions up \
         to {FORMAT_VERSION}; run the newer build that wrote it (do not downgrade)"
    )]
    TooNew {
        /// Event or command.
        kind: StoredKind,
        /// The version found.
        found: u32,
    },
    /// An envelope without a usable version or payload.
    #[error("the stored {kind} has a damaged envelope: {why}")]
    BadEnvelope {
        /// Event or command.
        kind: StoredKind,
        /// What is wrong.
        why: String,
    },
    /// The payload does not fit the type once brought to the current version.
    #[error(
        "the stored {kind} (format version {version}) does not fit this build's {kind}: {source}"
    )]
    Shape {
        /// Event or command.
        kind: StoredKind,
        /// The version it was written in.
        version: u32,
        /// serde's complaint, naming the field.
        source: serde_json::Error,
    },
}

/// The envelopes as written.
#[derive(Serialize)]
struct EventOut<'a> {
    v: u32,
    event: &'a Event,
}

#[derive(Serialize)]
struct CommandOut<'a> {
    v: u32,
    command: &'a Command,
}

/// The current envelope, read directly (the fast path: no intermediate JSON tree).
#[derive(Deserialize)]
struct EventEnvelope {
    v: u32,
    event: Event,
}

#[derive(Deserialize)]
struct CommandEnvelope {
    v: u32,
    command: Command,
}

/// An event in the current stored format.
pub fn encode_event(event: &Event) -> Result<String, serde_json::Error> {
    serde_json::to_string(&EventOut {
        v: FORMAT_VERSION,
        event,
    })
}

/// A command in the current stored format.
pub fn encode_command(command: &Command) -> Result<String, serde_json::Error> {
    serde_json::to_string(&CommandOut {
        v: FORMAT_VERSION,
        command,
    })
}

/// Reads a stored event of any version this build knows.
pub fn decode_event(stored: &str) -> Result<Event, StoredFormatError> {
    if let Ok(EventEnvelope { v, event }) = serde_json::from_str::<EventEnvelope>(stored) {
        if v == FORMAT_VERSION {
            return Ok(event);
        }
    }
    decode(StoredKind::Event, stored)
}

/// Reads a stored command of any version this build knows.
pub fn decode_command(stored: &str) -> Result<Command, StoredFormatError> {
    if let Ok(CommandEnvelope { v, command }) = serde_json::from_str::<CommandEnvelope>(stored) {
        if v == FORMAT_VERSION {
            return Ok(command);
        }
    }
    decode(StoredKind::Command, stored)
}

/// The slow path: any version, through the upcasters.
///
/// The upcast payload is written back to text and read with `from_str`, not `from_value`: the
/// fast path already reads these types from text, and a second reader for them over
/// `serde_json::Value` would double the largest code of the browser app (the derived readers of
/// `Command` and `Event`, about 150 KB of its wasm; docs/wasm-size.md). Only values written by an
/// older version take this path.
fn decode<T: DeserializeOwned>(kind: StoredKind, stored: &str) -> Result<T, StoredFormatError> {
    let (version, current) = current_payload(kind, stored)?;
    let shape = |source| StoredFormatError::Shape {
        kind,
        version,
        source,
    };
    serde_json::to_string(&current)
        .and_then(|text| serde_json::from_str(&text))
        .map_err(shape)
}

/// The version a stored value was written in, and its payload brought to the current version.
fn current_payload(kind: StoredKind, stored: &str) -> Result<(u32, Value), StoredFormatError> {
    let value: Value = serde_json::from_str(stored)
        .map_err(|source| StoredFormatError::NotJson { kind, source })?;
    let (version, payload) = split_envelope(kind, value)?;
    if version > FORMAT_VERSION {
        return Err(StoredFormatError::TooNew {
            kind,
            found: version,
        });
    }
    Ok((version, upcast(kind, version, payload)?))
}

/// The version and the payload of a stored value. A value without an envelope is version 1.
fn split_envelope(kind: StoredKind, value: Value) -> Result<(u32, Value), StoredFormatError> {
    let Value::Object(mut map) = value else {
        // A bare unit variant of a command (`"Variant"`) is version 1 too.
        return Ok((1, value));
    };
    let Some(version) = map.get("v") else {
        return Ok((1, Value::Object(map)));
    };
    let bad = |why: String| StoredFormatError::BadEnvelope { kind, why };
    let version = version
        .as_u64()
        .and_then(|v| u32::try_from(v).ok())
        .filter(|v| *v >= 2)
        .ok_or_else(|| bad(format!("version {version} is not a format version")))?;
    let payload = map
        .remove(kind.field())
        .ok_or_else(|| bad(format!("no \"{}\" beside the version", kind.field())))?;
    Ok((version, payload))
}

/// Brings a payload written in `version` to [`FORMAT_VERSION`], one version at a time.
///
/// Each step names what changed in that version:
/// - 1 → 2: the envelope with the version was introduced; the payload is unchanged.
fn upcast(kind: StoredKind, version: u32, payload: Value) -> Result<Value, StoredFormatError> {
    let mut payload = payload;
    for from in version..FORMAT_VERSION {
        payload = match from {
            1 => payload,
            other => {
                return Err(StoredFormatError::BadEnvelope {
                    kind,
                    why: format!("no upcaster from version {other}"),
                })
            }
        };
    }
    Ok(payload)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::Actor;
    use crate::event::Change;
    use crate::ids::OrderId;
    use chrono::TimeZone;

    fn event() -> Event {
        Event {
            at: chrono::Utc
                .with_ymd_and_hms(2026, 11, 2, 0, 0, 0)
                .single()
                .expect("a valid time"),
            actor: Actor::Operator("상담원1".into()),
            change: Change::Delivered { order: OrderId(7) },
        }
    }

    #[test]
    fn events_and_commands_are_written_in_an_envelope_with_the_version() {
        let stored = encode_event(&event()).expect("encodes");
        assert!(stored.starts_with(r#"{"v":2,"event":{"#), "{stored}");
        assert_eq!(decode_event(&stored).expect("decodes"), event());
        let command = Command::Ship { order: OrderId(7) };
        let stored = encode_command(&command).expect("encodes");
        assert_eq!(stored, r#"{"v":2,"command":{"Ship":{"order":7}}}"#);
        assert_eq!(decode_command(&stored).expect("decodes"), command);
    }

    #[test]
    fn version_1_is_the_bare_json_written_before_versions() {
        let bare = serde_json::to_string(&event()).expect("encodes");
        assert_eq!(decode_event(&bare).expect("decodes"), event());
        let bare = serde_json::to_string(&Command::Ship { order: OrderId(7) }).expect("encodes");
        assert_eq!(
            decode_command(&bare).expect("decodes"),
            Command::Ship { order: OrderId(7) }
        );
    }

    #[test]
    fn newer_damaged_and_foreign_values_are_refused_with_a_reason() {
        let newer = r#"{"v":99,"event":{}}"#;
        assert!(matches!(
            decode_event(newer),
            Err(StoredFormatError::TooNew { found: 99, .. })
        ));
        assert!(decode_event(newer)
            .unwrap_err()
            .to_string()
            .contains("do not downgrade"));
        assert!(matches!(
            decode_event("{not json"),
            Err(StoredFormatError::NotJson { .. })
        ));
        assert!(matches!(
            decode_event(r#"{"v":"two","event":{}}"#),
            Err(StoredFormatError::BadEnvelope { .. })
        ));
        assert!(matches!(
            decode_event(r#"{"v":2,"command":{"Ship":{"order":7}}}"#),
            Err(StoredFormatError::BadEnvelope { .. })
        ));
        let shape = decode_event(r#"{"v":2,"event":{"at":"yesterday"}}"#).unwrap_err();
        assert!(
            matches!(shape, StoredFormatError::Shape { version: 2, .. }),
            "{shape}"
        );
    }
}

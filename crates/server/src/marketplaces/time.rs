//! Marketplace times: RFC 3339 with offset, or Korean local time without one.

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use jumun_core::time::KOREA;

/// Parses `2024-03-02T10:00:00+09:00`, `2024-03-02T10:00:00.794+09:00`, `2024-03-02T10:00:00`,
/// `2024-03-02 10:00:00` or `2024-03-02` (the last three as Korean time).
pub(crate) fn parse(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.with_timezone(&Utc));
    }
    for format in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(text, format) {
            return KOREA
                .from_local_datetime(&naive)
                .single()
                .map(|t| t.with_timezone(&Utc));
        }
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .and_then(|naive| KOREA.from_local_datetime(&naive).single())
        .map(|t| t.with_timezone(&Utc))
}

/// Parses an optional time; absent or empty text is `Ok(None)`, bad text an error message.
pub(crate) fn parse_opt(text: Option<&str>, field: &str) -> Result<Option<DateTime<Utc>>, String> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(t) => parse(t)
            .map(Some)
            .ok_or_else(|| format!("{field} {t:?} is not a date-time")),
    }
}

/// Parses a required time.
pub(crate) fn parse_req(text: &str, field: &str) -> Result<DateTime<Utc>, String> {
    parse(text).ok_or_else(|| format!("{field} {text:?} is not a date-time"))
}

/// Formats in Korean time with the given chrono format.
pub(crate) fn kst_format(t: DateTime<Utc>, format: &str) -> String {
    t.with_timezone(&KOREA).format(format).to_string()
}

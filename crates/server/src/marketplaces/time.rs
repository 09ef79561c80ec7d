//! Marketplace times: RFC 3339 with offset, or Korean local time without one.

use super::error::TimeError;
use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeDelta, TimeZone, Utc};
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

/// Parses an optional time; absent or empty text is `Ok(None)`.
pub(crate) fn parse_opt(
    text: Option<&str>,
    field: &'static str,
) -> Result<Option<DateTime<Utc>>, TimeError> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(t) => parse_req(t, field).map(Some),
    }
}

/// Parses a required time.
pub(crate) fn parse_req(text: &str, field: &'static str) -> Result<DateTime<Utc>, TimeError> {
    parse(text).ok_or_else(|| TimeError::NotADateTime {
        field,
        text: text.to_owned(),
    })
}

/// `t` (the marketplace's `field`) plus `days`; an error rather than chrono's panic when the
/// sum is past the years chrono counts (a hostile date like `+262142-12-31`).
pub(crate) fn plus_days(
    t: DateTime<Utc>,
    days: i64,
    field: &'static str,
) -> Result<DateTime<Utc>, TimeError> {
    TimeDelta::try_days(days)
        .and_then(|delta| t.checked_add_signed(delta))
        .ok_or(TimeError::OutOfRange { field, days })
}

/// Formats in Korean time with the given chrono format.
pub(crate) fn kst_format(t: DateTime<Utc>, format: &str) -> String {
    t.with_timezone(&KOREA).format(format).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn korean_time_without_offset_and_the_edges_of_the_calendar() {
        let t = parse_req("2024-03-02 10:00:00", "orderDate").unwrap();
        assert_eq!(t.to_rfc3339(), "2024-03-02T01:00:00+00:00");
        assert_eq!(
            parse_req("내일", "orderDate").unwrap_err(),
            TimeError::NotADateTime {
                field: "orderDate",
                text: "내일".into()
            }
        );
        assert_eq!(parse_opt(Some("  "), "paidAt"), Ok(None));
        let last = parse_req("+262142-12-31T23:59:59", "orderDate").unwrap();
        assert!(matches!(
            plus_days(last, 7, "orderDate"),
            Err(TimeError::OutOfRange { days: 7, .. })
        ));
        assert!(plus_days(t, i64::MAX, "orderDate").is_err());
        assert_eq!(
            plus_days(t, 1, "orderDate").unwrap().to_rfc3339(),
            "2024-03-03T01:00:00+00:00"
        );
    }
}

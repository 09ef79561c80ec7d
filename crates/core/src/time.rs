//! Korea's time zone: every Korean calendar day, marketplace timestamp without an offset and
//! due date the console shows is in it.

use chrono::FixedOffset;

/// Korea Standard Time (KST): UTC+9, with no daylight saving since 1988, so a fixed offset is
/// exact for every date the console meets.
pub const KOREA: FixedOffset = match FixedOffset::east_opt(9 * 3600) {
    Some(offset) => offset,
    // Unreachable: `east_opt` refuses only offsets of a day or more; checked at compile time.
    None => panic!("UTC+9 is a valid offset"),
};

#[cfg(test)]
mod tests {
    use super::KOREA;
    use chrono::{TimeZone, Utc};

    #[test]
    fn korea_is_nine_hours_ahead_of_utc() {
        let utc = Utc.with_ymd_and_hms(2026, 11, 15, 15, 10, 0).unwrap();
        assert_eq!(
            utc.with_timezone(&KOREA).to_rfc3339(),
            "2026-11-16T00:10:00+09:00"
        );
    }
}

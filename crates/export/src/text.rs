//! What both formats do to text and dates before writing them.

use chrono::{DateTime, Datelike, NaiveDateTime, Timelike, Utc};
use jumun_core::time::KOREA;
use std::borrow::Cow;
use std::fmt::Write;

/// Whether XML 1.0 allows the character (its `Char` production). The others are control
/// characters that marketplace text sometimes carries; an .xlsx holding one is refused by
/// Excel, so both formats drop them and the two files hold the same text.
pub(crate) fn is_allowed(c: char) -> bool {
    matches!(c,
        '\t' | '\n' | '\r'
        | '\u{20}'..='\u{D7FF}'
        | '\u{E000}'..='\u{FFFD}'
        | '\u{10000}'..='\u{10FFFF}')
}

/// The text without the characters XML 1.0 forbids (borrowed when there is none, the usual case).
pub(crate) fn clean(text: &str) -> Cow<'_, str> {
    if text.chars().all(is_allowed) {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(text.chars().filter(|c| is_allowed(*c)).collect())
    }
}

/// The moment in Korea's time zone, to the second.
pub(crate) fn korean_time(at: DateTime<Utc>) -> NaiveDateTime {
    let local = at.with_timezone(&KOREA).naive_local();
    local.with_nanosecond(0).unwrap_or(local)
}

/// `2026-11-16 09:05:00`, Korea's time.
pub(crate) fn push_korean_time(out: &mut String, at: DateTime<Utc>) {
    let t = korean_time(at);
    // Writing to a String cannot fail.
    let _ = write!(
        out,
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        t.year(),
        t.month(),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    );
}

/// How many columns of a fixed-width font the text takes: Hangul and other East Asian wide
/// characters take two.
pub(crate) fn display_width(text: &str) -> usize {
    text.chars()
        .map(|c| match c {
            '\u{1100}'..='\u{115F}'
            | '\u{2E80}'..='\u{A4CF}'
            | '\u{AC00}'..='\u{D7A3}'
            | '\u{F900}'..='\u{FAFF}'
            | '\u{FF00}'..='\u{FF60}'
            | '\u{FFE0}'..='\u{FFE6}' => 2,
            _ => 1,
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn control_characters_are_dropped_and_the_rest_kept() {
        assert_eq!(clean("a\u{1}b\u{0}c\u{1F}"), "abc");
        assert_eq!(clean("탭\t줄\r\n😀\u{FFFE}\u{FFFF}"), "탭\t줄\r\n😀");
        assert!(matches!(clean("수령자 홍길동"), Cow::Borrowed(_)));
    }

    #[test]
    fn times_are_korean_to_the_second() {
        let at = Utc.with_ymd_and_hms(2026, 11, 15, 15, 10, 5).unwrap()
            + chrono::Duration::milliseconds(999);
        let mut out = String::new();
        push_korean_time(&mut out, at);
        assert_eq!(out, "2026-11-16 00:10:05");
    }

    #[test]
    fn hangul_is_twice_as_wide_as_latin() {
        assert_eq!(display_width("CS상태"), 6);
    }
}

//! The marketplace clock: the system clock, or one dilated around an anchor so that a soak run
//! covers simulated days in real minutes.
//!
//! Marketplace time is `anchor + (system − anchor) × rate` (Unix milliseconds, rounded half away
//! from zero); at rate 1 it is the system clock. `jumun-server` runs on the same definition
//! (same rate, same anchor), so the console and the sandbox agree on what "now" is.
//!
//! Only the marketplace's notion of "now" is dilated; the request limits (`limits`) stay on real
//! time, since they model calls per real second.

use chrono::{DateTime, Utc};

/// The clock the sandbox reads "now" from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MarketClock {
    anchor_ms: i64,
    rate: f64,
}

/// A clock setting that cannot be used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ClockError {
    /// The rate is zero, negative or not a number.
    #[error("the clock rate must be a positive number, not {0}")]
    BadRate(f64),
    /// A dilated clock without the moment it dilates from.
    #[error(
        "a clock rate of {0} needs --clock-anchor MS (Unix milliseconds): marketplace time runs \
         that many times faster from the anchor; give jumun-server the same rate and anchor"
    )]
    NoAnchor(f64),
}

impl Default for MarketClock {
    fn default() -> Self {
        Self::SYSTEM
    }
}

impl MarketClock {
    /// The system clock (rate 1).
    pub const SYSTEM: Self = Self {
        anchor_ms: 0,
        rate: 1.0,
    };

    /// A clock running `rate` times faster than the system's from `anchor_ms`; the anchor is
    /// required unless the rate is 1 (where it changes nothing).
    pub fn new(rate: f64, anchor_ms: Option<i64>) -> Result<Self, ClockError> {
        if !(rate.is_finite() && rate > 0.0) {
            return Err(ClockError::BadRate(rate));
        }
        match anchor_ms {
            Some(anchor_ms) => Ok(Self { anchor_ms, rate }),
            None if rate == 1.0 => Ok(Self::SYSTEM),
            None => Err(ClockError::NoAnchor(rate)),
        }
    }

    /// How many times faster than the system clock it runs.
    pub fn rate(&self) -> f64 {
        self.rate
    }

    /// The Unix millisecond it dilates from.
    pub fn anchor_ms(&self) -> i64 {
        self.anchor_ms
    }

    /// Marketplace time (Unix milliseconds) at system time `system_ms`.
    pub fn at(&self, system_ms: i64) -> i64 {
        if self.rate == 1.0 {
            return system_ms;
        }
        let since = system_ms.saturating_sub(self.anchor_ms) as f64;
        // `as` saturates at i64's bounds, far beyond any date chrono renders.
        self.anchor_ms
            .saturating_add((since * self.rate).round() as i64)
    }

    /// Marketplace time now, in Unix milliseconds.
    pub fn now_ms(&self) -> i64 {
        self.at(Utc::now().timestamp_millis())
    }

    /// Marketplace time now.
    pub fn now_utc(&self) -> DateTime<Utc> {
        DateTime::from_timestamp_millis(self.now_ms()).unwrap_or(DateTime::<Utc>::MAX_UTC)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_one_is_the_system_clock() {
        let clock = MarketClock::new(1.0, None).unwrap();
        assert_eq!(clock, MarketClock::SYSTEM);
        for ms in [0, 1_731_628_800_123, -5] {
            assert_eq!(clock.at(ms), ms);
        }
        let anchored = MarketClock::new(1.0, Some(1_700_000_000_000)).unwrap();
        assert_eq!(anchored.at(1_731_628_800_123), 1_731_628_800_123);
        let before = Utc::now().timestamp_millis();
        let now = clock.now_ms();
        assert!(now >= before && now <= Utc::now().timestamp_millis());
    }

    #[test]
    fn rate_720_runs_twelve_hours_per_real_minute_from_the_anchor() {
        let anchor = 1_731_628_800_000;
        let clock = MarketClock::new(720.0, Some(anchor)).unwrap();
        assert_eq!(clock.at(anchor), anchor);
        assert_eq!(clock.at(anchor + 60_000), anchor + 12 * 3_600_000);
        assert_eq!(clock.at(anchor + 1), anchor + 720);
        assert_eq!(clock.at(anchor - 1_000), anchor - 720_000);
        assert!(
            clock.now_ms() > Utc::now().timestamp_millis(),
            "the anchor is past"
        );
    }

    #[test]
    fn a_fractional_rate_rounds_to_whole_milliseconds() {
        let clock = MarketClock::new(2.5, Some(1_000)).unwrap();
        assert_eq!(clock.at(1_001), 1_003); // 2.5 rounds away from zero
        assert_eq!(clock.at(1_003), 1_008); // 7.5
        assert_eq!(clock.at(999), 997); // -2.5
    }

    #[test]
    fn a_dilated_clock_needs_an_anchor_and_a_positive_rate() {
        assert_eq!(
            MarketClock::new(720.0, None),
            Err(ClockError::NoAnchor(720.0))
        );
        assert!(MarketClock::new(720.0, None)
            .unwrap_err()
            .to_string()
            .contains("--clock-anchor"));
        for rate in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            assert!(
                matches!(MarketClock::new(rate, Some(0)), Err(ClockError::BadRate(_))),
                "{rate}"
            );
        }
    }
}

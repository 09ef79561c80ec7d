//! The marketplaces' clock: the time the collector takes as "now" when it asks marketplaces for
//! a window of orders, signs a request, keeps a token, or executes what it collected.
//!
//! It is the system clock, except against the sandbox marketplace run on a dilated clock
//! (`--marketplace-clock-rate R --marketplace-clock-anchor MS`, only with
//! `--demo-marketplaces`), where marketplace time is `anchor + (system time − anchor) × R`: the
//! same definition as the sandbox's own `--clock-rate`/`--clock-anchor`, so both sides agree on
//! the time while days pass in minutes (issue 13's soak over simulated days). The server's own
//! times (sessions, scheduling the runs, receiving operations) stay on the system clock.

use chrono::{DateTime, Utc};
use std::sync::OnceLock;

/// A marketplace clock running `rate` times as fast as the system clock from `anchor_ms`
/// (Unix milliseconds), where both agree.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MarketClock {
    anchor_ms: i64,
    rate: f64,
}

/// Why a marketplace clock cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClockError {
    /// A rate that is not a positive number.
    #[error("the marketplace clock rate must be a positive number (1 is real time), not {0:?}")]
    BadRate(String),
    /// An anchor that is not whole milliseconds.
    #[error(
        "the marketplace clock anchor must be Unix time in milliseconds (e.g. 1764633600000), \
         not {0:?}"
    )]
    BadAnchor(String),
}

impl MarketClock {
    /// The system clock.
    pub const SYSTEM: Self = Self {
        anchor_ms: 0,
        rate: 1.0,
    };

    /// A clock from its flags' text.
    pub fn parse(rate: &str, anchor_ms: &str) -> Result<Self, ClockError> {
        let rate_value: f64 = rate
            .trim()
            .parse()
            .ok()
            .filter(|r: &f64| r.is_finite() && *r > 0.0)
            .ok_or_else(|| ClockError::BadRate(rate.to_owned()))?;
        let anchor: i64 = anchor_ms
            .trim()
            .parse()
            .map_err(|_| ClockError::BadAnchor(anchor_ms.to_owned()))?;
        Ok(Self {
            anchor_ms: anchor,
            rate: rate_value,
        })
    }

    /// Marketplace time at system time `system_ms` (Unix milliseconds), to the millisecond.
    pub fn at(&self, system_ms: i64) -> i64 {
        if self.rate == 1.0 {
            return system_ms;
        }
        let elapsed = (system_ms - self.anchor_ms) as f64 * self.rate;
        self.anchor_ms.saturating_add(elapsed.round() as i64)
    }

    /// Marketplace time now.
    pub fn now(&self) -> DateTime<Utc> {
        let system = Utc::now();
        if self.rate == 1.0 {
            return system;
        }
        DateTime::from_timestamp_millis(self.at(system.timestamp_millis())).unwrap_or(system)
    }
}

// The rate is never NaN (`parse` takes finite positive numbers only), so equality is total.
impl Eq for MarketClock {}

static CLOCK: OnceLock<MarketClock> = OnceLock::new();

/// Sets the process's marketplace clock, once, at start; later calls keep the first.
pub fn install(clock: MarketClock) {
    let _ = CLOCK.set(clock);
}

/// Marketplace time now (the system clock unless [`install`]ed otherwise).
pub fn now() -> DateTime<Utc> {
    CLOCK.get().copied().unwrap_or(MarketClock::SYSTEM).now()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_one_is_the_system_clock() {
        let clock = MarketClock::parse("1", "0").unwrap();
        assert_eq!(clock.at(1_764_633_600_123), 1_764_633_600_123);
        let before = Utc::now();
        let now = clock.now();
        assert!(now >= before && now <= Utc::now());
    }

    #[test]
    fn a_dilated_clock_runs_days_in_minutes_from_its_anchor() {
        let anchor = 1_764_633_600_000; // 2025-12-02 00:00 UTC
        let clock = MarketClock::parse("720", &anchor.to_string()).unwrap();
        assert_eq!(clock.at(anchor), anchor);
        // One real minute later, twelve marketplace hours have passed.
        assert_eq!(clock.at(anchor + 60_000), anchor + 12 * 3_600_000);
        // Before the anchor it runs back as fast.
        assert_eq!(clock.at(anchor - 1_000), anchor - 720_000);
    }

    #[test]
    fn bad_rates_and_anchors_are_refused_with_the_flag_text() {
        for rate in ["0", "-2", "fast", "NaN", "inf", ""] {
            assert_eq!(
                MarketClock::parse(rate, "0"),
                Err(ClockError::BadRate(rate.into()))
            );
        }
        assert_eq!(
            MarketClock::parse("60", "yesterday"),
            Err(ClockError::BadAnchor("yesterday".into()))
        );
    }
}

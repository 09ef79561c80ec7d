//! Day-by-day order volume: quiet days and bursts (`--day-pattern W1,W2,…`).
//!
//! Day `d` counts Korean days (KST) from the epoch's Korean day (day 0) and has weight
//! `W[d % len]`. The stream's orders follow the weights through a monotone time warp: the load
//! `L(t)` is the integral of the weight from the epoch to `t` (in weight·milliseconds), and an
//! order due at load `T` (its unwarped arrival) arrives in the first millisecond that brings the
//! load past `T`. Weight 1 everywhere is the identity; a day of weight 0 has no millisecond that
//! adds load, so no order arrives on it; a day of weight 4 takes four orders' worth of load
//! every interval.

use super::scenario::Millis;
use std::str::FromStr;

/// Milliseconds in a Korean day (KST has no daylight saving time).
pub const DAY_MS: Millis = 86_400_000;

/// The weight of each day in turn, repeating; at least one is not zero.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayPattern {
    weights: Vec<u32>,
}

/// A day pattern that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DayPatternError {
    /// No weights at all.
    #[error(
        "a day pattern needs at least one weight, e.g. 1,0,4 (a normal, a quiet and a burst day)"
    )]
    Empty,
    /// A weight that is not a whole number.
    #[error("day weight {0:?} is not a non-negative whole number (0 = a quiet day, 1 = normal, 4 = four times as many orders)")]
    NotAWeight(String),
    /// Every day quiet.
    #[error("a day pattern with no non-quiet day would never place an order; give at least one weight above 0")]
    AllQuiet,
}

impl DayPattern {
    /// A pattern of these weights, repeating.
    pub fn new(weights: Vec<u32>) -> Result<Self, DayPatternError> {
        if weights.is_empty() {
            Err(DayPatternError::Empty)
        } else if weights.iter().all(|w| *w == 0) {
            Err(DayPatternError::AllQuiet)
        } else {
            Ok(Self { weights })
        }
    }

    /// The weights, one per day in turn.
    pub fn weights(&self) -> &[u32] {
        &self.weights
    }

    /// The weight of day `day` (day 0 is the epoch's).
    pub fn weight(&self, day: i64) -> u32 {
        let len = self.weights.len() as i64;
        self.weights[day.rem_euclid(len) as usize]
    }
}

impl FromStr for DayPattern {
    type Err = DayPatternError;

    /// `1,0,4`: comma-separated weights (spaces allowed).
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        if text.trim().is_empty() {
            return Err(DayPatternError::Empty);
        }
        let weights = text
            .split(',')
            .map(|part| {
                let part = part.trim();
                part.parse::<u32>()
                    .map_err(|_| DayPatternError::NotAWeight(part.to_owned()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Self::new(weights)
    }
}

/// A pattern laid on a timeline: where its days start relative to the epoch, and the load.
#[derive(Debug, Clone)]
pub(crate) struct DayWarp {
    pattern: DayPattern,
    /// Milliseconds from day 0's midnight to the epoch (`0..DAY_MS`).
    epoch_in_day: Millis,
    /// `prefix[i]`: the load of days `0..i` of one round of the pattern.
    prefix: Vec<i128>,
    /// The load from day 0's midnight to the epoch, which the epoch's own load starts after.
    before_epoch: i128,
}

impl DayWarp {
    /// The warp of `pattern` for an epoch `epoch_in_day` milliseconds after its day's midnight.
    pub(crate) fn new(pattern: DayPattern, epoch_in_day: Millis) -> Self {
        let epoch_in_day = epoch_in_day.rem_euclid(DAY_MS);
        let mut prefix = vec![0i128];
        for w in pattern.weights() {
            let last = prefix[prefix.len() - 1];
            prefix.push(last + i128::from(*w) * i128::from(DAY_MS));
        }
        let mut warp = Self {
            pattern,
            epoch_in_day,
            prefix,
            before_epoch: 0,
        };
        warp.before_epoch = warp.load_from_midnight(i128::from(epoch_in_day));
        warp
    }

    /// The pattern.
    pub(crate) fn pattern(&self) -> &DayPattern {
        &self.pattern
    }

    /// The day of moment `at` (day 0 holds the epoch; negative before it).
    pub(crate) fn day(&self, at: Millis) -> i64 {
        (i128::from(at) + i128::from(self.epoch_in_day)).div_euclid(i128::from(DAY_MS)) as i64
    }

    /// The weight of moment `at`'s day.
    pub(crate) fn weight_at(&self, at: Millis) -> u32 {
        self.pattern.weight(self.day(at))
    }

    fn round_ms(&self) -> i128 {
        self.pattern.weights.len() as i128 * i128::from(DAY_MS)
    }

    fn round_load(&self) -> i128 {
        self.prefix[self.prefix.len() - 1]
    }

    /// The load from day 0's midnight to `x` milliseconds after it (`x >= 0`).
    fn load_from_midnight(&self, x: i128) -> i128 {
        let rounds = x / self.round_ms();
        let rest = x % self.round_ms();
        let day = (rest / i128::from(DAY_MS)) as usize;
        let into_day = rest % i128::from(DAY_MS);
        rounds * self.round_load()
            + self.prefix[day]
            + i128::from(self.pattern.weights[day]) * into_day
    }

    /// `L(at)`: the load from the epoch to `at` (`at >= 0`).
    pub(crate) fn load(&self, at: Millis) -> i128 {
        self.load_from_midnight(i128::from(at.max(0)) + i128::from(self.epoch_in_day))
            - self.before_epoch
    }

    /// The earliest moment `at >= 0` with `L(at) >= load` (`load >= 1`).
    pub(crate) fn reach(&self, load: i128) -> Millis {
        let target = load.max(1) + self.before_epoch;
        let rounds = (target - 1) / self.round_load();
        let rest = target - rounds * self.round_load(); // 1..=round_load
                                                        // The first day whose end reaches `rest`: its weight is above 0, since the day before
                                                        // ends short of it.
        let day = self.prefix[1..].partition_point(|end| *end < rest);
        let weight = i128::from(self.pattern.weights[day]);
        let into_day = (rest - self.prefix[day] + weight - 1) / weight;
        let x = rounds * self.round_ms() + day as i128 * i128::from(DAY_MS) + into_day;
        Millis::try_from(x - i128::from(self.epoch_in_day)).unwrap_or(Millis::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_parse_and_bad_ones_are_explained() {
        assert_eq!(
            "1, 0,4".parse::<DayPattern>().unwrap().weights(),
            &[1, 0, 4]
        );
        assert_eq!("".parse::<DayPattern>(), Err(DayPatternError::Empty));
        assert_eq!(
            "1,,2".parse::<DayPattern>(),
            Err(DayPatternError::NotAWeight(String::new()))
        );
        assert_eq!(
            "1,-2".parse::<DayPattern>(),
            Err(DayPatternError::NotAWeight("-2".into()))
        );
        assert_eq!(
            "1,x".parse::<DayPattern>(),
            Err(DayPatternError::NotAWeight("x".into()))
        );
        let err = "0,0".parse::<DayPattern>().unwrap_err();
        assert_eq!(err, DayPatternError::AllQuiet);
        assert!(err.to_string().contains("never place an order"), "{err}");
    }

    #[test]
    fn days_repeat_and_count_back_before_the_epoch() {
        let pattern: DayPattern = "1,0,4".parse().unwrap();
        let weights: Vec<u32> = (-3..6).map(|d| pattern.weight(d)).collect();
        assert_eq!(weights, [1, 0, 4, 1, 0, 4, 1, 0, 4]);
    }

    #[test]
    fn the_load_grows_by_each_days_weight_from_the_epoch() {
        // The epoch at 15:00: day 0 has 9 hours left.
        let hour = 3_600_000;
        let warp = DayWarp::new("2,0,3".parse().unwrap(), 15 * hour);
        assert_eq!(warp.load(0), 0);
        assert_eq!(warp.load(hour), 2 * i128::from(hour));
        assert_eq!(warp.day(9 * hour - 1), 0);
        assert_eq!(warp.day(9 * hour), 1);
        assert_eq!(warp.day(-15 * hour), 0);
        assert_eq!(warp.day(-15 * hour - 1), -1);
        let day0 = 18 * i128::from(hour);
        assert_eq!(warp.load(9 * hour), day0);
        assert_eq!(warp.load(33 * hour), day0, "day 1 is quiet");
        assert_eq!(warp.load(34 * hour), day0 + 3 * i128::from(hour));
        // Three rounds later the same.
        let round = 3 * DAY_MS;
        let per_round = 5 * i128::from(DAY_MS);
        assert_eq!(
            warp.load(34 * hour + 3 * round),
            day0 + 3 * per_round + 3 * i128::from(hour)
        );
    }

    #[test]
    fn reach_is_the_earliest_moment_with_the_load() {
        let warp = DayWarp::new("0,3,0,0,1".parse().unwrap(), 7 * 3_600_000 + 123);
        for load in (1..20 * i128::from(DAY_MS)).step_by(9_876_543) {
            let at = warp.reach(load);
            assert!(at >= 0);
            assert!(warp.load(at) >= load, "{load} at {at}");
            assert!(warp.load(at - 1) < load || at == 0, "{load} at {at}");
            assert_ne!(warp.weight_at(at - 1), 0, "the last millisecond added load");
        }
    }
}

//! Orders per day per marketplace over the last days (the dashboard's chart), in Korean calendar
//! days ([`KOREA`]), and the chart's value scale. Pure: "now" is given by the caller.

use super::OrderSummary;
use crate::time::KOREA;
use chrono::{Duration, NaiveDate, TimeZone, Utc};
use std::collections::BTreeMap;

/// How many days the dashboard's chart shows.
pub const CHART_DAYS: usize = 14;

const DAY_MS: f64 = 86_400_000.0;

/// Orders per 주문일 (KST) per marketplace, over `days` days ending today.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DailyOrders {
    first_day: NaiveDate,
    from_ms: i64,
    /// Per marketplace code, a count per day (oldest first).
    counts: BTreeMap<String, Vec<u64>>,
    days: usize,
}

impl DailyOrders {
    /// An empty chart of the `days` Korean days ending on the day of `now_ms` (epoch
    /// milliseconds); `None` when `now_ms` is not a date or `days` is 0.
    pub fn ending_at(now_ms: f64, days: usize) -> Option<Self> {
        if days == 0 || !now_ms.is_finite() {
            return None;
        }
        let now = Utc.timestamp_millis_opt(now_ms as i64).single()?;
        let today = now.with_timezone(&KOREA).date_naive();
        let first_day = today.checked_sub_signed(Duration::days(days as i64 - 1))?;
        let from = KOREA
            .from_local_datetime(&first_day.and_hms_opt(0, 0, 0)?)
            .single()?;
        Some(DailyOrders {
            first_day,
            from_ms: from.timestamp_millis(),
            counts: BTreeMap::new(),
            days,
        })
    }

    /// Where the chart starts, epoch milliseconds (00:00 KST of its first day).
    pub fn from_ms(&self) -> f64 {
        self.from_ms as f64
    }

    /// Counts `summary` on its 주문일; an order outside the days is left out.
    pub fn add(&mut self, summary: &OrderSummary) {
        let offset = (summary.ordered_at - self.from_ms as f64) / DAY_MS;
        if !(0.0..self.days as f64).contains(&offset) {
            return;
        }
        let day = offset.floor() as usize;
        let row = self
            .counts
            .entry(summary.marketplace.clone())
            .or_insert_with(|| vec![0; self.days]);
        row[day] += 1;
    }

    /// The days, oldest first.
    pub fn days(&self) -> Vec<NaiveDate> {
        (0..self.days)
            .filter_map(|i| self.first_day.checked_add_signed(Duration::days(i as i64)))
            .collect()
    }

    /// `[from, to)` of day `i`, epoch milliseconds (for opening the list on one day).
    pub fn day_range(&self, i: usize) -> (f64, f64) {
        let from = self.from_ms as f64 + i as f64 * DAY_MS;
        (from, from + DAY_MS)
    }

    /// The marketplaces with an order in the chart, most orders first (ties by code): the
    /// order of the stack, bottom up, and of the legend.
    pub fn marketplaces(&self) -> Vec<&str> {
        let mut codes: Vec<(&str, u64)> = self
            .counts
            .iter()
            .map(|(code, row)| (code.as_str(), row.iter().sum()))
            .collect();
        codes.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        codes.into_iter().map(|(code, _)| code).collect()
    }

    /// Orders of `marketplace` on day `i`.
    pub fn count(&self, marketplace: &str, i: usize) -> u64 {
        self.counts
            .get(marketplace)
            .and_then(|row| row.get(i))
            .copied()
            .unwrap_or(0)
    }

    /// Orders of every marketplace on day `i`.
    pub fn day_total(&self, i: usize) -> u64 {
        self.counts.values().filter_map(|row| row.get(i)).sum()
    }

    /// Orders over the whole chart.
    pub fn total(&self) -> u64 {
        self.counts.values().flatten().sum()
    }

    /// The busiest day's orders.
    pub fn max_day(&self) -> u64 {
        (0..self.days).map(|i| self.day_total(i)).max().unwrap_or(0)
    }
}

/// The value axis of a chart whose largest value is `max`: a top that is a round number at or
/// above `max`, and its ticks from 0 (at most `max_ticks` + 1 of them, evenly spaced by 1, 2 or 5
/// × a power of ten).
pub fn value_ticks(max: u64, max_ticks: u64) -> Vec<u64> {
    let max = max.max(1);
    let max_ticks = max_ticks.max(1);
    let mut magnitude = 1u64;
    let step = loop {
        if let Some(step) = [1, 2, 5]
            .iter()
            .map(|m| m * magnitude)
            .find(|step| max.div_ceil(*step) <= max_ticks)
        {
            break step;
        }
        magnitude = magnitude.saturating_mul(10);
    };
    let top = max.div_ceil(step) * step;
    (0..=top / step).map(|i| i * step).collect()
}

/// The Korean day label the chart writes under a bar, `M/D`.
pub fn day_label(day: NaiveDate) -> String {
    use chrono::Datelike;
    format!("{}/{}", day.month(), day.day())
}

/// The Korean day of the week, one letter (일 … 토), for the chart's weekend marks.
pub fn weekday_korean(day: NaiveDate) -> &'static str {
    use chrono::Datelike;
    ["월", "화", "수", "목", "금", "토", "일"][day.weekday().num_days_from_monday() as usize]
}

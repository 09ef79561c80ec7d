//! 지연일: days of delay counted from the registration, order and payment dates (R32), in Korean
//! calendar days (KST, UTC+9, no daylight saving): an order paid at 23:50 is a day late at 00:10.

use crate::order::Order;
use crate::time::KOREA;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Which date delay days count from (지연일 기준).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DelayBasis {
    /// 등록일.
    Registration,
    /// 주문일.
    Order,
    /// 결제일.
    Payment,
}

/// Calendar days (KST) from `from` to `to`; never negative.
pub fn calendar_days(from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
    let from = from.with_timezone(&KOREA).date_naive();
    let to = to.with_timezone(&KOREA).date_naive();
    (to - from).num_days().max(0)
}

/// An order's delay days on `basis`: until it shipped, or until `now` while unshipped (R32).
/// `None` when the basis date is unknown (an unpaid order has no payment date).
pub fn delay_days(order: &Order, basis: DelayBasis, now: DateTime<Utc>) -> Option<i64> {
    let start = match basis {
        DelayBasis::Registration => Some(order.dates.registered_at),
        DelayBasis::Order => Some(order.dates.ordered_at),
        DelayBasis::Payment => order.dates.paid_at,
    }?;
    let end = order.dates.shipped_at.unwrap_or(now);
    Some(calendar_days(start, end))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn r32_days_are_korean_calendar_days() {
        // 2026-11-15 23:50 KST = 14:50 UTC; 2026-11-16 00:10 KST = 15:10 UTC.
        let paid = Utc
            .with_ymd_and_hms(2026, 11, 15, 14, 50, 0)
            .single()
            .expect("date");
        let later = Utc
            .with_ymd_and_hms(2026, 11, 15, 15, 10, 0)
            .single()
            .expect("date");
        assert_eq!(calendar_days(paid, later), 1);
        assert_eq!(calendar_days(later, paid), 0);
        let week = Utc
            .with_ymd_and_hms(2026, 11, 22, 15, 10, 0)
            .single()
            .expect("date");
        assert_eq!(calendar_days(paid, week), 8);
    }
}

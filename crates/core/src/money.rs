//! Money in Korean won. Integer only: won has no minor unit, and sums must be exact.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::ops::{Add, Neg, Sub};

/// An amount in won (₩). Negative amounts are refunds or discounts.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Won(pub i64);

impl Won {
    /// Zero won.
    pub const ZERO: Won = Won(0);

    /// This amount times a quantity.
    pub fn times(self, quantity: u32) -> Won {
        Won(self.0 * i64::from(quantity))
    }
}

impl Add for Won {
    type Output = Won;
    fn add(self, rhs: Won) -> Won {
        Won(self.0 + rhs.0)
    }
}

impl Sub for Won {
    type Output = Won;
    fn sub(self, rhs: Won) -> Won {
        Won(self.0 - rhs.0)
    }
}

impl Neg for Won {
    type Output = Won;
    fn neg(self) -> Won {
        Won(-self.0)
    }
}

impl fmt::Display for Won {
    /// Formats like the marketplaces' screens: `12,000원`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let digits = self.0.unsigned_abs().to_string();
        let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
        for (i, digit) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                grouped.push(',');
            }
            grouped.push(digit);
        }
        let sign = if self.0 < 0 { "-" } else { "" };
        write!(f, "{sign}{grouped}원")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn won_displays_with_thousands_separators() {
        assert_eq!(Won(0).to_string(), "0원");
        assert_eq!(Won(999).to_string(), "999원");
        assert_eq!(Won(12_000).to_string(), "12,000원");
        assert_eq!(Won(-1_234_567).to_string(), "-1,234,567원");
    }

    #[test]
    fn won_arithmetic_is_exact() {
        assert_eq!(Won(3_000).times(3) + Won(500) - Won(1_000), Won(8_500));
        assert_eq!(-Won(10), Won(-10));
    }
}

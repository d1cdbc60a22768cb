//! Business durations as contracts write them: `"90m"`, `"4h"`, `"1h30m"`
//! (SPEC §2, §3). Arithmetic on them is exact to the second.

use std::fmt;
use std::str::FromStr;

/// A non-negative amount of business time, in whole seconds.
///
/// Parsed from the contract notation of hours, minutes and seconds in that
/// order, each at most once:
///
/// ```
/// use accord_core::BusinessDuration;
/// let d: BusinessDuration = "1h30m".parse().unwrap();
/// assert_eq!(d.as_secs(), 5_400);
/// assert_eq!(d.to_string(), "1h30m");
/// assert!("4hrs".parse::<BusinessDuration>().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct BusinessDuration(i64);

/// Why a written duration is not valid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DurationError {
    /// Negative amounts of time are meaningless for targets and deadlines.
    #[error("a duration cannot be negative (got {0} seconds)")]
    Negative(i64),
    /// Too large to compute with.
    #[error("duration is too large")]
    TooLarge,
    /// Not in the `1h30m` notation.
    #[error(
        "`{text}` is not a duration: {why}; write hours, minutes and seconds like \"4h\", \"90m\" or \"1h30m\""
    )]
    Malformed {
        /// The text as written.
        text: String,
        /// What is wrong with it.
        why: String,
    },
}

/// The largest duration accepted: about 10 000 years, far beyond any
/// calendar's range, small enough that sums never overflow.
const MAX_SECS: i64 = 1 << 48;

impl BusinessDuration {
    /// No time at all.
    pub const ZERO: BusinessDuration = BusinessDuration(0);

    /// A duration of `secs` seconds.
    pub fn from_secs(secs: i64) -> Result<Self, DurationError> {
        if secs < 0 {
            Err(DurationError::Negative(secs))
        } else if secs > MAX_SECS {
            Err(DurationError::TooLarge)
        } else {
            Ok(BusinessDuration(secs))
        }
    }

    /// A duration of `mins` minutes.
    pub fn from_mins(mins: i64) -> Result<Self, DurationError> {
        Self::from_secs(mins.checked_mul(60).ok_or(DurationError::TooLarge)?)
    }

    /// Whole seconds.
    pub fn as_secs(self) -> i64 {
        self.0
    }

    /// `self + other`, or `None` past the supported maximum.
    pub fn checked_add(self, other: BusinessDuration) -> Option<BusinessDuration> {
        Self::from_secs(self.0.checked_add(other.0)?).ok()
    }

    /// `self - other`, floored at zero.
    pub fn saturating_sub(self, other: BusinessDuration) -> BusinessDuration {
        BusinessDuration((self.0 - other.0).max(0))
    }
}

impl FromStr for BusinessDuration {
    type Err = DurationError;

    fn from_str(text: &str) -> Result<Self, DurationError> {
        let bad = |why: &str| DurationError::Malformed {
            text: text.to_string(),
            why: why.to_string(),
        };
        let s = text.trim();
        if s.is_empty() {
            return Err(bad("it is empty"));
        }
        if s == "0" {
            return Ok(BusinessDuration::ZERO);
        }
        let mut total: i64 = 0;
        let mut rest = s;
        let mut last_rank = 0;
        while !rest.is_empty() {
            let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
            if digits == 0 {
                return Err(bad("expected a number"));
            }
            let value: i64 = rest[..digits]
                .parse()
                .map_err(|_| DurationError::TooLarge)?;
            rest = &rest[digits..];
            let unit_len = rest.bytes().take_while(u8::is_ascii_alphabetic).count();
            let (rank, factor) = match &rest[..unit_len] {
                "h" => (1, 3600),
                "m" => (2, 60),
                "s" => (3, 1),
                "" => return Err(bad("a number needs a unit (h, m or s)")),
                other => {
                    return Err(bad(&format!(
                        "unknown unit `{other}` (use h, m or s; business days are not a fixed length)"
                    )));
                }
            };
            if rank <= last_rank {
                return Err(bad("units must appear once each, in the order h, m, s"));
            }
            last_rank = rank;
            rest = &rest[unit_len..];
            total = value
                .checked_mul(factor)
                .and_then(|v| total.checked_add(v))
                .ok_or(DurationError::TooLarge)?;
        }
        Self::from_secs(total)
    }
}

impl fmt::Display for BusinessDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (h, m, s) = (self.0 / 3600, self.0 % 3600 / 60, self.0 % 60);
        if self.0 == 0 {
            return f.write_str("0m");
        }
        if h > 0 {
            write!(f, "{h}h")?;
        }
        if m > 0 {
            write!(f, "{m}m")?;
        }
        if s > 0 {
            write!(f, "{s}s")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contract_notations_parse_to_seconds() {
        for (text, secs) in [
            ("90m", 5400),
            ("4h", 14_400),
            ("1h30m", 5400),
            ("45s", 45),
            ("0", 0),
            ("0m", 0),
        ] {
            assert_eq!(
                text.parse::<BusinessDuration>().unwrap().as_secs(),
                secs,
                "{text}"
            );
        }
    }

    #[test]
    fn rejects_unknown_units_missing_units_and_disorder() {
        for text in ["4hrs", "4", "1.5h", "30m1h", "1h1h", "", "h", "-4h", "2d"] {
            assert!(
                text.parse::<BusinessDuration>().is_err(),
                "{text} should be rejected"
            );
        }
        let msg = "4hrs".parse::<BusinessDuration>().unwrap_err().to_string();
        assert!(msg.contains("unknown unit `hrs`"), "{msg}");
    }

    #[test]
    fn display_round_trips() {
        for text in ["4h", "90m", "1h30m", "2h0m5s"] {
            let d: BusinessDuration = text.parse().unwrap();
            assert_eq!(d.to_string().parse::<BusinessDuration>().unwrap(), d);
        }
        assert_eq!(
            "90m".parse::<BusinessDuration>().unwrap().to_string(),
            "1h30m"
        );
    }
}

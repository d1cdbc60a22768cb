//! Compliance with objectives (SPEC §7): measured = met + breached clocks
//! counted in the period; share = met ÷ measured; `met` when measured > 0 and
//! share ≥ `within_target`, `missed` when below, `no_data` when nothing was
//! measured.
//!
//! **Representation.** A share is kept as the exact pair (met, measured):
//! every comparison with a contract's decimal (`within_target`, a tier's
//! `below`) is made by cross-multiplication in [`Decimal`], so 19 of 20
//! against 0.95 is exactly met. [`Share::value`] gives the quotient as a
//! `Decimal` to its 28 significant digits, for output only.

use std::fmt;

use rust_decimal::Decimal;

use super::period::ReportPeriod;
use crate::clock::Metric;

/// `met` of `measured` clocks.
///
/// ```
/// use accord_core::compliance::Share;
/// use rust_decimal::Decimal;
/// let share = Share { met: 19, measured: 20 };
/// assert!(share.at_least("0.95".parse::<Decimal>()?));
/// assert!(!share.at_least("0.951".parse::<Decimal>()?));
/// assert_eq!(share.value(), Some("0.95".parse::<Decimal>()?));
/// assert_eq!(Share { met: 0, measured: 0 }.value(), None);
/// # Ok::<(), rust_decimal::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct Share {
    /// Clocks met.
    pub met: u64,
    /// Clocks met or breached.
    pub measured: u64,
}

impl Share {
    /// Counts one more clock.
    pub fn add(&mut self, met: bool) {
        self.measured += 1;
        self.met += u64::from(met);
    }

    /// Clocks breached.
    pub fn breached(self) -> u64 {
        self.measured - self.met
    }

    /// met ÷ measured (to `Decimal`'s precision, normalised: `1`, `0.95`,
    /// `0.6666666666666666666666666667`); `None` when nothing was measured.
    pub fn value(self) -> Option<Decimal> {
        if self.measured == 0 {
            return None;
        }
        Decimal::from(self.met)
            .checked_div(Decimal::from(self.measured))
            .map(|d| d.normalize())
    }

    /// Whether share ≥ `x`, exactly; false when nothing was measured.
    pub fn at_least(self, x: Decimal) -> bool {
        self.measured > 0 && self.compare(x) != std::cmp::Ordering::Less
    }

    /// Whether share < `x`, exactly; false when nothing was measured.
    pub fn below(self, x: Decimal) -> bool {
        self.measured > 0 && self.compare(x) == std::cmp::Ordering::Less
    }

    /// share against `x`: met against `x × measured`.
    fn compare(self, x: Decimal) -> std::cmp::Ordering {
        match Decimal::from(self.measured).checked_mul(x) {
            Some(scaled) => Decimal::from(self.met).cmp(&scaled),
            // Beyond Decimal's range: the quotient to 28 digits decides.
            None => self.value().unwrap_or_default().cmp(&x),
        }
    }
}

/// Whether an objective was met in a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Status {
    /// Measured > 0 and share ≥ within_target.
    Met,
    /// Measured > 0 and share < within_target.
    Missed,
    /// Nothing measured: neither met nor missed.
    NoData,
}

impl Status {
    /// The status of `share` against `within_target`.
    ///
    /// ```
    /// use accord_core::compliance::{Share, Status};
    /// let target = "0.9".parse()?;
    /// assert_eq!(Status::of(Share { met: 9, measured: 10 }, target), Status::Met);
    /// assert_eq!(Status::of(Share { met: 8, measured: 10 }, target), Status::Missed);
    /// assert_eq!(Status::of(Share::default(), target), Status::NoData);
    /// # Ok::<(), rust_decimal::Error>(())
    /// ```
    pub fn of(share: Share, within_target: Decimal) -> Status {
        if share.measured == 0 {
            Status::NoData
        } else if share.at_least(within_target) {
            Status::Met
        } else {
            Status::Missed
        }
    }

    /// `met`, `missed` or `no_data`.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Met => "met",
            Status::Missed => "missed",
            Status::NoData => "no_data",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One objective over one of its periods.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectiveResult {
    /// The metric.
    pub metric: Metric,
    /// The priority.
    pub priority: String,
    /// The period it was measured over (the objective's own: a month or a
    /// quarter).
    pub period: ReportPeriod,
    /// The share the contract requires.
    pub within_target: Decimal,
    /// What was measured.
    pub share: Share,
    /// Met, missed or no data.
    pub status: Status,
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn a_share_exactly_at_the_objective_meets_it() {
        assert_eq!(
            Status::of(
                Share {
                    met: 19,
                    measured: 20
                },
                d("0.95")
            ),
            Status::Met
        );
        assert_eq!(
            Status::of(
                Share {
                    met: 18,
                    measured: 20
                },
                d("0.95")
            ),
            Status::Missed
        );
        assert_eq!(
            Status::of(
                Share {
                    met: 1,
                    measured: 1
                },
                d("1")
            ),
            Status::Met
        );
    }

    #[test]
    fn two_thirds_compare_exactly_not_through_a_rounded_quotient() {
        let s = Share {
            met: 2,
            measured: 3,
        };
        // 0.6666666666666666666666666667 (rounded up) must not reach 2/3's
        // exact value from above or below.
        assert!(s.below(d("0.6666666666666666666666666667")));
        assert!(s.at_least(d("0.6666666666666666666666666666")));
    }

    #[test]
    fn nothing_measured_is_no_data_whatever_the_objective() {
        assert_eq!(Status::of(Share::default(), d("0.01")), Status::NoData);
        assert!(!Share::default().below(d("1")));
        assert!(!Share::default().at_least(d("0")));
    }

    proptest! {
        #[test]
        fn exact_comparison_agrees_with_integer_arithmetic(met in 0u64..10_000, extra in 0u64..10_000, permille in 1u32..=1000) {
            let measured = met + extra;
            prop_assume!(measured > 0);
            let s = Share { met, measured };
            let x = Decimal::new(i64::from(permille), 3);
            // share >= p/1000  <=>  1000 met >= p measured
            prop_assert_eq!(s.at_least(x), 1000 * met >= u64::from(permille) * measured);
            prop_assert_eq!(s.below(x), !s.at_least(x));
            prop_assert!(s.met <= s.measured);
        }
    }
}

//! One entry's billed time and rate (SPEC §8, "Raw and billed time", "Rate"):
//! rounding per entry, never touching the raw time, and the rate with the
//! rule that chose it.

use rust_decimal::Decimal;

use super::RateRule;
use crate::contract::{Billing, Rounding, RoundingMode};
use crate::time::TimeEntry;

/// The billed seconds of `raw_s` raw seconds under `rounding`: `up` to the
/// next multiple of the increment, `down` to the previous, `nearest` with
/// halves up, then at least the minimum. Zero raw time stays zero, and no
/// rounding leaves the raw time as it is.
///
/// ```
/// use accord_core::billing::billed_seconds;
/// assert_eq!(billed_seconds(0, None), 0);
/// assert_eq!(billed_seconds(61, None), 61);
/// ```
pub fn billed_seconds(raw_s: i64, rounding: Option<&Rounding>) -> i64 {
    let Some(r) = rounding else { return raw_s };
    if raw_s <= 0 {
        return raw_s;
    }
    let inc = r.increment.as_secs().max(1);
    let below = raw_s - raw_s % inc;
    let rounded = match r.mode {
        RoundingMode::Down => below,
        RoundingMode::Up if below == raw_s => raw_s,
        RoundingMode::Up => below.saturating_add(inc),
        RoundingMode::Nearest if 2 * (raw_s - below) >= inc => below.saturating_add(inc),
        RoundingMode::Nearest => below,
    };
    rounded.max(r.minimum.as_secs())
}

/// The hourly rate of `entry` and the rule that gave it: its own rate, else
/// the person's, else the activity's, else the contract's default.
pub(super) fn rate_of(entry: &TimeEntry, billing: &Billing) -> (Decimal, RateRule) {
    if let Some(rate) = entry.rate {
        (rate, RateRule::Entry)
    } else if let Some(rate) = billing.person_rates.get(&entry.person) {
        (*rate, RateRule::Person)
    } else if let Some(rate) = billing.activity_rates.get(&entry.activity) {
        (*rate, RateRule::Activity)
    } else {
        (billing.rate, RateRule::Contract)
    }
}

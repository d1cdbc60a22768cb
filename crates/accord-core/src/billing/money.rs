//! Amounts of money (SPEC §8, "Amounts"): exact decimals, rounded half-up to
//! the currency's minor unit. Minor units are those of ISO 4217 for the
//! currencies listed below; any other code has 2, the most common.

use rust_decimal::{Decimal, RoundingStrategy};

/// ISO 4217 currencies without minor unit.
const ZERO_DIGITS: [&str; 16] = [
    "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI", "VND",
    "VUV", "XAF", "XOF",
];

/// ISO 4217 currencies with three decimals.
const THREE_DIGITS: [&str; 7] = ["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"];

/// ISO 4217 currencies with four decimals.
const FOUR_DIGITS: [&str; 2] = ["CLF", "UYW"];

/// Digits after the decimal point of an amount in `currency` (ISO 4217
/// minor unit; 2 for a code not listed here).
///
/// ```
/// use accord_core::billing::minor_units;
/// assert_eq!((minor_units("EUR"), minor_units("USD"), minor_units("JPY"), minor_units("KWD")), (2, 2, 0, 3));
/// ```
pub fn minor_units(currency: &str) -> u32 {
    if ZERO_DIGITS.contains(&currency) || currency == "XPF" {
        0
    } else if THREE_DIGITS.contains(&currency) {
        3
    } else if FOUR_DIGITS.contains(&currency) {
        4
    } else {
        2
    }
}

/// `amount` rounded half-up (half away from zero) to `digits` decimals,
/// always written with exactly `digits` decimals.
///
/// ```
/// use accord_core::billing::round_money;
/// use rust_decimal::Decimal;
/// assert_eq!(round_money(Decimal::new(12345, 3), 2).to_string(), "12.35");
/// assert_eq!(round_money(Decimal::new(5, 0), 2).to_string(), "5.00");
/// ```
pub fn round_money(amount: Decimal, digits: u32) -> Decimal {
    let mut d = amount.round_dp_with_strategy(digits, RoundingStrategy::MidpointAwayFromZero);
    d.rescale(digits);
    d
}

/// billed seconds × hourly rate ÷ 3600, half-up to `digits` decimals; `None`
/// when out of range.
///
/// ```
/// use accord_core::billing::time_amount;
/// use rust_decimal::Decimal;
/// // 20 minutes at 100.00 an hour is 33.333… → 33.33; 9 seconds at 100.00 is 0.25 exactly.
/// assert_eq!(time_amount(1200, Decimal::new(10000, 2), 2).unwrap().to_string(), "33.33");
/// assert_eq!(time_amount(9, Decimal::new(10000, 2), 2).unwrap().to_string(), "0.25");
/// // half a cent rounds up: 27 seconds at 1.00 is 0.0075 → 0.01
/// assert_eq!(time_amount(27, Decimal::ONE, 2).unwrap().to_string(), "0.01");
/// ```
pub fn time_amount(billed_s: i64, rate: Decimal, digits: u32) -> Option<Decimal> {
    let exact = Decimal::from(billed_s)
        .checked_mul(rate)?
        .checked_div(Decimal::from(3600))?;
    Some(round_money(exact, digits))
}

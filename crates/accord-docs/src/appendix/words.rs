//! Plain-language phrasing shared by documents: dates, durations, money,
//! shares, weekly hours, names of roles and pause reasons.

use accord_core::BusinessDuration;
use accord_core::calendar::{CalendarRules, DayHours};
use jiff::civil::{Date, Weekday};
use rust_decimal::Decimal;

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const DAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// `31 March 2026`.
pub fn date(d: Date) -> String {
    format!(
        "{} {} {}",
        d.day(),
        MONTHS[usize::from(d.month().unsigned_abs()) - 1],
        d.year()
    )
}

/// `Tuesday 31 March 2026`.
pub fn date_with_weekday(d: Date) -> String {
    format!("{} {}", weekday(d.weekday()), date(d))
}

/// `Monday`.
pub fn weekday(w: Weekday) -> &'static str {
    DAYS[usize::from(w.to_monday_zero_offset().unsigned_abs())]
}

/// Whether a calendar is open every instant (a 24x7 calendar).
pub fn round_the_clock(rules: &CalendarRules) -> bool {
    rules
        .weekly
        .iter()
        .all(|d| d.intervals().len() == 1 && d.open_seconds() == 86_400)
        && rules.holidays.is_empty()
        && rules.exceptions.is_empty()
}

fn plural(n: i64, one: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {one}s")
    }
}

/// A duration in words; `business` says whether it counts business time
/// only (`4 business hours`) or every hour (`4 hours`).
pub fn duration(d: BusinessDuration, business: bool) -> String {
    let s = d.as_secs();
    let (h, m, sec) = (s / 3600, s % 3600 / 60, s % 60);
    let unit = |u: &str| {
        if business {
            format!("business {u}")
        } else {
            u.to_string()
        }
    };
    if sec != 0 {
        return plural(s, &unit("second"));
    }
    match (h, m) {
        (0, m) => plural(m, &unit("minute")),
        (h, 0) => plural(h, &unit("hour")),
        (h, m) if business => format!(
            "{} {} of business time",
            plural(h, "hour"),
            plural(m, "minute")
        ),
        (h, m) => format!("{} {}", plural(h, "hour"), plural(m, "minute")),
    }
}

/// `19%`, `92.5%`: a share as a percentage without trailing zeros.
pub fn percent(share: Decimal) -> String {
    format!("{}%", (share * Decimal::ONE_HUNDRED).normalize())
}

/// `EUR 2,500.00`: an amount with two decimals and thousands separators.
pub fn money(amount: Decimal, currency: &str) -> String {
    let rounded = amount.round_dp(2);
    let text = format!("{:.2}", rounded.abs());
    let (int, frac) = text.split_once('.').unwrap_or((&text, "00"));
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let sign = if rounded.is_sign_negative() && !rounded.is_zero() {
        "-"
    } else {
        ""
    };
    let amount = format!("{sign}{grouped}.{frac}");
    if currency.is_empty() {
        amount
    } else {
        format!("{currency} {amount}")
    }
}

/// `account_manager` -> `account manager`.
pub fn role(name: &str) -> String {
    name.replace('_', " ")
}

/// What a pause reason means, for the people signing.
pub fn pause_reason(reason: &str) -> String {
    match reason {
        "data_dependency" => {
            "waiting for data, files or access that the client must provide".into()
        }
        "approval" => "waiting for the client's approval or sign-off".into(),
        "change_management" => {
            "waiting for the client's change-management process, such as a change window".into()
        }
        "client_communication" => "waiting for the client to answer a question".into(),
        "pending_payment" => "waiting for an overdue payment".into(),
        "work_review" => "waiting for the client to review delivered work".into(),
        other => format!("waiting on the client: {}", role(other)),
    }
}

/// Weekly hours in words, grouping consecutive days with the same hours:
/// `Monday to Friday: 09:00–17:00; Saturday and Sunday: closed`.
pub fn weekly_hours(weekly: &[DayHours; 7]) -> String {
    if weekly.iter().all(|d| d == &weekly[0]) {
        return format!("Every day: {}", hours(&weekly[0]));
    }
    let mut parts = Vec::new();
    let mut start = 0;
    while start < 7 {
        let mut end = start;
        while end + 1 < 7 && weekly[end + 1] == weekly[start] {
            end += 1;
        }
        let days = match end - start {
            0 => DAYS[start].to_string(),
            1 => format!("{} and {}", DAYS[start], DAYS[end]),
            _ => format!("{} to {}", DAYS[start], DAYS[end]),
        };
        parts.push(format!("{days}: {}", hours(&weekly[start])));
        start = end + 1;
    }
    parts.join("; ")
}

/// `09:00–12:00, 13:00–17:00` or `closed`.
pub fn hours(day: &DayHours) -> String {
    day.to_string().replace('-', "–")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_naturally() {
        let d = |s: &str| s.parse::<BusinessDuration>().unwrap();
        assert_eq!(duration(d("4h"), true), "4 business hours");
        assert_eq!(duration(d("1h"), true), "1 business hour");
        assert_eq!(duration(d("30m"), false), "30 minutes");
        assert_eq!(
            duration(d("1h30m"), true),
            "1 hour 30 minutes of business time"
        );
        assert_eq!(duration(d("1h30m"), false), "1 hour 30 minutes");
    }

    #[test]
    fn money_and_shares_are_exact() {
        assert_eq!(money("2500".parse().unwrap(), "EUR"), "EUR 2,500.00");
        assert_eq!(
            money("1234567.891".parse().unwrap(), "USD"),
            "USD 1,234,567.89"
        );
        assert_eq!(money("125".parse().unwrap(), ""), "125.00");
        assert_eq!(percent("0.925".parse().unwrap()), "92.5%");
        assert_eq!(percent("0.19".parse().unwrap()), "19%");
    }

    #[test]
    fn weekly_hours_group_equal_days() {
        let nine_five = DayHours::new(vec!["09:00-17:00".parse().unwrap()]).unwrap();
        let mut weekly: [DayHours; 7] = Default::default();
        weekly[..5].iter_mut().for_each(|d| *d = nine_five.clone());
        assert_eq!(
            weekly_hours(&weekly),
            "Monday to Friday: 09:00–17:00; Saturday and Sunday: closed"
        );
        weekly[2] = DayHours::closed();
        assert_eq!(
            weekly_hours(&weekly),
            "Monday and Tuesday: 09:00–17:00; Wednesday: closed; Thursday and Friday: 09:00–17:00; Saturday and Sunday: closed"
        );
    }
}

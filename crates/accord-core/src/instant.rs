//! How instants are printed in every output of Accord (SPEC §10): RFC 3339
//! in UTC with a `Z`, to the whole second, e.g. `2026-03-02T08:00:00Z`.
//!
//! [`format`] is the one definition; [`write`] is the same bytes appended to
//! a buffer without going through `fmt`, for writers of many instants (the
//! JSON output of `accord clocks`), and [`Rfc3339`] the same text as a
//! `Display` value. [`parse`] is the one reader of instants in inputs.

use std::fmt;

use jiff::Timestamp;

/// Reads an instant as RFC 3339 writes one, strictly: `YYYY-MM-DDTHH:MM:SS`,
/// an optional fraction of any length, and `Z` or an offset `±HH:MM` with
/// hours 00–23 (`T` and `Z` in either case). Refused with the reason: a
/// missing offset, an offset RFC 3339 does not allow (`+25:00`,
/// `+01:00:30`), and a leap second (`23:59:60`: Accord counts time as POSIX
/// does, without them, so it would silently become `:59`). A fraction
/// beyond nanoseconds is cut to nanoseconds.
///
/// ```
/// use accord_core::instant;
/// let t = instant::parse("2026-03-02T09:00:00.123456789012+01:00").unwrap();
/// assert_eq!(instant::format(t), "2026-03-02T08:00:00Z");
/// assert!(instant::parse("2026-03-02T09:00:00+25:00").unwrap_err().contains("offset"));
/// assert!(instant::parse("2026-12-31T23:59:60Z").unwrap_err().contains("leap second"));
/// assert!(instant::parse("2026-03-02T09:00:00").unwrap_err().contains("offset"));
/// ```
pub fn parse(text: &str) -> Result<Timestamp, String> {
    let b = text.as_bytes();
    let digits = |r: std::ops::Range<usize>| {
        b.get(r.clone())
            .is_some_and(|d| d.iter().all(u8::is_ascii_digit))
    };
    let shape_ok = b.len() >= 20
        && digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10)
        && matches!(b[10], b'T' | b't')
        && digits(11..13)
        && b[13] == b':'
        && digits(14..16)
        && b[16] == b':'
        && digits(17..19);
    if !shape_ok {
        return Err(
            "not an RFC 3339 date and time like 2026-03-02T08:00:00Z (YYYY-MM-DDTHH:MM:SS and an offset)".into(),
        );
    }
    if &b[17..19] == b"60" {
        return Err("a leap second (:60) is not accepted: Accord counts time without leap seconds; write :59".into());
    }
    // The fraction, cut to nanoseconds.
    let mut end = 19;
    if b.get(19) == Some(&b'.') {
        end = 20;
        while b.get(end).is_some_and(u8::is_ascii_digit) {
            end += 1;
        }
        if end == 20 {
            return Err("a `.` must be followed by the fraction's digits".into());
        }
    }
    let offset = &text[end..];
    let offset_ok = match offset.as_bytes() {
        [b'Z' | b'z'] => true,
        [b'+' | b'-', h1, h2, b':', m1, m2] => {
            [h1, h2, m1, m2].iter().all(|d| d.is_ascii_digit())
                && (h1 - b'0') * 10 + (h2 - b'0') <= 23
                && (m1 - b'0') * 10 + (m2 - b'0') <= 59
        }
        _ => false,
    };
    if !offset_ok {
        return Err(if offset.is_empty() {
            "the offset is missing: end with Z (UTC) or an offset like +01:00".to_string()
        } else {
            format!("`{offset}` is not an RFC 3339 offset: Z, or ±HH:MM with hours 00–23")
        });
    }
    let fraction = &text[19..end];
    let kept = if fraction.len() > 10 {
        &fraction[..10]
    } else {
        fraction
    };
    let normal = format!(
        "{}T{}{kept}{}",
        &text[..10],
        &text[11..19],
        if offset == "z" { "Z" } else { offset }
    );
    normal.parse::<Timestamp>().map_err(|e| e.to_string())
}

/// The instant as SPEC §10 prints it: RFC 3339, UTC, `Z`, whole seconds (a
/// fraction of a second is dropped: the instant's own second is printed).
///
/// ```
/// use accord_core::instant;
/// let t: jiff::Timestamp = "2026-03-02T09:00:00.750+01:00".parse()?;
/// assert_eq!(instant::format(t), "2026-03-02T08:00:00Z");
/// # Ok::<(), jiff::Error>(())
/// ```
pub fn format(t: Timestamp) -> String {
    let mut buf = Vec::with_capacity(20);
    write(&mut buf, t);
    String::from_utf8(buf).unwrap_or_else(|_| whole_second(t).to_string())
}

/// Appends [`format`]`(t)` to `buf`: the same bytes.
///
/// ```
/// use accord_core::instant;
/// let mut buf = b"at ".to_vec();
/// instant::write(&mut buf, "2026-03-02T08:00:00Z".parse()?);
/// assert_eq!(buf, b"at 2026-03-02T08:00:00Z");
/// # Ok::<(), jiff::Error>(())
/// ```
pub fn write(buf: &mut Vec<u8>, t: Timestamp) {
    let t = whole_second(t);
    let secs = t.as_second();
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    if !(1..=9999).contains(&year) {
        // Outside RFC 3339's four-digit years: jiff's extended form.
        buf.extend_from_slice(t.to_string().as_bytes());
        return;
    }
    let two = |n: i64| [b'0' + (n / 10) as u8, b'0' + (n % 10) as u8];
    let [y0, y1] = two(year / 100);
    let [y2, y3] = two(year % 100);
    let [m0, m1] = two(month);
    let [d0, d1] = two(day);
    let [h0, h1] = two(rem / 3_600);
    let [n0, n1] = two(rem / 60 % 60);
    let [s0, s1] = two(rem % 60);
    buf.extend_from_slice(&[
        y0, y1, y2, y3, b'-', m0, m1, b'-', d0, d1, b'T', h0, h1, b':', n0, n1, b':', s0, s1, b'Z',
    ]);
}

/// An instant that displays as [`format`] prints it.
///
/// ```
/// use accord_core::instant::Rfc3339;
/// let t: jiff::Timestamp = "2026-03-02T08:00:00Z".parse()?;
/// assert_eq!(format!("due {}", Rfc3339(t)), "due 2026-03-02T08:00:00Z");
/// # Ok::<(), jiff::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Rfc3339(pub Timestamp);

impl fmt::Display for Rfc3339 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&format(self.0))
    }
}

/// The start of the second `t` falls in.
fn whole_second(t: Timestamp) -> Timestamp {
    let secs = t.as_second() - i64::from(t.subsec_nanosecond() < 0);
    Timestamp::from_second(secs).unwrap_or(t)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// The definition: jiff's RFC 3339 form of the whole second.
    fn reference(t: Timestamp) -> String {
        whole_second(t).to_string()
    }

    #[test]
    fn instants_print_as_rfc3339_utc_whole_seconds() {
        for secs in [
            0,
            -1,
            951_782_400,
            1_772_438_400,
            1_709_164_799,
            -62_135_596_800,
            253_402_200_000,
            -62_135_596_801,
            -100_000_000_000,
        ] {
            let t = Timestamp::from_second(secs).unwrap();
            assert_eq!(format(t), reference(t), "{secs}");
        }
        let fraction = Timestamp::new(1_772_438_400, 500_000_000).unwrap();
        assert_eq!(format(fraction), "2026-03-02T08:00:00Z");
        let before_epoch = Timestamp::new(-1, -500_000_000).unwrap();
        assert_eq!(format(before_epoch), "1969-12-31T23:59:58Z");
        assert_eq!(
            format(before_epoch),
            before_epoch.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
        );
    }

    proptest! {
        #[test]
        fn the_fast_writer_is_byte_equal_to_the_definition(
            secs in Timestamp::MIN.as_second()..=Timestamp::MAX.as_second(),
            nanos in 0..1_000_000_000i32,
        ) {
            let t = Timestamp::from_second(secs).unwrap();
            let t = Timestamp::new(secs, if secs < Timestamp::MAX.as_second() { nanos } else { 0 })
                .unwrap_or(t);
            prop_assert_eq!(format(t), reference(t));
            prop_assert_eq!(Rfc3339(t).to_string(), reference(t));
            if (0..=253_402_300_799).contains(&secs) {
                prop_assert_eq!(format(t), t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string());
            }
        }
    }
}

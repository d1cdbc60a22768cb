//! Opening hours of one day: sorted, non-overlapping intervals of local wall
//! time, as written in a contract (`"09:00-17:00"`, `"00:00-24:00"`; SPEC §3).

use std::fmt;
use std::str::FromStr;

/// Seconds in a civil day; the largest value an interval end may take (`24:00`).
pub const DAY_SECONDS: u32 = 86_400;

/// A span `[start, end)` of local wall time within one day, in seconds after
/// midnight. `end` may be `24:00` (86 400), meaning "until the end of the day".
///
/// ```
/// use accord_core::calendar::OpeningInterval;
/// let morning: OpeningInterval = "09:00-12:30".parse().unwrap();
/// assert_eq!((morning.start(), morning.end()), (32_400, 45_000));
/// assert_eq!(morning.to_string(), "09:00-12:30");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct OpeningInterval {
    start: u32,
    end: u32,
}

/// Why a written opening interval or a day's hours are not valid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HoursError {
    /// Not of the shape `HH:MM-HH:MM`.
    #[error("`{0}` is not an interval: write it as \"HH:MM-HH:MM\", e.g. \"09:00-17:00\"")]
    Malformed(String),
    /// An hour or minute out of range (`25:00`, `09:60`, or `24:30`).
    #[error("`{0}` is not a time of day: hours run 00..23 (or 24:00 as an end), minutes 00..59")]
    BadTime(String),
    /// The end is not after the start (`17:00-09:00`, `09:00-09:00`).
    #[error(
        "interval `{0}` ends before it starts: write the earlier time first; an interval cannot cross midnight, split it at 24:00"
    )]
    Inverted(String),
    /// Two intervals of the same day overlap.
    #[error("intervals `{0}` and `{1}` overlap: merge them into one or make them disjoint")]
    Overlap(OpeningInterval, OpeningInterval),
}

impl OpeningInterval {
    /// An interval from `start` to `end` seconds after midnight.
    pub fn new(start: u32, end: u32) -> Result<Self, HoursError> {
        let iv = OpeningInterval { start, end };
        if end > DAY_SECONDS || start >= DAY_SECONDS {
            return Err(HoursError::BadTime(iv.to_string()));
        }
        if end <= start {
            return Err(HoursError::Inverted(iv.to_string()));
        }
        Ok(iv)
    }

    /// Seconds after local midnight at which the interval opens.
    pub fn start(self) -> u32 {
        self.start
    }

    /// Seconds after local midnight at which the interval closes (86 400 for `24:00`).
    pub fn end(self) -> u32 {
        self.end
    }
}

fn parse_time(text: &str, whole: &str, allow_24: bool) -> Result<u32, HoursError> {
    let malformed = || HoursError::Malformed(whole.to_string());
    let (h, m) = text.trim().split_once(':').ok_or_else(malformed)?;
    let digits = |s: &str| s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(h) || !digits(m) {
        return Err(malformed());
    }
    let (h, m): (u32, u32) = (
        h.parse().map_err(|_| malformed())?,
        m.parse().map_err(|_| malformed())?,
    );
    let ok = m < 60 && (h < 24 || (allow_24 && h == 24 && m == 0));
    if !ok {
        return Err(HoursError::BadTime(text.trim().to_string()));
    }
    Ok(h * 3600 + m * 60)
}

impl FromStr for OpeningInterval {
    type Err = HoursError;

    fn from_str(s: &str) -> Result<Self, HoursError> {
        let (a, b) = s
            .split_once('-')
            .ok_or_else(|| HoursError::Malformed(s.to_string()))?;
        let start = parse_time(a, s, false)?;
        let end = parse_time(b, s, true)?;
        if end <= start {
            return Err(HoursError::Inverted(s.trim().to_string()));
        }
        Ok(OpeningInterval { start, end })
    }
}

impl fmt::Display for OpeningInterval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let hm = |s: u32| (s / 3600, s % 3600 / 60);
        let ((h1, m1), (h2, m2)) = (hm(self.start), hm(self.end));
        write!(f, "{h1:02}:{m1:02}-{h2:02}:{m2:02}")
    }
}

/// The opening intervals of one day, sorted and non-overlapping. Touching
/// intervals (`09:00-12:00`, `12:00-17:00`) are allowed and behave as one.
/// Empty means closed all day.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct DayHours(Vec<OpeningInterval>);

impl DayHours {
    /// A closed day.
    pub const fn closed() -> Self {
        DayHours(Vec::new())
    }

    /// Sorts the intervals and rejects overlaps.
    ///
    /// ```
    /// use accord_core::calendar::DayHours;
    /// let day = DayHours::new(vec!["13:00-17:00".parse().unwrap(), "09:00-12:00".parse().unwrap()]).unwrap();
    /// assert_eq!(day.open_seconds(), 7 * 3600);
    /// assert!(DayHours::new(vec!["09:00-12:00".parse().unwrap(), "11:00-13:00".parse().unwrap()]).is_err());
    /// ```
    pub fn new(mut intervals: Vec<OpeningInterval>) -> Result<Self, HoursError> {
        intervals.sort();
        for pair in intervals.windows(2) {
            if pair[1].start < pair[0].end {
                return Err(HoursError::Overlap(pair[0], pair[1]));
            }
        }
        Ok(DayHours(intervals))
    }

    /// The intervals, in order.
    pub fn intervals(&self) -> &[OpeningInterval] {
        &self.0
    }

    /// Whether the day has no opening at all.
    pub fn is_closed(&self) -> bool {
        self.0.is_empty()
    }

    /// Nominal open seconds (wall-clock; a DST day may differ in real time).
    pub fn open_seconds(&self) -> u32 {
        self.0.iter().map(|iv| iv.end - iv.start).sum()
    }
}

impl fmt::Display for DayHours {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("closed");
        }
        for (i, iv) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{iv}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_day_is_written_as_24_00() {
        let iv: OpeningInterval = "00:00-24:00".parse().unwrap();
        assert_eq!((iv.start(), iv.end()), (0, DAY_SECONDS));
    }

    #[test]
    fn rejects_bad_shapes_and_times_with_the_reason() {
        assert!(matches!(
            "9-17".parse::<OpeningInterval>(),
            Err(HoursError::Malformed(_))
        ));
        assert!(matches!(
            "09:00".parse::<OpeningInterval>(),
            Err(HoursError::Malformed(_))
        ));
        assert!(matches!(
            "25:00-26:00".parse::<OpeningInterval>(),
            Err(HoursError::BadTime(_))
        ));
        assert!(matches!(
            "09:60-10:00".parse::<OpeningInterval>(),
            Err(HoursError::BadTime(_))
        ));
        assert!(matches!(
            "24:00-24:00".parse::<OpeningInterval>(),
            Err(HoursError::BadTime(_))
        ));
        assert!(matches!(
            "17:00-09:00".parse::<OpeningInterval>(),
            Err(HoursError::Inverted(_))
        ));
        assert!(matches!(
            "09:00-09:00".parse::<OpeningInterval>(),
            Err(HoursError::Inverted(_))
        ));
    }

    #[test]
    fn touching_intervals_are_allowed_overlapping_are_not() {
        let p = |s: &str| s.parse::<OpeningInterval>().unwrap();
        assert!(DayHours::new(vec![p("12:00-17:00"), p("09:00-12:00")]).is_ok());
        let err = DayHours::new(vec![p("09:00-12:00"), p("11:59-13:00")]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "intervals `09:00-12:00` and `11:59-13:00` overlap: merge them into one or make them disjoint"
        );
    }
}

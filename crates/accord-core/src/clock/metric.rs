//! The metrics a contract can set targets for (SPEC §4).

use std::fmt;
use std::str::FromStr;

/// One measured service level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Metric {
    /// From `opened` to the first provider reply.
    FirstResponse,
    /// From an unanswered client message to the next provider reply; one cycle per message burst.
    NextResponse,
    /// From `opened` to `resolved`; `reopened` resumes it.
    Resolution,
    /// While unresolved, the provider posts at least every so often.
    PeriodicUpdate,
}

impl Metric {
    /// Every metric, in the order reports list them.
    pub const ALL: [Metric; 4] = [
        Metric::FirstResponse,
        Metric::NextResponse,
        Metric::Resolution,
        Metric::PeriodicUpdate,
    ];

    /// The name used in contracts and machine output.
    pub fn as_str(self) -> &'static str {
        match self {
            Metric::FirstResponse => "first_response",
            Metric::NextResponse => "next_response",
            Metric::Resolution => "resolution",
            Metric::PeriodicUpdate => "periodic_update",
        }
    }
}

/// A name that is not a metric.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown metric `{0}`: use first_response, next_response, resolution or periodic_update")]
pub struct UnknownMetric(pub String);

impl FromStr for Metric {
    type Err = UnknownMetric;

    fn from_str(s: &str) -> Result<Self, UnknownMetric> {
        Metric::ALL
            .into_iter()
            .find(|m| m.as_str() == s)
            .ok_or_else(|| UnknownMetric(s.to_string()))
    }
}

impl fmt::Display for Metric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for m in Metric::ALL {
            assert_eq!(m.as_str().parse::<Metric>().unwrap(), m);
        }
        assert!("first-response".parse::<Metric>().is_err());
    }
}

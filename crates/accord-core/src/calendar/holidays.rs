//! TEMPORARY stub, replaced by the real module.
use jiff::civil::Date;
use std::collections::BTreeSet;
/// Holidays.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Holidays {
    dates: BTreeSet<Date>,
}
/// Rule.
#[derive(Debug, Clone, PartialEq)]
pub struct YearlyHoliday;
/// Pattern.
#[derive(Debug, Clone, PartialEq)]
pub enum YearlyPattern {}
impl Holidays {
    /// New.
    pub fn new() -> Self {
        Self::default()
    }
    /// Add.
    pub fn add_date(&mut self, d: Date) {
        self.dates.insert(d);
    }
    /// Extend.
    pub fn extend(&mut self, o: Holidays) {
        self.dates.extend(o.dates);
    }
    /// Contains.
    pub fn contains(&self, d: Date) -> bool {
        self.dates.contains(&d)
    }
}

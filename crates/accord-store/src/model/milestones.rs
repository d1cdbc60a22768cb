//! Milestone event logs (SPEC §6, §10): what appending returns.

/// What [`Milestones::append`](crate::Milestones::append) did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MilestonesAppended {
    /// Events written.
    pub appended: usize,
    /// Events skipped as copies of stored ones (or of earlier ones in the
    /// batch).
    pub duplicates: usize,
}

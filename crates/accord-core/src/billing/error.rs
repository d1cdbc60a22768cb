//! Why an invoice cannot be computed (SPEC §8).

/// Why an invoice cannot be computed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BillingError {
    /// The contract agrees no billing terms.
    #[error("contract `{contract}` has no `[billing]` terms to invoice by")]
    NoBilling {
        /// The contract's id.
        contract: String,
    },
    /// The contract has no currency.
    #[error("contract `{contract}` has no `currency`")]
    NoCurrency {
        /// The contract's id.
        contract: String,
    },
    /// Two entries share an id.
    #[error("two time entries share the id `{id}`")]
    DuplicateId {
        /// The shared id.
        id: String,
    },
    /// An amount or a time is out of range.
    #[error("entry `{id}`: {what} is out of range")]
    OutOfRange {
        /// The entry's id (empty when about a total).
        id: String,
        /// What overflowed.
        what: String,
    },
}

//! The application layer's one error type, and how each front end shows it.

use crate::error::ApiError;
use crate::web::page::PageError;

/// Why a use case failed.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Absent, or not the caller's to see: indistinguishable on purpose.
    #[error("not found")]
    NotFound,
    /// The caller's role may not do this (SPEC §1: who may post what is
    /// decided here, once, for every path).
    #[error("{0}")]
    Forbidden(String),
    /// A value the caller sent is refused; `field` names it as the caller
    /// wrote it (e.g. `[2].at`).
    #[error("{field}: {detail}")]
    Invalid { field: String, detail: String },
    /// The store refused or failed.
    #[error(transparent)]
    Store(#[from] accord_store::Error),
    /// A fault of ours (a stored contract that no longer parses, ...):
    /// logged, never shown.
    #[error("{0}")]
    Internal(String),
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        match e {
            AppError::NotFound => ApiError::NotFound("not found".into()),
            AppError::Forbidden(why) => ApiError::Forbidden(why),
            AppError::Invalid { field, detail } => ApiError::Unprocessable {
                detail,
                place: crate::error::Place::field(field),
            },
            AppError::Store(e) => e.into(),
            AppError::Internal(e) => ApiError::Internal(e),
        }
    }
}

impl From<AppError> for PageError {
    fn from(e: AppError) -> Self {
        match e {
            AppError::NotFound => PageError::NotFound,
            AppError::Forbidden(why) => PageError::Forbidden(why),
            AppError::Invalid { detail, .. } => PageError::BadRequest(detail),
            AppError::Store(e) => e.into(),
            AppError::Internal(e) => PageError::Internal(e),
        }
    }
}

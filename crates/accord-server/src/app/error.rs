//! The application layer's one error type, and how each front end shows it.

use crate::error::ApiError;
use crate::web::page::PageError;

/// Why a use case failed.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Absent, or not the caller's to see: indistinguishable on purpose.
    #[error("not found")]
    NotFound,
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
            AppError::Store(e) => e.into(),
            AppError::Internal(e) => ApiError::Internal(e),
        }
    }
}

impl From<AppError> for PageError {
    fn from(e: AppError) -> Self {
        match e {
            AppError::NotFound => PageError::NotFound,
            AppError::Store(e) => e.into(),
            AppError::Internal(e) => PageError::Internal(e),
        }
    }
}

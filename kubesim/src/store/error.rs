//! Why a store operation did not happen.

/// Why a store operation did not happen: the store's own reasons, which the API layer
/// words as kube-apiserver does.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// No object under that key.
    #[error("not found")]
    NotFound,
    /// An object already exists under that key.
    #[error("already exists")]
    AlreadyExists,
    /// The caller's resourceVersion (or uid precondition) is not the stored one.
    #[error("conflict")]
    Conflict,
    /// The data directory could not record the change; nothing was changed.
    #[error("storage error: {0}")]
    Storage(String),
    /// The requested version is older than the retained history.
    #[error("too old resource version: {requested} ({oldest})")]
    Gone {
        /// The version asked for.
        requested: u64,
        /// The oldest version still retained.
        oldest: u64,
    },
}

/// Result alias for store operations.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

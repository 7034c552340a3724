//! The body of a pipeline request: the manifests' text, read only up to the pipeline's
//! size budget. A larger body is refused while it is being read (nothing past the budget
//! is buffered), in the same words as any other budget.

use super::error::AppError;
use crate::pipeline::TextError;
use crate::pipeline::parse::Budgets;
use axum::extract::{FromRequest, Request};

/// Manifests, as UTF-8 text within the size budget.
pub struct Manifests(pub String);

impl<S: Send + Sync> FromRequest<S> for Manifests {
    type Rejection = AppError;

    async fn from_request(request: Request, _: &S) -> Result<Self, Self::Rejection> {
        let most = Budgets::default().max_bytes;
        let bytes = axum::body::to_bytes(request.into_body(), most)
            .await
            .map_err(|_| {
                AppError::Manifests(TextError::whole(format!(
                    "the manifests are over {} KiB; at most {} KiB are accepted",
                    most / 1024,
                    most / 1024
                )))
            })?;
        String::from_utf8(bytes.to_vec())
            .map(Manifests)
            .map_err(|e| AppError::BadRequest(format!("the manifests are not UTF-8 text: {e}")))
    }
}

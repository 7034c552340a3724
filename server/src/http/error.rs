//! The one error type of the HTTP API. Every handler returns `Result<_, AppError>`; the
//! answer is `{"error": …}` (`app::model::api::ErrorBody`) with a status and a message fit
//! for the attendee. Our own failures (a database error, a bug) are logged once, with the
//! request id, and the answer names only that id: internals never reach the browser.

use super::request_id;
use crate::pipeline::TextError;
use crate::workspace::WorkspaceError;
use app::model::api::ErrorBody;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// Why a request failed.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The request itself is wrong (a missing parameter, a bad name).
    #[error("{0}")]
    BadRequest(String),
    /// The asker has not said who they are (a trainer's route without a trainer).
    #[error("{0}")]
    Unauthorized(String),
    /// Not the asker's to do.
    #[error("{0}")]
    Forbidden(String),
    /// Nothing of that name in the asker's workspace.
    #[error("{0}")]
    NotFound(String),
    /// Something already under way stands in the way (a reset still running).
    #[error("{0}")]
    Conflict(String),
    /// More than a request may carry.
    #[error("{0}")]
    TooLarge(String),
    /// More than one visitor may ask for now, or keep.
    #[error("{0}")]
    TooMany(String),
    /// The workshop cannot take more attendees now.
    #[error("{0}")]
    Full(String),
    /// The manifests' text was refused (syntax, budgets), located where possible.
    #[error("{0}")]
    Manifests(#[from] TextError),
    /// The cluster refused, in the API server's own words.
    #[error("{0}")]
    Cluster(String),
    /// Our side failed; `what` says what we were doing, `cause` goes to the log only.
    #[error("{what}")]
    Internal {
        what: &'static str,
        #[source]
        cause: Box<dyn std::error::Error + Send + Sync>,
    },
}

impl AppError {
    /// An internal failure while doing `what`.
    pub fn internal(
        what: &'static str,
        cause: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> AppError {
        AppError::Internal {
            what,
            cause: cause.into(),
        }
    }
}

impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        AppError::internal("using the database", e)
    }
}

impl From<kube::Error> for AppError {
    fn from(e: kube::Error) -> Self {
        match e {
            kube::Error::Api(status) => AppError::Cluster(status.message),
            other => AppError::internal("talking to the cluster", other),
        }
    }
}

impl From<WorkspaceError> for AppError {
    fn from(e: WorkspaceError) -> Self {
        match e {
            WorkspaceError::Cluster(e) => e.into(),
            stuck @ WorkspaceError::StillTerminating(..) => AppError::Cluster(stuck.to_string()),
            said => AppError::BadRequest(said.to_string()),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, body) = match self {
            AppError::BadRequest(m) => (StatusCode::BAD_REQUEST, plain(m)),
            AppError::Unauthorized(m) => (StatusCode::UNAUTHORIZED, plain(m)),
            AppError::Forbidden(m) => (StatusCode::FORBIDDEN, plain(m)),
            AppError::NotFound(m) => (StatusCode::NOT_FOUND, plain(m)),
            AppError::Conflict(m) => (StatusCode::CONFLICT, plain(m)),
            AppError::TooLarge(m) => (StatusCode::PAYLOAD_TOO_LARGE, plain(m)),
            AppError::TooMany(m) => (StatusCode::TOO_MANY_REQUESTS, plain(m)),
            AppError::Full(m) => (StatusCode::SERVICE_UNAVAILABLE, plain(m)),
            AppError::Manifests(e) => (
                StatusCode::BAD_REQUEST,
                ErrorBody {
                    error: e.message,
                    document: e.document,
                    line: e.line,
                },
            ),
            AppError::Cluster(m) => (StatusCode::BAD_GATEWAY, plain(m)),
            AppError::Internal { what, cause } => {
                let id = request_id::current().unwrap_or_else(|| "-".into());
                tracing::error!(request = %id, "{what}: {cause}");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    plain(format!(
                        "the server failed while {what}; it is noted in the server's log as request {id}"
                    )),
                )
            }
        };
        let mut response = (status, Json(body)).into_response();
        if status == StatusCode::UNAUTHORIZED {
            // What a client may answer a 401 with (RFC 9110): a trainer's bearer token.
            response.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static("Bearer realm=\"kubeclass trainers\""),
            );
        }
        response
    }
}

fn plain(error: String) -> ErrorBody {
    ErrorBody {
        error,
        document: None,
        line: None,
    }
}

//! Writing a response: JSON answers, errors as `Status` objects with their HTTP code.

use super::discovery;
use crate::status::ApiError;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

impl IntoResponse for ApiError {
    /// The `Status` object with the error's HTTP code.
    fn into_response(self) -> Response {
        let code = StatusCode::from_u16(self.code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        (code, axum::Json(self.to_status())).into_response()
    }
}

/// A JSON answer.
pub(super) fn json(status: StatusCode, value: Value) -> Response {
    (status, axum::Json(value)).into_response()
}

/// Aggregated discovery, with its media type.
pub(super) fn aggregated_response(value: Value) -> Response {
    let mut response = json(StatusCode::OK, value);
    if let Ok(v) = discovery::AGGREGATED_MEDIA_TYPE.parse() {
        response.headers_mut().insert(header::CONTENT_TYPE, v);
    }
    response
}

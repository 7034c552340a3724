//! Writing a response: JSON answers (in protobuf for a client that asks for it first),
//! errors as `Status` objects with their HTTP code.

use super::discovery;
use crate::status::ApiError;
use axum::body::Body;
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

/// `response` (a whole JSON object) in Kubernetes' protobuf, as client-go asks when it
/// sends `Accept: application/vnd.kubernetes.protobuf, */*`; kept as JSON when its kind
/// has no protobuf message (custom resources), which the client's `*/*` takes.
pub(super) async fn in_protobuf(response: Response) -> Response {
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return Response::from_parts(parts, Body::empty());
    };
    let wire = serde_json::from_slice::<Value>(&bytes)
        .ok()
        .and_then(|object| crate::protobuf::encode(&object));
    match wire {
        Some(wire) => {
            parts.headers.insert(
                header::CONTENT_TYPE,
                header::HeaderValue::from_static(crate::protobuf::MEDIA_TYPE),
            );
            parts.headers.remove(header::CONTENT_LENGTH);
            Response::from_parts(parts, Body::from(wire))
        }
        None => Response::from_parts(parts, Body::from(bytes)),
    }
}

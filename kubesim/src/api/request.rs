//! Reading a request: its body (bounded as kube-apiserver bounds it), decoded as JSON,
//! YAML or Kubernetes' protobuf, and who is writing.

use crate::registry::Params;
use crate::status::{ApiError, Result};
use axum::body::Body;
use axum::http::{HeaderMap, header};
use serde_json::Value;

/// Largest request body kube-apiserver accepts (3 MiB).
pub const MAX_BODY: usize = 3 * 1024 * 1024;

/// Who is writing: `fieldManager`, else the User-Agent's product name, as kube-apiserver
/// derives it.
pub(super) fn field_manager(params: &Params, headers: &HeaderMap) -> String {
    if let Some(m) = params.get("fieldManager") {
        return m.to_string();
    }
    let agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("unknown");
    agent
        .split('/')
        .next()
        .filter(|s| !s.is_empty())
        .unwrap_or("unknown")
        .to_string()
}

/// The request body, refused beyond [`MAX_BODY`].
pub(super) async fn read_body(body: Body) -> Result<Vec<u8>> {
    axum::body::to_bytes(body, MAX_BODY)
        .await
        .map(|b| b.to_vec())
        .map_err(|_| ApiError::too_large())
}

/// Decodes a create or update body: JSON, YAML or protobuf ([`crate::protobuf`]).
pub(super) fn decode(content_type: &str, body: &[u8]) -> Result<Value> {
    let media = content_type.split(';').next().unwrap_or("").trim();
    match media {
        "application/json" | "" => serde_json::from_slice(body).map_err(|e| {
            ApiError::bad_request(format!("the object provided is unrecognized: {e}"))
        }),
        "application/yaml" => serde_yaml::from_slice(body).map_err(|e| {
            ApiError::bad_request(format!("the object provided is unrecognized: {e}"))
        }),
        crate::protobuf::MEDIA_TYPE => crate::protobuf::decode(body).map_err(|e| match e {
            // Custom resources have no protobuf form: kube-apiserver takes JSON and YAML.
            crate::protobuf::ProtobufError::UnknownKind { .. } => {
                ApiError::unsupported_media_type("application/json, application/yaml")
            }
            e => ApiError::bad_request(format!("the object provided is unrecognized: {e}")),
        }),
        _ => Err(ApiError::unsupported_media_type(
            "application/json, application/yaml, application/vnd.kubernetes.protobuf",
        )),
    }
}

/// DeleteOptions: the body when there is one.
pub(super) fn delete_options(content_type: &str, body: &[u8]) -> Result<Value> {
    if body.is_empty() {
        Ok(Value::Null)
    } else {
        decode(content_type, body)
    }
}

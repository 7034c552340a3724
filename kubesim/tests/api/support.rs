//! Helpers shared by the integration tests.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use kubesim::Cluster;
use serde_json::Value;
use tower::ServiceExt;

/// The `Status` of a failed kube-rs call.
pub fn api_error(e: kube::Error) -> kube::core::Status {
    match e {
        kube::Error::Api(status) => *status,
        other => panic!("expected an API error, got {other:?}"),
    }
}

/// A raw request as the admin, straight to the router; returns the response.
pub async fn raw(
    cluster: &Cluster,
    method: &str,
    path: &str,
    content_type: &str,
    body: Vec<u8>,
) -> axum::response::Response {
    let request = Request::builder()
        .method(method)
        .uri(path)
        .header("authorization", format!("Bearer {}", cluster.admin_token()))
        .header("content-type", content_type)
        .body(Body::from(body))
        .expect("request");
    cluster.router().oneshot(request).await.expect("infallible")
}

/// A raw request; returns the status and the body as JSON (Null if it is not JSON).
pub async fn send(
    cluster: &Cluster,
    method: &str,
    path: &str,
    content_type: &str,
    body: Vec<u8>,
) -> (StatusCode, Value) {
    let response = raw(cluster, method, path, content_type, body).await;
    let status = response.status();
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

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
    let bytes = body_of(response).await;
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

/// A response's whole body.
pub async fn body_of(response: axum::response::Response) -> axum::body::Bytes {
    response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes()
}

/// GET `path` as the admin, as kubectl asks for what it prints: the server's Table.
pub async fn table(cluster: &Cluster, path: &str) -> Value {
    let request = Request::get(path)
        .header("authorization", format!("Bearer {}", cluster.admin_token()))
        .header("accept", "application/json;as=Table;v=v1;g=meta.k8s.io")
        .body(Body::empty())
        .expect("request");
    let response = cluster.router().oneshot(request).await.expect("infallible");
    serde_json::from_slice(&body_of(response).await).expect("a table")
}

/// Creates `value` through `api` (the admin's, usually), panicking on failure.
pub async fn create<K>(api: &kube::Api<K>, value: Value) -> K
where
    K: kube::Resource + Clone + serde::de::DeserializeOwned + serde::Serialize + std::fmt::Debug,
{
    api.create(
        &kube::api::PostParams::default(),
        &serde_json::from_value(value).expect("object"),
    )
    .await
    .expect("create")
}

/// A tenant as a workshop makes one: namespace `namespace` (with `labels`), a
/// ServiceAccount `tenant` bound there to the ClusterRole `admin`. Returns its token.
pub async fn tenant(cluster: &Cluster, namespace: &str, labels: Value) -> String {
    use k8s_openapi::api::authentication::v1::TokenRequest;
    use k8s_openapi::api::core::v1::{Namespace, ServiceAccount};
    use k8s_openapi::api::rbac::v1::RoleBinding;
    use kube::Api;
    use serde_json::json;
    let admin = cluster.client();
    create(
        &Api::<Namespace>::all(admin.clone()),
        json!({"metadata": {"name": namespace, "labels": labels}}),
    )
    .await;
    let accounts: Api<ServiceAccount> = Api::namespaced(admin.clone(), namespace);
    create(&accounts, json!({"metadata": {"name": "tenant"}})).await;
    create(&Api::<RoleBinding>::namespaced(admin, namespace), json!({
        "metadata": {"name": "tenant-admin"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "admin"},
        "subjects": [{"kind": "ServiceAccount", "name": "tenant", "namespace": namespace}]
    }))
    .await;
    let request: TokenRequest =
        serde_json::from_value(json!({"spec": {"audiences": []}})).expect("request");
    accounts
        .create_token_request("tenant", &kube::api::PostParams::default(), &request)
        .await
        .expect("token")
        .status
        .expect("status")
        .token
        .expect("token")
}

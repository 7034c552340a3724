//! Malformed and hostile requests get a clear `Status` and change nothing; the server
//! keeps serving. Raw HTTP through the router, as a client that is not kube-rs would send.

use crate::support::{raw, send};
use axum::http::StatusCode;
use kubesim::Cluster;
use serde_json::Value;

fn status(value: &Value) -> (&str, &str) {
    (
        value["reason"].as_str().unwrap_or_default(),
        value["message"].as_str().unwrap_or_default(),
    )
}

#[tokio::test]
async fn malformed_bodies_wrong_types_and_unknown_paths() {
    let cluster = Cluster::builder().build().expect("cluster");
    let cms = "/api/v1/namespaces/default/configmaps";

    let (code, body) = send(
        &cluster,
        "POST",
        cms,
        "application/json",
        b"{\"metadata\": {\"name\": ".to_vec(),
    )
    .await;
    assert_eq!(code, StatusCode::BAD_REQUEST);
    assert_eq!(body["kind"], "Status");
    assert!(
        status(&body)
            .1
            .starts_with("the object provided is unrecognized: "),
        "{body}"
    );

    let (code, _) = send(
        &cluster,
        "POST",
        cms,
        "application/yaml",
        b"metadata: [unclosed".to_vec(),
    )
    .await;
    assert_eq!(code, StatusCode::BAD_REQUEST);

    let (code, body) = send(&cluster, "POST", cms, "text/plain", b"hello".to_vec()).await;
    assert_eq!(code, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(status(&body).0, "UnsupportedMediaType");

    let (code, body) = send(
        &cluster,
        "PATCH",
        &format!("{cms}/x"),
        "application/json",
        b"{}".to_vec(),
    )
    .await;
    assert_eq!(code, StatusCode::NOT_FOUND, "{body}");

    let (code, body) = send(
        &cluster,
        "POST",
        cms,
        "application/json",
        b"[1, 2]".to_vec(),
    )
    .await;
    assert_eq!(code, StatusCode::BAD_REQUEST, "{body}");

    let (code, body) = send(
        &cluster,
        "POST",
        cms,
        "application/json",
        br#"{"apiVersion": "apps/v1", "kind": "ConfigMap", "metadata": {"name": "a"}}"#.to_vec(),
    )
    .await;
    assert_eq!(code, StatusCode::BAD_REQUEST);
    assert_eq!(
        status(&body).1,
        "the API version in the data (apps/v1) does not match the expected API version (v1)"
    );

    let (code, body) = send(
        &cluster,
        "POST",
        cms,
        "application/json",
        br#"{"metadata": {"name": "a", "namespace": "other"}}"#.to_vec(),
    )
    .await;
    assert_eq!(code, StatusCode::BAD_REQUEST);
    assert_eq!(
        status(&body).1,
        "the namespace of the provided object does not match the namespace sent on the request"
    );

    for path in [
        "/apis/example.com/v1/widgets",
        "/api/v2/pods",
        "/apis/apps/v1/namespaces/default/gadgets",
        "/nonsense",
    ] {
        let (code, body) = send(&cluster, "GET", path, "", Vec::new()).await;
        assert_eq!(code, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(
            status(&body),
            (
                "NotFound",
                "the server could not find the requested resource"
            ),
            "{path}"
        );
    }

    let (code, body) = send(&cluster, "PUT", cms, "application/json", b"{}".to_vec()).await;
    assert_eq!(code, StatusCode::METHOD_NOT_ALLOWED, "{body}");

    // Nothing above was stored, and the server still answers.
    let (code, list) = send(&cluster, "GET", cms, "", Vec::new()).await;
    assert_eq!(code, StatusCode::OK);
    assert_eq!(list["items"].as_array().map(Vec::len), Some(0));
}

#[tokio::test]
async fn bodies_over_three_mebibytes_are_refused() {
    let cluster = Cluster::builder().build().expect("cluster");
    let big = format!(
        "{{\"metadata\": {{\"name\": \"big\"}}, \"data\": {{\"x\": \"{}\"}}}}",
        "a".repeat(4 * 1024 * 1024)
    );
    let (code, body) = send(
        &cluster,
        "POST",
        "/api/v1/namespaces/default/configmaps",
        "application/json",
        big.into_bytes(),
    )
    .await;
    assert_eq!(code, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(
        status(&body),
        (
            "RequestEntityTooLarge",
            "Request entity too large: limit is 3145728"
        )
    );
}

#[tokio::test]
async fn selectors_and_continue_tokens_that_do_not_parse() {
    let cluster = Cluster::builder().build().expect("cluster");
    for query in [
        "labelSelector=app%20in%20web",
        "fieldSelector=spec.replicas%3D1",
        "continue=%%%",
        "limit=ten",
    ] {
        let (code, body) = send(
            &cluster,
            "GET",
            &format!("/api/v1/namespaces/default/configmaps?{query}"),
            "",
            Vec::new(),
        )
        .await;
        assert_eq!(code, StatusCode::BAD_REQUEST, "{query}: {body}");
        assert_eq!(status(&body).0, "BadRequest");
    }
}

#[tokio::test]
async fn unknown_fields_are_dropped_warned_about_or_refused() {
    let cluster = Cluster::builder().build().expect("cluster");
    let deployment = br#"{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
        "spec": {"replica": 2, "selector": {"matchLabels": {"app": "web"}},
        "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "a", "image": "nginx"}]}}}}"#;
    let path = "/apis/apps/v1/namespaces/default/deployments";
    let (code, body) = send(
        &cluster,
        "POST",
        &format!("{path}?fieldValidation=Strict"),
        "application/json",
        deployment.to_vec(),
    )
    .await;
    assert_eq!(code, StatusCode::BAD_REQUEST);
    assert_eq!(
        status(&body).1,
        "Deployment in version \"v1\" cannot be handled as a Deployment: strict decoding error: unknown field \"spec.replica\""
    );

    // The default, Warn: stored without the field, with a Warning header.
    let response = raw(
        &cluster,
        "POST",
        path,
        "application/json",
        deployment.to_vec(),
    )
    .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let warning = response
        .headers()
        .get("warning")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    assert_eq!(warning, r#"299 - "unknown field \"spec.replica\"""#);
    let (_, stored) = send(&cluster, "GET", &format!("{path}/web"), "", Vec::new()).await;
    assert!(stored["spec"].get("replica").is_none());
    assert_eq!(
        stored["spec"]["replicas"], 1,
        "defaulted, not taken from the misspelt field"
    );
}

#[tokio::test]
async fn duplicate_fields_are_refused_under_strict_and_warned_about_otherwise() {
    let cluster = Cluster::builder().build().expect("cluster");
    let deployment = br#"{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
        "spec": {"replicas": 2, "replicas": 3, "selector": {"matchLabels": {"app": "web"}},
        "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "a", "image": "nginx", "image": "nginx:1.27"}]}}}}"#;
    let path = "/apis/apps/v1/namespaces/default/deployments";
    let (code, body) = send(
        &cluster,
        "POST",
        &format!("{path}?fieldValidation=Strict"),
        "application/json",
        deployment.to_vec(),
    )
    .await;
    assert_eq!(code, StatusCode::BAD_REQUEST);
    assert_eq!(
        status(&body).1,
        "Deployment in version \"v1\" cannot be handled as a Deployment: strict decoding error: duplicate field \"spec.replicas\", duplicate field \"spec.template.spec.containers[0].image\""
    );
    let response = raw(
        &cluster,
        "POST",
        path,
        "application/json",
        deployment.to_vec(),
    )
    .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let warnings: Vec<String> = response
        .headers()
        .get_all("warning")
        .iter()
        .filter_map(|v| v.to_str().ok().map(str::to_string))
        .collect();
    assert_eq!(warnings[0], r#"299 - "duplicate field \"spec.replicas\"""#);
    let (_, stored) = send(&cluster, "GET", &format!("{path}/web"), "", Vec::new()).await;
    assert_eq!(
        stored["spec"]["replicas"], 3,
        "the last value wins, as in Go"
    );
}

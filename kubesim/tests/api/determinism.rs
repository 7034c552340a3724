//! The same seed, start time and requests give byte-identical responses: uids, generated
//! names, timestamps, resourceVersions and managedFields included.

use http_body_util::BodyExt;
use kubesim::Cluster;
use serde_json::json;

async fn transcript(seed: u64) -> Vec<u8> {
    let cluster = Cluster::builder()
        .seed(seed)
        .start_time("2026-01-01T00:00:00Z".parse().expect("time"))
        .build()
        .expect("cluster");
    let deployment = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"generateName": "web-"},
        "spec": {"selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "app", "image": "nginx"}]}}}});
    let steps: Vec<(&str, &str, &str, String)> = vec![
        ("POST", "/api/v1/namespaces", "application/json", json!({"metadata": {"name": "ws"}}).to_string()),
        ("POST", "/apis/apps/v1/namespaces/ws/deployments", "application/json", deployment.to_string()),
        ("POST", "/api/v1/namespaces/ws/pods", "application/json", json!({"metadata": {"name": "p"}, "spec": {"containers": [{"name": "a", "image": "busybox"}]}}).to_string()),
        ("PATCH", "/api/v1/namespaces/ws/pods/p?fieldManager=tester", "application/merge-patch+json", json!({"metadata": {"labels": {"x": "y"}}}).to_string()),
        ("GET", "/api/v1/namespaces/ws/pods", "", String::new()),
        ("GET", "/apis/apps/v1/namespaces/ws/deployments", "", String::new()),
    ];
    let mut out = Vec::new();
    for (i, (method, path, content_type, body)) in steps.into_iter().enumerate() {
        tokio::time::advance(std::time::Duration::from_secs(7 * i as u64)).await;
        let response =
            crate::support::raw(&cluster, method, path, content_type, body.into_bytes()).await;
        assert!(
            response.status().is_success(),
            "{method} {path}: {}",
            response.status()
        );
        out.extend(
            response
                .into_body()
                .collect()
                .await
                .expect("body")
                .to_bytes(),
        );
        out.push(b'\n');
    }
    out
}

#[tokio::test(start_paused = true)]
async fn the_same_inputs_give_the_same_bytes() {
    let a = transcript(11).await;
    let b = transcript(11).await;
    assert_eq!(String::from_utf8_lossy(&a), String::from_utf8_lossy(&b));
    let c = transcript(12).await;
    assert_ne!(a, c, "another seed gives other uids");
}

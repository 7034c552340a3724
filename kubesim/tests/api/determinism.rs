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
        // Sleeping (not advancing) lets every controller finish what it was doing before
        // the clock moves on, so each request meets the same settled cluster.
        tokio::time::sleep(std::time::Duration::from_millis(1 + 7000 * i as u64)).await;
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

/// Everything the controllers, scheduler and kubelet wrote about a small workload, in the
/// order the API server lists it (unsorted: the order is part of what must repeat).
async fn event_log(seed: u64) -> Vec<String> {
    let cluster = Cluster::builder()
        .seed(seed)
        .start_time("2026-01-01T00:00:00Z".parse().expect("time"))
        .build()
        .expect("cluster");
    // Let the fresh cluster settle first (paused time moves on only once it is idle).
    tokio::time::sleep(std::time::Duration::from_millis(1)).await;
    let deployment = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
        "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}},
            "spec": {"containers": [{"name": "app", "image": "kubeclass/demo-app:2.0",
                "livenessProbe": {"httpGet": {"path": "/healthz", "port": 8000}, "periodSeconds": 5}}]}}}});
    let response = crate::support::raw(
        &cluster,
        "POST",
        "/apis/apps/v1/namespaces/default/deployments",
        "application/json",
        deployment.to_string().into_bytes(),
    )
    .await;
    assert!(response.status().is_success());
    tokio::time::sleep(std::time::Duration::from_secs(120)).await;
    let response = crate::support::raw(&cluster, "GET", "/api/v1/events", "", Vec::new()).await;
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    let list: serde_json::Value = serde_json::from_slice(&bytes).expect("json");
    let log: Vec<String> = list["items"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| {
            format!(
                "{} {} {} {} x{} {}",
                e["metadata"]["name"],
                e["lastTimestamp"],
                e["involvedObject"]["name"],
                e["reason"],
                e["count"],
                e["message"]
            )
        })
        .collect();
    log
}

#[tokio::test(start_paused = true)]
async fn the_same_seed_and_inputs_give_the_same_event_log() {
    let first = event_log(5).await;
    assert!(first.len() > 20, "{first:?}");
    assert!(
        first.iter().any(|e| e.contains("failed liveness probe")),
        "the workload restarts"
    );
    assert_eq!(first, event_log(5).await);
}

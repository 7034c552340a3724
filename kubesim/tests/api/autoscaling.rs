//! Metrics and autoscaling: metrics-server's window, the CPU load brings to a server
//! whatever path it asks for, and an HPA scaling a Deployment up under load and back.

use crate::support::send;
use crate::workloads::{advance, cluster, events_for, pod};
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, PostParams};
use serde_json::{Value, json};

#[tokio::test(start_paused = true)]
async fn metrics_appear_after_one_window() {
    let cluster = cluster();
    let pods: Api<Pod> = Api::default_namespaced(cluster.client());
    pods.create(
        &PostParams::default(),
        &pod("web", json!({"name": "web", "image": "nginx:1.27"})),
    )
    .await
    .expect("create");
    advance(5).await;
    let path = "/apis/metrics.k8s.io/v1beta1/namespaces/default/pods";
    let (code, list) = send(&cluster, "GET", path, "", vec![]).await;
    assert_eq!(
        (code.as_u16(), list["items"].as_array().map(Vec::len)),
        (200, Some(0))
    );
    advance(20).await;
    let (_, list) = send(&cluster, "GET", path, "", vec![]).await;
    assert_eq!(
        list["items"][0]["containers"][0]["usage"]["memory"],
        "4096Ki"
    );
    let (code, missing) = send(&cluster, "GET", &format!("{path}/nope"), "", vec![]).await;
    assert_eq!(code.as_u16(), 404);
    assert_eq!(
        missing["message"],
        "podmetrics.metrics.k8s.io \"default/nope\" not found"
    );
}

/// What load costs a server shows in its CPU whatever the path: 400 requests a second to
/// the demo app's `/` use about 100m, as Go's net/http would on a kind node.
#[tokio::test(start_paused = true)]
async fn requests_to_any_path_raise_the_servers_cpu() {
    let cluster = cluster();
    let pods: Api<Pod> = Api::default_namespaced(cluster.client());
    let mut app = pod(
        "app",
        json!({"name": "app", "image": "kubeclass/demo-app:1.0", "ports": [{"containerPort": 8000}]}),
    );
    app.metadata.labels = Some([("app".to_string(), "app".to_string())].into());
    pods.create(&PostParams::default(), &app)
        .await
        .expect("app");
    let service = json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "app"},
        "spec": {"selector": {"app": "app"}, "ports": [{"port": 80, "targetPort": 8000}]}});
    let (code, _) = send(
        &cluster,
        "POST",
        "/api/v1/namespaces/default/services",
        "application/json",
        service.to_string().into_bytes(),
    )
    .await;
    assert_eq!(code.as_u16(), 201);
    advance(20).await;
    let cpu = |list: &Value| {
        let item = list["items"]
            .as_array()
            .and_then(|items| items.iter().find(|i| i["metadata"]["name"] == "app"));
        item.map(|i| i["containers"][0]["usage"]["cpu"].clone())
    };
    let path = "/apis/metrics.k8s.io/v1beta1/namespaces/default/pods";
    let (_, idle) = send(&cluster, "GET", path, "", vec![]).await;
    assert_eq!(cpu(&idle), Some(json!("1000000n")), "idle: {idle}");

    let mut load = pod(
        "load",
        json!({"name": "load", "image": "fortio/fortio", "args": ["load", "-qps", "400", "-c", "8", "-t", "60s", "-keepalive=false", "http://app/"]}),
    );
    load.spec.as_mut().expect("spec").restart_policy = Some("Never".into());
    pods.create(&PostParams::default(), &load)
        .await
        .expect("load");
    advance(30).await;
    let (_, busy) = send(&cluster, "GET", path, "", vec![]).await;
    assert_eq!(cpu(&busy), Some(json!("101000000n")), "under load: {busy}");

    advance(60).await;
    let (_, after) = send(&cluster, "GET", path, "", vec![]).await;
    assert_eq!(
        cpu(&after),
        Some(json!("1000000n")),
        "after the load: {after}"
    );
}

#[tokio::test(start_paused = true)]
async fn load_scales_a_deployment_through_its_hpa_and_back() {
    use k8s_openapi::api::apps::v1::Deployment;
    use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
    use k8s_openapi::api::core::v1::Service;
    let cluster = cluster();
    let client = cluster.client();
    let deployment: Deployment = serde_json::from_value(json!({
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "app"},
        "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "app"}},
            "template": {"metadata": {"labels": {"app": "app"}}, "spec": {"containers": [{
                "name": "app", "image": "kubeclass/demo-app:1.0", "ports": [{"containerPort": 8000}],
                "resources": {"requests": {"cpu": "100m"}, "limits": {"cpu": "200m"}}}]}}}})).expect("deployment");
    Api::<Deployment>::default_namespaced(client.clone())
        .create(&PostParams::default(), &deployment)
        .await
        .expect("deployment");
    let service: Service = serde_json::from_value(
        json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "app"},
        "spec": {"selector": {"app": "app"}, "ports": [{"port": 80, "targetPort": 8000}]}}),
    )
    .expect("service");
    Api::<Service>::default_namespaced(client.clone())
        .create(&PostParams::default(), &service)
        .await
        .expect("service");
    let hpa: HorizontalPodAutoscaler = serde_json::from_value(json!({
        "apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "app"},
        "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "app"},
            "minReplicas": 2, "maxReplicas": 6,
            "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 50}}}]}})).expect("hpa");
    let hpas: Api<HorizontalPodAutoscaler> = Api::default_namespaced(client.clone());
    hpas.create(&PostParams::default(), &hpa)
        .await
        .expect("hpa");
    advance(40).await;
    let status = hpas.get("app").await.expect("hpa").status.expect("status");
    assert_eq!(
        status.current_replicas,
        Some(2),
        "idle: stays at the minimum"
    );

    let load = json!({"name": "load", "image": "fortio/fortio", "args": ["load", "-qps", "4", "-c", "4", "-t", "120s", "http://app/stress?seconds=1"]});
    let mut load_pod = pod("load", load);
    load_pod.spec.as_mut().expect("spec").restart_policy = Some("Never".into());
    Api::<Pod>::default_namespaced(client.clone())
        .create(&PostParams::default(), &load_pod)
        .await
        .expect("load");
    advance(90).await;
    let status = hpas.get("app").await.expect("hpa").status.expect("status");
    assert!(status.current_replicas.unwrap_or(0) > 2, "{status:?}");
    let events = events_for(&cluster, "app").await;
    assert!(
        events.iter().any(|(r, m)| r == "SuccessfulRescale"
            && m.ends_with(
                "reason: cpu resource utilization (percentage of request) above target"
            )),
        "{events:?}"
    );

    // After the load, five minutes of stabilisation, then back to the minimum.
    advance(480).await;
    let status = hpas.get("app").await.expect("hpa").status.expect("status");
    assert_eq!(status.current_replicas, Some(2), "{status:?}");
    let events = events_for(&cluster, "app").await;
    assert!(
        events.iter().any(|(r, m)| r == "SuccessfulRescale"
            && m == "New size: 2; reason: All metrics below target"),
        "{events:?}"
    );
}

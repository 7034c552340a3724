//! What the kubelet runs in a container besides its program, on paused time: the
//! postStart hook (the pod waits for it; a failing one gets the container killed and
//! restarted) and exec probes that outlast their `timeoutSeconds`.

use crate::workloads::{advance, cluster, container_status, events_for, pod};
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, PostParams};
use serde_json::json;

#[tokio::test(start_paused = true)]
async fn a_post_start_hook_holds_the_pod_until_it_is_done() {
    let cluster = cluster();
    let pods: Api<Pod> = Api::default_namespaced(cluster.client());
    let hooked = json!({"name": "web", "image": "nginx:1.27",
        "lifecycle": {"postStart": {"exec": {"command": ["sh", "-c", "sleep 20"]}}}});
    pods.create(&PostParams::default(), &pod("hooked", hooked))
        .await
        .expect("create");
    // Started, but the kubelet waits for the hook: ContainerCreating, Pending.
    advance(10).await;
    let hooked = pods.get("hooked").await.expect("get");
    let status = container_status(&hooked);
    assert_eq!(
        status["state"]["waiting"]["reason"], "ContainerCreating",
        "{status}"
    );
    assert_eq!(
        hooked.status.and_then(|s| s.phase).as_deref(),
        Some("Pending")
    );
    let events = events_for(&cluster, "hooked").await;
    assert!(
        events.contains(&("Started".into(), "Started container web".into())),
        "{events:?}"
    );
    advance(15).await;
    let status = container_status(&pods.get("hooked").await.expect("get"));
    assert!(status["state"]["running"].is_object(), "{status}");
    assert_eq!(status["ready"], true, "{status}");
}

#[tokio::test(start_paused = true)]
async fn a_failing_post_start_hook_gets_the_container_killed_and_restarted() {
    let cluster = cluster();
    let pods: Api<Pod> = Api::default_namespaced(cluster.client());
    let failing = json!({"name": "web", "image": "nginx:1.27",
        "lifecycle": {"postStart": {"exec": {"command": ["sh", "-c", "exit 3"]}}}});
    pods.create(&PostParams::default(), &pod("failing", failing))
        .await
        .expect("create");
    advance(10).await;
    let status = container_status(&pods.get("failing").await.expect("get"));
    assert!(status["restartCount"].as_i64() >= Some(1), "{status}");
    let events = events_for(&cluster, "failing").await;
    for event in [
        ("FailedPostStartHook", "PostStartHook failed"),
        ("Killing", "FailedPostStartHook"),
    ] {
        assert!(
            events.contains(&(event.0.into(), event.1.into())),
            "{event:?} in {events:?}"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn an_exec_probe_that_outlasts_its_timeout_fails() {
    let cluster = cluster();
    let pods: Api<Pod> = Api::default_namespaced(cluster.client());
    let slow = |timeout: u64| json!({"exec": {"command": ["sh", "-c", "sleep 3"]}, "timeoutSeconds": timeout, "periodSeconds": 5});
    let container = json!({"name": "app", "image": "busybox:1.37", "command": ["sleep", "3600"],
        "readinessProbe": slow(5), "livenessProbe": slow(1)});
    pods.create(&PostParams::default(), &pod("slow", container))
        .await
        .expect("create");
    advance(8).await;
    // Within 5 s, ready; past 1 s, unhealthy in the container runtime's words.
    let status = container_status(&pods.get("slow").await.expect("get"));
    assert_eq!(status["ready"], true, "{status}");
    let events = events_for(&cluster, "slow").await;
    assert!(
        events.contains(&(
            "Unhealthy".into(),
            "Liveness probe failed: command timed out: \"sh -c sleep 3\" timed out after 1s".into()
        )),
        "{events:?}"
    );
}

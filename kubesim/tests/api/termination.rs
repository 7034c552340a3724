//! Graceful termination, on paused time: a deleted pod stays Terminating while its
//! kubelet runs the preStop hook, sends the stop signal and waits for the program to
//! exit in its own time — or, when it ignores the signal as `sleep` as PID 1 does, kills
//! it when the grace period ends. Controllers' deletions (scale-down, namespaces) take
//! the same path.

use crate::support::api_error;
use crate::workloads::{advance, cluster, container_status, events_for, pod};
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{Namespace, Pod};
use kube::api::{Api, DeleteParams, ListParams, LogParams, Patch, PatchParams, PostParams};
use serde_json::{Value, json};
use std::time::Duration;

fn sleeper(name: &str) -> Value {
    json!({"name": name, "image": "busybox:1.37", "command": ["sleep", "3600"]})
}

fn nginx(name: &str) -> Value {
    json!({"name": name, "image": "nginx:1.27"})
}

async fn gone(pods: &Api<Pod>, name: &str) -> bool {
    match pods.get(name).await {
        Ok(_) => false,
        Err(e) => api_error(e).code == 404,
    }
}

/// Each pod's NAME, READY and STATUS as `kubectl get pods` shows them (the server's table).
async fn statuses(cluster: &kubesim::Cluster, namespace: &str) -> Vec<(String, String, String)> {
    let table =
        crate::support::table(cluster, &format!("/api/v1/namespaces/{namespace}/pods")).await;
    table["rows"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|row| {
            let cell = |i: usize| row["cells"][i].as_str().unwrap_or_default().to_string();
            (cell(0), cell(1), cell(2))
        })
        .collect()
}

/// A `terminated` state's exit code and reason.
fn exit_of(terminated: &Value) -> (Option<i64>, Option<&str>) {
    (
        terminated["exitCode"].as_i64(),
        terminated["reason"].as_str(),
    )
}

async fn sleep_millis(millis: u64) {
    tokio::time::sleep(Duration::from_millis(millis)).await;
}

#[tokio::test(start_paused = true)]
async fn a_deleted_pod_stays_terminating_until_its_program_has_stopped() {
    let cluster = cluster();
    let pods: Api<Pod> = Api::default_namespaced(cluster.client());
    for (name, container) in [("web", nginx("web")), ("sleeper", sleeper("sleeper"))] {
        pods.create(&PostParams::default(), &pod(name, container))
            .await
            .expect("create");
    }
    advance(10).await;
    for name in ["web", "sleeper"] {
        let deleted = pods
            .delete(name, &DeleteParams::default())
            .await
            .expect("delete")
            .left()
            .expect("a running pod is not gone at once");
        // As kube-apiserver: the time the grace period ends, and the period.
        assert_eq!(
            deleted.metadata.deletion_timestamp.map(|t| t.0.to_string()),
            Some("2026-03-01T10:00:40Z".into())
        );
        assert_eq!(deleted.metadata.deletion_grace_period_seconds, Some(30));
    }

    // nginx's stop signal (SIGQUIT) is a graceful shutdown: gone in a moment.
    sleep_millis(50).await;
    let web = pods.get("web").await.expect("still stopping");
    assert!(container_status(&web)["state"]["running"].is_object());
    sleep_millis(1000).await;
    assert!(gone(&pods, "web").await);

    // `sleep` as PID 1 ignores SIGTERM: Terminating, still running, for the whole 30 s.
    advance(27).await;
    let sleeper = pods.get("sleeper").await.expect("still terminating");
    assert!(container_status(&sleeper)["state"]["running"].is_object());
    assert_eq!(
        statuses(&cluster, "default").await,
        [(
            "sleeper".to_string(),
            "1/1".to_string(),
            "Terminating".to_string()
        )]
    );
    advance(3).await;
    assert!(gone(&pods, "sleeper").await);

    for name in ["web", "sleeper"] {
        let events = events_for(&cluster, name).await;
        assert!(
            events.contains(&("Killing".into(), format!("Stopping container {name}"))),
            "{events:?}"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn a_finalizer_keeps_the_record_of_how_each_container_ended() {
    let cluster = cluster();
    let pods: Api<Pod> = Api::default_namespaced(cluster.client());
    let held = |name: &str, container: Value, grace: i64| -> Pod {
        let mut pod = pod(name, container);
        pod.metadata.finalizers = Some(vec!["example.com/hold".into()]);
        pod.spec
            .as_mut()
            .expect("spec")
            .termination_grace_period_seconds = Some(grace);
        pod
    };
    pods.create(&PostParams::default(), &held("web", nginx("web"), 30))
        .await
        .expect("create");
    pods.create(
        &PostParams::default(),
        &held("sleeper", sleeper("sleeper"), 3),
    )
    .await
    .expect("create");
    advance(10).await;
    for name in ["web", "sleeper"] {
        pods.delete(name, &DeleteParams::default())
            .await
            .expect("delete");
    }
    advance(4).await;

    // nginx exited 0 of its own; sleep was killed when its 3 s were up.
    let web = pods.get("web").await.expect("held");
    let terminated = &container_status(&web)["state"]["terminated"];
    assert_eq!(exit_of(terminated), (Some(0), Some("Completed")));
    assert_eq!(web.metadata.deletion_grace_period_seconds, Some(0));
    let sleeper = pods.get("sleeper").await.expect("held");
    let terminated = &container_status(&sleeper)["state"]["terminated"];
    assert_eq!(exit_of(terminated), (Some(137), Some("Error")));
    assert_eq!(
        sleeper.status.and_then(|s| s.phase).as_deref(),
        Some("Failed")
    );

    // What nginx said when signalled stays readable while the pod is held.
    let logs = pods.logs("web", &LogParams::default()).await.expect("logs");
    assert!(
        logs.contains("[notice] 1#1: signal 3 (SIGQUIT) received, shutting down")
            && logs.trim_end().ends_with("[notice] 1#1: exit"),
        "{logs}"
    );

    // Releasing the finalizer lets them go.
    for name in ["web", "sleeper"] {
        pods.patch(
            name,
            &PatchParams::default(),
            &Patch::Merge(json!({"metadata": {"finalizers": null}})),
        )
        .await
        .expect("release");
        assert!(gone(&pods, name).await, "{name}");
    }
}

#[tokio::test(start_paused = true)]
async fn a_pre_stop_hook_runs_before_the_signal_within_the_grace_period() {
    let cluster = cluster();
    let pods: Api<Pod> = Api::default_namespaced(cluster.client());
    let mut hooked = nginx("hooked");
    hooked["lifecycle"] = json!({"preStop": {"exec": {"command": ["/bin/sh", "-c", "sleep 10"]}}});
    let mut long = nginx("long");
    long["lifecycle"] = json!({"preStop": {"sleep": {"seconds": 40}}});
    for (name, container) in [("hooked", hooked), ("long", long)] {
        pods.create(&PostParams::default(), &pod(name, container))
            .await
            .expect("create");
    }
    advance(10).await;
    for name in ["hooked", "long"] {
        pods.delete(name, &DeleteParams::default())
            .await
            .expect("delete");
    }
    // The hook's 10 s, then nginx's moment.
    advance(9).await;
    assert!(!gone(&pods, "hooked").await);
    advance(2).await;
    assert!(gone(&pods, "hooked").await);
    // A hook longer than the grace period is cut short at 30 s; nginx, signalled then,
    // still gets its moment to quit.
    advance(18).await;
    assert!(!gone(&pods, "long").await);
    advance(2).await;
    assert!(gone(&pods, "long").await);
}

#[tokio::test(start_paused = true)]
async fn a_second_deletion_may_only_shorten_the_grace_period() {
    let cluster = cluster();
    let pods: Api<Pod> = Api::default_namespaced(cluster.client());
    for name in ["a", "b"] {
        pods.create(&PostParams::default(), &pod(name, sleeper(name)))
            .await
            .expect("create");
    }
    advance(10).await;
    pods.delete("a", &DeleteParams::default())
        .await
        .expect("delete");
    advance(5).await;
    // Asking for more changes nothing; asking for less brings the end nearer.
    let longer = DeleteParams {
        grace_period_seconds: Some(60),
        ..DeleteParams::default()
    };
    let again = pods.delete("a", &longer).await.expect("delete");
    let again = again.left().expect("still terminating");
    assert_eq!(again.metadata.deletion_grace_period_seconds, Some(30));
    let shorter = DeleteParams {
        grace_period_seconds: Some(1),
        ..DeleteParams::default()
    };
    let again = pods.delete("a", &shorter).await.expect("delete");
    let again = again.left().expect("still terminating");
    assert_eq!(again.metadata.deletion_grace_period_seconds, Some(1));
    assert_eq!(
        again.metadata.deletion_timestamp.map(|t| t.0.to_string()),
        Some("2026-03-01T10:00:16Z".into())
    );
    advance(2).await;
    assert!(gone(&pods, "a").await);

    // `--grace-period=0 --force`: gone at once.
    let force = DeleteParams {
        grace_period_seconds: Some(0),
        ..DeleteParams::default()
    };
    assert!(pods.delete("b", &force).await.expect("delete").is_right());
    assert!(gone(&pods, "b").await);
}

#[tokio::test(start_paused = true)]
async fn scale_down_and_namespace_deletion_wait_for_their_pods_to_stop() {
    let cluster = cluster();
    let client = cluster.client();
    let namespaces: Api<Namespace> = Api::all(client.clone());
    namespaces
        .create(
            &PostParams::default(),
            &serde_json::from_value(json!({"metadata": {"name": "lab"}})).expect("ns"),
        )
        .await
        .expect("namespace");
    let deployments: Api<Deployment> = Api::namespaced(client.clone(), "lab");
    let deployment = json!({"apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "sleepers"},
        "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "sleepers"}},
            "template": {"metadata": {"labels": {"app": "sleepers"}},
                "spec": {"containers": [sleeper("sleep")]}}}});
    deployments
        .create(
            &PostParams::default(),
            &serde_json::from_value(deployment).expect("deployment"),
        )
        .await
        .expect("deployment");
    advance(10).await;
    deployments
        .patch(
            "sleepers",
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"replicas": 1}})),
        )
        .await
        .expect("scale");
    advance(1).await;
    let pods: Api<Pod> = Api::namespaced(client.clone(), "lab");
    let terminating = |list: &[Pod]| {
        list.iter()
            .filter(|p| p.metadata.deletion_timestamp.is_some())
            .count()
    };
    let list = pods.list(&ListParams::default()).await.expect("pods").items;
    assert_eq!((list.len(), terminating(&list)), (2, 1));
    // kubectl's STATUS column says so.
    let mut shown: Vec<String> = statuses(&cluster, "lab")
        .await
        .into_iter()
        .map(|(_, _, status)| status)
        .collect();
    shown.sort();
    assert_eq!(shown, ["Running", "Terminating"]);
    advance(30).await;
    let list = pods.list(&ListParams::default()).await.expect("pods").items;
    assert_eq!((list.len(), terminating(&list)), (1, 0));

    // The namespace stays Terminating until its last pod has stopped.
    namespaces
        .delete("lab", &DeleteParams::default())
        .await
        .expect("delete");
    advance(20).await;
    let lab = namespaces.get("lab").await.expect("still terminating");
    assert_eq!(
        lab.status.and_then(|s| s.phase).as_deref(),
        Some("Terminating")
    );
    assert_eq!(
        pods.list(&ListParams::default())
            .await
            .expect("pods")
            .items
            .len(),
        1
    );
    advance(12).await;
    assert_eq!(
        api_error(namespaces.get("lab").await.expect_err("gone")).code,
        404
    );
}

#[tokio::test(start_paused = true)]
async fn a_failed_liveness_probe_stops_the_container_as_a_deletion_does() {
    let cluster = cluster();
    let pods: Api<Pod> = Api::default_namespaced(cluster.client());
    // demo-app 2.0 fails /healthz after 30 s; it handles SIGTERM, so it exits 0 at once.
    let app = json!({"name": "app", "image": "kubeclass/demo-app:2.0",
        "env": [{"name": "STARTUP_SECONDS", "value": "0"}],
        "livenessProbe": {"httpGet": {"path": "/healthz", "port": 8000}, "periodSeconds": 5, "failureThreshold": 2}});
    // A shell ignores it: killed when the probe's own grace period (5 s) ends.
    let shell = json!({"name": "shell", "image": "busybox:1.37", "command": ["sleep", "3600"],
        "livenessProbe": {"exec": {"command": ["cat", "/tmp/healthy"]}, "periodSeconds": 5,
            "failureThreshold": 1, "terminationGracePeriodSeconds": 5}});
    for (name, container) in [("expiring", app), ("shell", shell)] {
        pods.create(&PostParams::default(), &pod(name, container))
            .await
            .expect("create");
    }
    // The shell's probe fails at its first run, as it starts; 5 s later it is killed.
    advance(8).await;
    let status = container_status(&pods.get("shell").await.expect("get"));
    assert_eq!(status["restartCount"], 1, "{status}");
    let last = &status["lastState"]["terminated"];
    assert_eq!(exit_of(last), (Some(137), Some("Error")), "{status}");
    let events = events_for(&cluster, "shell").await;
    assert!(
        events.contains(&(
            "Killing".into(),
            "Container shell failed liveness probe, will be restarted".into()
        )),
        "{events:?}"
    );

    advance(37).await;
    let status = container_status(&pods.get("expiring").await.expect("get"));
    assert_eq!(status["restartCount"], 1, "{status}");
    let last = &status["lastState"]["terminated"];
    assert_eq!(exit_of(last), (Some(0), Some("Completed")), "{status}");
}

#[tokio::test(start_paused = true)]
async fn a_new_image_replaces_the_running_container() {
    let cluster = cluster();
    let pods: Api<Pod> = Api::default_namespaced(cluster.client());
    pods.create(&PostParams::default(), &pod("web", nginx("web")))
        .await
        .expect("create");
    pods.create(
        &PostParams::default(),
        &pod(
            "typo",
            json!({"name": "typo", "image": "nginx:no-such-tag"}),
        ),
    )
    .await
    .expect("create");
    advance(10).await;
    // `kubectl set image pod/NAME NAME=IMAGE`.
    let patch = |name: &str, image: &str| {
        Patch::Strategic(json!({"spec": {"containers": [{"name": name, "image": image}]}}))
    };
    pods.patch("web", &PatchParams::default(), &patch("web", "nginx:1.28"))
        .await
        .expect("set image");
    pods.patch(
        "typo",
        &PatchParams::default(),
        &patch("typo", "nginx:1.27"),
    )
    .await
    .expect("set image");
    advance(3).await;
    // One stuck on a typo starts at once with the corrected image, no back-off to wait out.
    let typo = pods.get("typo").await.expect("get");
    let status = container_status(&typo);
    assert!(status["state"]["running"].is_object(), "{status}");
    assert_eq!(status["restartCount"], 0, "{status}");
    advance(2).await;

    // The running nginx quit gracefully and its successor runs the new image.
    let web = pods.get("web").await.expect("get");
    let status = container_status(&web);
    assert_eq!(status["restartCount"], 1, "{status}");
    assert_eq!(status["image"], "docker.io/library/nginx:1.28");
    assert!(status["state"]["running"].is_object(), "{status}");
    assert_eq!(status["lastState"]["terminated"]["exitCode"], 0, "{status}");
    let events = events_for(&cluster, "web").await;
    let killing = (
        "Killing".to_string(),
        "Container web definition changed, will be restarted".to_string(),
    );
    let pulling = (
        "Pulling".to_string(),
        "Pulling image \"nginx:1.28\"".to_string(),
    );
    let at = |wanted: &(String, String)| events.iter().position(|e| e == wanted);
    assert!(
        at(&killing).is_some() && at(&killing) < at(&pulling),
        "{events:?}"
    );
}

//! The embedded cluster's default shape holds a room: 30 attendees rolling out the
//! Deployments lesson's app at once (3 replicas and a surge Pod each, 50m CPU and 32 MiB
//! requested) all get scheduled; the one-worker shape of kind's default would leave Pods
//! Pending with the scheduler's `Too many pods`.

use clap::Parser;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{Event, Namespace};
use kube::api::{Api, ListParams, Patch, PatchParams, PostParams};
use serde_json::json;
use server::config::Config;
use std::time::Duration;

const ROOM: usize = 30;

/// The server's options with `args` added (`--content-dir` is required).
fn options(args: &[&str]) -> Config {
    let mut all = vec!["kubeclass", "--content-dir", "."];
    all.extend(args);
    Config::try_parse_from(all).expect("options")
}

/// The lesson's Deployment, on `image`.
fn app(image: &str) -> serde_json::Value {
    json!({
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "go-http-app", "labels": {"app": "go-http-app"}},
        "spec": {"replicas": 3, "minReadySeconds": 5,
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}},
            "selector": {"matchLabels": {"app": "go-http-app"}},
            "template": {"metadata": {"labels": {"app": "go-http-app"}}, "spec": {"containers": [{
                "name": "go-http-app", "image": image, "ports": [{"containerPort": 8000}],
                "resources": {"requests": {"cpu": "50m", "memory": "32Mi"},
                              "limits": {"cpu": "200m", "memory": "64Mi"}}}]}}}
    })
}

/// Plays the room's rollout on a cluster of `config`'s shape: the `FailedScheduling`
/// messages seen, and how many Deployments ended fully updated and available.
async fn room_rollout(config: &Config) -> (Vec<String>, usize) {
    let cluster = kubesim::Cluster::builder()
        .seed(3)
        .nodes(server::cluster::embedded_nodes(&config.cluster))
        .build()
        .expect("cluster");
    let client = cluster.client();
    let namespaces: Api<Namespace> = Api::all(client.clone());
    for n in 0..ROOM {
        let ns = format!("attendee-{n}");
        let object = serde_json::from_value(json!({"metadata": {"name": ns}})).expect("ns");
        namespaces
            .create(&PostParams::default(), &object)
            .await
            .expect("namespace");
        let deployment: Deployment =
            serde_json::from_value(app("kubeclass/demo-app:1.0")).expect("deployment");
        Api::<Deployment>::namespaced(client.clone(), &ns)
            .create(&PostParams::default(), &deployment)
            .await
            .expect("deployment");
    }
    tokio::time::sleep(Duration::from_secs(60)).await;
    for n in 0..ROOM {
        let update = json!({"spec": {"template": {"spec": {"containers": [
            {"name": "go-http-app", "image": "kubeclass/demo-app:1.1"}]}}}});
        Api::<Deployment>::namespaced(client.clone(), &format!("attendee-{n}"))
            .patch(
                "go-http-app",
                &PatchParams::default(),
                &Patch::Strategic(update),
            )
            .await
            .expect("rollout");
    }
    tokio::time::sleep(Duration::from_secs(300)).await;
    let failed = Api::<Event>::all(client.clone())
        .list(&ListParams::default().fields("reason=FailedScheduling"))
        .await
        .expect("events")
        .items
        .into_iter()
        .filter_map(|e| e.message)
        .collect();
    let done = Api::<Deployment>::all(client)
        .list(&ListParams::default().labels("app=go-http-app"))
        .await
        .expect("deployments")
        .items
        .iter()
        .filter(|d| {
            let status = d.status.clone().unwrap_or_default();
            status.updated_replicas == Some(3) && status.available_replicas == Some(3)
        })
        .count();
    (failed, done)
}

#[tokio::test(start_paused = true)]
async fn the_default_embedded_cluster_holds_a_room_of_thirty_rolling_out() {
    let (failed, done) = room_rollout(&options(&[])).await;
    assert!(failed.is_empty(), "{failed:?}");
    assert_eq!(done, ROOM);

    let (failed, _) = room_rollout(&options(&["--embedded-workers", "1"])).await;
    assert!(
        failed.iter().any(|m| m.contains("Too many pods")),
        "one worker's 110 Pods cannot hold 120: {failed:?}"
    );
}

#[test]
fn the_workers_are_sized_by_the_options() {
    let config = options(&[
        "--embedded-workers",
        "3",
        "--embedded-worker-cpus",
        "16",
        "--embedded-worker-memory-mib",
        "65536",
        "--embedded-worker-pods",
        "250",
    ]);
    let nodes = server::cluster::embedded_nodes(&config.cluster);
    let names: Vec<&str> = nodes.iter().map(|n| n.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "kind-control-plane",
            "kind-worker",
            "kind-worker2",
            "kind-worker3"
        ]
    );
    assert!(
        nodes[1..]
            .iter()
            .all(|n| (n.cpu, n.memory_mib, n.pods) == (16, 65536, 250) && !n.control_plane)
    );
    assert!(
        Config::try_parse_from([
            "kubeclass",
            "--content-dir",
            ".",
            "--embedded-worker-pods",
            "0"
        ])
        .is_err(),
        "a worker that takes no Pod is refused"
    );
}

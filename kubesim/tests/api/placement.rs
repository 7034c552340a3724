//! The scheduler's rules between pods: required anti-affinity keeps replicas apart (and
//! leaves the extra one Pending with kube-scheduler's words), affinity brings a pod next
//! to another, topology spread counts every node it may use — a kind cluster's tainted
//! control plane included, unless `nodeTaintsPolicy: Honor` — and preferences weigh.

use crate::workloads::advance;
use k8s_openapi::api::core::v1::{Event, Pod};
use kube::api::{Api, ListParams, PostParams};
use kubesim::Cluster;
use kubesim::nodes::NodeSpec;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// kind's control plane and `workers` workers.
fn cluster(workers: usize) -> Cluster {
    let mut nodes = vec![NodeSpec::control_plane("kind-control-plane")];
    nodes.extend((1..=workers).map(|n| match n {
        1 => NodeSpec::worker("kind-worker"),
        n => NodeSpec::worker(&format!("kind-worker{n}")),
    }));
    Cluster::builder()
        .seed(4)
        .start_time("2026-03-01T10:00:00Z".parse().expect("time"))
        .nodes(nodes)
        .build()
        .expect("cluster")
}

/// Creates pods `name-0` … with `labels` and `spec` (nginx), one second apart.
async fn pods(cluster: &Cluster, name: &str, count: usize, labels: Value, spec: Value) {
    let api: Api<Pod> = Api::default_namespaced(cluster.client());
    for i in 0..count {
        let mut pod = json!({"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": format!("{name}-{i}"), "labels": labels},
            "spec": {"containers": [{"name": "web", "image": "nginx"}]}});
        if let (Some(pod_spec), Some(extra)) = (pod["spec"].as_object_mut(), spec.as_object()) {
            pod_spec.extend(extra.clone());
        }
        api.create(
            &PostParams::default(),
            &serde_json::from_value(pod).expect("pod"),
        )
        .await
        .expect("create");
        advance(1).await;
    }
    advance(5).await;
}

/// Pod name → its node ("" while Pending), and the FailedScheduling messages by pod.
async fn placement(cluster: &Cluster) -> (BTreeMap<String, String>, BTreeMap<String, String>) {
    let api: Api<Pod> = Api::default_namespaced(cluster.client());
    let nodes = api
        .list(&ListParams::default())
        .await
        .expect("pods")
        .items
        .into_iter()
        .map(|p| {
            let node = p.spec.and_then(|s| s.node_name).unwrap_or_default();
            (p.metadata.name.unwrap_or_default(), node)
        })
        .collect();
    let events: Api<Event> = Api::default_namespaced(cluster.client());
    let failed = events
        .list(&ListParams::default())
        .await
        .expect("events")
        .items
        .into_iter()
        .filter(|e| e.reason.as_deref() == Some("FailedScheduling"))
        .map(|e| {
            let pod = e.involved_object.name.unwrap_or_default();
            (pod, e.message.unwrap_or_default())
        })
        .collect();
    (nodes, failed)
}

fn hostname_term(app: &str) -> Value {
    json!({"labelSelector": {"matchLabels": {"app": app}}, "topologyKey": "kubernetes.io/hostname"})
}

#[tokio::test(start_paused = true)]
async fn required_anti_affinity_keeps_replicas_on_separate_nodes() {
    let cluster = cluster(2);
    let anti = json!({"affinity": {"podAntiAffinity": {
        "requiredDuringSchedulingIgnoredDuringExecution": [hostname_term("web")]}}});
    pods(&cluster, "web", 3, json!({"app": "web"}), anti).await;
    let (nodes, failed) = placement(&cluster).await;
    let mut used: Vec<&str> = nodes.values().map(String::as_str).collect();
    used.sort();
    assert_eq!(used, ["", "kind-worker", "kind-worker2"], "{nodes:?}");
    assert_eq!(
        failed.get("web-2").map(String::as_str),
        Some(
            "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 node(s) didn't match pod anti-affinity rules. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod."
        ),
        "{failed:?}"
    );

    // The anti-affinity of the pods placed holds against a newcomer without rules.
    pods(&cluster, "plain", 1, json!({"app": "web"}), json!({})).await;
    let (nodes, failed) = placement(&cluster).await;
    assert_eq!(nodes["plain-0"], "", "{nodes:?}");
    assert!(
        failed["plain-0"].contains("2 node(s) didn't satisfy existing pods anti-affinity rules"),
        "{failed:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn affinity_places_a_pod_beside_the_pods_it_names() {
    let cluster = cluster(3);
    pods(
        &cluster,
        "cache",
        1,
        json!({"app": "cache"}),
        json!({"nodeSelector": {"kubernetes.io/hostname": "kind-worker3"}}),
    )
    .await;
    let near = json!({"affinity": {"podAffinity": {
        "requiredDuringSchedulingIgnoredDuringExecution": [hostname_term("cache")]}}});
    pods(&cluster, "web", 2, json!({"app": "web"}), near).await;
    let (nodes, _) = placement(&cluster).await;
    assert_eq!(nodes["web-0"], "kind-worker3", "{nodes:?}");
    assert_eq!(nodes["web-1"], "kind-worker3", "{nodes:?}");

    // Affinity to pods that do not exist (and that the pod is not one of) waits, and
    // evicting would not help.
    let lost = json!({"affinity": {"podAffinity": {
        "requiredDuringSchedulingIgnoredDuringExecution": [hostname_term("nothing")]}}});
    pods(&cluster, "lost", 1, json!({"app": "lost"}), lost).await;
    let (nodes, failed) = placement(&cluster).await;
    assert_eq!(nodes["lost-0"], "");
    assert_eq!(
        failed["lost-0"],
        "0/4 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 3 node(s) didn't match pod affinity rules. preemption: 0/4 nodes are available: 4 Preemption is not helpful for scheduling."
    );

    // The first of a group with affinity to itself may start anywhere.
    let together = json!({"affinity": {"podAffinity": {
        "requiredDuringSchedulingIgnoredDuringExecution": [hostname_term("pair")]}}});
    pods(&cluster, "pair", 2, json!({"app": "pair"}), together).await;
    let (nodes, _) = placement(&cluster).await;
    assert!(!nodes["pair-0"].is_empty(), "{nodes:?}");
    assert_eq!(nodes["pair-0"], nodes["pair-1"]);
}

#[tokio::test(start_paused = true)]
async fn topology_spread_counts_the_control_plane_unless_taints_are_honoured() {
    let cluster = cluster(2);
    let spread = |policy: Option<&str>| {
        let mut constraint = json!({"maxSkew": 1, "topologyKey": "kubernetes.io/hostname",
            "whenUnsatisfiable": "DoNotSchedule", "labelSelector": {"matchLabels": {"app": "web"}}});
        if let Some(policy) = policy {
            constraint["nodeTaintsPolicy"] = json!(policy);
        }
        json!({"topologySpreadConstraints": [constraint]})
    };
    // The control plane is a domain holding none: each worker takes one.
    pods(&cluster, "web", 3, json!({"app": "web"}), spread(None)).await;
    let (nodes, failed) = placement(&cluster).await;
    assert_eq!(nodes["web-2"], "", "{nodes:?}");
    assert!(
        failed["web-2"].contains("2 node(s) didn't match pod topology spread constraints"),
        "{failed:?}"
    );

    let cluster = self::cluster(2);
    pods(
        &cluster,
        "web",
        4,
        json!({"app": "web"}),
        spread(Some("Honor")),
    )
    .await;
    let (nodes, _) = placement(&cluster).await;
    let mut per_node: BTreeMap<&str, usize> = BTreeMap::new();
    for node in nodes.values() {
        *per_node.entry(node.as_str()).or_default() += 1;
    }
    assert_eq!(
        per_node,
        BTreeMap::from([("kind-worker", 2), ("kind-worker2", 2)]),
        "{nodes:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn preferred_anti_affinity_spreads_and_preferred_affinity_gathers() {
    let cluster = cluster(3);
    let apart = json!({"affinity": {"podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
        {"weight": 100, "podAffinityTerm": hostname_term("web")}]}}});
    pods(&cluster, "web", 3, json!({"app": "web"}), apart).await;
    let near = json!({"affinity": {"podAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
        {"weight": 100, "podAffinityTerm": hostname_term("solo")}]}}});
    pods(
        &cluster,
        "solo",
        1,
        json!({"app": "solo"}),
        json!({"nodeSelector": {"kubernetes.io/hostname": "kind-worker2"}}),
    )
    .await;
    pods(&cluster, "fan", 3, json!({"app": "fan"}), near).await;
    let (nodes, _) = placement(&cluster).await;
    let mut web: Vec<&str> = ["web-0", "web-1", "web-2"]
        .iter()
        .map(|p| nodes[*p].as_str())
        .collect();
    web.sort();
    assert_eq!(
        web,
        ["kind-worker", "kind-worker2", "kind-worker3"],
        "{nodes:?}"
    );
    for fan in ["fan-0", "fan-1", "fan-2"] {
        assert_eq!(nodes[fan], "kind-worker2", "{nodes:?}");
    }
}

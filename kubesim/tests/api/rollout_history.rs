//! A Deployment's annotations reach its ReplicaSets, as kube-controller-manager copies
//! them, so `kubectl rollout history` shows each revision's CHANGE-CAUSE.

use crate::workloads::{advance, cluster};
use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use kube::api::{Api, ListParams, Patch, PatchParams, PostParams};
use serde_json::json;

#[tokio::test(start_paused = true)]
async fn each_revision_keeps_its_change_cause() {
    let cluster = cluster();
    let deployments: Api<Deployment> = Api::default_namespaced(cluster.client());
    let deployment = json!({"apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "annotations": {"kubernetes.io/change-cause": "first",
            "kubectl.kubernetes.io/last-applied-configuration": "{}"}},
        "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]}}}});
    deployments
        .create(
            &PostParams::default(),
            &serde_json::from_value(deployment).expect("deployment"),
        )
        .await
        .expect("create");
    advance(5).await;
    deployments
        .patch(
            "web",
            &PatchParams::default(),
            &Patch::Strategic(json!({"metadata": {"annotations": {"kubernetes.io/change-cause": "second"}},
                "spec": {"template": {"spec": {"containers": [{"name": "web", "image": "nginx:1.28"}]}}}})),
        )
        .await
        .expect("roll");
    advance(10).await;
    let sets: Api<ReplicaSet> = Api::default_namespaced(cluster.client());
    let mut causes: Vec<(String, String, bool)> = sets
        .list(&ListParams::default())
        .await
        .expect("replicasets")
        .items
        .into_iter()
        .map(|rs| {
            let annotations = rs.metadata.annotations.unwrap_or_default();
            let get = |k: &str| annotations.get(k).cloned().unwrap_or_default();
            (
                get("deployment.kubernetes.io/revision"),
                get("kubernetes.io/change-cause"),
                annotations.contains_key("kubectl.kubernetes.io/last-applied-configuration"),
            )
        })
        .collect();
    causes.sort();
    assert_eq!(
        causes,
        [
            ("1".to_string(), "first".to_string(), false),
            ("2".to_string(), "second".to_string(), false)
        ]
    );
}

//! A workspace namespace held Terminating by a finalizer nobody removes (here a cloud
//! load balancer's cleanup, on a cluster with no cloud controller to do it) is released
//! by the platform: a reset waits, then removes
//! the finalizers; the sweep releases a namespace still Terminating after five rounds,
//! not before (a controller gets its time).

use super::support::state;
use k8s_openapi::api::core::v1::{Namespace, Service};
use kube::api::{Api, PostParams};
use server::state::AppState;
use server::workspace::finalizers::Stuck;
use std::time::Duration;

/// A LoadBalancer Service in `namespace` with the finalizer a cloud controller would
/// add and remove: here none will.
async fn held(admin: &kube::Client, namespace: &str) {
    let service: Service = serde_json::from_value(serde_json::json!({
        "metadata": {"name": "held", "finalizers": ["service.kubernetes.io/load-balancer-cleanup"]},
        "spec": {"type": "LoadBalancer", "ports": [{"port": 80}], "selector": {"app": "web"}},
    }))
    .expect("service");
    Api::<Service>::namespaced(admin.clone(), namespace)
        .create(&PostParams::default(), &service)
        .await
        .expect("created");
}

#[tokio::test(start_paused = true)]
async fn a_namespace_a_finalizer_holds_is_released_by_reset_and_by_the_sweep() {
    let cluster = kubesim::Cluster::builder().build().expect("cluster");
    let state = state(":memory:", &cluster).await;
    released(&state, &cluster.client(), Duration::from_secs(20)).await;
}

/// The release, on any cluster: `within` is how long a reset may wait (the real namespace
/// controller looks again at a namespace whose content is held some seconds later).
pub async fn released(state: &AppState, admin: &kube::Client, within: Duration) {
    let platform = state.platform().clone();
    let workspace = state.workspace("attendee-held");
    let lab = workspace
        .ensure(&platform, &[], &["lab".into()])
        .await
        .expect("made")[0]
        .clone();
    let namespaces: Api<Namespace> = Api::all(admin.clone());

    // A reset (as a trainer's reset to step N does) waits, then releases the object.
    held(admin, &lab).await;
    let wiped = workspace.wipe(&platform, within).await;
    assert_eq!(wiped.expect("wiped despite the finalizer"), 1);
    assert!(namespaces.get_opt(&lab).await.expect("get").is_none());

    // The sweep: the first rounds only note the namespace; the fifth releases it.
    let lab = workspace
        .ensure(&platform, &[], &["lab".into()])
        .await
        .expect("made")[0]
        .clone();
    held(admin, &lab).await;
    workspace.reset(&platform).await.expect("deleted");
    let mut stuck = Stuck::default();
    assert_eq!(
        stuck.round(&platform).await.expect("round"),
        0,
        "first sight"
    );
    // The namespace controller comes to the Service (deletes it: the finalizer holds it).
    let services: Api<Service> = Api::namespaced(admin.clone(), &lab);
    let deadline = tokio::time::Instant::now() + within;
    while services
        .get_opt("held")
        .await
        .expect("get")
        .is_none_or(|s| s.metadata.deletion_timestamp.is_none())
    {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the Service was never deleted"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let still = namespaces.get_opt(&lab).await.expect("get");
    assert!(
        still.is_some_and(|n| n.metadata.deletion_timestamp.is_some()),
        "held Terminating by the finalizer"
    );
    for round in 2..server::workspace::finalizers::ROUNDS {
        let released = stuck.round(&platform).await.expect("round");
        assert_eq!(released, 0, "round {round}: the controllers' time");
    }
    assert_eq!(stuck.round(&platform).await.expect("round"), 1, "released");
    let deadline = tokio::time::Instant::now() + within;
    while tokio::time::Instant::now() < deadline {
        if namespaces.get_opt(&lab).await.expect("get").is_none() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("the namespace is still there {within:?} after its finalizer was removed");
}

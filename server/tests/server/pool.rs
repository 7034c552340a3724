//! A room's warm pool: the keeper makes `warm` workspaces ahead (namespaces with the
//! isolation policy); a new attendee who joins is handed one and finds its namespaces
//! there before anything is applied; the pool is topped up, never past the seats left;
//! what went missing is remade; when the room closes, the waiting ones are deleted.

use super::room_support::{join, make_room, request, trainer};
use super::support::{app, send, state};
use k8s_openapi::api::core::v1::{Namespace, ResourceQuota};
use kube::api::{Api, ListParams};
use server::state::AppState;
use server::trainer::pool::keep_once;

/// The workspace's namespaces that are not being deleted.
async fn namespaces(state: &AppState, cluster: &kubesim::Cluster, id: &str) -> Vec<String> {
    let api: Api<Namespace> = Api::all(cluster.client());
    api.list(&ListParams::default().labels(&state.workspace(id).selector()))
        .await
        .expect("namespaces")
        .items
        .into_iter()
        .filter(|n| n.metadata.deletion_timestamp.is_none())
        .filter_map(|n| n.metadata.name)
        .collect()
}

#[tokio::test]
async fn a_warm_pool_is_made_ahead_handed_to_joiners_and_removed_when_the_room_closes() {
    let cluster = kubesim::Cluster::builder().build().expect("cluster");
    let state = state(":memory:", &cluster).await;
    let grace = trainer(&state, "grace").await;
    let router = app(state.clone());
    let (_, room) = make_room(
        &router,
        &grace,
        r#"{"title": "Warm", "lessons": ["fundamentals/pods", "fundamentals/services"], "capacity": 3, "warm": 2}"#,
    )
    .await;
    let id = room["id"].as_str().expect("id");
    let code = room["accessCode"].as_str().expect("code");
    keep_once(&state).await.expect("keeper");
    let (waiting, claimed) = state.db.pool_of(id).await.expect("pool");
    assert_eq!((waiting.len(), claimed), (2, 0));
    // Each waits with every namespace of the room's lessons, and the isolation policy.
    let shorts: Vec<String> = ["fundamentals/pods", "fundamentals/services"]
        .iter()
        .flat_map(|l| state.lesson_namespaces(Some(l)))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    for pooled in &waiting {
        let mut made = namespaces(&state, &cluster, pooled).await;
        made.sort();
        let expected: Vec<String> = shorts
            .iter()
            .map(|s| state.workspace(pooled).namespace(s))
            .collect();
        assert_eq!(made, expected);
        let quotas: Api<ResourceQuota> = Api::namespaced(cluster.client(), &made[0]);
        assert!(
            quotas
                .get_opt("workspace-quota")
                .await
                .expect("quota")
                .is_some()
        );
    }
    let path = format!("/api/trainer/rooms/{id}");
    let (_, _, text) = send(
        &router,
        request("GET", &path, &[("authorization", &grace)], ""),
    )
    .await;
    let view: serde_json::Value = serde_json::from_str(&text).expect("room");
    assert_eq!(
        (&view["warmReady"], &view["warmWanted"]),
        (&serde_json::json!(2), &serde_json::json!(2))
    );

    // A new browser is handed the first: its attendee id is the workspace's.
    join(&router, id, code, "Ada", None).await;
    let ada = state.db.members(id).await.expect("members")[0]
        .attendee
        .clone();
    assert_eq!(ada, waiting[0], "the oldest waiting workspace");
    // A browser that already is an attendee keeps its own workspace.
    let (status, headers, _) = send(&router, request("GET", "/api/progress", &[], "")).await;
    assert_eq!(status, 200);
    let cookie = super::support::cookie_of(&headers);
    join(&router, id, code, "Bob", Some(&cookie)).await;
    let members = state.db.members(id).await.expect("members");
    assert!(
        !waiting.contains(&members[1].attendee),
        "Bob came with his own"
    );
    let (still, claimed) = state.db.pool_of(id).await.expect("pool");
    assert_eq!((still.as_slice(), claimed), (&waiting[1..], 1));

    // Topped up, never past the seats left: one seat, one waiting.
    keep_once(&state).await.expect("keeper");
    assert_eq!(state.db.pool_of(id).await.expect("pool").0, &waiting[1..]);
    // What went missing is remade.
    let gone = state.workspace(&waiting[1]);
    gone.wipe(state.platform(), std::time::Duration::from_secs(30))
        .await
        .expect("wiped");
    assert!(namespaces(&state, &cluster, &waiting[1]).await.is_empty());
    keep_once(&state).await.expect("keeper");
    assert_eq!(
        namespaces(&state, &cluster, &waiting[1]).await.len(),
        shorts.len()
    );

    // A room that closes deletes what still waits; the claimed one is Ada's.
    let closes = jiff::Timestamp::from_second(state.db.now() + 2).expect("time");
    let (_, short) = make_room(
        &router,
        &grace,
        &format!(r#"{{"title": "Short", "lessons": ["fundamentals/pods"], "capacity": 3, "warm": 2, "closes": "{closes}"}}"#),
    )
    .await;
    let short = short["id"].as_str().expect("id");
    keep_once(&state).await.expect("keeper");
    let (waiting, _) = state.db.pool_of(short).await.expect("pool");
    assert_eq!(waiting.len(), 2);
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    keep_once(&state).await.expect("keeper");
    assert!(state.db.pool_of(short).await.expect("pool").0.is_empty());
    for pooled in &waiting {
        assert!(
            namespaces(&state, &cluster, pooled).await.is_empty(),
            "deleted"
        );
    }
    assert_eq!(
        namespaces(&state, &cluster, &ada).await.len(),
        shorts.len(),
        "Ada's stays"
    );
}

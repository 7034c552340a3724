//! The room's watch: while the trainer looks at the room, one watch per kind — however
//! many attendees — judges every attendee on their step, those whose tab is closed too
//! (recording their passes), and stops when nobody looks.

use super::room_support::{GracesRoom, call, graces_room, join, request};
use super::support::{app, send, state};
use server::state::AppState;
use server::trainer::room_watches::RoomWatches;
use std::sync::Arc;
use std::time::Duration;

const LESSON: &str = "fundamentals/pods";

/// Each attendee's state on the Pods lesson's steps 1 and 2, as the room view shows it.
async fn cells(router: &axum::Router, grace: &str, id: &str) -> Vec<(String, String, String)> {
    let (status, view) = call(
        router,
        ("GET", &format!("/api/trainer/rooms/{id}")),
        ("authorization", grace),
        "",
    )
    .await;
    assert_eq!(status, 200, "{view}");
    view["attendees"]
        .as_array()
        .expect("attendees")
        .iter()
        .map(|a| {
            let step = |i: usize| a["steps"][LESSON][i].as_str().unwrap_or("?").to_string();
            (
                a["name"].as_str().expect("name").to_string(),
                step(0),
                step(1),
            )
        })
        .collect()
}

/// Reads the room view until `want` holds of its cells (10 s at most).
async fn until(
    router: &axum::Router,
    grace: &str,
    id: &str,
    what: &str,
    want: impl Fn(&[(String, String, String)]) -> bool,
) -> Vec<(String, String, String)> {
    let mut last = Vec::new();
    for _ in 0..100 {
        last = cells(router, grace, id).await;
        if want(&last) {
            return last;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{what}: the room view showed {last:?}");
}

#[tokio::test]
async fn the_rooms_watch_judges_closed_tabs_with_one_watch_per_kind_while_the_trainer_looks() {
    let cluster = kubesim::Cluster::builder().build().expect("cluster");
    judged_while_looked_at(state(":memory:", &cluster).await).await;
}

/// Three attendees of a room, none with a tab open, are judged on their steps while the
/// trainer looks, from one watch of Pods; an open tab says which step; the watches stop
/// when nobody looks. On kubesim here, on the real API server in `real` (kubeclass's own
/// RBAC must let it watch Pods across namespaces).
pub async fn judged_while_looked_at(mut state: AppState) {
    state.room_watches = Arc::new(RoomWatches::with_idle(Duration::from_secs(2)));
    let router = app(state.clone());
    let room = r#"{"title": "Watch", "lessons": ["fundamentals/pods"], "capacity": 5}"#;
    let GracesRoom {
        grace, id, code, ..
    } = graces_room(&state, &router, room).await;
    let mut cookies = Vec::new();
    for name in ["Ada", "Bob", "Cy"] {
        let (_, cookie) = join(&router, &id, &code, name, None).await;
        cookies.push(cookie.expect("joined"));
    }
    let members = state.db.members(&id).await.expect("members");
    let ada = members[0].attendee.clone();
    // Ada passed step 1 (her tab, now closed, saw it): she is on step 2.
    state
        .db
        .complete_step(&ada, LESSON, 0)
        .await
        .expect("progress");
    assert_eq!(state.watchers.running(), 0, "no tab is open, nobody looks");

    // The trainer looks: no tab is open, yet everyone is judged on their step.
    let judged = until(&router, &grace, &id, "everyone judged", |cells| {
        cells.iter().all(|(name, one, two)| match name.as_str() {
            "Ada" => one == "passed" && two == "working",
            _ => one == "working" && two == "notStarted",
        })
    })
    .await;
    assert_eq!(judged.len(), 3);
    assert_eq!(
        state.watchers.running(),
        1,
        "one watch (Pods, every namespace) for three attendees"
    );

    // Ada applies a Pod with the label step 2 counts, not goserver's: one check of two
    // moves, the other still fails.
    let pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: other, namespace: default, labels: {app: go-http-app}}\nspec: {containers: [{name: app, image: kubeclass/demo-app:1.0}]}\n";
    let (status, _, text) = send(
        &router,
        request(
            "POST",
            &format!("/api/workspace/apply?lesson={LESSON}"),
            &[
                ("cookie", &cookies[0]),
                ("content-type", "application/yaml"),
            ],
            pod,
        ),
    )
    .await;
    assert_eq!(status, 200, "{text}");
    until(&router, &grace, &id, "Ada's step 2 failing", |cells| {
        cells[0].2 == "failing" && cells[1].1 == "working"
    })
    .await;
    let seen = state.presence.of(&ada).expect("seen");
    assert_eq!(
        seen.failing,
        ["goserver is labelled tier=backend"],
        "the count holds, the label does not"
    );

    // Bob, no tab open either, makes step 1's Pod: once it runs, the watch records his
    // pass (as his tab would have) and judges him on step 2.
    let goserver = "apiVersion: v1\nkind: Pod\nmetadata: {name: goserver, namespace: default}\nspec: {containers: [{name: app, image: kubeclass/demo-app:1.0}]}\n";
    let (status, _, text) = send(
        &router,
        request(
            "POST",
            &format!("/api/workspace/apply?lesson={LESSON}"),
            &[
                ("cookie", &cookies[1]),
                ("content-type", "application/yaml"),
            ],
            goserver,
        ),
    )
    .await;
    assert_eq!(status, 200, "{text}");
    until(&router, &grace, &id, "Bob's step 1 passed", |cells| {
        cells[1].1 == "passed" && cells[1].2 == "working" && cells[2].1 == "working"
    })
    .await;
    let bob = &members[1].attendee;
    let progress = state.db.progress(bob).await.expect("progress");
    assert_eq!(progress, [(LESSON.to_string(), 0)]);

    // An open tab says where she is: back on step 1, which the watch then judges.
    let tab = state.presence.tab(&ada);
    tab.at(LESSON, 0);
    let mut on = None;
    for _ in 0..100 {
        on = state.presence.of(&ada).map(|s| s.step);
        if on == Some(0) {
            break;
        }
        let _ = cells(&router, &grace, &id).await;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(on, Some(0), "judged on the step her tab shows");
    drop(tab);

    // Nobody looks any more: the room's watch stops, and with it the watch of Pods.
    let mut stopped = false;
    for _ in 0..100 {
        if state.room_watches.running() == 0 && state.watchers.running() == 0 {
            stopped = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        stopped,
        "still running: {} room watches, {} watches",
        state.room_watches.running(),
        state.watchers.running()
    );
}

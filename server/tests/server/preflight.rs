//! A room's preflight plays every step of its lessons on a fresh workspace and says each
//! check green or red: on kubesim with its ingress controller reachable every check of
//! the Ingress lesson holds; without it (a cluster whose ingress is not ready) the
//! checks that go through the ingress are red, and say why.

use super::room_support::{make_room, paused_cluster, paused_router, request, trainer};
use super::support::{send, state};
use std::time::Duration;

/// The preflight of a new room with `lessons` on `cluster` (its ingress reachable or
/// not), as the trainer's page starts and reads it.
async fn preflight(reachable_ingress: bool) -> serde_json::Value {
    let cluster = paused_cluster(3);
    let mut state = state(":memory:", &cluster).await;
    if reachable_ingress {
        let ingress = server::cluster::serve_ingress(&cluster, None, None).expect("ingress");
        state = state.with_ingress(Some(ingress));
    }
    let grace = trainer(&state, "grace").await;
    let alan = trainer(&state, "alan").await;
    let router = paused_router(&state);
    let (_, room) = make_room(
        &router,
        &grace,
        r#"{"title": "Preflight", "lessons": ["fundamentals/ingress"], "capacity": 5}"#,
    )
    .await;
    let path = format!(
        "/api/trainer/rooms/{}/preflight",
        room["id"].as_str().expect("id")
    );
    let (status, _, _) = send(
        &router,
        request("GET", &path, &[("authorization", &grace)], ""),
    )
    .await;
    assert_eq!(status, 204, "none yet");
    let (status, _, _) = send(
        &router,
        request("POST", &path, &[("authorization", &alan)], ""),
    )
    .await;
    assert_eq!(status, 404, "another trainer's room");
    let (status, _, text) = send(
        &router,
        request("POST", &path, &[("authorization", &grace)], ""),
    )
    .await;
    assert_eq!(status, 202, "{text}");
    let (status, _, _) = send(
        &router,
        request("POST", &path, &[("authorization", &grace)], ""),
    )
    .await;
    assert_eq!(status, 409, "one at a time");
    loop {
        let (_, _, text) = send(
            &router,
            request("GET", &path, &[("authorization", &grace)], ""),
        )
        .await;
        let now: serde_json::Value = serde_json::from_str(&text).expect("status");
        if now["running"] == false {
            return now;
        }
        tokio::time::sleep(Duration::from_secs(5)).await;
    }
}

fn checks(status: &serde_json::Value) -> Vec<(String, bool)> {
    status["lessons"][0]["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .flat_map(|s| s["checks"].as_array().expect("checks").clone())
        .map(|c| {
            (
                c["label"].as_str().expect("label").to_string(),
                c["passed"] == true,
            )
        })
        .collect()
}

#[tokio::test(start_paused = true)]
async fn a_preflight_shows_each_check_green_on_a_ready_cluster() {
    let done = preflight(true).await;
    assert_eq!(done["lessonsTotal"], 1);
    let all = checks(&done);
    assert!(!all.is_empty());
    assert!(all.iter().all(|(_, passed)| *passed), "{all:?}\n{done}");
    assert_eq!(
        done["lessons"][0]["failures"],
        serde_json::json!([]),
        "{done}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_preflight_shows_what_a_cluster_without_ingress_cannot_do() {
    let done = preflight(false).await;
    let all = checks(&done);
    let red: Vec<&String> = all.iter().filter(|(_, p)| !p).map(|(l, _)| l).collect();
    assert!(
        red.iter()
            .any(|label| label.contains("through the Ingress")),
        "{red:?}"
    );
    assert!(
        all.iter().any(|(_, passed)| *passed),
        "the rest still holds: {all:?}"
    );
    let failures = done["lessons"][0]["failures"].as_array().expect("failures");
    assert!(!failures.is_empty());
}

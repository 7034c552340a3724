//! A trainer's read-only look into an attendee's workspace: it shows what the attendee
//! made (objects, events, a pod's log), the pane they edited with its diff against the
//! lesson, and their console history; it is read as that attendee, so nothing of another
//! workspace shows through it, and no other trainer and no attendee may read it.

use super::room_support::{
    GracesRoom, call, graces_room, join, make_room, paused_cluster, paused_router, request,
};
use super::support::{send, state};
use std::time::Duration;

const LESSON: &str = "fundamentals/deployments";

#[tokio::test(start_paused = true)]
async fn the_trainer_sees_an_attendees_objects_panes_and_console_and_nothing_else() {
    let cluster = paused_cluster(8);
    let state = state(":memory:", &cluster).await;
    let router = paused_router(&state);
    let room = format!(r#"{{"title": "Look", "lessons": ["{LESSON}"], "capacity": 5}}"#);
    let GracesRoom {
        grace,
        alan,
        id,
        code,
    } = graces_room(&state, &router, &room).await;
    let (id, code) = (id.as_str(), code.as_str());
    let (_, ada) = join(&router, id, code, "Ada", None).await;
    let (_, bob) = join(&router, id, code, "Bob", None).await;
    let (ada, bob) = (ada.expect("ada's session"), bob.expect("bob's session"));
    let members = state.db.members(id).await.expect("members");
    let ada_id = members[0].attendee.clone();

    // Ada edits the lesson's first pane (two replicas, not the lesson's count), applies
    // it and runs a command; Bob applies the lesson's own text.
    let lesson = state.lesson(LESSON).expect("lesson").clone();
    let pane = &lesson.panes[0];
    let (version, reference) = pane.versions[0].clone();
    let replicas = reference
        .lines()
        .find(|l| l.trim_start().starts_with("replicas:"))
        .expect("the pane sets replicas")
        .to_string();
    let edited = reference.replacen(&replicas, "  replicas: 2", 1);
    assert_ne!(edited, reference);
    let as_ = |who: &str, method: &str, path: &str, body: &str| {
        request(method, path, &[("cookie", who)], body)
    };
    let key = format!("{}@{version}", pane.name);
    let (status, _, text) = send(
        &router,
        as_(
            &ada,
            "PUT",
            &format!("/api/drafts?lesson={LESSON}&pane={key}"),
            &edited,
        ),
    )
    .await;
    assert_eq!(status, 204, "{text}");
    for (who, text) in [(&ada, &edited), (&bob, &reference)] {
        let path = format!("/api/workspace/apply?lesson={LESSON}");
        let (status, _, answer) = send(&router, as_(who, "POST", &path, text)).await;
        assert_eq!(status, 200, "{answer}");
    }
    let (status, _) = call(
        &router,
        ("POST", "/api/workspace/console"),
        ("cookie", &ada),
        &format!(r#"{{"command": "kubectl get deployments", "lesson": "{LESSON}"}}"#),
    )
    .await;
    assert_eq!(status, 200);
    tokio::time::sleep(Duration::from_secs(20)).await;

    let path = format!("/api/trainer/rooms/{id}/attendees/{ada_id}/workspace");
    let (status, seen) = call(&router, ("GET", &path), ("authorization", &grace), "").await;
    assert_eq!(status, 200, "{seen}");
    assert_eq!(seen["name"], "Ada");
    let objects = seen["namespaces"]["server"].as_array().expect("server");
    let count = |kind: &str| objects.iter().filter(|o| o["kind"] == kind).count();
    assert_eq!(
        (count("Deployment"), count("Pod")),
        (1, 2),
        "Ada's own objects only: {objects:?}"
    );
    assert!(
        seen["events"]
            .as_array()
            .expect("events")
            .iter()
            .any(|e| e["reason"] == "Scheduled"),
        "{}",
        seen["events"]
    );
    let panes = seen["panes"].as_array().expect("panes");
    assert_eq!(panes.len(), 1, "{panes:?}");
    assert_eq!(
        (&panes[0]["pane"], &panes[0]["step"]),
        (
            &serde_json::json!(pane.name),
            &serde_json::json!(version + 1)
        )
    );
    let changed: Vec<(String, String)> = panes[0]["diff"]
        .as_array()
        .expect("diff")
        .iter()
        .filter(|l| l["change"] != "same")
        .map(|l| {
            (
                l["change"].as_str().unwrap_or("").into(),
                l["text"].as_str().unwrap_or("").into(),
            )
        })
        .collect();
    assert_eq!(
        changed,
        [
            ("removed".to_string(), replicas.clone()),
            ("added".to_string(), "  replicas: 2".to_string())
        ]
    );
    assert_eq!(
        seen["console"],
        serde_json::json!(["kubectl get deployments"])
    );

    // A pod's log, read as Ada: hers answers; Bob's is not in her namespace.
    let pod_of = |seen: &serde_json::Value| {
        seen["namespaces"]["server"]
            .as_array()
            .expect("server")
            .iter()
            .find(|o| o["kind"] == "Pod")
            .map(|o| o["name"].as_str().expect("name").to_string())
            .expect("a pod")
    };
    let logs = |pod: &str| format!("/api/trainer/rooms/{id}/attendees/{ada_id}/logs/server/{pod}");
    let (status, log) = call(
        &router,
        ("GET", &logs(&pod_of(&seen))),
        ("authorization", &grace),
        "",
    )
    .await;
    assert_eq!(status, 200, "{log}");
    assert!(log["lines"].is_array(), "{log}");
    let bob_id = members[1].attendee.clone();
    let bobs = format!("/api/trainer/rooms/{id}/attendees/{bob_id}/workspace");
    let (_, bobs) = call(&router, ("GET", &bobs), ("authorization", &grace), "").await;
    let bobs_pod = pod_of(&bobs);
    let (status, refused) = call(
        &router,
        ("GET", &logs(&bobs_pod)),
        ("authorization", &grace),
        "",
    )
    .await;
    assert_eq!(status, 404, "{refused}");
    assert_eq!(
        refused["error"],
        format!("pod \"{bobs_pod}\" is not in their namespace \"server\"")
    );

    // Nobody else may look: another trainer (the same 404 as no room), an attendee.
    let (status, _) = call(&router, ("GET", &path), ("authorization", &alan), "").await;
    assert_eq!(status, 404);
    let (status, _) = call(&router, ("GET", &path), ("cookie", &bob), "").await;
    assert_eq!(status, 401);

    // Only while the room runs for them: not once Bob joined another trainer's room, not
    // once Ada's time is over.
    let (_, other) = make_room(
        &router,
        &alan,
        &format!(r#"{{"title": "Other", "lessons": ["{LESSON}"], "capacity": 5}}"#),
    )
    .await;
    let other_code = other["accessCode"].as_str().expect("code");
    join(
        &router,
        other["id"].as_str().expect("id"),
        other_code,
        "Bob",
        Some(&bob),
    )
    .await;
    let bobs = format!("/api/trainer/rooms/{id}/attendees/{bob_id}/workspace");
    let (status, refused) = call(&router, ("GET", &bobs), ("authorization", &grace), "").await;
    assert_eq!(
        (status, &refused["error"]),
        (404, &serde_json::json!("Bob has joined another room since"))
    );
    let end = format!("/api/trainer/rooms/{id}/attendees/{ada_id}/end");
    call(&router, ("POST", &end), ("authorization", &grace), "").await;
    let (status, refused) = call(&router, ("GET", &path), ("authorization", &grace), "").await;
    assert_eq!(status, 409, "{refused}");
}

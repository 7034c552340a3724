//! A trainer's actions on one attendee: a reset to step N leaves exactly the objects the
//! lesson has at the start of step N (compared with an attendee who only played the
//! steps before it), and forgets what came after; a time limit ends an attendee's work
//! (extend gives more, end stops it now) while their results stay; no other trainer, and
//! no attendee, may do any of it.

use super::room_support::{
    GracesRoom, call, graces_room, join, make_room, paused_cluster, paused_router, request, trainer,
};
use super::support::{app, send, state};
use kube::api::{Api, DynamicObject, ListParams};
use server::rehearsal::{Stage, play_until};
use server::state::AppState;
use std::time::Duration;

const LESSON: &str = "fundamentals/deployments";

/// What the lesson made in the attendee's `server` namespace, in words that do not
/// depend on whose workspace it is: each Deployment's image and replicas, each
/// ReplicaSet's, the Pods (not terminating) per image, every Service and ConfigMap.
async fn made((state, admin): (&AppState, &kube::Client), attendee: &str) -> Vec<String> {
    let namespace = state.workspace(attendee).namespace("server");
    let client = admin;
    let mut seen = Vec::new();
    for (kind, resource) in [
        (
            "deployment",
            erase::<k8s_openapi::api::apps::v1::Deployment>(),
        ),
        (
            "replicaset",
            erase::<k8s_openapi::api::apps::v1::ReplicaSet>(),
        ),
        ("pod", erase::<k8s_openapi::api::core::v1::Pod>()),
        ("service", erase::<k8s_openapi::api::core::v1::Service>()),
        (
            "configmap",
            erase::<k8s_openapi::api::core::v1::ConfigMap>(),
        ),
    ] {
        let api: Api<DynamicObject> = Api::namespaced_with(client.clone(), &namespace, &resource);
        for object in api.list(&ListParams::default()).await.expect("list").items {
            if object.metadata.deletion_timestamp.is_some() {
                continue;
            }
            let name = object.metadata.name.clone().unwrap_or_default();
            let data = &object.data;
            let template = if kind == "pod" {
                &data["spec"]
            } else {
                &data["spec"]["template"]["spec"]
            };
            let image = template["containers"][0]["image"].as_str().unwrap_or("");
            seen.push(match kind {
                "deployment" => format!("{kind}/{name} {image} x{}", data["spec"]["replicas"]),
                "replicaset" => format!("{kind} {image} x{}", data["spec"]["replicas"]),
                "pod" => format!("{kind} {image}"),
                _ if name == "kube-root-ca.crt" => continue,
                _ => format!("{kind}/{name}"),
            });
        }
    }
    seen.sort();
    seen
}

fn erase<K: kube::Resource<DynamicType = ()>>() -> kube::discovery::ApiResource {
    kube::discovery::ApiResource::erase::<K>(&())
}

#[tokio::test(start_paused = true)]
async fn a_reset_to_step_n_leaves_exactly_that_steps_objects() {
    let cluster = paused_cluster(5);
    let state = state(":memory:", &cluster).await;
    let admin = cluster.client();
    let router = paused_router(&state);
    let room = format!(r#"{{"title": "Reset", "lessons": ["{LESSON}"], "capacity": 5}}"#);
    let GracesRoom {
        grace,
        alan,
        id,
        code,
    } = graces_room(&state, &router, &room).await;
    let (id, code) = (id.as_str(), code.as_str());
    let (_, ada_cookie) = join(&router, id, code, "Ada", None).await;
    join(&router, id, code, "Bob", None).await;
    let members = state.db.members(id).await.expect("members");
    let (ada, bob) = (members[0].attendee.clone(), members[1].attendee.clone());
    let lesson = state.lesson(LESSON).expect("lesson").clone();
    let steps = lesson.steps.len();
    assert!(
        steps >= 4,
        "the test resets to step 3 of a lesson longer than that"
    );

    // Ada did the whole lesson (and edited a pane); Bob only its first two steps.
    let stage = |attendee: &str| Stage {
        state: &state,
        admin: state.platform(),
        attendees: vec![attendee.to_string()],
        judged: |_| true,
        discriminating: false,
        settle: Duration::from_secs(1),
        tick: Duration::from_secs(5),
        longest: Duration::from_secs(300),
    };
    let played = play_until(&lesson, steps, &stage(&ada)).await;
    assert!(played.failures.is_empty(), "{:?}", played.failures);
    for step in 0..steps {
        state
            .db
            .complete_step(&ada, LESSON, step)
            .await
            .expect("progress");
    }
    state
        .db
        .save_draft(&ada, LESSON, "deployment.yaml@1", Some("edited"))
        .await
        .expect("draft");
    let played = play_until(&lesson, 2, &stage(&bob)).await;
    assert!(played.failures.is_empty(), "{:?}", played.failures);
    assert_ne!(
        made((&state, &admin), &ada).await,
        made((&state, &admin), &bob).await
    );

    // Only the room's trainer may reset, and only to a step the lesson has.
    let reset = format!("/api/trainer/rooms/{id}/attendees/{ada}/reset");
    let (status, _) = call(
        &router,
        ("POST", &reset),
        ("authorization", &alan),
        r#"{"step": 3}"#,
    )
    .await;
    assert_eq!(status, 404, "another trainer's room");
    let ada_cookie = ada_cookie.expect("ada's session");
    let (status, _) = call(
        &router,
        ("POST", &reset),
        ("cookie", &ada_cookie),
        r#"{"step": 3}"#,
    )
    .await;
    assert_eq!(status, 401, "an attendee");
    let (status, refused) = call(
        &router,
        ("POST", &reset),
        ("authorization", &grace),
        r#"{"step": 99}"#,
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(
        refused["error"],
        format!("step: 1 to {steps} (the steps of {LESSON})")
    );

    let (status, started) = call(
        &router,
        ("POST", &reset),
        ("authorization", &grace),
        r#"{"step": 3}"#,
    )
    .await;
    assert_eq!(status, 202, "{started}");
    assert_eq!(
        (
            started["lesson"].as_str(),
            started["step"].as_u64(),
            started["running"].as_bool()
        ),
        (Some(LESSON), Some(3), Some(true))
    );
    let (status, _) = call(
        &router,
        ("POST", &reset),
        ("authorization", &grace),
        r#"{"step": 1}"#,
    )
    .await;
    assert_eq!(status, 409, "one reset at a time");
    // The room view says when it is done.
    let done = loop {
        let path = format!("/api/trainer/rooms/{id}");
        let (_, _, text) = send(
            &router,
            request("GET", &path, &[("authorization", &grace)], ""),
        )
        .await;
        let view: serde_json::Value = serde_json::from_str(&text).expect("room");
        let reset = view["attendees"][0]["reset"].clone();
        if reset["running"] == false {
            break reset;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    };
    assert_eq!(done["failures"], serde_json::json!([]), "{done}");
    // Let the old Pods finish terminating, as they would for Bob.
    tokio::time::sleep(Duration::from_secs(60)).await;
    assert_eq!(
        made((&state, &admin), &ada).await,
        made((&state, &admin), &bob).await
    );

    // What came after step 2 is forgotten: progress, the edited pane.
    let progress = state.db.progress(&ada).await.expect("progress");
    assert_eq!(progress, [(LESSON.to_string(), 0), (LESSON.to_string(), 1)]);
    assert!(
        state
            .db
            .drafts(&ada, LESSON)
            .await
            .expect("drafts")
            .is_empty()
    );
    let audit = state.db.audit_log("grace", 10).await.expect("audit");
    assert!(
        audit
            .iter()
            .any(|entry| format!("{entry:?}").contains("attendee reset")),
        "{audit:?}"
    );
}

#[tokio::test]
async fn a_time_limit_ends_an_attendees_work_and_keeps_their_results() {
    let cluster = kubesim::Cluster::builder().build().expect("cluster");
    let state = state(":memory:", &cluster).await;
    let grace = trainer(&state, "grace").await;
    let alan = trainer(&state, "alan").await;
    let router = app(state.clone());
    let (_, room) = make_room(
        &router,
        &grace,
        r#"{"title": "Timed", "lessons": ["fundamentals/pods"], "capacity": 5, "timeLimitMinutes": 30}"#,
    )
    .await;
    let (_, open) = make_room(
        &router,
        &grace,
        r#"{"title": "Open", "lessons": ["fundamentals/pods"], "capacity": 5}"#,
    )
    .await;
    let id = room["id"].as_str().expect("id");
    let code = room["accessCode"].as_str().expect("code");
    let (_, cookie) = join(&router, id, code, "Ada", None).await;
    let cookie = cookie.expect("session");
    let ada = state.db.members(id).await.expect("members")[0]
        .attendee
        .clone();
    let room_view = |router: axum::Router, grace: String| async move {
        let (_, _, text) = send(
            &router,
            request(
                "GET",
                &format!("/api/trainer/rooms/{id}"),
                &[("authorization", &grace)],
                "",
            ),
        )
        .await;
        serde_json::from_str::<serde_json::Value>(&text).expect("room")
    };
    let seconds = |text: &serde_json::Value| {
        text.as_str()
            .and_then(|t| t.parse::<jiff::Timestamp>().ok())
            .map(|t| t.as_second())
            .expect("a time")
    };
    let view = room_view(router.clone(), grace.clone()).await;
    assert_eq!(view["timeLimitMinutes"], 30);
    let attendee = &view["attendees"][0];
    assert_eq!(attendee["ended"], false);
    let now = state.db.now();
    assert!(
        (seconds(&attendee["ends"]) - (now + 1800)).abs() <= 5,
        "{attendee}"
    );

    // The attendee works while their time runs.
    let pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: default}\nspec: {containers: [{name: app, image: kubeclass/demo-app:1.0}]}\n";
    let apply = |cookie: String| {
        let router = router.clone();
        async move {
            let (status, _, text) = send(
                &router,
                request(
                    "POST",
                    "/api/workspace/apply?lesson=fundamentals/pods",
                    &[("cookie", &cookie), ("content-type", "application/yaml")],
                    pod,
                ),
            )
            .await;
            (status.as_u16(), text)
        }
    };
    assert_eq!(apply(cookie.clone()).await.0, 200);

    // Extend: 15 more minutes by default.
    let extend = format!("/api/trainer/rooms/{id}/attendees/{ada}/extend");
    let (status, extended) = call(&router, ("POST", &extend), ("authorization", &grace), "").await;
    assert_eq!(status, 200, "{extended}");
    assert!(
        (seconds(&extended["ends"]) - (now + 2700)).abs() <= 5,
        "{extended}"
    );
    let (status, _) = call(
        &router,
        ("POST", &extend),
        ("authorization", &grace),
        r#"{"minutes": 0}"#,
    )
    .await;
    assert_eq!(status, 400);
    let (status, _) = call(&router, ("POST", &extend), ("authorization", &alan), "").await;
    assert_eq!(status, 404, "another trainer's room");
    let (status, _) = call(&router, ("POST", &extend), ("cookie", &cookie), "").await;
    assert_eq!(status, 401, "an attendee");

    // End: the attendee's changes are refused, saying why; their workspace goes.
    let end = format!("/api/trainer/rooms/{id}/attendees/{ada}/end");
    let (status, _) = call(&router, ("POST", &end), ("authorization", &grace), "").await;
    assert_eq!(status, 200);
    let (status, refused) = apply(cookie.clone()).await;
    assert_eq!(status, 403, "{refused}");
    assert!(
        refused.contains("your time in the room \\\"Timed\\\" is over"),
        "{refused}"
    );
    let (status, ran) = call(
        &router,
        ("POST", "/api/workspace/console"),
        ("cookie", &cookie),
        r#"{"command": "kubectl get pods", "lesson": "fundamentals/pods"}"#,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(ran["exitCode"], 1, "{ran}");
    assert!(
        ran["output"].as_str().expect("output").contains("is over"),
        "{ran}"
    );
    let namespaces: Api<k8s_openapi::api::core::v1::Namespace> = Api::all(cluster.client());
    let selector = state.workspace(&ada).selector();
    for _ in 0..100 {
        let left = namespaces
            .list(&ListParams::default().labels(&selector))
            .await
            .expect("namespaces")
            .items;
        if left.iter().all(|n| n.metadata.deletion_timestamp.is_some()) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let left = namespaces
        .list(&ListParams::default().labels(&selector))
        .await
        .expect("namespaces")
        .items;
    assert!(
        left.iter().all(|n| n.metadata.deletion_timestamp.is_some()),
        "the ended workspace is being deleted"
    );
    let view = room_view(router.clone(), grace.clone()).await;
    assert_eq!(view["attendees"][0]["ended"], true, "{view}");
    assert_eq!(view["attendees"][0]["name"], "Ada", "still in the room");

    // Extending an ended attendee gives them time again, from now.
    let (status, _) = call(
        &router,
        ("POST", &extend),
        ("authorization", &grace),
        r#"{"minutes": 5}"#,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(apply(cookie.clone()).await.0, 200);

    // In a room without a time limit there is nothing to extend.
    let open_id = open["id"].as_str().expect("id");
    join(
        &router,
        open_id,
        open["accessCode"].as_str().expect("code"),
        "Bea",
        None,
    )
    .await;
    let bea = state.db.members(open_id).await.expect("members")[0]
        .attendee
        .clone();
    let extend_bea = format!("/api/trainer/rooms/{open_id}/attendees/{bea}/extend");
    let (status, refused) = call(
        &router,
        ("POST", &extend_bea),
        ("authorization", &grace),
        "",
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(refused["error"], "Bea has no time limit to extend");
}

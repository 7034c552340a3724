//! Helping in a room: an attendee raises a hand on a step (it carries the step's failing
//! checks, as their page shows them, and the workspace's warning events); the trainer
//! sees it in the room view, on the grid and in the queue, answers, and marks it done;
//! the trainer's messages reach the room, one attendee, or those on a step. Nobody else
//! can do any of it.

use super::room_support::{GracesRoom, call, graces_room, join, request};
use super::support::{app, send, state};
use app::model::live::CheckResult;
use serde_json::{Value, json};

#[tokio::test]
async fn a_raised_hand_reaches_the_trainer_and_the_answer_comes_back() {
    let cluster = kubesim::Cluster::builder().build().expect("cluster");
    let state = state(":memory:", &cluster).await;
    let router = app(state.clone());
    let room = r#"{"title": "Help", "lessons": ["fundamentals/pods"], "capacity": 5}"#;
    let GracesRoom {
        grace,
        alan,
        id,
        code,
    } = graces_room(&state, &router, room).await;
    let (id, code) = (id.as_str(), code.as_str());
    let (_, ada) = join(&router, id, code, "Ada", None).await;
    let (_, bob) = join(&router, id, code, "Bob", None).await;
    let (ada, bob) = (ada.expect("ada"), bob.expect("bob"));
    let members = state.db.members(id).await.expect("members");
    let ada_id = members[0].attendee.clone();

    // Not in a room: nothing to show, no hand to raise.
    let (_, stranger) = join(&router, "nosuchroom", "X", "Eve", None).await;
    assert!(stranger.is_none(), "a refused join makes no session");
    let (status, _) = call(
        &router,
        ("GET", "/api/room"),
        ("cookie", "kubeclass=none"),
        "",
    )
    .await;
    assert_eq!(status, 204);
    let (status, _) = call(
        &router,
        ("POST", "/api/room/help"),
        ("cookie", "kubeclass=none"),
        r#"{"lesson": "fundamentals/pods", "step": 1}"#,
    )
    .await;
    assert_eq!(status, 404, "no room to raise a hand in");

    // Ada's page is on step 2, its checks failing; she applies a Pod whose image does
    // not exist, and the cluster warns.
    let pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: default}\nspec: {containers: [{name: app, image: kubeclass/no-such-image:1.0}]}\n";
    let (status, _, text) = send(
        &router,
        request(
            "POST",
            "/api/workspace/apply?lesson=fundamentals/pods",
            &[("cookie", &ada), ("content-type", "application/yaml")],
            pod,
        ),
    )
    .await;
    assert_eq!(status, 200, "{text}");
    let failing = vec![
        CheckResult {
            label: "One Pod carries app=go-http-app".into(),
            passed: false,
        },
        CheckResult {
            label: "goserver is labelled tier=backend".into(),
            passed: false,
        },
    ];
    let now = state.db.now();
    // Her tab shows step 2 and what its checks say (the room's watch, once the trainer
    // looks, judges the same step and finds the same).
    let ada_tab = state.presence.tab(&ada_id);
    ada_tab.at("fundamentals/pods", 1);
    state
        .presence
        .saw(&ada_id, ("fundamentals/pods", 1), &failing, now);
    let mut warned = Vec::new();
    for _ in 0..100 {
        let (_, hand) = call(
            &router,
            ("POST", "/api/room/help"),
            ("cookie", &ada),
            r#"{"lesson": "fundamentals/pods", "step": 2, "question": "Why does my Pod not start?"}"#,
        )
        .await;
        warned = hand["warnings"].as_array().cloned().unwrap_or_default();
        if !warned.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(
        warned
            .iter()
            .any(|w| w.as_str().is_some_and(|w| w.contains("(pod/web)"))),
        "{warned:?}"
    );
    let (status, refused) = call(
        &router,
        ("POST", "/api/room/help"),
        ("cookie", &ada),
        r#"{"lesson": "fundamentals/pods", "step": 99}"#,
    )
    .await;
    assert_eq!(status, 400, "{refused}");

    // The trainer sees one hand (raised again, it replaced the question), on the grid too.
    let path = format!("/api/trainer/rooms/{id}");
    let (_, view) = call(&router, ("GET", &path), ("authorization", &grace), "").await;
    let hands = view["help"].as_array().expect("hands");
    assert_eq!(hands.len(), 1, "{view}");
    let hand = &hands[0];
    assert_eq!(
        (
            &hand["name"],
            &hand["step"],
            &hand["question"],
            &hand["failing"]
        ),
        (
            &json!("Ada"),
            &json!(2),
            &json!("Why does my Pod not start?"),
            &json!([
                "One Pod carries app=go-http-app",
                "goserver is labelled tier=backend"
            ])
        )
    );
    assert_eq!(
        view["attendees"][0]["steps"]["fundamentals/pods"][1],
        "help"
    );
    assert_eq!(
        view["attendees"][1]["steps"]["fundamentals/pods"][1],
        "notStarted"
    );
    let help = hand["id"].as_i64().expect("id");

    // Only the room's trainer answers; the answer shows on Ada's page, the hand stays up.
    let answer = format!("/api/trainer/rooms/{id}/help/{help}/answer");
    let said = r#"{"text": "Look at the image name in the events."}"#;
    let (status, _) = call(&router, ("POST", &answer), ("authorization", &alan), said).await;
    assert_eq!(status, 404, "another trainer's room");
    let (status, _) = call(&router, ("POST", &answer), ("cookie", &bob), said).await;
    assert_eq!(status, 401, "an attendee");
    let (status, _) = call(
        &router,
        ("POST", &answer),
        ("authorization", &grace),
        r#"{"text": " "}"#,
    )
    .await;
    assert_eq!(status, 400);
    let (status, _) = call(&router, ("POST", &answer), ("authorization", &grace), said).await;
    assert_eq!(status, 204);
    let (_, mine) = call(&router, ("GET", "/api/room"), ("cookie", &ada), "").await;
    assert_eq!(mine["title"], "Help");
    assert_eq!(
        mine["help"]["answer"],
        "Look at the image name in the events."
    );
    let (_, bobs) = call(&router, ("GET", "/api/room"), ("cookie", &bob), "").await;
    assert!(bobs["help"].is_null(), "Bob raised no hand: {bobs}");

    // Done: the hand is down for both; the cell shows what Ada's tab shows.
    let done = format!("/api/trainer/rooms/{id}/help/{help}/done");
    let (status, _) = call(&router, ("POST", &done), ("authorization", &grace), "").await;
    assert_eq!(status, 204);
    let (status, _) = call(&router, ("POST", &done), ("authorization", &grace), "").await;
    assert_eq!(status, 404, "already down");
    let (_, view) = call(&router, ("GET", &path), ("authorization", &grace), "").await;
    assert!(view.get("help").is_none(), "{view}");
    assert_eq!(
        view["attendees"][0]["steps"]["fundamentals/pods"][1],
        "working"
    );
    let (_, mine) = call(&router, ("GET", "/api/room"), ("cookie", &ada), "").await;
    assert!(mine["help"].is_null(), "{mine}");

    // Her checks change but still fail: failing. Ada lowers a new hand herself.
    let better = vec![
        CheckResult {
            label: "One Pod carries app=go-http-app".into(),
            passed: true,
        },
        CheckResult {
            label: "goserver is labelled tier=backend".into(),
            passed: false,
        },
    ];
    state
        .presence
        .saw(&ada_id, ("fundamentals/pods", 1), &better, now);
    let (_, view) = call(&router, ("GET", &path), ("authorization", &grace), "").await;
    assert_eq!(
        view["attendees"][0]["steps"]["fundamentals/pods"][1],
        "failing"
    );
    call(
        &router,
        ("POST", "/api/room/help"),
        ("cookie", &ada),
        r#"{"lesson": "fundamentals/pods", "step": 2}"#,
    )
    .await;
    let (status, _) = call(&router, ("DELETE", "/api/room/help"), ("cookie", &ada), "").await;
    assert_eq!(status, 204);
    let (_, view) = call(&router, ("GET", &path), ("authorization", &grace), "").await;
    assert!(view.get("help").is_none(), "{view}");
}

#[tokio::test]
async fn messages_reach_the_room_one_attendee_or_those_on_a_step() {
    let cluster = kubesim::Cluster::builder().build().expect("cluster");
    let state = state(":memory:", &cluster).await;
    let router = app(state.clone());
    let room = r#"{"title": "Messages", "lessons": ["fundamentals/pods"], "capacity": 5}"#;
    let GracesRoom {
        grace,
        alan,
        id,
        code,
    } = graces_room(&state, &router, room).await;
    let (id, code) = (id.as_str(), code.as_str());
    let mut cookies = Vec::new();
    for name in ["Ada", "Bob", "Cy"] {
        cookies.push(
            join(&router, id, code, name, None)
                .await
                .1
                .expect("session"),
        );
    }
    let members = state.db.members(id).await.expect("members");
    let nobody = Vec::new();
    // Ada's and Bob's tabs are on step 3; Cy's on step 1.
    let mut tabs = Vec::new();
    for (member, step) in members.iter().zip([2, 2, 0]) {
        let tab = state.presence.tab(&member.attendee);
        tab.at("fundamentals/pods", step);
        tabs.push(tab);
        state.presence.saw(
            &member.attendee,
            ("fundamentals/pods", step),
            &nobody,
            state.db.now(),
        );
    }
    let path = format!("/api/trainer/rooms/{id}/messages");
    let send_message = |body: &'static str, who: String| {
        let (router, path) = (router.clone(), path.clone());
        async move { call(&router, ("POST", &path), ("authorization", &who), body).await }
    };
    let (status, sent) = send_message(r#"{"text": "Break until 11:00"}"#, grace.clone()).await;
    assert_eq!((status, &sent["recipients"]), (201, &json!(3)));
    let to_ada = format!(
        r#"{{"text": "Nice work", "attendee": "{}"}}"#,
        members[0].attendee
    );
    let (status, sent) = call(&router, ("POST", &path), ("authorization", &grace), &to_ada).await;
    assert_eq!((status, &sent["recipients"]), (201, &json!(1)));
    let (status, sent) = send_message(
        r#"{"text": "Step 3: mind the port", "lesson": "fundamentals/pods", "step": 3}"#,
        grace.clone(),
    )
    .await;
    assert_eq!((status, &sent["recipients"]), (201, &json!(2)));
    let (status, _) = send_message(r#"{"text": ""}"#, grace.clone()).await;
    assert_eq!(status, 400);
    let (status, _) = send_message(r#"{"text": "x", "step": 3}"#, grace.clone()).await;
    assert_eq!(status, 400, "a step without its lesson");
    let (status, _) = send_message(r#"{"text": "x"}"#, alan.clone()).await;
    assert_eq!(status, 404, "another trainer's room");

    let texts = |mine: &Value| -> Vec<String> {
        mine["messages"]
            .as_array()
            .expect("messages")
            .iter()
            .map(|m| m["text"].as_str().expect("text").to_string())
            .collect()
    };
    let mut seen = Vec::new();
    for cookie in &cookies {
        let (_, mine) = call(&router, ("GET", "/api/room"), ("cookie", cookie), "").await;
        seen.push(texts(&mine));
    }
    assert_eq!(
        seen,
        [
            vec!["Break until 11:00", "Nice work", "Step 3: mind the port"],
            vec!["Break until 11:00", "Step 3: mind the port"],
            vec!["Break until 11:00"],
        ]
    );
    let audit = state.db.audit_log("grace", 20).await.expect("audit");
    assert_eq!(
        audit
            .iter()
            .filter(|e| format!("{e:?}").contains("message sent"))
            .count(),
        3
    );
}

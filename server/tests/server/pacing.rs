//! A room its trainer paces: only the open steps reach an attendee's page (prose, titles,
//! checks and the panes' text alike, from the server functions themselves), the trainer
//! opens the next steps (or closes them back), lessons outside the room stay open, and no
//! one else may move the room.

use super::room_support::{GracesRoom, call, graces_room, join, make_room, request};
use super::support::{app, send, state};
use app::model::pacing::CLOSED_TITLE;
use serde_json::{Value, json};

const PODS: &str = "fundamentals/pods";
const DEPLOYMENTS: &str = "fundamentals/deployments";

/// A server function's answer (`/api/lesson` or `/api/step`) for the browser with
/// `cookie`, if any.
async fn server_fn(router: &axum::Router, cookie: Option<&str>, path: &str, form: &str) -> Value {
    let mut headers = vec![("content-type", "application/x-www-form-urlencoded")];
    if let Some(cookie) = cookie {
        headers.push(("cookie", cookie));
    }
    let (status, _, body) = send(router, request("POST", path, &headers, form)).await;
    assert_eq!(status, 200, "{body}");
    serde_json::from_str(&body).expect("json")
}

async fn lesson(router: &axum::Router, cookie: Option<&str>, slug: &str) -> Value {
    server_fn(
        router,
        cookie,
        "/api/lesson",
        &format!("course=fundamentals&lesson={slug}"),
    )
    .await
}

async fn step(router: &axum::Router, cookie: &str, slug: &str, step: usize) -> Value {
    let form = format!("course=fundamentals&lesson={slug}&step={step}");
    server_fn(router, Some(cookie), "/api/step", &form).await
}

#[tokio::test]
async fn only_the_steps_the_trainer_opened_reach_the_attendee() {
    let cluster = kubesim::Cluster::builder().build().expect("cluster");
    let state = state(":memory:", &cluster).await;
    let router = app(state.clone());
    let room = format!(
        r#"{{"title": "Paced", "lessons": ["{PODS}", "{DEPLOYMENTS}"], "capacity": 5, "pacing": "trainer"}}"#
    );
    let GracesRoom {
        grace,
        alan,
        id,
        code,
    } = graces_room(&state, &router, &room).await;
    let (id, code) = (id.as_str(), code.as_str());
    let room_path = format!("/api/trainer/rooms/{id}");
    let (_, view) = call(&router, ("GET", &room_path), ("authorization", &grace), "").await;
    assert_eq!(view["pacing"], "trainer");
    assert_eq!(view["unlocked"], json!({"lesson": PODS, "step": 1}));
    let (_, ada) = join(&router, id, code, "Ada", None).await;
    let ada = ada.expect("ada's session");

    // At the start: the first step of the first lesson, and nothing of what follows.
    let pods = lesson(&router, Some(&ada), "pods").await;
    let pods_steps = pods["steps"].as_array().expect("steps").len();
    assert_eq!(pods["open_steps"], 1);
    assert_ne!(pods["steps"][0]["title"], CLOSED_TITLE);
    for closed in &pods["steps"].as_array().expect("steps")[1..] {
        assert_eq!(closed, &json!({"title": CLOSED_TITLE, "checks": []}));
    }
    let versions: Vec<u64> = pods["panes"]
        .as_array()
        .expect("panes")
        .iter()
        .flat_map(|p| p["versions"].as_array().into_iter().flatten())
        .map(|v| v[0].as_u64().expect("step"))
        .collect();
    assert!(
        !versions.is_empty() && versions.iter().all(|s| *s == 0),
        "{versions:?}"
    );
    assert_eq!(
        step(&router, &ada, "pods", 2).await["step"],
        0,
        "step 3 is not sent"
    );
    let deployments = lesson(&router, Some(&ada), "deployments").await;
    assert_eq!(deployments["open_steps"], 0);
    assert_eq!(deployments["panes"], json!([]));
    assert_eq!(step(&router, &ada, "deployments", 1).await["html"], "");
    // The live stream evaluates no step past what is open: a tab asking for step 3
    // gets the first step's checks.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let served = router.clone();
    tokio::spawn(async move { axum::serve(listener, served).await });
    let (mut tab, _) = super::stream::connect(addr, Some(&ada)).await;
    tab.send(json!({"type": "watch", "lesson": PODS, "step": 2}))
        .await;
    let checks = tab.until(10, |m| m["type"] == "checks").await;
    assert_eq!(checks["step"], 0, "{checks}");
    // A lesson outside the room, and a browser in no room, see everything.
    assert!(lesson(&router, Some(&ada), "services").await["open_steps"].is_null());
    assert!(lesson(&router, None, "deployments").await["open_steps"].is_null());
    let (_, mine) = call(&router, ("GET", "/api/room"), ("cookie", &ada), "").await;
    assert_eq!(mine["unlocked"], json!({"lesson": PODS, "step": 1}));
    assert_eq!(mine["lessons"], json!([PODS, DEPLOYMENTS]));

    // Only the room's trainer moves it, to a step the room has.
    let unlock = format!("/api/trainer/rooms/{id}/unlock");
    let to = |lesson: &str, step: usize| json!({"lesson": lesson, "step": step}).to_string();
    let (status, _) = call(
        &router,
        ("POST", &unlock),
        ("authorization", &alan),
        &to(DEPLOYMENTS, 2),
    )
    .await;
    assert_eq!(status, 404, "another trainer");
    let (status, _) = call(
        &router,
        ("POST", &unlock),
        ("cookie", &ada),
        &to(DEPLOYMENTS, 2),
    )
    .await;
    assert_eq!(status, 401, "an attendee");
    let (status, refused) = call(
        &router,
        ("POST", &unlock),
        ("authorization", &grace),
        &to("fundamentals/services", 1),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(
        refused["error"],
        format!(
            "lesson: \"fundamentals/services\" is not one of the room's ({PODS}, {DEPLOYMENTS})"
        )
    );
    let (status, refused) = call(
        &router,
        ("POST", &unlock),
        ("authorization", &grace),
        &to(PODS, 99),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(
        refused["error"],
        format!("step: 1 to {pods_steps} (the steps of {PODS})")
    );

    // Opened to step 2 of the second lesson: all of the first, two of the second.
    let (status, opened) = call(
        &router,
        ("POST", &unlock),
        ("authorization", &grace),
        &to(DEPLOYMENTS, 2),
    )
    .await;
    assert_eq!(
        (status, opened),
        (200, json!({"lesson": DEPLOYMENTS, "step": 2}))
    );
    assert_eq!(
        lesson(&router, Some(&ada), "pods").await["open_steps"],
        pods_steps
    );
    assert_eq!(
        lesson(&router, Some(&ada), "deployments").await["open_steps"],
        2
    );
    assert_eq!(step(&router, &ada, "deployments", 5).await["step"], 1);
    // And closed back.
    call(
        &router,
        ("POST", &unlock),
        ("authorization", &grace),
        &to(PODS, 1),
    )
    .await;
    assert_eq!(
        lesson(&router, Some(&ada), "deployments").await["open_steps"],
        0
    );
    let (_, audit) = call(
        &router,
        ("GET", "/api/trainer/audit"),
        ("authorization", &grace),
        "",
    )
    .await;
    assert!(audit.to_string().contains("steps opened"), "{audit}");

    // A self-paced room has nothing to open.
    let (_, free) = make_room(
        &router,
        &grace,
        &format!(r#"{{"title": "Free", "lessons": ["{PODS}"], "capacity": 5}}"#),
    )
    .await;
    let free = format!(
        "/api/trainer/rooms/{}/unlock",
        free["id"].as_str().expect("id")
    );
    let (status, refused) = call(
        &router,
        ("POST", &free),
        ("authorization", &grace),
        &to(PODS, 1),
    )
    .await;
    assert_eq!(status, 409, "{refused}");
}

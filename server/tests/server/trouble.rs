//! What held a room's attendees up, in its view, its report and `trouble.csv`: the checks
//! failing when they raised a hand (and, by `trainer::presence`'s rule, those still
//! failing two minutes after they started trying), and the refusals of their manifests,
//! counted per person and per time; nobody outside the room counts.

use super::room_support::{GracesRoom, call, graces_room, join, request};
use super::support::{app, new_attendee, send, state};
use app::model::live::CheckResult;

const LESSON: &str = "fundamentals/pods";

/// A Pod without containers: the API server refuses it.
const EMPTY_POD: &str = "apiVersion: v1\nkind: Pod\nmetadata: {name: empty, namespace: default}\nspec: {containers: []}\n";

async fn apply(router: &axum::Router, cookie: &str, manifests: &str) -> u16 {
    let (status, _, _) = send(
        router,
        request(
            "POST",
            &format!("/api/workspace/apply?lesson={LESSON}"),
            &[("cookie", cookie), ("content-type", "application/yaml")],
            manifests,
        ),
    )
    .await;
    status.as_u16()
}

#[tokio::test]
async fn the_report_lists_what_held_people_up_most_first() {
    let cluster = kubesim::Cluster::builder().build().expect("cluster");
    let state = state(":memory:", &cluster).await;
    let router = app(state.clone());
    let room = r#"{"title": "Trouble", "lessons": ["fundamentals/pods"], "capacity": 5}"#;
    let GracesRoom {
        grace,
        alan,
        id,
        code,
    } = graces_room(&state, &router, room).await;
    let (_, ada) = join(&router, &id, &code, "Ada", None).await;
    let (_, bob) = join(&router, &id, &code, "Bob", None).await;
    let (ada, bob) = (ada.expect("ada"), bob.expect("bob"));
    let outsider = new_attendee(&router).await;

    // Refusals: the API server's (Ada twice, Bob once) and a text that is no YAML (Bob).
    assert_eq!(apply(&router, &ada, EMPTY_POD).await, 422);
    assert_eq!(apply(&router, &ada, EMPTY_POD).await, 422);
    assert_eq!(apply(&router, &bob, EMPTY_POD).await, 422);
    assert_eq!(apply(&router, &bob, "kind: [unclosed\n").await, 400);
    assert_eq!(
        apply(&router, &outsider, EMPTY_POD).await,
        422,
        "not in the room: not counted"
    );

    // Ada raises a hand on step 2 with its two checks failing, as her tab shows them.
    let members = state.db.members(&id).await.expect("members");
    let tab = state.presence.tab(&members[0].attendee);
    tab.at(LESSON, 1);
    let failing: Vec<CheckResult> = [
        "One Pod carries app=go-http-app",
        "goserver is labelled tier=backend",
    ]
    .map(|label| CheckResult {
        label: label.into(),
        passed: false,
    })
    .into();
    state
        .presence
        .saw(&members[0].attendee, (LESSON, 1), &failing, state.db.now());
    let (status, hand) = call(
        &router,
        ("POST", "/api/room/help"),
        ("cookie", &ada),
        r#"{"lesson": "fundamentals/pods", "step": 2}"#,
    )
    .await;
    assert_eq!(status, 201, "{hand}");

    let (status, report) = call(
        &router,
        ("GET", &format!("/api/trainer/rooms/{id}/report.json")),
        ("authorization", &grace),
        "",
    )
    .await;
    assert_eq!(status, 200, "{report}");
    let trouble = &report["trouble"];
    let refusals = trouble["refusals"].as_array().expect("refusals");
    assert_eq!(refusals.len(), 2, "{trouble}");
    assert!(
        refusals[0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("containers")),
        "{trouble}"
    );
    assert_eq!(
        (&refusals[0]["attendees"], &refusals[0]["times"]),
        (&2.into(), &3.into())
    );
    assert_eq!(
        (&refusals[1]["attendees"], &refusals[1]["times"]),
        (&1.into(), &1.into())
    );
    let checks = trouble["checks"].as_array().expect("checks");
    let labels: Vec<(&str, u64, u64)> = checks
        .iter()
        .map(|c| {
            (
                c["label"].as_str().expect("label"),
                c["step"].as_u64().expect("step"),
                c["attendees"].as_u64().expect("attendees"),
            )
        })
        .collect();
    assert_eq!(
        labels,
        [
            ("One Pod carries app=go-http-app", 2, 1),
            ("goserver is labelled tier=backend", 2, 1)
        ]
    );

    // The room view carries the same; the CSV lists both kinds, most first.
    let (_, view) = call(
        &router,
        ("GET", &format!("/api/trainer/rooms/{id}")),
        ("authorization", &grace),
        "",
    )
    .await;
    assert_eq!(&view["trouble"], trouble);
    let csv_path = format!("/api/trainer/rooms/{id}/trouble.csv");
    let (status, headers, csv) = send(
        &router,
        request("GET", &csv_path, &[("authorization", &grace)], ""),
    )
    .await;
    assert_eq!(status, 200);
    assert!(
        headers["content-type"]
            .to_str()
            .expect("ascii")
            .starts_with("text/csv")
    );
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "what,lesson,step,text,attendees,times");
    assert!(
        lines[1].starts_with("check,fundamentals/pods,2,One Pod carries app=go-http-app,1,"),
        "{csv}"
    );
    assert!(
        lines[3].starts_with("refusal,,,") && lines[3].ends_with(",2,3"),
        "{csv}"
    );
    assert_eq!(lines.len(), 5, "{csv}");

    // Another trainer's room is not theirs; an attendee is no trainer.
    let (status, _, _) = send(
        &router,
        request("GET", &csv_path, &[("authorization", &alan)], ""),
    )
    .await;
    assert_eq!(status, 404);
    let (status, _, _) = send(&router, request("GET", &csv_path, &[("cookie", &ada)], "")).await;
    assert_eq!(status, 401);
}

//! Rooms: a trainer makes one over the API, attendees join with its link and access code,
//! and the room is its trainer's alone. The rules: the code, the capacity (the last seat
//! taken once), the window, a display name, and guessing codes slowed per address.

use super::room_support::{call, join, make_room, request, trainer};
use super::support::{app, new_attendee, send, state, state_with_limits};
use server::config::LimitsConfig;

#[tokio::test]
async fn a_trainer_makes_a_room_and_attendees_join_with_its_link_and_code() {
    let cluster = kubesim::Cluster::builder().build().expect("cluster");
    let state = state(":memory:", &cluster).await;
    let grace = trainer(&state, "grace").await;
    let router = app(state.clone());

    let body = r#"{"title": "Kubernetes basics, Tuesday", "lessons": ["fundamentals/services", "fundamentals/deployments"], "capacity": 2, "warm": 0}"#;
    let (status, created) = make_room(&router, &grace, body).await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().expect("id").to_string();
    let code = created["accessCode"].as_str().expect("code").to_string();
    assert_eq!(
        created["joinUrl"],
        format!("http://localhost:3000/join/{id}")
    );
    assert_eq!(code.len(), 6);

    // The join link shows the form with the code filled in and the notice.
    let (status, _, page) = send(
        &router,
        request("GET", &format!("/join/{id}?code={code}"), &[], ""),
    )
    .await;
    assert_eq!(status, 200);
    assert!(page.contains(&format!(r#"action="/join/{id}""#)), "{page}");
    assert!(page.contains(&format!(r#"value="{code}""#)), "{page}");
    assert!(
        page.contains("Your trainer can see your workspace"),
        "{page}"
    );

    // A wrong code goes back to the form and makes nobody.
    let (location, cookie) = join(&router, &id, "WRONG1", "Ada", None).await;
    assert_eq!(location, format!("/join/{id}?failed=code"));
    assert_eq!(cookie, None, "a refused join makes no session");
    let (location, _) = join(&router, &id, &code, "   ", None).await;
    assert_eq!(location, format!("/join/{id}?failed=name"));

    // Two seats: Ada (any case of the code) and Bob join, a third is told it is full.
    let (location, ada) = join(&router, &id, &code.to_lowercase(), "Ada", None).await;
    assert_eq!(
        location, "/learn/fundamentals/services",
        "into the room's first lesson"
    );
    let ada = ada.expect("Ada's session");
    let bob = new_attendee(&router).await;
    let (location, _) = join(&router, &id, &code, "Bob", Some(&bob)).await;
    assert_eq!(location, "/learn/fundamentals/services");
    let (location, _) = join(&router, &id, &code, "Cy", None).await;
    assert_eq!(location, format!("/join/{id}?failed=full"));
    // Joining again keeps the seat and takes the new name.
    let (location, _) = join(&router, &id, &code, "Ada L.", Some(&ada)).await;
    assert_eq!(location, "/learn/fundamentals/services");

    // The trainer sees both, and each one's steps; a step Ada passed shows.
    let ada_id = state.db.members(&id).await.expect("members")[0]
        .attendee
        .clone();
    state
        .db
        .complete_step(&ada_id, "fundamentals/deployments", 1)
        .await
        .expect("step");
    let (status, _, text) = send(
        &router,
        request(
            "GET",
            &format!("/api/trainer/rooms/{id}"),
            &[("authorization", &grace)],
            "",
        ),
    )
    .await;
    assert_eq!(status, 200, "{text}");
    let room: serde_json::Value = serde_json::from_str(&text).expect("json");
    assert_eq!(room["title"], "Kubernetes basics, Tuesday");
    assert_eq!(room["joined"], 2);
    assert_eq!(room["lessons"][0]["title"], "Services");
    let names: Vec<&str> = room["attendees"]
        .as_array()
        .expect("attendees")
        .iter()
        .filter_map(|a| a["name"].as_str())
        .collect();
    assert_eq!(names, ["Ada L.", "Bob"]);
    let steps = &room["attendees"][0]["steps"]["fundamentals/deployments"];
    assert_eq!(steps[0], "notStarted");
    assert_eq!(steps[1], "passed");
    assert_eq!(
        room["attendees"][1]["steps"]["fundamentals/deployments"][1],
        "notStarted"
    );

    // The list has it, without attendees; the audit log says it was made.
    let (_, _, text) = send(
        &router,
        request(
            "GET",
            "/api/trainer/rooms",
            &[("authorization", &grace)],
            "",
        ),
    )
    .await;
    let rooms: serde_json::Value = serde_json::from_str(&text).expect("json");
    assert_eq!(rooms[0]["id"], id.as_str());
    assert!(rooms[0].get("attendees").is_none());
    let log = state.db.audit_log("grace", 10).await.expect("log");
    assert!(
        log.iter()
            .any(|e| e.action == "room created" && e.detail.contains(&id)),
        "{log:?}"
    );
}

#[tokio::test]
async fn the_qr_code_is_the_join_link_with_its_code_for_the_rooms_trainer_alone() {
    let cluster = kubesim::Cluster::builder().build().expect("cluster");
    let state = state(":memory:", &cluster).await;
    let grace = trainer(&state, "grace").await;
    let alan = trainer(&state, "alan").await;
    let router = app(state.clone());
    let (_, created) = make_room(
        &router,
        &grace,
        r#"{"title": "Scan me", "lessons": ["fundamentals/pods"], "capacity": 3}"#,
    )
    .await;
    let id = created["id"].as_str().expect("id");
    let path = format!("/api/trainer/rooms/{id}/qr.svg");
    let (status, headers, svg) = send(
        &router,
        request("GET", &path, &[("authorization", &grace)], ""),
    )
    .await;
    assert_eq!(status, 200, "{svg}");
    assert_eq!(headers["content-type"], "image/svg+xml");
    // The same symbols as the link and code drawn on their own: what a phone reads.
    let link = format!(
        "{}?code={}",
        created["joinUrl"].as_str().expect("link"),
        created["accessCode"].as_str().expect("code")
    );
    let expected = qrcode::QrCode::new(link.as_bytes())
        .expect("qr")
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(320, 320)
        .build();
    assert_eq!(svg, expected, "the QR code of {link}");
    let (status, _, _) = send(
        &router,
        request("GET", &path, &[("authorization", &alan)], ""),
    )
    .await;
    assert_eq!(status, 404, "another trainer's room");
}

#[tokio::test]
async fn a_room_that_cannot_be_is_refused_saying_why() {
    let cluster = kubesim::Cluster::builder().build().expect("cluster");
    let state = state(":memory:", &cluster).await;
    let grace = trainer(&state, "grace").await;
    let router = app(state.clone());
    for (body, says) in [
        (
            r#"{"title": "x", "lessons": ["fundamentals/nope"], "capacity": 5}"#,
            r#"no lesson \"fundamentals/nope\""#,
        ),
        (
            r#"{"title": "x", "lessons": [], "capacity": 5}"#,
            "lessons: 1 to 30",
        ),
        (
            r#"{"title": "", "lessons": ["fundamentals/pods"], "capacity": 5}"#,
            "title: 1 to 120",
        ),
        (
            r#"{"title": "x", "lessons": ["fundamentals/pods"], "capacity": 0}"#,
            "capacity: 1 to 1000",
        ),
        (
            r#"{"title": "x", "lessons": ["fundamentals/pods"], "capacity": 5, "warm": 6}"#,
            "warm: at most the capacity",
        ),
        (
            r#"{"title": "x", "lessons": ["fundamentals/pods"], "capcity": 5}"#,
            "unknown field `capcity`",
        ),
        (
            r#"{"title": "x", "lessons": ["fundamentals/pods"], "capacity": 5, "opens": "tomorrow"}"#,
            "opens: \\\"tomorrow\\\" is not an RFC 3339 time",
        ),
        (
            r#"{"title": "x", "lessons": ["fundamentals/pods"], "capacity": 5, "opens": "2027-01-02T10:00:00Z", "closes": "2027-01-02T09:00:00Z"}"#,
            "closes: must come after opens",
        ),
        ("not json", "the room:"),
    ] {
        let (status, answer) = make_room(&router, &grace, body).await;
        assert_eq!(status, 400, "{body}: {answer}");
        assert!(answer.to_string().contains(says), "{body}: {answer}");
    }
    assert!(
        state.db.rooms_of("grace").await.expect("rooms").is_empty(),
        "nothing half-made"
    );

    // Attendees cannot make or read rooms.
    let attendee = new_attendee(&router).await;
    let (status, _, _) = send(
        &router,
        request(
            "POST",
            "/api/trainer/rooms",
            &[("cookie", &attendee), ("content-type", "application/json")],
            r#"{"title": "x", "lessons": ["fundamentals/pods"], "capacity": 5}"#,
        ),
    )
    .await;
    assert_eq!(status, 401);
    let (status, _, _) = send(
        &router,
        request("GET", "/api/trainer/rooms", &[("cookie", &attendee)], ""),
    )
    .await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn a_room_is_its_own_trainers_alone() {
    let cluster = kubesim::Cluster::builder().build().expect("cluster");
    let state = state(":memory:", &cluster).await;
    let grace = trainer(&state, "grace").await;
    let alan = trainer(&state, "alan").await;
    let router = app(state.clone());
    let (_, created) = make_room(
        &router,
        &grace,
        r#"{"title": "Grace's", "lessons": ["fundamentals/pods"], "capacity": 3}"#,
    )
    .await;
    let id = created["id"].as_str().expect("id");
    let (status, _, mine) = send(
        &router,
        request(
            "GET",
            &format!("/api/trainer/rooms/{id}"),
            &[("authorization", &grace)],
            "",
        ),
    )
    .await;
    assert_eq!(status, 200, "{mine}");
    let (status, _, theirs) = send(
        &router,
        request(
            "GET",
            &format!("/api/trainer/rooms/{id}"),
            &[("authorization", &alan)],
            "",
        ),
    )
    .await;
    assert_eq!(status, 404, "{theirs}");
    let (status, _, nothing) = send(
        &router,
        request(
            "GET",
            "/api/trainer/rooms/doesnotexist",
            &[("authorization", &alan)],
            "",
        ),
    )
    .await;
    assert_eq!(status, 404);
    assert_eq!(
        theirs.replace(id, "X"),
        nothing.replace("doesnotexist", "X"),
        "the same answer as for no room"
    );
    let (_, _, list) = send(
        &router,
        request("GET", "/api/trainer/rooms", &[("authorization", &alan)], ""),
    )
    .await;
    assert_eq!(list, "[]");
}

#[tokio::test]
async fn the_window_decides_when_joining_opens_and_closes() {
    let cluster = kubesim::Cluster::builder().build().expect("cluster");
    let limits = LimitsConfig {
        logins_per_minute: 2,
        ..LimitsConfig::default()
    };
    let state = state_with_limits(":memory:", &cluster, limits).await;
    let grace = trainer(&state, "grace").await;
    let router = app(state.clone());
    let at = |offset: i64| {
        jiff::Timestamp::from_second(state.db.now() + offset)
            .expect("time")
            .to_string()
    };
    let room = |opens: String, closes: String| {
        format!(
            r#"{{"title": "w", "lessons": ["fundamentals/pods"], "capacity": 3, "opens": "{opens}", "closes": "{closes}"}}"#
        )
    };
    let (_, later) = make_room(&router, &grace, &room(at(3600), at(7200))).await;
    let (_, over) = make_room(&router, &grace, &room(at(-7200), at(-3600))).await;
    let (_, now) = make_room(&router, &grace, &room(at(-60), at(3600))).await;
    for (room, expected) in [
        (&later, "?failed=early"),
        (&over, "?failed=closed"),
        (&now, "/learn/"),
    ] {
        let id = room["id"].as_str().expect("id");
        let code = room["accessCode"].as_str().expect("code");
        let (location, _) = join(&router, id, code, "Ada", None).await;
        assert!(location.contains(expected), "{location}");
    }
    let (location, _) = join(&router, "nosuchroom", "ABCDEF", "Ada", None).await;
    assert_eq!(location, "/join/nosuchroom?failed=room");

    // Wrong codes are counted per address: past the limit, guessing stops.
    let id = now["id"].as_str().expect("id");
    for _ in 0..2 {
        join(&router, id, "GUESS1", "Eve", None).await;
    }
    let (status, _, body) = send(
        &router,
        request(
            "POST",
            &format!("/join/{id}"),
            &[("content-type", "application/x-www-form-urlencoded")],
            "code=GUESS2&name=Eve",
        ),
    )
    .await;
    assert_eq!(status, 429, "{body}");
}

#[tokio::test]
async fn the_report_counts_who_passed_each_step_and_exports_csv() {
    let cluster = kubesim::Cluster::builder().build().expect("cluster");
    let state = state(":memory:", &cluster).await;
    let grace = trainer(&state, "grace").await;
    let alan = trainer(&state, "alan").await;
    let router = app(state.clone());
    let (_, created) = make_room(
        &router,
        &grace,
        r#"{"title": "Report", "lessons": ["fundamentals/pods"], "capacity": 5}"#,
    )
    .await;
    let id = created["id"].as_str().expect("id");
    let code = created["accessCode"].as_str().expect("code");
    join(&router, id, code, "Ada, L.", None).await;
    join(&router, id, code, "=HYPERLINK(1)", None).await;
    let members = state.db.members(id).await.expect("members");
    let named = |name: &str| {
        members
            .iter()
            .find(|m| m.name == name)
            .expect("member")
            .attendee
            .clone()
    };
    let (ada, eve) = (&named("Ada, L."), &named("=HYPERLINK(1)"));
    for step in [0, 1] {
        state
            .db
            .complete_step(ada, "fundamentals/pods", step)
            .await
            .expect("ada");
    }
    state
        .db
        .complete_step(eve, "fundamentals/pods", 0)
        .await
        .expect("eve");
    state
        .db
        .complete_step(eve, "fundamentals/deployments", 0)
        .await
        .expect("not this room's");

    let (status, _, text) = send(
        &router,
        request(
            "GET",
            &format!("/api/trainer/rooms/{id}/report.json"),
            &[("authorization", &grace)],
            "",
        ),
    )
    .await;
    assert_eq!(status, 200, "{text}");
    let report: serde_json::Value = serde_json::from_str(&text).expect("json");
    let steps = report["steps"].as_array().expect("steps");
    let pods = state.lesson("fundamentals/pods").expect("pods").steps.len();
    assert_eq!(steps.len(), pods, "the room's steps only");
    assert_eq!(
        (
            steps[0]["passed"].as_u64(),
            steps[1]["passed"].as_u64(),
            steps[2]["passed"].as_u64()
        ),
        (Some(2), Some(1), Some(0))
    );
    assert!(steps[0]["medianSeconds"].as_i64().is_some_and(|s| s >= 0));
    assert!(steps[2]["medianSeconds"].is_null());
    // The grid's columns carry the same medians.
    let room_path = format!("/api/trainer/rooms/{id}");
    let (_, view) = call(&router, ("GET", &room_path), ("authorization", &grace), "").await;
    let medians: Vec<&serde_json::Value> = steps.iter().map(|s| &s["medianSeconds"]).collect();
    let shown: Vec<&serde_json::Value> = view["lessons"][0]["medianSeconds"]
        .as_array()
        .expect("medians")
        .iter()
        .collect();
    assert_eq!(shown, medians);
    assert_eq!(
        steps[0]["title"],
        state.lesson("fundamentals/pods").expect("pods").steps[0]
            .title
            .as_str()
    );

    let (status, headers, csv) = send(
        &router,
        request(
            "GET",
            &format!("/api/trainer/rooms/{id}/report.csv"),
            &[("authorization", &grace)],
            "",
        ),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "text/csv; charset=utf-8");
    assert!(
        headers["content-disposition"]
            .to_str()
            .expect("ascii")
            .contains(&format!("room-{id}-report.csv"))
    );
    let lines: Vec<&str> = csv.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), 4, "header, two attendees, totals: {csv}");
    assert!(lines[0].starts_with(
        "attendee,name,joined,fundamentals/pods step 1 passed,fundamentals/pods step 1 seconds,"
    ));
    assert!(
        lines[1..3].iter().any(|l| l.contains(",\"Ada, L.\",")),
        "{csv}"
    );
    assert!(
        lines[1..3].iter().any(|l| l.contains(",'=HYPERLINK(1),")),
        "a formula is defused: {csv}"
    );
    assert!(lines[3].starts_with("passed,,,2,"), "{csv}");

    let (status, _, _) = send(
        &router,
        request(
            "GET",
            &format!("/api/trainer/rooms/{id}/report.csv"),
            &[("authorization", &alan)],
            "",
        ),
    )
    .await;
    assert_eq!(status, 404, "another trainer's room");
}

#[tokio::test]
async fn a_room_is_kept_for_its_retention_then_deleted_with_its_results() {
    let cluster = kubesim::Cluster::builder().build().expect("cluster");
    let state = state(":memory:", &cluster).await;
    let grace = trainer(&state, "grace").await;
    let router = app(state.clone());
    let at = |offset: i64| {
        jiff::Timestamp::from_second(state.db.now() + offset)
            .expect("time")
            .to_string()
    };
    let day = 86_400;
    let room = |closes: String, days: u32| {
        format!(
            r#"{{"title": "r", "lessons": ["fundamentals/pods"], "capacity": 3, "opens": "{}", "closes": "{closes}", "retentionDays": {days}}}"#,
            at(-3 * day)
        )
    };
    let (status, refused) = make_room(&router, &grace, &room(at(-day), 0)).await;
    assert_eq!(
        (status, &refused["error"]),
        (400, &serde_json::json!("retentionDays: 1 to 3650"))
    );
    // Ended two days ago: kept for one day (gone), for seven (kept).
    let (_, gone) = make_room(&router, &grace, &room(at(-2 * day), 1)).await;
    let (_, kept) = make_room(&router, &grace, &room(at(-2 * day), 7)).await;
    let (_, default) = make_room(
        &router,
        &grace,
        r#"{"title": "d", "lessons": ["fundamentals/pods"], "capacity": 3}"#,
    )
    .await;
    let gone = gone["id"].as_str().expect("id");
    state
        .db
        .send_message(gone, None, "bye")
        .await
        .expect("message");
    let deleted = state.db.delete_expired_rooms().await.expect("sweep");
    assert_eq!(deleted, [gone.to_string()]);
    for (room, status) in [(gone, 404), (kept["id"].as_str().expect("id"), 200)] {
        let (got, _, _) = send(
            &router,
            request(
                "GET",
                &format!("/api/trainer/rooms/{room}/report.json"),
                &[("authorization", &grace)],
                "",
            ),
        )
        .await;
        assert_eq!(got, status);
    }
    let (_, _, text) = send(
        &router,
        request(
            "GET",
            &format!("/api/trainer/rooms/{}", default["id"].as_str().expect("id")),
            &[("authorization", &grace)],
            "",
        ),
    )
    .await;
    let view: serde_json::Value = serde_json::from_str(&text).expect("room");
    assert_eq!(view["retentionDays"], 90, "the default");
}

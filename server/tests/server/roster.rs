//! A room with a named roster: each person gets a personal code and a link with it, joins
//! under the roster's name (the room's access code and a chosen name do not get in), and
//! a code seats one browser only; a bad roster is refused saying which line, and no room
//! is made.

use super::room_support::{call, join, make_room, request, trainer};
use super::support::{app, send, state};
use serde_json::json;

#[tokio::test]
async fn a_roster_seats_each_person_by_their_own_code_under_their_name() {
    let cluster = kubesim::Cluster::builder().build().expect("cluster");
    let state = state(":memory:", &cluster).await;
    let grace = trainer(&state, "grace").await;
    let router = app(state.clone());
    let room = |roster: &str, capacity: u32| {
        json!({"title": "Named", "lessons": ["fundamentals/pods"], "capacity": capacity, "roster": roster})
            .to_string()
    };

    // A bad roster says which line and why, and makes no room.
    let (status, refused) = make_room(
        &router,
        &grace,
        &room("name,email\nAda,ada@example.com\nGrace,nope\n", 5),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(
        refused["error"],
        "roster: line 3: \"nope\" is not an email address"
    );
    let (status, refused) = make_room(&router, &grace, &room("name\nAda\nGrace\nAlan\n", 2)).await;
    assert_eq!(status, 400);
    assert_eq!(
        refused["error"],
        "roster: 3 people, more than the capacity of 2"
    );
    let (_, rooms) = call(
        &router,
        ("GET", "/api/trainer/rooms"),
        ("authorization", &grace),
        "",
    )
    .await;
    assert_eq!(rooms, json!([]), "nothing half-made");

    let (status, made) = make_room(
        &router,
        &grace,
        &room(
            "Name,Email\nAda Lovelace,ada@example.com\nGrace Hopper,\n",
            5,
        ),
    )
    .await;
    assert_eq!(status, 201, "{made}");
    let id = made["id"].as_str().expect("id");
    let access_code = made["accessCode"].as_str().expect("code");
    let path = format!("/api/trainer/rooms/{id}");
    let (_, view) = call(&router, ("GET", &path), ("authorization", &grace), "").await;
    let roster = view["roster"].as_array().expect("roster");
    assert_eq!(roster.len(), 2);
    assert_eq!(
        (&roster[0]["name"], &roster[0]["email"]),
        (&json!("Ada Lovelace"), &json!("ada@example.com"))
    );
    let ada_code = roster[0]["code"].as_str().expect("code").to_string();
    assert_eq!(ada_code.len(), 8);
    assert_ne!(ada_code, roster[1]["code"].as_str().expect("code"));
    assert_eq!(
        roster[0]["link"],
        format!(
            "{}?code={ada_code}",
            made["joinUrl"].as_str().expect("link")
        )
    );

    // The join page asks for the personal code, not a name.
    let (_, _, page) = send(
        &router,
        request("GET", &format!("/join/{id}?code={ada_code}"), &[], ""),
    )
    .await;
    assert!(
        page.contains("Your personal code") && !page.contains("join-name"),
        "{page}"
    );
    assert!(page.contains(&format!(r#"value="{ada_code}""#)), "{page}");

    // The room's access code does not get in; Ada's code does, under the roster's name.
    let (location, _) = join(&router, id, access_code, "Mallory", None).await;
    assert_eq!(location, format!("/join/{id}?failed=code"));
    let (location, ada) = join(&router, id, &ada_code.to_lowercase(), "Mallory", None).await;
    assert_eq!(location, "/learn/fundamentals/pods");
    let ada = ada.expect("ada's session");
    let members = state.db.members(id).await.expect("members");
    assert_eq!(
        members.iter().map(|m| m.name.as_str()).collect::<Vec<_>>(),
        ["Ada Lovelace"]
    );
    // Another browser with her code is refused; hers may come back.
    let (location, _) = join(&router, id, &ada_code, "", None).await;
    assert_eq!(location, format!("/join/{id}?failed=used"));
    let (location, _) = join(&router, id, &ada_code, "", Some(&ada)).await;
    assert_eq!(location, "/learn/fundamentals/pods");
    // One person, one seat: Ada's browser cannot take Grace's code as well.
    let grace_code = roster[1]["code"].as_str().expect("code").to_string();
    let (location, _) = join(&router, id, &grace_code, "", Some(&ada)).await;
    assert_eq!(location, format!("/join/{id}?failed=another"));
    // The room's QR code would carry the access code, which this room refuses: none.
    let (status, _) = call(
        &router,
        ("GET", &format!("{path}/qr.svg")),
        ("authorization", &grace),
        "",
    )
    .await;
    assert_eq!(status, 409);
    let (_, view) = call(&router, ("GET", &path), ("authorization", &grace), "").await;
    assert_eq!(
        view["roster"]
            .as_array()
            .expect("roster")
            .iter()
            .map(|s| s["joined"].as_bool())
            .collect::<Vec<_>>(),
        [Some(true), Some(false)]
    );
    assert_eq!(view["joined"], 1);

    // Ada moves to another machine: the trainer reopens her code, and the next new
    // browser with it is Ada (her seat, workspace and progress), once.
    let ada_id = state.db.members(id).await.expect("members")[0]
        .attendee
        .clone();
    let reseat = format!("{path}/roster/{ada_code}/reseat");
    let (status, _) = call(&router, ("POST", &reseat), ("authorization", &grace), "").await;
    assert_eq!(status, 200);
    let (_, view) = call(&router, ("GET", &path), ("authorization", &grace), "").await;
    assert_eq!(view["roster"][0]["reopened"], true);
    let (location, laptop) = join(&router, id, &ada_code, "", None).await;
    assert_eq!(location, "/learn/fundamentals/pods");
    let (_, me) = call(
        &router,
        ("GET", "/api/room"),
        ("cookie", &laptop.expect("session")),
        "",
    )
    .await;
    assert_eq!(me["title"], "Named", "{me}");
    let members = state.db.members(id).await.expect("members");
    assert_eq!(
        members
            .iter()
            .map(|m| (m.attendee.as_str(), m.name.as_str()))
            .collect::<Vec<_>>(),
        [(ada_id.as_str(), "Ada Lovelace")],
        "the same attendee, not a second Ada"
    );
    let (location, _) = join(&router, id, &ada_code, "", None).await;
    assert_eq!(location, format!("/join/{id}?failed=used"), "once");
    let (status, _) = call(
        &router,
        ("POST", &format!("{path}/roster/NOSUCHCD/reseat")),
        ("authorization", &grace),
        "",
    )
    .await;
    assert_eq!(status, 404);
}

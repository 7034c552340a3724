//! What the room tests share: requests from kubeclass's own pages, a trainer with a
//! token, a room made over the API, a join, and a JSON call as a trainer or an attendee.

use super::support::{cookie_of, send};
use serde_json::Value;
use server::state::AppState;
use server::trainer::credentials;

/// A request from kubeclass's own pages (its Origin) with `headers`.
pub fn request(
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> http::Request<axum::body::Body> {
    let same_site = [&[("origin", "http://localhost:3000")], headers].concat();
    super::support::request(method, path, &same_site, body)
}

/// A trainer called `name` and the `Authorization` header of a token of theirs.
pub async fn trainer(state: &AppState, name: &str) -> String {
    let hash = credentials::hash_password("a long enough password").expect("hash");
    state.db.put_trainer(name, &hash).await.expect("trainer");
    let token = credentials::new_token();
    state
        .db
        .add_trainer_token(name, &credentials::digest(&token))
        .await
        .expect("token");
    format!("Bearer {token}")
}

/// `POST /api/trainer/rooms` with `body`: the status and the answer as JSON.
pub async fn make_room(
    router: &axum::Router,
    bearer: &str,
    body: &str,
) -> (u16, serde_json::Value) {
    let (status, _, text) = send(
        router,
        request(
            "POST",
            "/api/trainer/rooms",
            &[
                ("authorization", bearer),
                ("content-type", "application/json"),
            ],
            body,
        ),
    )
    .await;
    (
        status.as_u16(),
        serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text)),
    )
}

/// Joins `room` with `code` and `name`, as the browser with `cookie` (none: a new one):
/// where it was sent, and the session cookie it was given, if any.
pub async fn join(
    router: &axum::Router,
    room: &str,
    code: &str,
    name: &str,
    cookie: Option<&str>,
) -> (String, Option<String>) {
    let form = format!("code={code}&name={}", name.replace(' ', "+"));
    let mut headers = vec![("content-type", "application/x-www-form-urlencoded")];
    if let Some(cookie) = cookie {
        headers.push(("cookie", cookie));
    }
    let (status, answer, body) = send(
        router,
        request("POST", &format!("/join/{room}"), &headers, &form),
    )
    .await;
    assert_eq!(status, 303, "{body}");
    let cookie = answer.get("set-cookie").map(|_| cookie_of(&answer));
    (
        answer["location"].to_str().expect("ascii").to_string(),
        cookie,
    )
}

/// `METHOD path` as `who` (an `Authorization` or `cookie` header) with a JSON body.
pub async fn call(
    router: &axum::Router,
    (method, path): (&str, &str),
    who: (&str, &str),
    body: &str,
) -> (u16, Value) {
    let (status, _, text) = send(
        router,
        request(
            method,
            path,
            &[who, ("content-type", "application/json")],
            body,
        ),
    )
    .await;
    (
        status.as_u16(),
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// A cluster for a test on paused time: `seed` and a fixed start, so its names and
/// timestamps are the same on every run.
pub fn paused_cluster(seed: u64) -> kubesim::Cluster {
    kubesim::Cluster::builder()
        .seed(seed)
        .start_time("2026-03-01T09:00:00Z".parse().expect("time"))
        .build()
        .expect("cluster")
}

/// The router for a test on paused time: a request's timeout would fire while the
/// database's thread works, so it has none to speak of.
pub fn paused_router(state: &AppState) -> axum::Router {
    let options = server::http::Options {
        request_timeout: std::time::Duration::from_secs(24 * 3600),
        secure_cookies: false,
    };
    server::http::router(state.clone(), options)
}

/// A room of grace's, with what the room tests need of it.
pub struct GracesRoom {
    /// The `Authorization` of grace, whose room it is, and of alan, another trainer.
    pub grace: String,
    pub alan: String,
    pub id: String,
    pub code: String,
}

/// Two trainers, grace and alan, and a room of grace's made with `body` over the API.
pub async fn graces_room(state: &AppState, router: &axum::Router, body: &str) -> GracesRoom {
    let grace = trainer(state, "grace").await;
    let alan = trainer(state, "alan").await;
    let (status, made) = make_room(router, &grace, body).await;
    assert_eq!(status, 201, "{made}");
    let text = |field: &str| made[field].as_str().expect(field).to_string();
    GracesRoom {
        id: text("id"),
        code: text("accessCode"),
        grace,
        alan,
    }
}

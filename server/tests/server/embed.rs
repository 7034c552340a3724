//! Docs sites' embeds on the server's side: only a registered site's origins may frame
//! `/embed/*`; a reader's Start gives a bearer token that works where cookies do not
//! (no cookie is made), a ticket lets its live stream in once, "Open in kubeclass"
//! carries the sandbox into a cookie session; past the cap readers wait in line, in
//! order; sandboxes end.

use super::stream::serve_content;
use super::support::{app, content_dir, request, send, state_on_clock, state_with_limits};
use http::StatusCode;
use server::config::{EmbedCommand, LimitsConfig};
use server::state::AppState;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

const OWN: (&str, &str) = ("origin", "http://localhost:3000");
const POD: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n    - name: web\n      image: nginx:1.27\n";

/// Registers a site with `origins` as an operator would; its key.
async fn add_site(state: &AppState, origins: &[&str]) -> String {
    let mut out = Vec::new();
    let command = EmbedCommand::AddSite {
        origins: origins.iter().map(|o| o.to_string()).collect(),
        key: None,
    };
    server::embed::cli::run(&command, &state.db, &mut out)
        .await
        .expect("add-site");
    String::from_utf8(out).expect("utf-8").trim().to_string()
}

/// A reader's Start on `site`: the status and answer.
async fn start(
    router: &axum::Router,
    site: &str,
    waiter: Option<&str>,
) -> (StatusCode, serde_json::Value) {
    let body = serde_json::json!({ "site": site, "waiter": waiter }).to_string();
    let (status, headers, body) = send(
        router,
        request(
            "POST",
            "/api/embed/sessions",
            &[OWN, ("content-type", "application/json")],
            &body,
        ),
    )
    .await;
    assert!(
        headers.get("set-cookie").is_none(),
        "an embed never gets a cookie"
    );
    (
        status,
        serde_json::from_str(&body).unwrap_or_else(|_| panic!("{status}: {body}")),
    )
}

async fn limited(limits: LimitsConfig) -> (AppState, axum::Router, kubesim::Cluster) {
    let cluster = kubesim::Cluster::builder().build().expect("cluster");
    let state = state_with_limits(":memory:", &cluster, limits).await;
    (state.clone(), app(state), cluster)
}

#[tokio::test]
async fn only_a_registered_sites_origins_may_frame_the_embed() {
    let (state, router, _cluster) = limited(LimitsConfig::default()).await;
    let key = add_site(
        &state,
        &["http://localhost:8081", "https://Docs.Example.com/"],
    )
    .await;
    let mut out = Vec::new();
    let wrong = EmbedCommand::AddSite {
        origins: vec!["https://docs.example.com/guide".into()],
        key: None,
    };
    let error = server::embed::cli::run(&wrong, &state.db, &mut out)
        .await
        .expect_err("a path");
    assert!(error.to_string().contains("is not an origin"), "{error}");

    let csp = |headers: &http::HeaderMap| {
        headers["content-security-policy"]
            .to_str()
            .expect("ascii")
            .to_string()
    };
    let page = format!("/embed/v1/fundamentals/pods?site={key}");
    let (status, headers, body) = send(&router, request("GET", &page, &[], "")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(
        csp(&headers).contains("frame-ancestors http://localhost:8081 https://docs.example.com"),
        "{}",
        csp(&headers)
    );
    assert!(
        !csp(&headers).contains("'none'; frame"),
        "{}",
        csp(&headers)
    );
    assert!(
        headers.get("x-frame-options").is_none(),
        "X-Frame-Options cannot name origins"
    );
    assert!(
        body.contains("Pods"),
        "the lesson is readable in the page itself"
    );

    // An unknown key, or none: the embed frames nowhere.
    for page in [
        "/embed/v1/fundamentals/pods?site=site_nothere",
        "/embed/v1/fundamentals/pods",
    ] {
        let (_, headers, _) = send(&router, request("GET", page, &[], "")).await;
        assert!(
            csp(&headers).contains("frame-ancestors 'none'"),
            "{page}: {}",
            csp(&headers)
        );
    }
    // Every other page and answer stays unframeable.
    for page in [
        "/",
        "/learn/fundamentals/pods",
        "/trainer/login",
        "/api/progress",
    ] {
        let (_, headers, _) = send(&router, request("GET", page, &[], "")).await;
        assert!(csp(&headers).contains("frame-ancestors 'none'"), "{page}");
        assert_eq!(headers["x-frame-options"], "DENY", "{page}");
    }
    // (The script a docs page loads, `loader.js`, is a cross-origin module, so it needs
    // CORS: end2end/tests/embed.test.mjs loads it from another site.)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_readers_token_works_without_cookies_and_its_ticket_lets_the_stream_in_once() {
    let (addr, state, _admin) = serve_content(content_dir()).await;
    let router = app(state.clone());
    let key = add_site(&state, &["http://localhost:8081"]).await;

    let (status, answer) = start(&router, "site_unknown", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(
        answer["error"]
            .as_str()
            .expect("error")
            .contains("kubeclass embed add-site")
    );
    let (status, answer) = start(&router, &key, None).await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    let token = answer["started"]["token"]
        .as_str()
        .expect("token")
        .to_string();
    assert!(token.starts_with("kce_"));
    assert_eq!(answer["started"]["seconds"], 1800);
    assert_eq!(answer["started"]["idleSeconds"], 300);
    let bearer = format!("Bearer {token}");

    // The token is the reader's attendee: apply, read back, no cookie made.
    let apply = request(
        "POST",
        "/api/workspace/apply?lesson=fundamentals/pods",
        &[
            OWN,
            ("authorization", &bearer),
            ("content-type", "application/yaml"),
        ],
        POD,
    );
    let (status, headers, body) = send(&router, apply).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(headers.get("set-cookie").is_none());
    let objects = || {
        request(
            "GET",
            "/api/workspace/objects",
            &[("authorization", bearer.as_str())],
            "",
        )
    };
    let (status, _, body) = send(&router, objects()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("\"web\""), "{body}");
    // A made-up token is refused, not turned into a new attendee.
    let (status, headers, body) = send(
        &router,
        request(
            "GET",
            "/api/progress",
            &[("authorization", "Bearer kce_madeup")],
            "",
        ),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert!(body.contains("press Start for a new one"), "{body}");
    assert!(headers.get("set-cookie").is_none());

    // The live stream: a ticket for the token, good once.
    let (status, _, body) = send(&router, request("POST", "/api/embed/tickets", &[OWN], "")).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "no token, no ticket: {body}"
    );
    let (status, _, body) = send(
        &router,
        request(
            "POST",
            "/api/embed/tickets",
            &[OWN, ("authorization", &bearer)],
            "",
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let ticket: serde_json::Value = serde_json::from_str(&body).expect("json");
    let ticket = ticket["ticket"].as_str().expect("ticket");
    let socket = |ticket: &str| {
        let mut request = format!("ws://{addr}/api/stream?ticket={ticket}")
            .into_client_request()
            .expect("request");
        request
            .headers_mut()
            .insert("origin", format!("http://{addr}").parse().expect("origin"));
        tokio_tungstenite::connect_async(request)
    };
    let (_stream, response) = socket(ticket).await.expect("the ticket lets the stream in");
    assert!(response.headers().get("set-cookie").is_none());
    match socket(ticket).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            assert_eq!(response.status(), StatusCode::UNAUTHORIZED)
        }
        other => panic!(
            "a used ticket let a stream in: {:?}",
            other.map(|(_, r)| r.status())
        ),
    }

    // "Open in kubeclass": a new tab gets a cookie session of the same workspace, and
    // the embed's token ends (the sandbox lives on as the tab's).
    let adopt = request(
        "POST",
        "/api/embed/adopt",
        &[OWN, ("content-type", "application/x-www-form-urlencoded")],
        &format!("token={token}&lesson=fundamentals%2Fpods&step=2"),
    );
    let (status, headers, body) = send(&router, adopt).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert_eq!(headers["location"], "/learn/fundamentals/pods?step=2");
    let cookie = super::support::cookie_of(&headers);
    let (_, _, body) = send(
        &router,
        request(
            "GET",
            "/api/workspace/objects",
            &[("cookie", cookie.as_str())],
            "",
        ),
    )
    .await;
    assert!(
        body.contains("\"web\""),
        "the tab has the sandbox's Pod: {body}"
    );
    let (status, _, _) = send(&router, objects()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the embed's token ended");
    // Another site's page cannot make a browser adopt a sandbox.
    let forged = request(
        "POST",
        "/api/embed/adopt",
        &[
            ("origin", "http://localhost:8081"),
            ("content-type", "application/x-www-form-urlencoded"),
        ],
        &format!("token={token}&lesson=fundamentals%2Fpods"),
    );
    assert_eq!(send(&router, forged).await.0, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn past_the_cap_readers_wait_in_line_in_order_and_floods_are_refused() {
    let limits = LimitsConfig {
        embed_sandboxes: 1,
        embed_starts_per_minute: 3,
        ..LimitsConfig::default()
    };
    let (state, router, _cluster) = limited(limits).await;
    let key = add_site(&state, &["http://localhost:8081"]).await;
    let (status, first) = start(&router, &key, None).await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, second) = start(&router, &key, None).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{second}");
    assert_eq!(second["waiting"]["position"], 1);
    let waiter = second["waiting"]["waiter"]
        .as_str()
        .expect("waiter")
        .to_string();
    let (_, third) = start(&router, &key, None).await;
    assert_eq!(third["waiting"]["position"], 2);
    // Still taken: the first in line keeps their place.
    let (status, again) = start(&router, &key, Some(&waiter)).await;
    assert_eq!(
        (status, again["waiting"]["position"].clone()),
        (StatusCode::ACCEPTED, 1.into())
    );
    // The first reader's sandbox carries over to a tab of its own: a place frees up.
    let token = first["started"]["token"].as_str().expect("token");
    let adopt = request(
        "POST",
        "/api/embed/adopt",
        &[OWN, ("content-type", "application/x-www-form-urlencoded")],
        &format!("token={token}&lesson=fundamentals%2Fpods"),
    );
    assert_eq!(send(&router, adopt).await.0, StatusCode::SEE_OTHER);
    let (status, answer) = start(&router, &key, Some(&waiter)).await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    // Three starts a minute from one address: the fourth is refused (the line does not
    // count; a sandbox does).
    let (state2, router2, _cluster2) = limited(LimitsConfig {
        embed_starts_per_minute: 2,
        ..LimitsConfig::default()
    })
    .await;
    let key2 = add_site(&state2, &["http://localhost:8081"]).await;
    for _ in 0..2 {
        assert_eq!(start(&router2, &key2, None).await.0, StatusCode::CREATED);
    }
    let (status, answer) = start(&router2, &key2, None).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{answer}");
}

#[tokio::test]
async fn a_sandbox_ends_at_its_time_and_its_workspace_goes() {
    let limits = LimitsConfig {
        embed_minutes: 0,
        ..LimitsConfig::default()
    };
    let (state, router, _cluster) = limited(limits).await;
    let key = add_site(&state, &["http://localhost:8081"]).await;
    let (_, answer) = start(&router, &key, None).await;
    let bearer = format!(
        "Bearer {}",
        answer["started"]["token"].as_str().expect("token")
    );
    let (status, _, body) = send(
        &router,
        request(
            "GET",
            "/api/progress",
            &[("authorization", bearer.as_str())],
            "",
        ),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(body.contains("a sandbox lasts 0 minutes"), "{body}");
    assert_eq!(
        server::embed::end_sandboxes(&state).await.expect("sweep"),
        1
    );
    assert_eq!(
        server::embed::end_sandboxes(&state).await.expect("sweep"),
        0
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_open_frame_keeps_its_sandbox_from_idling_until_it_ends() {
    let clock = std::sync::Arc::new(server::clock::ManualClock::at(1_800_000_000));
    let cluster = kubesim::Cluster::builder().build().expect("cluster");
    let state = state_on_clock(&cluster, LimitsConfig::default(), clock.clone()).await;
    let router = app(state.clone());
    let key = add_site(&state, &["http://localhost:8081"]).await;
    let token = |answer: serde_json::Value| {
        answer["started"]["token"]
            .as_str()
            .expect("token")
            .to_string()
    };
    let open = token(start(&router, &key, None).await.1);
    let closed = token(start(&router, &key, None).await.1);
    let attendee = server::embed::tokens::attendee_of(&state, &open)
        .await
        .expect("db")
        .expect("live");
    // The open frame's stream, checking every 20 ms (every 30 s in the server).
    let every = std::time::Duration::from_millis(20);
    let watching = tokio::spawn({
        let state = state.clone();
        async move { server::embed::tokens::while_live(&state, &attendee, every).await }
    });
    // 20 minutes of reading, the page open and no call made: four times the idle time.
    for _ in 0..40 {
        clock.advance(30);
        tokio::time::sleep(every * 3).await;
        assert!(
            !watching.is_finished(),
            "the stream stays while its sandbox lives"
        );
    }
    let live = |token: String| {
        let state = state.clone();
        async move {
            server::embed::tokens::attendee_of(&state, &token)
                .await
                .expect("db")
                .is_some()
        }
    };
    assert!(
        live(open.clone()).await,
        "the open frame's sandbox did not idle"
    );
    assert!(
        !live(closed).await,
        "a sandbox with no frame open idled after 5 minutes"
    );
    // Past its 30 minutes the sandbox ends, and the stream with it.
    clock.advance(11 * 60);
    tokio::time::timeout(std::time::Duration::from_secs(5), watching)
        .await
        .expect("the stream closes once its sandbox has ended")
        .expect("joined");
    assert!(!live(open).await);
}

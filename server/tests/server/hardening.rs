//! The web side of the tenant boundary: what another site may not do with an attendee's
//! cookie, the headers every answer carries, floods refused by the limits, and errors
//! that never show the server's internals.

use super::stream::serve_content;
use super::support::{app, content_dir, cookie_of, send, state, state_with_limits};
use axum::body::Body;
use http::{Request, StatusCode};
use server::config::LimitsConfig;

fn get(path: &str) -> http::request::Builder {
    Request::get(path).header("host", "localhost:3000")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_on_another_origin_cannot_open_the_stream() {
    let (addr, _, _) = serve_content(content_dir()).await;
    let request = super::stream::stream_request(addr, Some(("origin", "http://localhost:8080")));
    let refused = tokio_tungstenite::connect_async(request).await;
    match refused {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            assert_eq!(response.status(), StatusCode::FORBIDDEN);
        }
        other => panic!(
            "the stream opened for another origin: {:?}",
            other.map(|(_, r)| r.status())
        ),
    }
    // Its own origin may.
    let own = format!("http://{addr}");
    let request = super::stream::stream_request(addr, Some(("origin", &own)));
    assert!(tokio_tungstenite::connect_async(request).await.is_ok());
}

#[tokio::test]
async fn answers_carry_security_headers_and_secure_cookies_behind_tls() {
    let cluster = kubesim::Cluster::builder().build().expect("cluster");
    let router = app(state(":memory:", &cluster).await);
    let (status, headers, page) = send(
        &router,
        get("/learn/fundamentals/pods")
            .body(Body::empty())
            .expect("request"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let policy = headers["content-security-policy"].to_str().expect("ascii");
    let nonce = policy
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("the page's policy names a nonce");
    assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
    assert!(
        page.contains(&format!("nonce=\"{nonce}\"")),
        "inline scripts carry the nonce"
    );
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["x-frame-options"], "DENY");

    let (_, headers, _) = send(
        &router,
        get("/api/progress").body(Body::empty()).expect("request"),
    )
    .await;
    assert_eq!(
        headers["content-security-policy"],
        "default-src 'none'; frame-ancestors 'none'"
    );
    assert!(
        !headers["set-cookie"]
            .to_str()
            .expect("ascii")
            .contains("Secure")
    );
    assert!(headers.contains_key("x-request-id"));
    let (_, headers, _) = send(
        &router,
        get("/api/progress")
            .header("x-forwarded-proto", "https")
            .body(Body::empty())
            .expect("request"),
    )
    .await;
    assert!(
        headers["set-cookie"]
            .to_str()
            .expect("ascii")
            .ends_with("; Secure")
    );
}

#[tokio::test]
async fn floods_of_new_visitors_tabs_and_drafts_are_refused() {
    let cluster = kubesim::Cluster::builder().build().expect("cluster");
    let limits = LimitsConfig {
        new_attendees_per_minute: 3,
        max_drafts_per_attendee: 2,
        ..LimitsConfig::default()
    };
    let router = app(state_with_limits(":memory:", &cluster, limits).await);
    let mut cookies = Vec::new();
    for _ in 0..3 {
        let (status, headers, _) = send(
            &router,
            get("/api/progress").body(Body::empty()).expect("request"),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        cookies.push(cookie_of(&headers));
    }
    let (status, _, body) = send(
        &router,
        get("/api/progress").body(Body::empty()).expect("request"),
    )
    .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert!(body.contains("too many new visitors"), "{body}");
    // Known attendees go on.
    let (status, _, _) = send(
        &router,
        get("/api/progress")
            .header("cookie", &cookies[0])
            .body(Body::empty())
            .expect("request"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);

    let save = |pane: &str| {
        Request::put(format!("/api/drafts?lesson=fundamentals/pods&pane={pane}"))
            .header("host", "localhost:3000")
            .header("cookie", &cookies[0])
            .body(Body::from("kind: Pod\n"))
            .expect("request")
    };
    assert_eq!(send(&router, save("a@0")).await.0, StatusCode::NO_CONTENT);
    assert_eq!(send(&router, save("b@0")).await.0, StatusCode::NO_CONTENT);
    assert_eq!(
        send(&router, save("a@0")).await.0,
        StatusCode::NO_CONTENT,
        "a draft replaces itself"
    );
    let (status, _, body) = send(&router, save("c@0")).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_attendee_holds_a_bounded_number_of_streams() {
    let (addr, _, _) = serve_content(content_dir()).await;
    let (first, cookie) = super::stream::connect(addr, None).await;
    let mut open = vec![(first, cookie.clone())];
    for _ in 0..7 {
        open.push(super::stream::connect(addr, Some(&cookie)).await);
    }
    let request = super::stream::stream_request(addr, Some(("cookie", &cookie)));
    match tokio_tungstenite::connect_async(request).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        }
        other => panic!(
            "a ninth stream opened: {:?}",
            other.map(|(_, r)| r.status())
        ),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tab_that_sends_a_huge_message_is_cut_off_and_the_server_stays_up() {
    let (addr, _, _) = serve_content(content_dir()).await;
    let (mut tab, cookie) = super::stream::connect(addr, None).await;
    // A tab's requests are a few hundred bytes; this one is a MiB.
    let huge = format!(
        r#"{{"type": "watch", "lesson": "{}", "step": 0}}"#,
        "x".repeat(1 << 20)
    );
    // Cut off while still sending it, or closed once it is read.
    let sent = tab.send_text(huge).await;
    assert!(
        !sent || tab.closes_within(5).await,
        "the socket stayed open"
    );
    // The attendee's next tab is served as usual.
    let (mut next, _) = super::stream::connect(addr, Some(&cookie)).await;
    next.send(serde_json::json!({"type": "watch", "lesson": "fundamentals/pods", "step": 0}))
        .await;
    next.until(10, |m| m["type"] == "snapshot").await;
}

#[tokio::test]
async fn an_internal_failure_names_the_request_not_the_cause() {
    let dir = std::env::temp_dir().join(format!("kubeclass-internal-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let database = dir.join("kubeclass.db").to_string_lossy().into_owned();
    let cluster = kubesim::Cluster::builder().build().expect("cluster");
    let router = app(state(&database, &cluster).await);
    // Something breaks underneath the server: its drafts table is gone.
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{database}"))
        .await
        .expect("database");
    sqlx::query("DROP TABLE drafts")
        .execute(&pool)
        .await
        .expect("drop");
    let (status, headers, body) = send(
        &router,
        get("/api/drafts?lesson=fundamentals/pods")
            .body(Body::empty())
            .expect("request"),
    )
    .await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    let id = headers["x-request-id"].to_str().expect("ascii");
    assert!(body.contains(id), "{body}");
    assert!(
        !body.to_lowercase().contains("drafts") && !body.contains("table"),
        "{body}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_platforms_objects_come_back_when_removed_or_changed() {
    let cluster = kubesim::Cluster::builder().build().expect("cluster");
    let state = state(":memory:", &cluster).await;
    tokio::spawn(server::workspace::reconcile::run(state.platform().clone()));
    let router = app(state);
    let (_, headers, _) = send(
        &router,
        get("/api/progress").body(Body::empty()).expect("request"),
    )
    .await;
    let cookie = cookie_of(&headers);
    let manifest = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: default}\n";
    let (status, _, body) = send(
        &router,
        Request::post("/api/workspace/apply")
            .header("host", "localhost:3000")
            .header("cookie", &cookie)
            .body(Body::from(manifest))
            .expect("request"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let admin = cluster.client();
    let namespace = kube::Api::<k8s_openapi::api::core::v1::Namespace>::all(admin.clone())
        .list(&Default::default())
        .await
        .expect("namespaces")
        .items
        .into_iter()
        .filter_map(|n| n.metadata.name)
        .find(|n| n.starts_with("kc-") && n.ends_with("-default"))
        .expect("the workspace namespace");
    let quotas: kube::Api<k8s_openapi::api::core::v1::ResourceQuota> =
        kube::Api::namespaced(admin.clone(), &namespace);
    let limits: kube::Api<k8s_openapi::api::core::v1::LimitRange> =
        kube::Api::namespaced(admin.clone(), &namespace);
    quotas
        .delete("workspace-quota", &Default::default())
        .await
        .expect("delete the quota");
    let raise = serde_json::json!({"spec": {"limits": [{"type": "Container", "max": {"cpu": "64", "memory": "256Gi"}}]}});
    limits
        .patch(
            "workspace-limits",
            &kube::api::PatchParams::default(),
            &kube::api::Patch::Merge(&raise),
        )
        .await
        .expect("raise the limits");
    for _ in 0..100 {
        let quota = quotas.get_opt("workspace-quota").await.expect("quota");
        let limit = limits.get("workspace-limits").await.expect("limits");
        let max =
            serde_json::to_value(&limit.spec).expect("json")["limits"][0]["max"]["cpu"].clone();
        if quota.is_some() && max == "1" {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the quota and the limit range were not put back");
}

//! Lessons' editions: once a lesson's file has changed, an address pinned to the edition
//! a docs page was written for (`pods@VERSION`, or `@TAG`) still shows that edition's
//! text, and its checks are that edition's; the plain address shows the current one.

use super::stream::connect;
use super::support::{app, content_dir, request, send, state_in};
use http::StatusCode;
use serde_json::json;
use server::state::AppState;

/// The Pods lesson's first edition and an edited second one: the first step's title
/// and first check's label differ.
fn editions() -> (String, String) {
    let first = std::fs::read_to_string(content_dir().join("fundamentals/02-pods.md"))
        .expect("the Pods lesson");
    let second = first
        .replace("## A Pod for the demo app", "## A Pod, second edition")
        .replace("# goserver is running", "# goserver runs (second edition)")
        .replace("order: 2\n", "order: 2\ntag: second\n");
    assert_ne!(first, second, "the edit changed the lesson");
    (first, second)
}

/// The server as it starts after the lesson's file changed from `first` to `second`
/// (the same database saw both), on a port of its own.
async fn restarted_after_an_edit(
    dir: &std::path::Path,
) -> (std::net::SocketAddr, AppState, String) {
    let (first, second) = editions();
    let course = dir.join("fundamentals");
    std::fs::create_dir_all(&course).expect("mkdir");
    std::fs::copy(
        content_dir().join("fundamentals/course.yaml"),
        course.join("course.yaml"),
    )
    .expect("course.yaml");
    std::fs::write(course.join("02-pods.md"), &first).expect("first edition");
    let database = dir.join("kubeclass.db");
    let database = database.to_str().expect("utf-8 path");
    let cluster = kubesim::Cluster::builder().build().expect("cluster");
    let before = state_in(dir.into(), database, &cluster).await;
    let version = before
        .lesson("fundamentals/pods")
        .expect("pods")
        .version
        .clone();
    std::fs::write(course.join("02-pods.md"), &second).expect("second edition");
    let state = state_in(dir.into(), database, &cluster).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let router = app(state.clone());
    tokio::spawn(async move {
        let _keep = cluster;
        axum::serve(listener, router).await
    });
    (addr, state, version)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pinned_address_keeps_the_edition_it_names() {
    let dir = std::env::temp_dir().join(format!("kubeclass-editions-{}", std::process::id()));
    std::fs::remove_dir_all(&dir).ok();
    let (addr, state, first) = restarted_after_an_edit(&dir).await;
    let current = state.lesson("fundamentals/pods").expect("pods").clone();
    assert_ne!(current.version, first);
    let router = app(state.clone());
    let page = |address: String| {
        let router = router.clone();
        async move {
            let (status, _, body) = send(&router, request("GET", &address, &[], "")).await;
            (status, body)
        }
    };

    for address in [
        format!("/embed/v1/fundamentals/pods@{first}"),
        format!("/learn/fundamentals/pods@{first}"),
    ] {
        let (status, body) = page(address.clone()).await;
        assert_eq!(status, StatusCode::OK, "{address}");
        assert!(body.contains("A Pod for the demo app"), "{address}");
        assert!(!body.contains("second edition"), "{address}");
        assert!(
            body.contains("An earlier edition of this lesson"),
            "{address}"
        );
    }
    for address in [
        "/embed/v1/fundamentals/pods".to_string(),
        format!("/embed/v1/fundamentals/pods@{}", current.version),
        "/embed/v1/fundamentals/pods@second".to_string(),
    ] {
        let (status, body) = page(address.clone()).await;
        assert_eq!(status, StatusCode::OK, "{address}");
        assert!(body.contains("A Pod, second edition"), "{address}");
        assert!(!body.contains("An earlier edition"), "{address}");
    }
    let (status, body) = page("/embed/v1/fundamentals/pods@0123456789ab".into()).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");

    // The live stream judges the pinned edition's checks, under its own id.
    let (mut tab, _) = connect(addr, None).await;
    for (lesson, label) in [
        (format!("fundamentals/pods@{first}"), "goserver is running"),
        ("fundamentals/pods".into(), "goserver runs (second edition)"),
    ] {
        tab.send(json!({"type": "watch", "lesson": lesson, "step": 0}))
            .await;
        let checks = tab.until(10, |m| m["type"] == "checks").await;
        assert_eq!(checks["results"][0]["label"], label, "{lesson}");
    }

    // The operator's listing: newest first, the current one marked.
    let mut out = Vec::new();
    server::editions::list(&state.db, &state.library, "fundamentals/pods", &mut out)
        .await
        .expect("list");
    let printed = String::from_utf8(out).expect("utf-8");
    let out = &printed;
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3, "{out}");
    assert!(lines[0].starts_with("VERSION"), "{out}");
    assert!(
        lines[1].starts_with(&current.version)
            && lines[1].contains("second")
            && lines[1].ends_with("yes"),
        "{out}"
    );
    assert!(
        lines[2].starts_with(&first) && lines[2].contains("<none>"),
        "{out}"
    );
    let error = server::editions::list(
        &state.db,
        &state.library,
        "fundamentals/nothing",
        &mut Vec::new(),
    )
    .await
    .expect_err("no such lesson");
    assert!(
        error
            .to_string()
            .contains("no edition of fundamentals/nothing"),
        "{error}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

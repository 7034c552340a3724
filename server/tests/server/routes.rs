//! The HTTP surface, called through the router with `oneshot`: pages render on the
//! server with the real lessons, server functions answer, and bad addresses get 404s.

use super::support::{app, content_dir, state_in};
use app::content::Library;
use axum::body::Body;
use http::{Request, StatusCode};
use std::path::PathBuf;

async fn app_for(dir: PathBuf) -> axum::Router {
    let cluster = kubesim::Cluster::builder()
        .build()
        .expect("embedded cluster");
    app(state_in(dir, ":memory:", &cluster).await)
}

async fn send(app: axum::Router, request: Request<Body>) -> (StatusCode, String) {
    let (status, _, body) = super::support::send(&app, request).await;
    (status, body)
}

async fn get(path: &str) -> (StatusCode, String) {
    send(
        app_for(content_dir()).await,
        Request::get(path).body(Body::empty()).expect("request"),
    )
    .await
}

#[tokio::test]
async fn the_catalog_lists_every_lesson_in_order() {
    let (status, html) = get("/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("<title>Courses · kubeclass</title>"),
        "{html}"
    );
    assert!(html.contains("Kubernetes Fundamentals"));
    let positions: Vec<usize> = [
        "/learn/fundamentals/kind",
        "/learn/fundamentals/pods",
        "/learn/fundamentals/deployments",
        "/learn/fundamentals/rbac",
    ]
    .iter()
    .map(|href| {
        html.find(&format!("href=\"{href}\""))
            .unwrap_or_else(|| panic!("{href} missing"))
    })
    .collect();
    assert!(
        positions.windows(2).all(|w| w[0] < w[1]),
        "lessons out of order: {positions:?}"
    );
    assert_eq!(html.matches("class=\"lesson-card\"").count(), 13);
}

#[tokio::test]
async fn a_lesson_page_shows_prose_steps_and_panes_before_hydration() {
    let (status, html) = get("/learn/fundamentals/deployments").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("<title>Deployments · kubeclass</title>"),
        "{}",
        &html[..500.min(html.len())]
    );
    assert!(html.contains("class=\"step-outline\""));
    assert!(html.contains("Step 1 of"));
    // The first pane's YAML is in the page as text, readable without wasm.
    assert!(html.contains("kind: Deployment"), "pane text missing");
    assert!(html.contains("role=\"tab\""));
    assert!(
        html.contains("rel=\"prev\"") && html.contains("rel=\"next\""),
        "lesson neighbours"
    );
}

#[tokio::test]
async fn the_step_comes_from_the_address() {
    let (_, first) = get("/learn/fundamentals/deployments?step=1").await;
    let (status, second) = get("/learn/fundamentals/deployments?step=2").await;
    assert_eq!(status, StatusCode::OK);
    assert!(second.contains("Step 2 of"));
    assert!(second.contains("aria-current=\"step\""));
    assert_ne!(first, second);
    // Out-of-range steps clamp to the last one rather than failing.
    let (status, html) = get("/learn/fundamentals/deployments?step=99").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Next lesson") && !html.contains("Next step"));
}

#[tokio::test]
async fn unknown_pages_and_lessons_are_404s() {
    for path in [
        "/learn/fundamentals/no-such-lesson",
        "/learn/nope/pods",
        "/no/such/page",
    ] {
        let (status, html) = get(path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert!(
            html.contains("This page is not part of any course"),
            "{path}: {html}"
        );
    }
}

#[tokio::test]
async fn server_functions_answer_over_http() {
    let request = Request::post("/api/lesson")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from("course=fundamentals&lesson=services"))
        .expect("request");
    let (status, body) = send(app_for(content_dir()).await, request).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let page: serde_json::Value = serde_json::from_str(&body).expect("json");
    assert_eq!(page["summary"]["title"], "Services");
    assert!(page["panes"].as_array().is_some_and(|p| !p.is_empty()));
    let steps = page["steps"].as_array().map_or(0, Vec::len);

    // The prose comes a step at a time, the introduction with the first; a step past
    // the end is the last, and an unknown lesson is `null`.
    let step = |body: &'static str| async move {
        let request = Request::post("/api/step")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .expect("request");
        let (status, body) = send(app_for(content_dir()).await, request).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        serde_json::from_str::<serde_json::Value>(&body).expect("json")
    };
    let first = step("course=fundamentals&lesson=services&step=0").await;
    assert_eq!(first["step"], 0);
    assert!(first["intro_html"].as_str().is_some_and(|h| !h.is_empty()));
    assert!(first["html"].as_str().is_some_and(|h| h.contains("<p>")));
    let last = step("course=fundamentals&lesson=services&step=99").await;
    assert_eq!(last["step"], steps - 1);
    assert_eq!(last["intro_html"], "");
    assert_ne!(last["html"], first["html"]);
    let missing = step("course=fundamentals&lesson=nope&step=0").await;
    assert!(missing.is_null(), "{missing}");
}

#[tokio::test]
async fn a_page_carries_only_its_own_step() {
    let (_, first) = get("/learn/fundamentals/deployments?step=1").await;
    let (_, second) = get("/learn/fundamentals/deployments?step=2").await;
    let title_of_step_2 = "Roll out version 1.1";
    let prose_of_step_2 = second
        .split("Step 2 of")
        .nth(1)
        .and_then(|after| after.split("<p>").nth(1))
        .and_then(|p| p.split(['<', '&', '"', '\\']).next())
        .expect("step 2's first paragraph");
    // Plain words, so that its escaped form in the hydration data is the same text.
    assert!(prose_of_step_2.len() >= 15, "{prose_of_step_2:?}");
    assert!(
        first.contains(title_of_step_2),
        "the outline names every step"
    );
    assert!(
        !first.contains(prose_of_step_2),
        "step 1's page carries step 2's prose: {prose_of_step_2}"
    );
}

#[tokio::test]
async fn health_and_lesson_images() {
    assert_eq!(get("/healthz").await, (StatusCode::OK, "ok".into()));
    for path in [
        "/content/fundamentals/images/..%2F01-kind.md",
        "/content/fundamentals/images/.hidden.png",
        "/content/fundamentals/images/x.sh",
    ] {
        assert_eq!(get(path).await.0, StatusCode::NOT_FOUND, "{path}");
    }
}

#[tokio::test]
async fn a_broken_lesson_is_left_out_and_the_rest_are_served() {
    let dir = std::env::temp_dir().join(format!("kubeclass-test-{}", std::process::id()));
    let course = dir.join("c");
    std::fs::create_dir_all(&course).expect("mkdir");
    std::fs::write(course.join("course.yaml"), "title: C\nsummary: S\n").expect("write");
    std::fs::write(course.join("01-good.md"), "---\ntitle: Good\nsummary: s\nduration: 1\norder: 1\nobjectives: [a, b]\n---\n## One\nText\n").expect("write");
    std::fs::write(course.join("02-bad.md"), "---\ntitle: Bad\n---\n").expect("write");
    let (library, errors) = Library::load(&dir);
    assert_eq!(errors.len(), 1);
    assert!(errors[0].to_string().contains("02-bad.md"), "{}", errors[0]);
    assert_eq!(library.courses[0].lessons.len(), 1);
    let app = app_for(dir.clone()).await;
    let (status, html) = send(
        app,
        Request::get("/learn/c/good")
            .body(Body::empty())
            .expect("request"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Good"));
    std::fs::remove_dir_all(&dir).ok();
}

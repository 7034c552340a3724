//! The console's history is the attendee's, kept on the server: every line run is there
//! for ↑ in any tab, in order, without repeats, and no one else sees it.

use super::setup;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_lines_an_attendee_ran_are_theirs_to_recall() {
    let setup = setup("history").await;
    for line in [
        "kubectl get pods -n server",
        "kubectl get pods -n server",
        "kubectl version --client",
    ] {
        setup.console(line).await;
    }
    let history: serde_json::Value =
        serde_json::from_str(&setup.get("/api/workspace/console/history").await).expect("json");
    let lines: Vec<&str> = history["lines"]
        .as_array()
        .expect("lines")
        .iter()
        .filter_map(serde_json::Value::as_str)
        .collect();
    // (The setup's own first line, which read the workspace's label, comes first.)
    assert_eq!(
        lines[lines.len() - 2..],
        ["kubectl get pods -n server", "kubectl version --client"]
    );

    let stranger = super::super::support::new_attendee(&setup.router).await;
    let request = super::super::support::from_page(
        "GET",
        "/api/workspace/console/history",
        &stranger,
        String::new(),
    );
    let (status, _, body) = super::super::support::send(&setup.router, request).await;
    assert_eq!((status.as_u16(), body.as_str()), (200, r#"{"lines":[]}"#));
}

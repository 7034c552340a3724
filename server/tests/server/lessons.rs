//! Every lesson plays out in kubesim as two attendees side by side play it in the page:
//! for each step, its checks fail first, its panes (as of that step) go through the
//! workspace's apply pipeline into each attendee's namespaces, its Run buttons' commands
//! run in the console, simulated time advances, and the step's own checks must all hold
//! within their `within` time — what a learner would see on kind, judged by the lesson's
//! definition of done, on the watch stores and answers the live stream judges them on.
//! A check that holds before its step, or for one attendee because of the other's
//! objects, fails the test.

use super::support::{content_dir, state};
use app::content::Library;
use server::rehearsal::{Stage, play};
use std::time::Duration;

#[tokio::test(start_paused = true)]
async fn every_lesson_plays_out_in_kubesim() {
    let (library, errors) = Library::load(&content_dir());
    assert!(errors.is_empty(), "{errors:?}");
    let mut report = Vec::new();
    for course in &library.courses {
        for lesson in &course.lessons {
            let cluster = kubesim::Cluster::builder()
                .seed(11)
                .start_time("2026-03-01T09:00:00Z".parse().expect("time"))
                .build()
                .expect("cluster");
            let ingress = server::cluster::serve_ingress(&cluster, None, None).expect("ingress");
            let state = state(":memory:", &cluster)
                .await
                .with_ingress(Some(ingress));
            let stage = Stage {
                state: &state,
                admin: &cluster.client(),
                attendees: vec!["ada".into(), "bob".into()],
                judged: |_| true,
                discriminating: true,
                settle: Duration::from_secs(1),
                tick: Duration::from_secs(5),
                longest: Duration::MAX,
            };
            for failure in play(lesson, &stage).await.failures {
                report.push(format!("{}/{}: {failure}", course.slug, lesson.slug));
            }
        }
    }
    assert!(
        report.is_empty(),
        "{} problems:\n{}",
        report.len(),
        report.join("\n")
    );
}

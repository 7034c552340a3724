//! Every lesson plays out in kubesim: for each step, its panes (as of that step) go
//! through the workspace's apply pipeline into an attendee's namespaces, simulated time
//! advances, and the step's own checks must all hold within their `within` time — what a
//! learner would see on kind, judged by the lesson's definition of done, on the watch
//! stores the live stream judges them on.

use super::support::content_dir;
use app::content::{Lesson, Library};
use kube::api::{Api, ListParams};
use server::identity::Identities;
use server::kinds::Discovery;
use server::observe::{self, Observed};
use server::pipeline::Context;
use server::watch::Watchers;
use server::workspace::Workspace;
use std::time::Duration;

/// How long a step waits for checks that give no `within`.
const DEFAULT_WAIT: u64 = 60;
const TICK: u64 = 5;

/// The pods of the lesson's namespaces, one line each, to show why a check failed.
async fn pods_summary(
    client: &kube::Client,
    workspace: &Workspace,
    namespaces: &[String],
) -> String {
    let mut lines = Vec::new();
    for namespace in namespaces {
        let pods: Api<k8s_openapi::api::core::v1::Pod> =
            Api::namespaced(client.clone(), &workspace.namespace(namespace));
        for pod in pods
            .list(&ListParams::default())
            .await
            .map(|l| l.items)
            .unwrap_or_default()
        {
            let status = serde_json::to_value(&pod.status).unwrap_or_default();
            let container = &status["containerStatuses"][0];
            lines.push(format!(
                "{} {} ready={} restarts={} state={} last={}",
                pod.metadata.name.unwrap_or_default(),
                status["phase"].as_str().unwrap_or("?"),
                container["ready"],
                container["restartCount"],
                container["state"],
                container["lastState"]
            ));
        }
    }
    lines.join("\n          ")
}

/// Plays one lesson; returns what went wrong, step by step.
async fn play(lesson: &Lesson) -> Vec<String> {
    let cluster = kubesim::Cluster::builder()
        .seed(11)
        .start_time("2026-03-01T09:00:00Z".parse().expect("time"))
        .build()
        .expect("cluster");
    let client = cluster.client();
    let platform = super::support::platform(&cluster).await;
    let identities = Identities::new(platform.clone());
    let workspace = Workspace::new("lesson", "kc");
    let discovery = Discovery::default();
    let pipeline = Context {
        tenant: identities.tenant(&workspace),
        platform: &platform,
        discovery: &discovery,
        workspace: &workspace,
    };
    let watchers = Watchers::default();
    let observed = Observed::start(
        &watchers,
        &identities,
        &workspace,
        &lesson.front.namespaces,
        &observe::kinds_for(Some(lesson)),
    );
    let mut failures = Vec::new();
    for (index, step) in lesson.steps.iter().enumerate() {
        let at = |what: &str| format!("step {} \"{}\", {what}", index + 1, step.title);
        for pane in &lesson.panes {
            let Some(text) = pane.at_step(index) else {
                continue;
            };
            match pipeline.apply(text, &lesson.front.namespaces, false).await {
                Ok(report) => {
                    for result in report.results.iter().filter(|r| r.error.is_some()) {
                        let error = result.error.clone().unwrap_or_default();
                        failures.push(at(&format!("{} line {}: {error}", pane.name, result.line)));
                    }
                }
                Err(e) => failures.push(at(&format!("{}: {e}", pane.name))),
            }
        }
        // The watches hear of what was applied before anything is judged (paused time
        // moves on only when every task, the watches' included, is idle).
        tokio::time::sleep(Duration::from_secs(1)).await;
        let wait = step
            .checks
            .iter()
            .filter_map(|c| c.within_seconds)
            .max()
            .map_or(DEFAULT_WAIT, u64::from);
        let mut waited = 0;
        let mut failing: Vec<usize>;
        loop {
            failing = Vec::new();
            for (i, check) in step.checks.iter().enumerate() {
                if !observed.holds(check) {
                    failing.push(i);
                }
            }
            if failing.is_empty() || waited >= wait {
                break;
            }
            tokio::time::sleep(Duration::from_secs(TICK)).await;
            waited += TICK;
        }
        if !failing.is_empty() {
            let state = pods_summary(&client, &workspace, &lesson.front.namespaces).await;
            for i in failing {
                let check = &step.checks[i];
                let seen: String = serde_json::to_string(&observed.observe(check))
                    .unwrap_or_default()
                    .chars()
                    .take(1500)
                    .collect();
                failures.push(at(&format!(
                    "check failed after {waited}s: {}\n    pods: {state}\n    objects: {seen}",
                    check.label
                )));
            }
        }
    }
    failures
}

#[tokio::test(start_paused = true)]
async fn every_lesson_plays_out_in_kubesim() {
    let (library, errors) = Library::load(&content_dir());
    assert!(errors.is_empty(), "{errors:?}");
    let mut report = Vec::new();
    for course in &library.courses {
        for lesson in &course.lessons {
            for failure in play(lesson).await {
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

//! Every lesson plays out in kubesim: for each step, its panes (as of that step) go
//! through the workspace's apply pipeline into an attendee's namespaces, simulated time
//! advances, and the step's own checks must all hold within their `within` time — what a
//! learner would see on kind, judged by the lesson's definition of done, on the watch
//! stores the live stream judges them on.

use super::support::content_dir;
use app::content::check::Check;
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

/// Where a lesson is played, and how it is judged.
pub struct Stage<'a> {
    /// kubeclass's client of the cluster, and its administrator's (to explain failures).
    pub platform: &'a kube::Client,
    pub admin: &'a kube::Client,
    pub workspace: Workspace,
    /// Which checks this cluster can show (kubesim: all; kwok's nodes run no containers).
    pub judged: fn(&Check) -> bool,
    /// How often checks are looked at while waiting, and how long at most a step waits.
    pub tick: Duration,
    pub longest: u64,
}

/// Plays one lesson: each step's panes dry-run, applied, and dry-run again (a diff that
/// must go through), the step's judged checks waited for; at the end, the panes deleted
/// through the pipeline. Returns what went wrong, step by step.
pub async fn play(lesson: &Lesson, stage: &Stage<'_>) -> Vec<String> {
    let identities = Identities::new(stage.platform.clone());
    let workspace = &stage.workspace;
    let discovery = Discovery::default();
    let pipeline = Context {
        tenant: identities.tenant(workspace),
        platform: stage.platform,
        discovery: &discovery,
        workspace,
    };
    let watchers = Watchers::default();
    let observed = Observed::start(
        &watchers,
        &identities,
        workspace,
        &lesson.front.namespaces,
        &observe::kinds_for(Some(lesson)),
    );
    let namespaces = &lesson.front.namespaces;
    let mut failures = Vec::new();
    for (index, step) in lesson.steps.iter().enumerate() {
        let at = |what: &str| format!("step {} \"{}\", {what}", index + 1, step.title);
        for pane in &lesson.panes {
            let Some(text) = pane.at_step(index) else {
                continue;
            };
            for (what, dry_run) in [("apply", false), ("diff", true)] {
                match pipeline.apply(text, namespaces, dry_run).await {
                    Ok(report) => {
                        for result in report.results.iter().filter(|r| r.error.is_some()) {
                            let error = result.error.clone().unwrap_or_default();
                            failures.push(at(&format!(
                                "{} {what} line {}: {error}",
                                pane.name, result.line
                            )));
                        }
                    }
                    Err(e) => failures.push(at(&format!("{} {what}: {e}", pane.name))),
                }
            }
        }
        // The watches hear of what was applied before anything is judged (on paused time,
        // time moves on only when every task, the watches' included, is idle).
        tokio::time::sleep(Duration::from_secs(1)).await;
        let judged: Vec<&Check> = step.checks.iter().filter(|c| (stage.judged)(c)).collect();
        let wait = judged
            .iter()
            .filter_map(|c| c.within_seconds)
            .max()
            .map_or(DEFAULT_WAIT, u64::from)
            .min(stage.longest);
        let mut waited = 0;
        let mut failing: Vec<&Check>;
        loop {
            failing = judged
                .iter()
                .copied()
                .filter(|c| !observed.holds(c))
                .collect();
            if failing.is_empty() || waited >= wait {
                break;
            }
            tokio::time::sleep(stage.tick).await;
            waited += stage.tick.as_secs().max(1);
        }
        if !failing.is_empty() {
            let state = pods_summary(stage.admin, workspace, namespaces).await;
            for check in failing {
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
    for pane in &lesson.panes {
        let Some(text) = pane.at_step(lesson.steps.len().saturating_sub(1)) else {
            continue;
        };
        match pipeline.delete(text, namespaces).await {
            Ok(report) => {
                for result in report.results.iter().filter(|r| r.error.is_some()) {
                    failures.push(format!(
                        "delete {}: {}",
                        pane.name,
                        result.error.clone().unwrap_or_default()
                    ));
                }
            }
            Err(e) => failures.push(format!("delete {}: {e}", pane.name)),
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
            let cluster = kubesim::Cluster::builder()
                .seed(11)
                .start_time("2026-03-01T09:00:00Z".parse().expect("time"))
                .build()
                .expect("cluster");
            let stage = Stage {
                platform: &super::support::platform(&cluster).await,
                admin: &cluster.client(),
                workspace: Workspace::new("lesson", "kc"),
                judged: |_| true,
                tick: Duration::from_secs(TICK),
                longest: u64::MAX,
            };
            for failure in play(lesson, &stage).await {
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

//! A lesson played through as an attendee would play it, with no browser: each step's
//! panes dry-run, applied and dry-run again (the diff that must go through), the step's
//! checks waited for on the same watch stores the live stream judges them on, and at the
//! end the panes deleted. The tests play every lesson this way on kubesim and on the real
//! control plane; `make bench` times it on both. Kept in the server, not in a test, so
//! both run exactly the code the HTTP API runs.

use crate::identity::Identities;
use crate::kinds::Discovery;
use crate::observe::{self, Observed};
use crate::pipeline::Context;
use crate::watch::Watchers;
use crate::workspace::Workspace;
use app::content::Lesson;
use app::content::check::Check;
use kube::api::{Api, ListParams};
use std::time::Duration;
use tokio::time::Instant;

/// How long a step waits for checks that give no `within`.
const DEFAULT_WAIT: Duration = Duration::from_secs(60);

/// Where a lesson is played, and how it is judged.
pub struct Stage<'a> {
    /// kubeclass's client of the cluster, and its administrator's (to explain failures).
    pub platform: &'a kube::Client,
    pub admin: &'a kube::Client,
    pub workspace: Workspace,
    /// Which checks this cluster can show (kubesim: all; kwok's nodes run no containers).
    pub judged: fn(&Check) -> bool,
    /// How long the watches get to hear of an apply before anything is judged (on paused
    /// time, time moves on only when every task, the watches' included, is idle), how
    /// often checks are looked at while waiting, and how long at most a step waits.
    pub settle: Duration,
    pub tick: Duration,
    pub longest: Duration,
}

/// What a rehearsal found: what went wrong, step by step, and how long each step took
/// from its first request until its judged checks held (or it gave up).
#[derive(Debug, Default)]
pub struct Rehearsal {
    pub failures: Vec<String>,
    pub steps: Vec<Duration>,
}

/// Plays one lesson on `stage`.
pub async fn play(lesson: &Lesson, stage: &Stage<'_>) -> Rehearsal {
    let identities = Identities::new(stage.platform.clone());
    let workspace = &stage.workspace;
    let discovery = Discovery::default();
    let pipeline = Context {
        tenant: identities.tenant(workspace),
        platform: stage.platform,
        discovery: &discovery,
        workspace,
        namespace: "default",
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
    let mut rehearsal = Rehearsal::default();
    for (index, step) in lesson.steps.iter().enumerate() {
        let started = Instant::now();
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
                            rehearsal.failures.push(at(&format!(
                                "{} {what} line {}: {error}",
                                pane.name, result.line
                            )));
                        }
                    }
                    Err(e) => rehearsal
                        .failures
                        .push(at(&format!("{} {what}: {e}", pane.name))),
                }
            }
        }
        tokio::time::sleep(stage.settle).await;
        let judged: Vec<&Check> = step.checks.iter().filter(|c| (stage.judged)(c)).collect();
        let wait = judged
            .iter()
            .filter_map(|c| c.within_seconds)
            .max()
            .map_or(DEFAULT_WAIT, |s| Duration::from_secs(s.into()))
            .min(stage.longest);
        let deadline = Instant::now() + wait;
        let failing = loop {
            let failing: Vec<&Check> = judged
                .iter()
                .copied()
                .filter(|c| !observed.holds(c))
                .collect();
            if failing.is_empty() || Instant::now() >= deadline {
                break failing;
            }
            tokio::time::sleep(stage.tick).await;
        };
        rehearsal.steps.push(started.elapsed());
        if !failing.is_empty() {
            let state = pods_summary(stage.admin, workspace, namespaces).await;
            for check in failing {
                let seen: String = serde_json::to_string(&observed.observe(check))
                    .unwrap_or_default()
                    .chars()
                    .take(1500)
                    .collect();
                rehearsal.failures.push(at(&format!(
                    "check failed after {}s: {}\n    pods: {state}\n    objects: {seen}",
                    wait.as_secs(),
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
                    rehearsal.failures.push(format!(
                        "delete {}: {}",
                        pane.name,
                        result.error.clone().unwrap_or_default()
                    ));
                }
            }
            Err(e) => rehearsal
                .failures
                .push(format!("delete {}: {e}", pane.name)),
        }
    }
    rehearsal
}

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

//! A lesson played through as attendees would play it in the page, with no browser: for
//! each step, every attendee at once, the step's checks looked at first (each must
//! still fail, as a check that holds before its step proves nothing; a `still` check,
//! what the step must keep, must already hold), then what the step asks in the order it
//! asks it — each pane it writes dry-run, applied and dry-run again (the diff that must
//! go through), each Run button's command run in the console — and its checks waited for
//! on the same watch stores and kept answers the live stream judges them on; at the end
//! the panes deleted. The tests play every lesson this way on kubesim (two attendees side
//! by side) and on the real control plane; `make bench` times it on both. Kept in the
//! server, not in a test, so all of them run exactly the code the HTTP API runs.

mod ask;

use crate::observe::{self, Observed};
use crate::state::AppState;
use crate::workspace::Workspace;
use app::content::check::Check;
use app::content::{Action, Lesson, Step};
use ask::{again, answers, ask};
use kube::api::{Api, ListParams};
use std::collections::BTreeMap;
use std::time::Duration;
use tokio::time::Instant;

/// How long a step waits for checks that give no `within`.
const DEFAULT_WAIT: Duration = Duration::from_secs(60);

/// Where a lesson is played, and how it is judged.
pub struct Stage<'a> {
    /// The server's state over the cluster (kubeclass's client, its database), and the
    /// cluster's administrator (to explain failures).
    pub state: &'a AppState,
    pub admin: &'a kube::Client,
    /// The attendees who play the lesson side by side, each in their own workspace.
    pub attendees: Vec<String>,
    /// Which checks this cluster can show (kubesim: all; kwok's nodes run no containers).
    pub judged: fn(&Check) -> bool,
    /// Whether every judged check must fail before its step (the lessons' test of their
    /// checks; a benchmark only times the steps).
    pub discriminating: bool,
    /// How long the watches get to hear of an apply before anything is judged (on paused
    /// time, time moves on only when every task, the watches' included, is idle), how
    /// often checks are looked at while waiting, and how long at most a step waits.
    pub settle: Duration,
    pub tick: Duration,
    pub longest: Duration,
}

/// What a rehearsal found: what went wrong, step by step, how long each step took (for
/// the first attendee) from its first request until its judged checks held, and the
/// labels of the judged checks that did not hold in the end, per step (first attendee:
/// the preflight shows each check green or red from them).
#[derive(Debug, Default)]
pub struct Rehearsal {
    pub failures: Vec<String>,
    pub steps: Vec<Duration>,
    pub failing: Vec<Vec<String>>,
}

/// One attendee playing: their workspace and what they observe.
struct Player {
    workspace: Workspace,
    observed: Observed,
}

/// Plays one lesson on `stage`, then deletes its panes' objects.
pub async fn play(lesson: &Lesson, stage: &Stage<'_>) -> Rehearsal {
    let state = stage.state;
    let namespaces = &lesson.front.namespaces;
    let players = players(lesson, stage);
    let mut rehearsal = play_steps(lesson, lesson.steps.len(), &players, stage).await;
    for player in &players {
        let pipeline = state.pipeline(&player.workspace);
        for pane in &lesson.panes {
            let Some(text) = pane.at_step(lesson.steps.len().saturating_sub(1)) else {
                continue;
            };
            let errors = match pipeline.delete(text, namespaces).await {
                Ok(report) => report.results.into_iter().filter_map(|r| r.error).collect(),
                Err(e) => vec![e.to_string()],
            };
            rehearsal.failures.extend(
                errors
                    .into_iter()
                    .map(|e| format!("{}: delete {}: {e}", player.workspace.id, pane.name)),
            );
        }
    }
    rehearsal
}

/// Plays the steps before `until` (from 0) as the stage's attendees, each waited for
/// until its checks hold: a trainer's reset to a step ([`rewind`]) brings a workspace
/// where the attendee would be at the start of that step.
pub async fn play_until(lesson: &Lesson, until: usize, stage: &Stage<'_>) -> Rehearsal {
    play_steps(lesson, until, &players(lesson, stage), stage).await
}

/// The stage's attendees, each watching their workspace.
fn players(lesson: &Lesson, stage: &Stage<'_>) -> Vec<Player> {
    let state = stage.state;
    let kinds = observe::kinds_for(Some(lesson));
    stage
        .attendees
        .iter()
        .map(|id| {
            let workspace = state.workspace(id);
            let observed = Observed::start(
                &state.watchers,
                &state.identities,
                &workspace,
                &lesson.front.namespaces,
                &kinds,
            );
            Player {
                workspace,
                observed,
            }
        })
        .collect()
}

async fn play_steps(
    lesson: &Lesson,
    until: usize,
    players: &[Player],
    stage: &Stage<'_>,
) -> Rehearsal {
    let mut rehearsal = Rehearsal::default();
    for (index, step) in lesson.steps.iter().enumerate().take(until) {
        // Side by side: every attendee starts the step at the same moment.
        let started = Instant::now();
        let played = players.iter().map(|player| async move {
            let (failures, failing) = play_step(lesson, index, step, player, stage).await;
            (player, (failures, failing), started.elapsed())
        });
        for (nth, (player, (failures, failing), took)) in futures::future::join_all(played)
            .await
            .into_iter()
            .enumerate()
        {
            rehearsal.failures.extend(failures.iter().map(|what| {
                format!(
                    "step {} \"{}\", {}: {what}",
                    index + 1,
                    step.title,
                    player.workspace.id
                )
            }));
            if nth == 0 {
                rehearsal.steps.push(took);
                rehearsal.failing.push(failing);
            }
        }
    }
    rehearsal
}

/// One step for one attendee: what went wrong, and the labels of the checks that did
/// not hold in the end.
async fn play_step(
    lesson: &Lesson,
    index: usize,
    step: &Step,
    player: &Player,
    stage: &Stage<'_>,
) -> (Vec<String>, Vec<String>) {
    let state = stage.state;
    let workspace = &player.workspace;
    let namespaces = &lesson.front.namespaces;
    let judged: Vec<&Check> = step.checks.iter().filter(|c| (stage.judged)(c)).collect();
    let mut failures = Vec::new();
    if stage.discriminating {
        let answers = answers(state, workspace, (lesson, &judged)).await;
        for check in &judged {
            match (check.kept, player.observed.holds(check, &answers)) {
                (false, true) => failures.push(format!(
                    "check holds before the step is done: {}",
                    check.label
                )),
                (true, false) => failures.push(format!(
                    "`still` check does not hold before the step: {}",
                    check.label
                )),
                _ => {}
            }
        }
    }
    let pipeline = state.pipeline(workspace);
    // The panes as the editor holds them at this step, for `kubectl apply -f NAME`.
    let files: BTreeMap<String, String> = lesson
        .panes
        .iter()
        .filter_map(|p| Some((p.name.clone(), p.at_step(index)?.to_string())))
        .collect();
    let mut printed = Vec::new();
    for action in &step.actions {
        match action {
            Action::Apply(pane) => {
                let text = &files[pane];
                for (what, dry_run) in [("apply", false), ("diff", true)] {
                    let errors = match pipeline.apply(text, namespaces, dry_run).await {
                        Ok(report) => report
                            .results
                            .into_iter()
                            .filter_map(|r| Some(format!("line {}: {}", r.line, r.error?)))
                            .collect(),
                        Err(e) => vec![e.to_string()],
                    };
                    failures.extend(errors.into_iter().map(|e| format!("{pane} {what} {e}")));
                }
            }
            Action::Run(_) | Action::Try(_) => {
                printed.push(ask(state, (workspace, lesson), &files, action).await);
            }
        }
    }
    tokio::time::sleep(stage.settle).await;
    let wait = judged
        .iter()
        .filter_map(|c| c.within_seconds)
        .max()
        .map_or(DEFAULT_WAIT, |s| Duration::from_secs(s.into()))
        .min(stage.longest);
    let deadline = Instant::now() + wait;
    let failing = loop {
        let answers = answers(state, workspace, (lesson, &judged)).await;
        let failing: Vec<&Check> = judged
            .iter()
            .copied()
            .filter(|c| !player.observed.holds(c, &answers))
            .collect();
        if failing.is_empty() || Instant::now() >= deadline {
            break failing;
        }
        tokio::time::sleep(stage.tick).await;
        // An attendee whose check on an answer fails asks again (`metrics not available
        // yet`: "wait half a minute and try again"; an old Pod answered Try the app).
        for action in again(step, &failing) {
            printed.push(ask(state, (workspace, lesson), &files, action).await + " (again)");
        }
    };
    let labels = failing.iter().map(|c| c.label.clone()).collect();
    if !failing.is_empty() {
        let pods = pods_summary(stage.admin, workspace, namespaces).await;
        let printed: String = printed.join("\n").chars().take(3000).collect();
        for check in failing {
            let seen: String = serde_json::to_string(&player.observed.observe(check))
                .unwrap_or_default()
                .chars()
                .take(1500)
                .collect();
            failures.push(format!(
                "check failed after {}s: {}\n    pods: {pods}\n    objects: {seen}\n    console:\n{printed}",
                wait.as_secs(),
                check.label
            ));
        }
    }
    (failures, labels)
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

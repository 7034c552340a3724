//! The Job controller: runs pods until `completions` succeed (at most `parallelism` at a
//! time), gives up after `backoffLimit` failed pods or `activeDeadlineSeconds`, and
//! reports it with the Complete/Failed conditions, counts and events kube-controller-
//! manager writes.

use super::runner::{Context, Controller, Follow, Resync};
use super::workload::{create_pod, live, omit_zeros, owned, pod_from_template, update_status};
use crate::events::Source;
use crate::pods::is_ready;
use crate::store::{Event, Key};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;

const SOURCE: Source<'static> = Source::component("job-controller");

/// The first pause before a failed pod is replaced; it doubles with each failure in a
/// row, up to [`MAX_FAILURE_BACKOFF`] (kube-controller-manager's
/// `DefaultJobPodFailureBackOff` and `MaxJobPodFailureBackOff`).
const FAILURE_BACKOFF: Duration = Duration::from_secs(10);
const MAX_FAILURE_BACKOFF: Duration = Duration::from_secs(600);

/// The controller: Jobs and their pods, and every second the Jobs with a deadline or a
/// failure back-off (both pass without any change to watch for).
pub fn controller() -> impl Controller {
    Follow::new(("batch", "jobs"), affected, reconcile).with_resync(Resync {
        period: Duration::from_secs(1),
        due: |job| {
            let waits = job["spec"]["activeDeadlineSeconds"].is_number()
                || job["status"]["failed"].as_i64().is_some_and(|f| f > 0);
            waits && !finished(job)
        },
    })
}

/// The Job that owns a changed pod.
fn affected(_: &Context, event: &Event) -> Vec<Key> {
    if event.key.group.is_empty() && event.key.resource == "pods" {
        crate::ownership::owners(event, "Job", ("batch", "jobs"))
    } else {
        Vec::new()
    }
}

/// Whether a Job has a Complete or Failed condition.
pub fn finished(job: &Value) -> bool {
    job["status"]["conditions"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|c| (c["type"] == "Complete" || c["type"] == "Failed") && c["status"] == "True")
}

fn reconcile(ctx: &Context, key: &Key) {
    let (store, events) = (&ctx.store, &ctx.events);
    let Some(job) = live(store, key).filter(|job| !finished(job)) else {
        return;
    };
    let pods = owned(store, ("", "pods"), &key.namespace, &job);
    let phase = |p: &Value| {
        p["status"]["phase"]
            .as_str()
            .unwrap_or("Pending")
            .to_string()
    };
    let succeeded = pods.iter().filter(|(_, p)| phase(p) == "Succeeded").count() as i64;
    let failed = pods.iter().filter(|(_, p)| phase(p) == "Failed").count() as i64;
    let active: Vec<&(Key, Arc<Value>)> = pods
        .iter()
        .filter(|(_, p)| {
            !matches!(phase(p).as_str(), "Succeeded" | "Failed")
                && p["metadata"].get("deletionTimestamp").is_none()
        })
        .collect();
    let ready = active.iter().filter(|(_, p)| is_ready(p)).count() as i64;
    let spec = &job["spec"];
    let completions = spec["completions"].as_i64().unwrap_or(1);
    let parallelism = spec["parallelism"].as_i64().unwrap_or(1);
    let backoff_limit = spec["backoffLimit"].as_i64().unwrap_or(6);
    let now = store.clock().now_rfc3339();
    let start_time = job["status"]["startTime"]
        .as_str()
        .map_or_else(|| now.clone(), str::to_string);
    let mut status = json!({"startTime": start_time, "active": active.len(), "succeeded": succeeded,
        "failed": failed, "ready": ready, "terminating": 0, "uncountedTerminatedPods": {}});
    let condition = |kind: &str, reason: &str, message: &str| json!({"type": kind, "status": "True", "lastProbeTime": now, "lastTransitionTime": now, "reason": reason, "message": message});
    let deadline_passed = spec["activeDeadlineSeconds"].as_i64().is_some_and(|limit| {
        let started: Option<jiff::Timestamp> = start_time.parse().ok();
        started.is_some_and(|s| store.clock().now().duration_since(s).as_secs() >= limit)
    });
    let failure = if failed > backoff_limit {
        Some((
            "BackoffLimitExceeded",
            "Job has reached the specified backoff limit",
        ))
    } else if deadline_passed {
        Some((
            "DeadlineExceeded",
            "Job was active longer than specified deadline",
        ))
    } else {
        None
    };
    if let Some((reason, message)) = failure {
        for (pod_key, pod) in &active {
            let _ = crate::pods::delete_gracefully(store, pod_key, pod);
        }
        status["active"] = json!(0);
        status["conditions"] = json!([
            condition("FailureTarget", reason, message),
            condition("Failed", reason, message)
        ]);
        events.warning(&job, SOURCE, reason, message);
    } else if succeeded >= completions {
        status["completionTime"] = json!(now);
        status["conditions"] = json!([
            condition(
                "SuccessCriteriaMet",
                "CompletionsReached",
                "Reached expected number of succeeded pods"
            ),
            condition(
                "Complete",
                "CompletionsReached",
                "Reached expected number of succeeded pods"
            ),
        ]);
        events.normal(&job, SOURCE, "Completed", "Job completed");
    } else if spec["suspend"] != true && backoff_left(&pods, store.clock().now()).is_zero() {
        let wanted = parallelism.min(completions - succeeded) - active.len() as i64;
        for _ in 0..wanted.max(0) {
            let pod = pod_from_template(&job, ("batch/v1", "Job"), &spec["template"]);
            if !create_pod(ctx, &job, SOURCE, pod) {
                break;
            }
            status["active"] = json!(status["active"].as_i64().unwrap_or(0) + 1);
        }
    }
    omit_zeros(&mut status, &["active", "succeeded", "failed"]);
    update_status(store, key, &job, status, None);
}

/// How long replacements must still wait after the failures in a row since the last
/// success: 10 s after one, doubling with each, at most 10 minutes, counted from the
/// last failure.
fn backoff_left(pods: &[(Key, Arc<Value>)], now: jiff::Timestamp) -> Duration {
    let mut finished: Vec<(jiff::Timestamp, bool)> = pods
        .iter()
        .filter_map(|(_, p)| {
            let failed = match p["status"]["phase"].as_str() {
                Some("Failed") => true,
                Some("Succeeded") => false,
                _ => return None,
            };
            finished_at(p).map(|at| (at, failed))
        })
        .collect();
    finished.sort();
    let in_a_row = finished
        .iter()
        .rev()
        .take_while(|(_, failed)| *failed)
        .count();
    let Some((last, _)) = finished.last().filter(|_| in_a_row > 0) else {
        return Duration::ZERO;
    };
    let exponent = u32::try_from(in_a_row - 1).unwrap_or(u32::MAX).min(16);
    let backoff = (FAILURE_BACKOFF * 2u32.pow(exponent)).min(MAX_FAILURE_BACKOFF);
    let since = Duration::try_from(now.duration_since(*last)).unwrap_or(Duration::ZERO);
    backoff.saturating_sub(since)
}

/// When a finished pod's last container ended.
fn finished_at(pod: &Value) -> Option<jiff::Timestamp> {
    pod["status"]["containerStatuses"]
        .as_array()?
        .iter()
        .filter_map(|c| {
            c["state"]["terminated"]["finishedAt"]
                .as_str()?
                .parse()
                .ok()
        })
        .max()
}

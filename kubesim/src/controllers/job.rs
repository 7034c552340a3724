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

const SOURCE: Source<'static> = Source::component("job-controller");

/// The controller: Jobs and their pods, and every second the Jobs with a deadline
/// (deadlines pass without any change to watch for).
pub fn controller() -> impl Controller {
    Follow::new(("batch", "jobs"), affected, reconcile).with_resync(Resync {
        period: std::time::Duration::from_secs(1),
        due: |job| job["spec"]["activeDeadlineSeconds"].is_number() && !finished(job),
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
        for (pod_key, _) in &active {
            let _ = store.mark_deleting(pod_key, 30);
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
    } else if spec["suspend"] != true {
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

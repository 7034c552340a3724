//! The Job controller: runs pods until `completions` succeed (at most `parallelism` at a
//! time), gives up after `backoffLimit` failed pods or `activeDeadlineSeconds`, and
//! reports it with the Complete/Failed conditions, counts and events kube-controller-
//! manager writes.

use crate::events::{Recorder, Source};
use crate::ownership::owned_by;
use crate::pods::is_ready;
use crate::registry::Registry;
use crate::store::{Key, Store};
use serde_json::{Value, json};
use std::sync::Arc;

const SOURCE: Source<'static> = Source::component("job-controller");

/// Runs until the store's event stream ends.
pub async fn run(store: Arc<Store>, api: Arc<Registry>, events: Arc<Recorder>) {
    // Deadlines pass without any change to watch for.
    let resync = super::Resync {
        period: std::time::Duration::from_secs(1),
        due: |job| job["spec"]["activeDeadlineSeconds"].is_number() && !finished(job),
    };
    let affected = |_: &Store, event: &crate::store::Event| {
        if event.key.group.is_empty() && event.key.resource == "pods" {
            crate::ownership::owners(event, "Job", ("batch", "jobs"))
        } else {
            Vec::new()
        }
    };
    let reconcile_one = |key: &Key| reconcile(&store, &api, &events, key);
    super::follow(
        store.clone(),
        ("batch", "jobs"),
        Some(resync),
        affected,
        reconcile_one,
    )
    .await;
}

/// Whether a Job has a Complete or Failed condition.
pub fn finished(job: &Value) -> bool {
    job["status"]["conditions"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|c| (c["type"] == "Complete" || c["type"] == "Failed") && c["status"] == "True")
}

fn reconcile(store: &Store, api: &Registry, events: &Recorder, key: &Key) {
    let Ok(job) = store.get(key) else {
        return;
    };
    if job["metadata"].get("deletionTimestamp").is_some() || finished(&job) {
        return;
    }
    let uid = job["metadata"]["uid"].as_str().unwrap_or_default();
    let pods: Vec<(Key, Arc<Value>)> = store
        .list("", "pods", Some(&key.namespace), None)
        .0
        .into_iter()
        .filter(|(_, p)| owned_by(p, uid))
        .collect();
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
            let mut pod = json!({"apiVersion": "v1", "kind": "Pod",
                "metadata": spec["template"]["metadata"].clone(), "spec": spec["template"]["spec"].clone()});
            if !pod["metadata"].is_object() {
                pod["metadata"] = json!({});
            }
            pod["metadata"]["generateName"] = json!(format!("{}-", key.name));
            pod["metadata"]["ownerReferences"] = json!([{"apiVersion": "batch/v1", "kind": "Job", "name": key.name,
                "uid": uid, "controller": true, "blockOwnerDeletion": true}]);
            match api.create_as_controller(
                "",
                "v1",
                "pods",
                &key.namespace,
                pod,
                "kube-controller-manager",
            ) {
                Ok(created) => {
                    events.normal(
                        &job,
                        SOURCE,
                        "SuccessfulCreate",
                        &format!(
                            "Created pod: {}",
                            created["metadata"]["name"].as_str().unwrap_or_default()
                        ),
                    );
                    status["active"] = json!(status["active"].as_i64().unwrap_or(0) + 1);
                }
                Err(e) => {
                    events.warning(
                        &job,
                        SOURCE,
                        "FailedCreate",
                        &format!("Error creating: {}", e.message),
                    );
                    break;
                }
            }
        }
    }
    if let Some(map) = status.as_object_mut() {
        for field in ["active", "succeeded", "failed"] {
            if map.get(field) == Some(&json!(0)) {
                map.remove(field);
            }
        }
    }
    if job["status"] != status {
        let mut next = (*job).clone();
        next["status"] = status;
        let _ = store.update(key.clone(), next, None);
    }
}

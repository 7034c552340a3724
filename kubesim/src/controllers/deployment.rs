//! The Deployment controller: one ReplicaSet per pod template (named by the template's
//! hash), rolled over with RollingUpdate (maxSurge/maxUnavailable) or Recreate, revisions
//! in `deployment.kubernetes.io/revision` (a rollback reuses the old ReplicaSet under a new
//! revision), pause, history limit, and the status and conditions `kubectl rollout status`
//! reads.

use super::runner::{Context, Controller, Follow, Resync};
use super::workload::{live, omit_zeros, owned, owner_reference, template_hash};
use crate::events::{Recorder, Source};
use crate::store::{Event, Key, Store};
use serde_json::{Value, json};
use std::sync::Arc;

const SOURCE: Source<'static> = Source::component("deployment-controller");
const REVISION: &str = "deployment.kubernetes.io/revision";
const HASH_LABEL: &str = "pod-template-hash";

/// The controller: Deployments and their ReplicaSets. Rollouts under way are looked at
/// again every few seconds: a progress deadline passes without any change to watch for.
pub fn controller() -> impl Controller {
    let resync = Resync {
        period: std::time::Duration::from_secs(5),
        due: |d| {
            d["status"]["conditions"]
                .as_array()
                .is_some_and(|c| c.iter().any(|c| c["reason"] == "ReplicaSetUpdated"))
        },
    };
    Follow::new(("apps", "deployments"), affected, reconcile).with_resync(resync)
}

/// The Deployment that owns a changed ReplicaSet.
fn affected(_: &Context, event: &Event) -> Vec<Key> {
    if event.key.group == "apps" && event.key.resource == "replicasets" {
        crate::ownership::owners(event, "Deployment", ("apps", "deployments"))
    } else {
        Vec::new()
    }
}

/// A template without the hash label, for comparing a ReplicaSet's with the Deployment's.
fn bare_template(template: &Value) -> Value {
    let mut t = template.clone();
    if let Some(labels) = t["metadata"]["labels"].as_object_mut() {
        labels.remove(HASH_LABEL);
    }
    t
}

/// `maxSurge`/`maxUnavailable`: a number, or a percentage of `replicas` (surge rounds
/// up, unavailable down).
fn resolve(value: &Value, replicas: i64, round_up: bool, default: &str) -> i64 {
    let text = match value {
        Value::Number(n) => return n.as_i64().unwrap_or(0),
        Value::String(s) => s.as_str(),
        _ => default,
    };
    let percent: i64 = text.trim_end_matches('%').parse().unwrap_or(0);
    let scaled = percent * replicas;
    if round_up {
        (scaled + 99) / 100
    } else {
        scaled / 100
    }
}

/// The Deployment's annotations its new ReplicaSet carries too (so `kubectl rollout
/// history` shows each revision's `kubernetes.io/change-cause`): all but kubectl's
/// last-applied configuration and the controller's own, as upstream's
/// `skipCopyAnnotation` decides.
fn copied_annotations(deployment: &Value) -> serde_json::Map<String, Value> {
    const KEPT_BACK: &[&str] = &[
        "kubectl.kubernetes.io/last-applied-configuration",
        REVISION,
        "deployment.kubernetes.io/revision-history",
        "deployment.kubernetes.io/desired-replicas",
        "deployment.kubernetes.io/max-replicas",
        "deprecated.deployment.rollback.to",
    ];
    deployment["metadata"]["annotations"]
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(name, _)| !KEPT_BACK.contains(&name.as_str()))
        .map(|(name, value)| (name.clone(), value.clone()))
        .collect()
}

fn revision_of(rs: &Value) -> i64 {
    rs["metadata"]["annotations"][REVISION]
        .as_str()
        .and_then(|r| r.parse().ok())
        .unwrap_or(0)
}

fn replicas_of(rs: &Value) -> i64 {
    rs["spec"]["replicas"].as_i64().unwrap_or(0)
}

fn reconcile(ctx: &Context, key: &Key) {
    let (store, events) = (&ctx.store, &*ctx.events);
    let Some(deployment) = live(store, key) else {
        return;
    };
    let template = &deployment["spec"]["template"];
    let hash = template_hash(template);
    let mut sets = owned(store, ("apps", "replicasets"), &key.namespace, &deployment);
    sets.sort_by_key(|(_, rs)| revision_of(rs));
    let max_revision = sets
        .iter()
        .map(|(_, rs)| revision_of(rs))
        .max()
        .unwrap_or(0);
    let replicas = deployment["spec"]["replicas"].as_i64().unwrap_or(1);
    let paused = deployment["spec"]["paused"] == true;
    let position = sets
        .iter()
        .position(|(_, rs)| bare_template(&rs["spec"]["template"]) == bare_template(template));
    let new_key = match position {
        Some(i) => {
            let (k, rs) = &sets[i];
            let mut updated = (**rs).clone();
            if revision_of(rs) < max_revision && !paused {
                // A rollback: the old ReplicaSet becomes the newest revision.
                updated["metadata"]["annotations"][REVISION] =
                    json!((max_revision + 1).to_string());
            }
            if !paused {
                for (name, value) in copied_annotations(&deployment) {
                    updated["metadata"]["annotations"][name] = value;
                }
            }
            if updated != **rs {
                let _ = store.update(k.clone(), updated, None);
            }
            k.clone()
        }
        None if paused => return write_status(store, key, &deployment, &sets, None),
        None => {
            let name = format!("{}-{hash}", key.name);
            let mut rs_template = template.clone();
            rs_template["metadata"]["labels"][HASH_LABEL] = json!(hash);
            let mut selector = deployment["spec"]["selector"].clone();
            selector["matchLabels"][HASH_LABEL] = json!(hash);
            let mut labels = template["metadata"]["labels"].clone();
            labels[HASH_LABEL] = json!(hash);
            let strategy = deployment["spec"]["strategy"]["type"]
                .as_str()
                .unwrap_or("RollingUpdate");
            let surge = resolve(
                &deployment["spec"]["strategy"]["rollingUpdate"]["maxSurge"],
                replicas,
                true,
                "25%",
            );
            let total: i64 = sets.iter().map(|(_, rs)| replicas_of(rs)).sum();
            let start = if sets.is_empty() {
                replicas
            } else if strategy == "Recreate" {
                0
            } else {
                (replicas + surge - total).clamp(0, replicas)
            };
            let mut annotations = copied_annotations(&deployment);
            annotations.extend([
                (REVISION.to_string(), json!((max_revision + 1).to_string())),
                (
                    "deployment.kubernetes.io/desired-replicas".into(),
                    json!(replicas.to_string()),
                ),
                (
                    "deployment.kubernetes.io/max-replicas".into(),
                    json!((replicas + surge).to_string()),
                ),
            ]);
            let rs = json!({
                "apiVersion": "apps/v1", "kind": "ReplicaSet",
                "metadata": {"name": name, "namespace": key.namespace, "labels": labels,
                    "annotations": annotations,
                    "ownerReferences": [owner_reference(&deployment, ("apps/v1", "Deployment"))]},
                "spec": {"replicas": start, "minReadySeconds": deployment["spec"]["minReadySeconds"].as_i64().unwrap_or(0),
                    "selector": selector, "template": rs_template},
            });
            let rs_key = Key::new("apps", "replicasets", &key.namespace, &name);
            match store.create(rs_key.clone(), rs) {
                Ok(created) => {
                    events.normal(
                        &deployment,
                        SOURCE,
                        "ScalingReplicaSet",
                        &format!("Scaled up replica set {name} from 0 to {start}"),
                    );
                    sets.push((rs_key.clone(), created));
                }
                Err(e) => {
                    tracing::warn!("creating replica set {name}: {e}");
                    return;
                }
            }
            rs_key
        }
    };
    if !paused {
        roll(store, events, &deployment, &new_key, &sets, replicas);
        prune_history(store, &deployment, &new_key, &sets);
    }
    let sets: Vec<(Key, Arc<Value>)> = sets
        .iter()
        .filter_map(|(k, _)| store.get(k).ok().map(|rs| (k.clone(), rs)))
        .collect();
    write_status(store, key, &deployment, &sets, Some(&new_key));
}

/// One step of the rollout: scale the new ReplicaSet up and the old ones down within the
/// strategy's bounds.
fn roll(
    store: &Store,
    events: &Recorder,
    deployment: &Value,
    new_key: &Key,
    sets: &[(Key, Arc<Value>)],
    replicas: i64,
) {
    let strategy = deployment["spec"]["strategy"]["type"]
        .as_str()
        .unwrap_or("RollingUpdate");
    let rolling = &deployment["spec"]["strategy"]["rollingUpdate"];
    let surge = resolve(&rolling["maxSurge"], replicas, true, "25%");
    let mut unavailable = resolve(&rolling["maxUnavailable"], replicas, false, "25%");
    if surge == 0 && unavailable == 0 {
        unavailable = 1;
    }
    let current = |k: &Key| store.get(k).ok();
    let Some(new_rs) = current(new_key) else {
        return;
    };
    let olds: Vec<(Key, Arc<Value>)> = sets
        .iter()
        .filter(|(k, _)| k != new_key)
        .filter_map(|(k, _)| current(k).map(|rs| (k.clone(), rs)))
        .collect();
    let old_pods: i64 = olds
        .iter()
        .map(|(_, rs)| {
            rs["status"]["replicas"]
                .as_i64()
                .unwrap_or(0)
                .max(replicas_of(rs))
        })
        .sum();
    if strategy == "Recreate" {
        for (k, rs) in &olds {
            scale(store, events, deployment, k, rs, 0);
        }
        if old_pods == 0 {
            scale(store, events, deployment, new_key, &new_rs, replicas);
        }
        return;
    }
    // Scale up the new ReplicaSet within maxSurge.
    let total: i64 = olds.iter().map(|(_, rs)| replicas_of(rs)).sum::<i64>() + replicas_of(&new_rs);
    let room = replicas + surge - total;
    if replicas_of(&new_rs) < replicas && room > 0 {
        let target = (replicas_of(&new_rs) + room).min(replicas);
        scale(store, events, deployment, new_key, &new_rs, target);
    } else if replicas_of(&new_rs) > replicas {
        scale(store, events, deployment, new_key, &new_rs, replicas);
    }
    // Scale old ones down while keeping replicas - maxUnavailable available; unavailable
    // old pods can always go.
    let available = |rs: &Value| rs["status"]["availableReplicas"].as_i64().unwrap_or(0);
    let Some(new_rs) = current(new_key) else {
        return;
    };
    let all_available: i64 =
        olds.iter().map(|(_, rs)| available(rs)).sum::<i64>() + available(&new_rs);
    let mut budget = all_available - (replicas - unavailable);
    for (k, rs) in &olds {
        let count = replicas_of(rs);
        if count == 0 {
            continue;
        }
        let unhealthy = (count - available(rs)).max(0);
        let cut = (unhealthy + budget.max(0)).min(count);
        if cut > 0 {
            budget -= (cut - unhealthy).max(0);
            scale(store, events, deployment, k, rs, count - cut);
        }
    }
}

fn scale(store: &Store, events: &Recorder, deployment: &Value, key: &Key, rs: &Value, to: i64) {
    let from = replicas_of(rs);
    if from == to {
        return;
    }
    let mut updated = rs.clone();
    updated["spec"]["replicas"] = json!(to);
    if store.update(key.clone(), updated, None).is_ok() {
        let direction = if to > from { "up" } else { "down" };
        events.normal(
            deployment,
            SOURCE,
            "ScalingReplicaSet",
            &format!(
                "Scaled {direction} replica set {} from {from} to {to}",
                key.name
            ),
        );
    }
}

/// Deletes the oldest empty ReplicaSets beyond `revisionHistoryLimit`.
fn prune_history(store: &Store, deployment: &Value, new_key: &Key, sets: &[(Key, Arc<Value>)]) {
    let limit = deployment["spec"]["revisionHistoryLimit"]
        .as_i64()
        .unwrap_or(10)
        .max(0) as usize;
    let empty: Vec<&Key> = sets
        .iter()
        .filter(|(k, rs)| {
            k != new_key
                && replicas_of(rs) == 0
                && rs["status"]["replicas"].as_i64().unwrap_or(0) == 0
        })
        .map(|(k, _)| k)
        .collect();
    for key in empty.iter().take(empty.len().saturating_sub(limit)) {
        let _ = store.remove(key, None);
    }
}

/// The Progressing condition of a rollout under way: progress (any count changed) renews
/// it; none for `progressDeadlineSeconds` (default 600) marks it ProgressDeadlineExceeded.
fn progress(
    deployment: &Value,
    condition: &dyn Fn(&str, &str, &str, String) -> Value,
    rs_name: &str,
    counts: (i64, i64, i64, i64),
    store: &Store,
) -> Value {
    let old_status = &deployment["status"];
    let count = |field: &str| old_status[field].as_i64().unwrap_or(0);
    let moved = counts
        != (
            count("updatedReplicas"),
            count("readyReplicas"),
            count("availableReplicas"),
            count("replicas"),
        );
    let previous = old_status["conditions"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| c["type"] == "Progressing")
        .cloned();
    let updating = || {
        condition(
            "Progressing",
            "True",
            "ReplicaSetUpdated",
            format!("ReplicaSet \"{rs_name}\" is progressing."),
        )
    };
    let Some(previous) = previous.filter(|_| !moved) else {
        let mut renewed = updating();
        renewed["lastUpdateTime"] = json!(store.clock().now_rfc3339());
        return renewed;
    };
    if previous["reason"] == "ProgressDeadlineExceeded" {
        return previous;
    }
    let deadline = deployment["spec"]["progressDeadlineSeconds"]
        .as_i64()
        .unwrap_or(600);
    let since: Option<jiff::Timestamp> = previous["lastUpdateTime"]
        .as_str()
        .and_then(|t| t.parse().ok());
    let stalled =
        since.is_some_and(|t| store.clock().now().duration_since(t).as_secs() >= deadline);
    if stalled {
        return condition(
            "Progressing",
            "False",
            "ProgressDeadlineExceeded",
            format!("ReplicaSet \"{rs_name}\" has timed out progressing."),
        );
    }
    if previous["reason"] == "ReplicaSetUpdated" {
        previous
    } else {
        updating()
    }
}

fn write_status(
    store: &Store,
    key: &Key,
    deployment: &Value,
    sets: &[(Key, Arc<Value>)],
    new_key: Option<&Key>,
) {
    let sum = |field: &str| -> i64 {
        sets.iter()
            .map(|(_, rs)| rs["status"][field].as_i64().unwrap_or(0))
            .sum()
    };
    let replicas = deployment["spec"]["replicas"].as_i64().unwrap_or(1);
    let new_rs = new_key
        .and_then(|k| sets.iter().find(|(sk, _)| sk == k))
        .map(|(_, rs)| rs.clone());
    let updated = new_rs
        .as_ref()
        .map_or(0, |rs| rs["status"]["replicas"].as_i64().unwrap_or(0));
    let (total, ready, available) = (
        sum("replicas"),
        sum("readyReplicas"),
        sum("availableReplicas"),
    );
    let unavailable_allowed = resolve(
        &deployment["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"],
        replicas,
        false,
        "25%",
    );
    let now = store.clock().now_rfc3339();
    let old = &deployment["status"]["conditions"];
    let condition = |kind: &str, ok: &str, reason: &str, message: String| {
        let previous = old
            .as_array()
            .into_iter()
            .flatten()
            .find(|c| c["type"] == kind);
        let transition = match previous {
            Some(p) if p["status"] == ok => p["lastTransitionTime"].clone(),
            _ => json!(now),
        };
        let update_time = match previous {
            Some(p) if p["status"] == ok && p["reason"] == reason => p["lastUpdateTime"].clone(),
            _ => json!(now),
        };
        json!({"type": kind, "status": ok, "lastUpdateTime": update_time, "lastTransitionTime": transition, "reason": reason, "message": message})
    };
    let is_available = available >= replicas - unavailable_allowed;
    let available_condition = if is_available {
        condition(
            "Available",
            "True",
            "MinimumReplicasAvailable",
            "Deployment has minimum availability.".into(),
        )
    } else {
        condition(
            "Available",
            "False",
            "MinimumReplicasUnavailable",
            "Deployment does not have minimum availability.".into(),
        )
    };
    let rs_name = new_key.map(|k| k.name.clone()).unwrap_or_default();
    let complete = updated == replicas && total == replicas && available == replicas;
    let progressing = if deployment["spec"]["paused"] == true {
        condition(
            "Progressing",
            "Unknown",
            "DeploymentPaused",
            "Deployment is paused".into(),
        )
    } else if complete {
        condition(
            "Progressing",
            "True",
            "NewReplicaSetAvailable",
            format!("ReplicaSet \"{rs_name}\" has successfully progressed."),
        )
    } else {
        progress(
            deployment,
            &condition,
            &rs_name,
            (updated, ready, available, total),
            store,
        )
    };
    let mut status = json!({
        "observedGeneration": deployment["metadata"]["generation"], "replicas": total,
        "updatedReplicas": updated, "readyReplicas": ready, "availableReplicas": available,
        "unavailableReplicas": (replicas.max(total) - available).max(0),
        "conditions": [available_condition, progressing],
    });
    omit_zeros(
        &mut status,
        &[
            "replicas",
            "updatedReplicas",
            "readyReplicas",
            "availableReplicas",
            "unavailableReplicas",
        ],
    );
    let mut next = deployment.clone();
    if let Some(rs) = &new_rs {
        next["metadata"]["annotations"][REVISION] = json!(revision_of(rs).to_string());
    }
    next["status"] = status;
    if next != *deployment {
        let _ = store.update(
            key.clone(),
            next,
            crate::store::resource_version_of(deployment),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn surge_rounds_up_and_unavailable_down() {
        assert_eq!(resolve(&Value::Null, 3, true, "25%"), 1);
        assert_eq!(resolve(&Value::Null, 3, false, "25%"), 0);
        assert_eq!(resolve(&json!(2), 3, true, "25%"), 2);
        assert_eq!(resolve(&json!("50%"), 3, false, "25%"), 1);
    }
}

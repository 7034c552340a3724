//! The ReplicaSet controller: keeps `spec.replicas` pods matching the selector, creating
//! them from the template (through admission, so a quota can refuse them) and deleting
//! the surplus (unready and newest first); adopts matching orphans; reports replica
//! counts in the status. A ReplicaSet short of Pods (admission refused one: a quota, a
//! missing ServiceAccount) is tried again every few seconds, as the real controller
//! requeues it, so it recovers once the cause is fixed.

use super::runner::{Context, Controller, Follow, Resync};
use super::workload::{create_pod, live, owner_reference, pod_from_template, update_status};
use crate::events::Source;
use crate::ownership::{has_controller, owned_by};
use crate::pods::{is_available, is_ready};
use crate::store::{Event, Key, StoreError};
use serde_json::{Value, json};
use std::sync::Arc;

const SOURCE: Source<'static> = Source::component("replicaset-controller");
const OWNER: (&str, &str) = ("apps/v1", "ReplicaSet");

/// The controller: ReplicaSets, and the pods they own or would adopt.
pub fn controller() -> impl Controller {
    Follow::new(("apps", "replicasets"), affected, reconcile)
        .with_resync(Resync {
            period: std::time::Duration::from_secs(5),
            due: |rs| {
                let wanted = rs["spec"]["replicas"].as_i64().unwrap_or(1);
                rs["status"]["replicas"].as_i64().unwrap_or(0) < wanted
            },
        })
        // Ready pods become available `minReadySeconds` later, with no change to wake
        // the controller: the real one requeues the ReplicaSet for then.
        .with_resync(Resync {
            period: std::time::Duration::from_secs(1),
            due: |rs| {
                let count = |field: &str| rs["status"][field].as_i64().unwrap_or(0);
                count("readyReplicas") > count("availableReplicas")
            },
        })
}

/// The ReplicaSets that own a changed pod or would adopt it.
fn affected(ctx: &Context, event: &Event) -> Vec<Key> {
    if !(event.key.group.is_empty() && event.key.resource == "pods") {
        return Vec::new();
    }
    let labels = &event.object["metadata"]["labels"];
    ctx.store
        .list("apps", "replicasets", Some(&event.key.namespace), None)
        .0
        .into_iter()
        .filter(|(_, rs)| {
            let uid = rs["metadata"]["uid"].as_str().unwrap_or_default();
            owned_by(&event.object, uid)
                || crate::labels::selector_selects(&rs["spec"]["selector"], labels)
        })
        .map(|(key, _)| key)
        .collect()
}

fn reconcile(ctx: &Context, key: &Key) {
    let store = &ctx.store;
    let Some(rs) = live(store, key) else {
        return;
    };
    let uid = rs["metadata"]["uid"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let selector = &rs["spec"]["selector"];
    let mut pods = Vec::new();
    for (pod_key, pod) in store.list("", "pods", Some(&key.namespace), None).0 {
        let labels = &pod["metadata"]["labels"];
        if owned_by(&pod, &uid) {
            if pod["metadata"].get("deletionTimestamp").is_none() {
                pods.push((pod_key, pod));
            }
        } else if !has_controller(&pod)
            && crate::labels::selector_selects(selector, labels)
            && pod["metadata"].get("deletionTimestamp").is_none()
        {
            // Adopt a matching orphan, as the real controller does.
            let mut adopted = (*pod).clone();
            let reference = owner_reference(&rs, OWNER);
            let refs = adopted["metadata"]["ownerReferences"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            adopted["metadata"]["ownerReferences"] =
                json!(refs.into_iter().chain([reference]).collect::<Vec<_>>());
            if let Ok(updated) = store.update(
                pod_key.clone(),
                adopted,
                crate::store::resource_version_of(&pod),
            ) {
                pods.push((pod_key, updated));
            }
        }
    }
    let wanted = rs["spec"]["replicas"].as_i64().unwrap_or(1).max(0) as usize;
    if pods.len() < wanted {
        for _ in pods.len()..wanted {
            let pod = pod_from_template(&rs, OWNER, &rs["spec"]["template"]);
            if !create_pod(ctx, &rs, SOURCE, pod) {
                break;
            }
        }
    } else if pods.len() > wanted {
        // Unready before ready, then the newest first.
        pods.sort_by(|(_, a), (_, b)| {
            let rank = |p: &Value| {
                (
                    is_ready(p),
                    std::cmp::Reverse(
                        p["metadata"]["creationTimestamp"]
                            .as_str()
                            .unwrap_or_default()
                            .to_string(),
                    ),
                )
            };
            rank(a).cmp(&rank(b))
        });
        for (pod_key, pod) in pods.drain(..pods.len() - wanted) {
            let deleted = crate::pods::delete_gracefully(store, &pod_key, &pod);
            if matches!(deleted, Ok(()) | Err(StoreError::NotFound)) {
                ctx.events.normal(
                    &rs,
                    SOURCE,
                    "SuccessfulDelete",
                    &format!("Deleted pod: {}", pod_key.name),
                );
            }
        }
    }
    write_status(ctx, key, &rs, &pods);
}

fn write_status(ctx: &Context, key: &Key, rs: &Value, pods: &[(Key, Arc<Value>)]) {
    let store = &ctx.store;
    let ready = pods.iter().filter(|(_, p)| is_ready(p)).count();
    let min_ready = rs["spec"]["minReadySeconds"].as_i64().unwrap_or(0);
    let now = ctx.clock().now();
    let available = pods
        .iter()
        .filter(|(_, p)| is_available(p, min_ready, now))
        .count();
    let labels_ok = pods
        .iter()
        .filter(|(_, p)| {
            crate::labels::map_selects(
                &rs["spec"]["template"]["metadata"]["labels"],
                &p["metadata"]["labels"],
            )
        })
        .count();
    let status = json!({
        "replicas": pods.len(), "fullyLabeledReplicas": labels_ok, "readyReplicas": ready,
        "availableReplicas": available, "observedGeneration": rs["metadata"]["generation"],
    });
    let mut status = status;
    for field in ["readyReplicas", "availableReplicas", "fullyLabeledReplicas"] {
        if status[field] == 0
            && let Some(map) = status.as_object_mut()
        {
            map.remove(field);
        }
    }
    update_status(
        store,
        key,
        rs,
        status,
        crate::store::resource_version_of(rs),
    );
}

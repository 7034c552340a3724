//! The ReplicaSet controller: keeps `spec.replicas` pods matching the selector, creating
//! them from the template (through admission, so a quota can refuse them) and deleting
//! the surplus (unready and newest first); adopts matching orphans; reports replica
//! counts in the status.

use crate::events::{Recorder, Source};
use crate::ownership::owned_by;
use crate::pods::is_ready;
use crate::registry::Registry;
use crate::store::{Key, Store, StoreError};
use serde_json::{Value, json};
use std::sync::Arc;

const SOURCE: Source<'static> = Source::component("replicaset-controller");

/// Runs the controller until the store's event stream ends.
pub async fn run(store: Arc<Store>, api: Arc<Registry>, events: Arc<Recorder>) {
    let affected = |store: &Store, event: &crate::store::Event| -> Vec<Key> {
        if !(event.key.group.is_empty() && event.key.resource == "pods") {
            return Vec::new();
        }
        // The ReplicaSets that own the pod or would adopt it.
        let labels = &event.object["metadata"]["labels"];
        store
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
    };
    let reconcile_one = |key: &Key| reconcile(&store, &api, &events, key);
    super::follow(
        store.clone(),
        ("apps", "replicasets"),
        None,
        affected,
        reconcile_one,
    )
    .await;
}

/// The pod name prefix and template for a ReplicaSet's new pods.
fn pod_from_template(rs: &Value) -> Value {
    let name = rs["metadata"]["name"].as_str().unwrap_or_default();
    let mut pod = json!({"apiVersion": "v1", "kind": "Pod"});
    pod["metadata"] = rs["spec"]["template"]["metadata"].clone();
    if !pod["metadata"].is_object() {
        pod["metadata"] = json!({});
    }
    pod["metadata"]["generateName"] = json!(format!("{name}-"));
    pod["metadata"]["ownerReferences"] = json!([{
        "apiVersion": "apps/v1", "kind": "ReplicaSet", "name": name,
        "uid": rs["metadata"]["uid"], "controller": true, "blockOwnerDeletion": true,
    }]);
    pod["spec"] = rs["spec"]["template"]["spec"].clone();
    pod
}

fn reconcile(store: &Store, api: &Registry, events: &Recorder, key: &Key) {
    let Ok(rs) = store.get(key) else {
        return;
    };
    if rs["metadata"].get("deletionTimestamp").is_some() {
        return;
    }
    let uid = rs["metadata"]["uid"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let selector = &rs["spec"]["selector"];
    let mut pods = Vec::new();
    for (pod_key, pod) in store.list("", "pods", Some(&key.namespace), None).0 {
        let labels = &pod["metadata"]["labels"];
        let has_controller = pod["metadata"]["ownerReferences"]
            .as_array()
            .is_some_and(|refs| refs.iter().any(|r| r["controller"] == true));
        if owned_by(&pod, &uid) {
            if pod["metadata"].get("deletionTimestamp").is_none() {
                pods.push((pod_key, pod));
            }
        } else if !has_controller
            && crate::labels::selector_selects(selector, labels)
            && pod["metadata"].get("deletionTimestamp").is_none()
        {
            // Adopt a matching orphan, as the real controller does.
            let mut adopted = (*pod).clone();
            let reference = json!({"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": key.name,
                "uid": uid, "controller": true, "blockOwnerDeletion": true});
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
            match api.create_as_controller(
                "",
                "v1",
                "pods",
                &key.namespace,
                pod_from_template(&rs),
                "kube-controller-manager",
            ) {
                Ok(pod) => events.normal(
                    &rs,
                    SOURCE,
                    "SuccessfulCreate",
                    &format!(
                        "Created pod: {}",
                        pod["metadata"]["name"].as_str().unwrap_or_default()
                    ),
                ),
                Err(e) => {
                    events.warning(
                        &rs,
                        SOURCE,
                        "FailedCreate",
                        &format!("Error creating: {}", e.message),
                    );
                    break;
                }
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
                events.normal(
                    &rs,
                    SOURCE,
                    "SuccessfulDelete",
                    &format!("Deleted pod: {}", pod_key.name),
                );
            }
        }
    }
    write_status(store, key, &rs, &pods);
}

fn write_status(store: &Store, key: &Key, rs: &Value, pods: &[(Key, Arc<Value>)]) {
    let ready = pods.iter().filter(|(_, p)| is_ready(p)).count();
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
        "availableReplicas": ready, "observedGeneration": rs["metadata"]["generation"],
    });
    let mut status = status;
    for field in ["readyReplicas", "availableReplicas", "fullyLabeledReplicas"] {
        if status[field] == 0
            && let Some(map) = status.as_object_mut()
        {
            map.remove(field);
        }
    }
    if rs["status"] == status {
        return;
    }
    let mut updated = rs.clone();
    updated["status"] = status;
    let _ = store.update(key.clone(), updated, crate::store::resource_version_of(rs));
}

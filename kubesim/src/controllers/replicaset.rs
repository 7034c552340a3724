//! The ReplicaSet controller: keeps `spec.replicas` pods matching the selector, creating
//! them from the template (through admission, so a quota can refuse them) and deleting
//! the surplus (unready and newest first); adopts matching orphans; reports replica
//! counts in the status.

use super::owned_by;
use crate::api::ApiServer;
use crate::events::{Recorder, Source};
use crate::runtime::network::is_ready;
use crate::store::{EventType, Key, Store, StoreError};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::sync::Arc;
use tokio::sync::broadcast::error::RecvError;

const SOURCE: Source<'static> = Source::component("replicaset-controller");

/// Runs the controller until the store's event stream ends.
pub async fn run(store: Arc<Store>, api: Arc<ApiServer>, events: Arc<Recorder>) {
    loop {
        let Ok(mut subscription) = store.subscribe(0) else {
            return;
        };
        for (key, _) in store.list("apps", "replicasets", None, None).0 {
            reconcile(&store, &api, &events, &key);
        }
        loop {
            let batch = match super::next_batch(&mut subscription.live).await {
                Ok(batch) => batch,
                Err(RecvError::Lagged(_)) => break,
                Err(RecvError::Closed) => return,
            };
            let mut dirty = BTreeSet::new();
            for event in &batch {
                match (event.key.group.as_str(), event.key.resource.as_str()) {
                    ("apps", "replicasets") if event.kind != EventType::Deleted => {
                        dirty.insert(event.key.clone());
                    }
                    ("", "pods") => {
                        let namespace = &event.key.namespace;
                        for (key, rs) in store.list("apps", "replicasets", Some(namespace), None).0
                        {
                            let uid = rs["metadata"]["uid"].as_str().unwrap_or_default();
                            let selects = crate::labels::selector_selects(
                                &rs["spec"]["selector"],
                                &event.object["metadata"]["labels"],
                            );
                            if owned_by(&event.object, uid) || selects {
                                dirty.insert(key);
                            }
                        }
                    }
                    _ => {}
                }
            }
            for key in dirty {
                reconcile(&store, &api, &events, &key);
            }
        }
    }
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

fn reconcile(store: &Store, api: &ApiServer, events: &Recorder, key: &Key) {
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
            if api_delete_pod(store, &pod_key, &pod) {
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

/// Deletes a pod as the API does: gracefully when it runs on a node.
fn api_delete_pod(store: &Store, key: &Key, pod: &Value) -> bool {
    let bound = pod["spec"]["nodeName"]
        .as_str()
        .is_some_and(|n| !n.is_empty());
    let result = if bound {
        let grace = pod["spec"]["terminationGracePeriodSeconds"]
            .as_i64()
            .unwrap_or(30)
            .max(1);
        store.mark_deleting(key, grace).map(|_| ())
    } else {
        store.remove(key, None).map(|_| ())
    };
    matches!(result, Ok(()) | Err(StoreError::NotFound))
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

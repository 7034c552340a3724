//! The StatefulSet controller: pods with stable ordinal names (`web-0`, `web-1`, …), each
//! with its own claims from `volumeClaimTemplates`; OrderedReady creation (the next
//! ordinal only once the previous is Running and Ready) and deletion from the highest
//! ordinal; rolling updates from the highest ordinal down to `partition`; revisions kept
//! as ControllerRevisions; status as `kubectl rollout status` reads it.

use super::runner::{Context, Controller, Follow};
use super::workload::{
    MANAGER, from_template, live, omit_zeros, owned, owner_reference, update_status,
};
use crate::events::Source;
use crate::ownership::{owned_by, owners};
use crate::pods::is_ready;
use crate::store::{Key, Store};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::Arc;

const SOURCE: Source<'static> = Source::component("statefulset-controller");
const REVISION_LABEL: &str = "controller-revision-hash";
const OWNER: (&str, &str) = ("apps/v1", "StatefulSet");

/// The controller: StatefulSets and the pods they own.
pub fn controller() -> impl Controller {
    Follow::new(
        ("apps", "statefulsets"),
        |_, event| owners(event, "StatefulSet", ("apps", "statefulsets")),
        reconcile,
    )
}

/// The revision name for a template: `NAME-HASH`.
fn revision_name(sts: &Value) -> String {
    let hash = super::workload::template_hash(&sts["spec"]["template"]);
    format!(
        "{}-{hash}",
        sts["metadata"]["name"].as_str().unwrap_or_default()
    )
}

/// Makes sure the template's ControllerRevision exists; returns its name.
fn ensure_revision(store: &Store, key: &Key, sts: &Value) -> String {
    let name = revision_name(sts);
    let revision_key = Key::new("apps", "controllerrevisions", &key.namespace, &name);
    if store.get(&revision_key).is_ok() {
        return name;
    }
    let highest = owned(store, ("apps", "controllerrevisions"), &key.namespace, sts)
        .iter()
        .filter_map(|(_, r)| r["revision"].as_i64())
        .max()
        .unwrap_or(0);
    let hash = name.rsplit('-').next().unwrap_or_default();
    let mut labels = sts["spec"]["template"]["metadata"]["labels"].clone();
    labels[REVISION_LABEL] = json!(hash);
    let revision = json!({
        "apiVersion": "apps/v1", "kind": "ControllerRevision",
        "metadata": {"name": name, "namespace": key.namespace, "labels": labels,
            "ownerReferences": [owner_reference(sts, OWNER)]},
        "data": {"spec": {"template": sts["spec"]["template"]}},
        "revision": highest + 1,
    });
    let _ = store.create(revision_key, revision);
    name
}

fn pod_for(sts: &Value, key: &Key, ordinal: usize, revision: &str) -> Value {
    let name = format!("{}-{ordinal}", key.name);
    let template = &sts["spec"]["template"];
    let mut pod = from_template("v1", "Pod", template);
    pod["metadata"]["name"] = json!(name);
    for (label, value) in [
        ("statefulset.kubernetes.io/pod-name", name.clone()),
        ("apps.kubernetes.io/pod-index", ordinal.to_string()),
        (REVISION_LABEL, revision.to_string()),
    ] {
        pod["metadata"]["labels"][label] = json!(value);
    }
    pod["metadata"]["ownerReferences"] = json!([owner_reference(sts, OWNER)]);
    pod["spec"]["hostname"] = json!(name);
    if let Some(service) = sts["spec"]["serviceName"]
        .as_str()
        .filter(|s| !s.is_empty())
    {
        pod["spec"]["subdomain"] = json!(service);
    }
    let mut volumes: Vec<Value> = pod["spec"]["volumes"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    for claim in sts["spec"]["volumeClaimTemplates"]
        .as_array()
        .into_iter()
        .flatten()
    {
        let claim_name = claim["metadata"]["name"].as_str().unwrap_or_default();
        volumes.retain(|v| v["name"] != claim_name);
        volumes.push(json!({"name": claim_name, "persistentVolumeClaim": {"claimName": format!("{claim_name}-{name}")}}));
    }
    if !volumes.is_empty() {
        pod["spec"]["volumes"] = json!(volumes);
    }
    pod
}

fn reconcile(ctx: &Context, key: &Key) {
    let (store, events) = (&ctx.store, &ctx.events);
    let Some(sts) = live(store, key) else {
        return;
    };
    let update_revision = ensure_revision(store, key, &sts);
    let uid = sts["metadata"]["uid"].as_str().unwrap_or_default();
    let mut pods: BTreeMap<usize, Arc<Value>> = BTreeMap::new();
    for (_, pod) in store.list("", "pods", Some(&key.namespace), None).0 {
        if !owned_by(&pod, uid) {
            continue;
        }
        let name = pod["metadata"]["name"].as_str().unwrap_or_default();
        if let Some(ordinal) = name
            .strip_prefix(&format!("{}-", key.name))
            .and_then(|o| o.parse().ok())
        {
            pods.insert(ordinal, pod);
        }
    }
    let replicas = sts["spec"]["replicas"].as_i64().unwrap_or(1).max(0) as usize;
    let ordered = sts["spec"]["podManagementPolicy"].as_str() != Some("Parallel");
    let healthy = |p: &Value| {
        p["status"]["phase"] == "Running"
            && is_ready(p)
            && p["metadata"].get("deletionTimestamp").is_none()
    };
    let revision_hash = update_revision
        .rsplit('-')
        .next()
        .unwrap_or_default()
        .to_string();
    // Create what is missing, in order.
    for ordinal in 0..replicas {
        match pods.get(&ordinal) {
            Some(pod)
                if matches!(
                    pod["status"]["phase"].as_str(),
                    Some("Failed" | "Succeeded")
                ) =>
            {
                let pod_key = Key::new(
                    "",
                    "pods",
                    &key.namespace,
                    &format!("{}-{ordinal}", key.name),
                );
                let _ = store.remove(&pod_key, None);
                return;
            }
            Some(pod) if ordered && !healthy(pod) => break,
            Some(_) => continue,
            None => {
                let pod_name = format!("{}-{ordinal}", key.name);
                for claim in sts["spec"]["volumeClaimTemplates"]
                    .as_array()
                    .into_iter()
                    .flatten()
                {
                    let claim_name = format!(
                        "{}-{pod_name}",
                        claim["metadata"]["name"].as_str().unwrap_or_default()
                    );
                    if store
                        .get(&Key::new(
                            "",
                            "persistentvolumeclaims",
                            &key.namespace,
                            &claim_name,
                        ))
                        .is_ok()
                    {
                        continue;
                    }
                    let mut pvc = from_template("v1", "PersistentVolumeClaim", claim);
                    pvc["metadata"]["name"] = json!(claim_name);
                    for (label, value) in sts["spec"]["selector"]["matchLabels"]
                        .as_object()
                        .into_iter()
                        .flatten()
                    {
                        pvc["metadata"]["labels"][label] = value.clone();
                    }
                    match ctx.registry.create_as_controller("", "v1", "persistentvolumeclaims", &key.namespace, pvc, MANAGER) {
                        Ok(_) => events.normal(&sts, SOURCE, "SuccessfulCreate", &format!(
                            "create Claim {claim_name} Pod {pod_name} in StatefulSet {} success", key.name)),
                        Err(e) => {
                            events.warning(&sts, SOURCE, "FailedCreate", &format!(
                                "create Claim {claim_name} for Pod {pod_name} in StatefulSet {} failed error: {}", key.name, e.message));
                            return;
                        }
                    }
                }
                match ctx.registry.create_as_controller(
                    "",
                    "v1",
                    "pods",
                    &key.namespace,
                    pod_for(&sts, key, ordinal, &revision_hash),
                    MANAGER,
                ) {
                    Ok(_) => events.normal(
                        &sts,
                        SOURCE,
                        "SuccessfulCreate",
                        &format!(
                            "create Pod {pod_name} in StatefulSet {} successful",
                            key.name
                        ),
                    ),
                    Err(e) => events.warning(
                        &sts,
                        SOURCE,
                        "FailedCreate",
                        &format!(
                            "create Pod {pod_name} in StatefulSet {} failed error: {}",
                            key.name, e.message
                        ),
                    ),
                }
                if ordered {
                    break;
                }
            }
        }
    }
    let terminating = pods
        .values()
        .any(|p| p["metadata"].get("deletionTimestamp").is_some());
    // Scale down from the highest ordinal, one at a time when ordered.
    let surplus: Vec<usize> = pods
        .keys()
        .rev()
        .copied()
        .filter(|o| *o >= replicas)
        .collect();
    let may_scale_down = !surplus.is_empty() && (!ordered || !terminating);
    if may_scale_down {
        for ordinal in surplus.iter().take(if ordered { 1 } else { surplus.len() }) {
            delete_pod(ctx, &sts, key, &pods[ordinal]);
        }
    } else if surplus.is_empty()
        && !terminating
        && (0..replicas).all(|o| pods.get(&o).is_some_and(|p| healthy(p)))
    {
        // Rolling update: the highest outdated ordinal at or above the partition goes.
        let partition = sts["spec"]["updateStrategy"]["rollingUpdate"]["partition"]
            .as_i64()
            .unwrap_or(0)
            .max(0) as usize;
        let on_delete = sts["spec"]["updateStrategy"]["type"] == "OnDelete";
        let outdated = (partition..replicas).rev().find(|o| {
            pods[o]["metadata"]["labels"][REVISION_LABEL].as_str() != Some(&revision_hash)
        });
        if let (Some(ordinal), false) = (outdated, on_delete) {
            delete_pod(ctx, &sts, key, &pods[&ordinal]);
        }
    }
    write_status(store, key, &sts, &update_revision, &revision_hash);
}

fn delete_pod(ctx: &Context, sts: &Value, key: &Key, pod: &Value) {
    let name = pod["metadata"]["name"].as_str().unwrap_or_default();
    let pod_key = Key::new("", "pods", &key.namespace, name);
    if crate::pods::delete_gracefully(&ctx.store, &pod_key, pod).is_ok() {
        ctx.events.normal(
            sts,
            SOURCE,
            "SuccessfulDelete",
            &format!("delete Pod {name} in StatefulSet {} successful", key.name),
        );
    }
}

fn write_status(store: &Store, key: &Key, sts: &Value, update_revision: &str, hash: &str) {
    let uid = sts["metadata"]["uid"].as_str().unwrap_or_default();
    let pods: Vec<Arc<Value>> = store
        .list("", "pods", Some(&key.namespace), None)
        .0
        .into_iter()
        .map(|(_, p)| p)
        .filter(|p| owned_by(p, uid) && p["metadata"].get("deletionTimestamp").is_none())
        .collect();
    let ready = pods.iter().filter(|p| is_ready(p)).count();
    let updated = pods
        .iter()
        .filter(|p| p["metadata"]["labels"][REVISION_LABEL].as_str() == Some(hash))
        .count();
    let current_revision = if updated == pods.len() {
        update_revision.to_string()
    } else {
        sts["status"]["currentRevision"]
            .as_str()
            .unwrap_or(update_revision)
            .to_string()
    };
    let current = if current_revision == update_revision {
        updated
    } else {
        pods.len() - updated
    };
    let mut status = json!({
        "observedGeneration": sts["metadata"]["generation"], "replicas": pods.len(),
        "readyReplicas": ready, "currentReplicas": current, "updatedReplicas": updated,
        "currentRevision": current_revision, "updateRevision": update_revision,
        "collisionCount": 0, "availableReplicas": ready,
    });
    // availableReplicas stays even when zero, as the StatefulSet controller writes it.
    omit_zeros(
        &mut status,
        &["readyReplicas", "currentReplicas", "updatedReplicas"],
    );
    update_status(
        store,
        key,
        sts,
        status,
        crate::store::resource_version_of(sts),
    );
}

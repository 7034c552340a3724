//! The DaemonSet controller: one pod on every node whose taints the template tolerates
//! and whose labels match its node selector, pinned there with the node-name affinity the
//! scheduler honours; outdated pods replaced one at a time (maxUnavailable 1).

use super::runner::{Context, Controller, Follow};
use super::workload::{create_pod, live, pod_from_template, update_status};
use crate::events::Source;
use crate::ownership::{owned_by, owners};
use crate::pods::is_ready;
use crate::store::{Event, Key};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::Arc;

const SOURCE: Source<'static> = Source::component("daemonset-controller");
const HASH_LABEL: &str = "controller-revision-hash";

/// The controller: DaemonSets, their pods, and the nodes they may run on.
pub fn controller() -> impl Controller {
    Follow::new(("apps", "daemonsets"), affected, reconcile)
}

fn affected(ctx: &Context, event: &Event) -> Vec<Key> {
    if event.key.group.is_empty() && event.key.resource == "nodes" {
        // A node came, went or changed: every DaemonSet may want a pod more or less.
        return ctx
            .store
            .list("apps", "daemonsets", None, None)
            .0
            .into_iter()
            .map(|(k, _)| k)
            .collect();
    }
    owners(event, "DaemonSet", ("apps", "daemonsets"))
}

/// Whether the template's pods may run on `node`.
fn eligible(template: &Value, node: &Value) -> bool {
    let pod = json!({"spec": template["spec"]});
    crate::scheduling::tolerates(node, &pod) && crate::scheduling::selects(&pod, node)
}

fn reconcile(ctx: &Context, key: &Key) {
    let store = &ctx.store;
    let Some(ds) = live(store, key) else {
        return;
    };
    let uid = ds["metadata"]["uid"].as_str().unwrap_or_default();
    let template = &ds["spec"]["template"];
    let hash = super::workload::template_hash(template);
    let nodes: Vec<(Key, Arc<Value>)> = store.list("", "nodes", None, None).0;
    let mut by_node: BTreeMap<String, Vec<Arc<Value>>> = BTreeMap::new();
    for (_, pod) in store.list("", "pods", Some(&key.namespace), None).0 {
        if owned_by(&pod, uid) && pod["metadata"].get("deletionTimestamp").is_none() {
            let node = target_node(&pod);
            by_node.entry(node).or_default().push(pod);
        }
    }
    let mut desired = 0;
    let mut misscheduled = 0;
    let mut replace_budget = 1;
    for (node_key, node) in &nodes {
        let wanted = eligible(template, node);
        let existing = by_node.get(&node_key.name).cloned().unwrap_or_default();
        if wanted {
            desired += 1;
            if existing.is_empty() {
                create_daemon_pod(ctx, &ds, &node_key.name, &hash);
            }
        } else if !existing.is_empty() {
            misscheduled += 1;
            for pod in existing {
                delete(ctx, &ds, &pod);
            }
        }
    }
    // Rolling update: replace one outdated pod at a time while the rest are ready.
    let all: Vec<Arc<Value>> = by_node.values().flatten().cloned().collect();
    if all.iter().all(|p| is_ready(p)) {
        for pod in all
            .iter()
            .filter(|p| p["metadata"]["labels"][HASH_LABEL].as_str() != Some(&hash))
        {
            if replace_budget == 0 {
                break;
            }
            delete(ctx, &ds, pod);
            replace_budget -= 1;
        }
    }
    let scheduled = all.len();
    let ready = all.iter().filter(|p| is_ready(p)).count();
    let updated = all
        .iter()
        .filter(|p| p["metadata"]["labels"][HASH_LABEL].as_str() == Some(&hash))
        .count();
    let status = json!({
        "currentNumberScheduled": scheduled, "desiredNumberScheduled": desired, "numberMisscheduled": misscheduled,
        "numberReady": ready, "numberAvailable": ready, "updatedNumberScheduled": updated,
        "numberUnavailable": (desired - ready as i64).max(0), "observedGeneration": ds["metadata"]["generation"],
    });
    update_status(
        store,
        key,
        &ds,
        status,
        crate::store::resource_version_of(&ds),
    );
}

/// The node a daemon pod is pinned to (its node-name affinity), or where it runs.
fn target_node(pod: &Value) -> String {
    let pinned = pod["spec"]["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"][0]["matchFields"][0]["values"][0]
        .as_str();
    pinned
        .or(pod["spec"]["nodeName"].as_str())
        .unwrap_or_default()
        .to_string()
}

/// A pod pinned to `node` (by the node-name affinity the scheduler honours).
fn create_daemon_pod(ctx: &Context, ds: &Value, node: &str, hash: &str) {
    let mut pod = pod_from_template(ds, ("apps/v1", "DaemonSet"), &ds["spec"]["template"]);
    pod["metadata"]["labels"][HASH_LABEL] = json!(hash);
    pod["spec"]["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"] = json!({
        "nodeSelectorTerms": [{"matchFields": [{"key": "metadata.name", "operator": "In", "values": [node]}]}]});
    // Daemon pods tolerate the node conditions' taints, as the controller adds.
    let mut tolerations = pod["spec"]["tolerations"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    for taint in [
        "node.kubernetes.io/not-ready",
        "node.kubernetes.io/unreachable",
        "node.kubernetes.io/disk-pressure",
        "node.kubernetes.io/memory-pressure",
        "node.kubernetes.io/pid-pressure",
        "node.kubernetes.io/unschedulable",
    ] {
        let effect = if taint.ends_with("ready") || taint.ends_with("unreachable") {
            "NoExecute"
        } else {
            "NoSchedule"
        };
        tolerations.push(json!({"key": taint, "operator": "Exists", "effect": effect}));
    }
    pod["spec"]["tolerations"] = json!(tolerations);
    create_pod(ctx, ds, SOURCE, pod);
}

fn delete(ctx: &Context, ds: &Value, pod: &Value) {
    let store = &ctx.store;
    let name = pod["metadata"]["name"].as_str().unwrap_or_default();
    let key = Key::of("", "pods", pod);
    let done = crate::pods::delete_gracefully(store, &key, pod).is_ok();
    if done {
        ctx.events.normal(
            ds,
            SOURCE,
            "SuccessfulDelete",
            &format!("Deleted pod: {name}"),
        );
    }
}

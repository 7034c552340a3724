//! The default scheduler: binds each pending pod to a node whose taints it tolerates,
//! whose labels match its selector and required affinity, that has room for its requests
//! and its volumes; spreads pods to the least-loaded node; and reports a pod that fits
//! nowhere with kube-scheduler's FailedScheduling message.

use super::pod_placement;
use super::runner::{Context, Controller};
use crate::events::{Recorder, Source};
use crate::scheduling::{bind, requests, selects, untolerated};
use crate::store::{Event, EventType, Key, Store};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;

const SOURCE: Source<'static> = Source::component("default-scheduler");
/// Unschedulable pods are retried at least this often.
const RETRY: Duration = Duration::from_secs(30);

/// What is placed on a node.
#[derive(Debug, Default, Clone)]
struct Load {
    cpu: i128,
    memory: i128,
    pods: i128,
}

/// The scheduler: its queue, rebuilt whenever it resynchronises, and when it next
/// retries every unschedulable pod without waiting for a change.
pub struct Scheduler {
    queue: Queue,
    retry_at: Instant,
}

/// The controller.
pub fn controller() -> impl Controller {
    Scheduler {
        queue: Queue::default(),
        retry_at: Instant::now() + RETRY,
    }
}

impl Controller for Scheduler {
    fn resync(&mut self, ctx: &Context) {
        self.queue = Queue::default();
        for (key, pod) in ctx.store.list("", "pods", None, None).0 {
            self.queue.observe(&key, &pod, false);
        }
        self.schedule(ctx, true);
    }

    fn changed(&mut self, ctx: &Context, batch: &[Arc<Event>]) {
        let mut retry_all = false;
        for e in batch {
            match (e.key.group.as_str(), e.key.resource.as_str()) {
                ("", "pods") => {
                    retry_all |=
                        self.queue
                            .observe(&e.key, &e.object, e.kind == EventType::Deleted);
                }
                ("", "nodes" | "persistentvolumeclaims") => retry_all = true,
                _ => {}
            }
        }
        self.schedule(ctx, retry_all);
    }

    fn wake_at(&self) -> Option<Instant> {
        Some(self.retry_at)
    }

    fn wake(&mut self, ctx: &Context) {
        self.schedule(ctx, true);
    }
}

impl Scheduler {
    /// Tries the pending pods, and waits at most [`RETRY`] for the next change.
    fn schedule(&mut self, ctx: &Context, retry_all: bool) {
        self.queue.schedule(&ctx.store, &ctx.events, retry_all);
        self.retry_at = Instant::now() + RETRY;
    }
}

/// What the scheduler keeps between changes, so each change costs what it touches: the
/// pods waiting for a node and what is placed on each node.
#[derive(Default)]
struct Queue {
    /// Pods without a node, by key; `true` once tried (they wait for a change that may help).
    pending: BTreeMap<Key, (Arc<Value>, bool)>,
    /// Requests placed on nodes, by pod uid: (node, cpu, memory).
    placed: BTreeMap<String, (String, i128, i128)>,
    loads: BTreeMap<String, Load>,
    /// Placed pods with required anti-affinity, by uid: every pod to come must be
    /// checked against them.
    anti_affine: BTreeSet<String>,
}

impl Queue {
    /// Takes in a pod's change. Returns whether capacity was freed (unschedulable pods may
    /// fit now).
    fn observe(&mut self, key: &Key, pod: &Arc<Value>, deleted: bool) -> bool {
        let uid = pod["metadata"]["uid"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let node = pod["spec"]["nodeName"].as_str().filter(|n| !n.is_empty());
        let finished = matches!(
            pod["status"]["phase"].as_str(),
            Some("Succeeded" | "Failed")
        );
        let deleting = pod["metadata"].get("deletionTimestamp").is_some();
        let mut freed = false;
        if (deleted || finished || node.is_none())
            && let Some((node, cpu, memory)) = self.placed.remove(&uid)
        {
            let load = self.loads.entry(node).or_default();
            load.cpu -= cpu;
            load.memory -= memory;
            load.pods -= 1;
            self.anti_affine.remove(&uid);
            freed = true;
        }
        match node {
            Some(node) if !deleted && !finished => {
                self.pending.remove(key);
                if !self.placed.contains_key(&uid) {
                    let (cpu, memory) = requests(pod);
                    let load = self.loads.entry(node.to_string()).or_default();
                    load.cpu += cpu;
                    load.memory += memory;
                    load.pods += 1;
                    if pod_placement::has_required_anti_affinity(pod) {
                        self.anti_affine.insert(uid.clone());
                    }
                    self.placed.insert(uid, (node.to_string(), cpu, memory));
                }
            }
            None if !deleted
                && !deleting
                && pod["spec"]["schedulerName"]
                    .as_str()
                    .is_none_or(|s| s == "default-scheduler") =>
            {
                let tried = self.pending.get(key).is_some_and(|(_, tried)| *tried);
                self.pending.insert(key.clone(), (pod.clone(), tried));
            }
            _ => {
                self.pending.remove(key);
            }
        }
        freed
    }

    /// Tries the pending pods not tried since the last change that could help them
    /// (`retry_all`: every one), oldest first.
    fn schedule(&mut self, store: &Store, events: &Recorder, retry_all: bool) {
        let mut due: Vec<(Key, Arc<Value>)> = self
            .pending
            .iter()
            .filter(|(_, (_, tried))| retry_all || !*tried)
            .map(|(k, (p, _))| (k.clone(), p.clone()))
            .collect();
        if due.is_empty() {
            return;
        }
        due.sort_by(|(_, a), (_, b)| {
            a["metadata"]["creationTimestamp"]
                .as_str()
                .cmp(&b["metadata"]["creationTimestamp"].as_str())
        });
        let nodes: Vec<Arc<Value>> = store
            .list("", "nodes", None, None)
            .0
            .into_iter()
            .map(|(_, n)| n)
            .collect();
        for (key, _) in due {
            // The latest version (the queue may hold an older one).
            let Ok(pod) = store.get(&key) else {
                self.pending.remove(&key);
                continue;
            };
            let anti_affine = !self.anti_affine.is_empty();
            match place(store, &pod, &nodes, &self.loads, anti_affine) {
                Ok(node) => {
                    if let Ok(bound) = bind(store, &pod, &node) {
                        self.observe(&key, &bound, false);
                        let name = format!(
                            "{}/{}",
                            pod["metadata"]["namespace"].as_str().unwrap_or_default(),
                            pod["metadata"]["name"].as_str().unwrap_or_default()
                        );
                        events.normal(
                            &pod,
                            SOURCE,
                            "Scheduled",
                            &format!("Successfully assigned {name} to {node}"),
                        );
                    }
                }
                Err(message) => {
                    if let Some(message) = message {
                        unschedulable(store, events, &pod, &message);
                    }
                    if let Some(entry) = self.pending.get_mut(&key) {
                        entry.1 = true;
                    }
                }
            }
        }
    }
}

/// The node for a pod, or why none fits (`None`: wait quietly, its claims are being
/// provisioned).
fn place(
    store: &Store,
    pod: &Value,
    nodes: &[Arc<Value>],
    loads: &BTreeMap<String, Load>,
    anti_affine: bool,
) -> Result<String, Option<String>> {
    let namespace = pod["metadata"]["namespace"].as_str().unwrap_or_default();
    // Volumes: a missing claim stops scheduling; a bound local volume pins the node.
    let mut pinned: Option<String> = None;
    let mut unbound = Vec::new();
    for volume in pod["spec"]["volumes"].as_array().into_iter().flatten() {
        let Some(claim) = volume["persistentVolumeClaim"]["claimName"].as_str() else {
            continue;
        };
        let Ok(pvc) = store.get(&Key::new("", "persistentvolumeclaims", namespace, claim)) else {
            return Err(Some(format!(
                "0/{} nodes are available: persistentvolumeclaim \"{claim}\" not found. preemption: 0/{} nodes are available: {} Preemption is not helpful for scheduling.",
                nodes.len(),
                nodes.len(),
                nodes.len()
            )));
        };
        if pvc["status"]["phase"] == "Bound" {
            let volume_name = pvc["spec"]["volumeName"].as_str().unwrap_or_default();
            if let Ok(pv) = store.get(&Key::new("", "persistentvolumes", "", volume_name)) {
                pinned = volume_node(&pv);
            }
        } else {
            unbound.push(pvc);
        }
    }
    let mut reasons: BTreeMap<String, usize> = BTreeMap::new();
    let mut helpless = 0;
    let mut feasible: Vec<(&Arc<Value>, f64)> = Vec::new();
    let (cpu, memory) = requests(pod);
    // The rules between pods cost a look at every placed pod: only when the pod has
    // some, or a placed pod's anti-affinity may refuse it.
    let between = (pod_placement::has_rules(pod) || anti_affine)
        .then(|| pod_placement::Cluster::read(store, nodes));
    for node in nodes {
        let name = node["metadata"]["name"].as_str().unwrap_or_default();
        let load = loads.get(name).cloned().unwrap_or_default();
        let mut fail = |reason: String, preemptable: bool| {
            *reasons.entry(reason).or_default() += 1;
            if !preemptable {
                helpless += 1;
            }
        };
        if node["spec"]["unschedulable"] == true {
            fail("node(s) were unschedulable".into(), false);
            continue;
        }
        if let Some(taint) = untolerated(node, pod) {
            fail(format!("node(s) had untolerated taint {{{taint}}}"), false);
            continue;
        }
        if !selects(pod, node) {
            fail(
                "node(s) didn't match Pod's node affinity/selector".into(),
                false,
            );
            continue;
        }
        if pinned.as_deref().is_some_and(|p| p != name) {
            fail(
                "node(s) didn't match PersistentVolume's node affinity".into(),
                false,
            );
            continue;
        }
        let allocatable = |r: &str| {
            node["status"]["allocatable"][r]
                .as_str()
                .and_then(crate::quantity::parse)
                .unwrap_or(0)
        };
        let mut short = Vec::new();
        // Since 1.34 a request beyond the node's whole allocatable is unresolvable:
        // evicting pods would not help.
        let mut hopeless = false;
        if load.pods + 1 > allocatable("pods") / 1000 {
            short.push("Too many pods".to_string());
        }
        if cpu > 0 && load.cpu + cpu > allocatable("cpu") {
            short.push("Insufficient cpu".into());
            hopeless |= cpu > allocatable("cpu");
        }
        if memory > 0 && load.memory + memory > allocatable("memory") / 1000 {
            short.push("Insufficient memory".into());
            hopeless |= memory > allocatable("memory") / 1000;
        }
        if !short.is_empty() {
            for s in short {
                *reasons.entry(s).or_default() += 1;
            }
            if hopeless {
                helpless += 1;
            }
            continue;
        }
        let mut used = (load.cpu + cpu) as f64 / allocatable("cpu").max(1) as f64
            + (load.memory + memory) as f64 / (allocatable("memory") / 1000).max(1) as f64
            + load.pods as f64 / 1000.0;
        if let Some(between) = &between {
            if let Err(refusal) = between.filter(pod, node) {
                fail(refusal.reason.to_string(), refusal.preemptable);
                continue;
            }
            // Preferences weigh more than balance, as kube-scheduler weighs its
            // affinity and spread scores twice.
            used += 2.0 * between.penalty(pod, node);
        }
        feasible.push((node, used));
    }
    let Some((best, _)) = feasible
        .into_iter()
        .min_by(|a, b| a.1.partial_cmp(&b.1).unwrap_or(std::cmp::Ordering::Equal))
    else {
        let total = nodes.len();
        if total == 0 {
            return Err(Some("no nodes available to schedule pods".into()));
        }
        // kube-scheduler sorts the whole "COUNT REASON" strings.
        let mut listed: Vec<String> = reasons.iter().map(|(r, n)| format!("{n} {r}")).collect();
        listed.sort();
        let mut preemption = Vec::new();
        if total > helpless {
            preemption.push(format!(
                "{} No preemption victims found for incoming pod",
                total - helpless
            ));
        }
        if helpless > 0 {
            preemption.push(format!(
                "{helpless} Preemption is not helpful for scheduling"
            ));
        }
        preemption.sort();
        return Err(Some(format!(
            "0/{total} nodes are available: {}. preemption: 0/{total} nodes are available: {}.",
            listed.join(", "),
            preemption.join(", ")
        )));
    };
    let node = best["metadata"]["name"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    if !unbound.is_empty() {
        // WaitForFirstConsumer: tell the provisioner where the pod will run, and bind the
        // pod once its claims are bound.
        for pvc in unbound {
            if pvc["metadata"]["annotations"]["volume.kubernetes.io/selected-node"].as_str()
                != Some(&node)
            {
                let mut annotated = (*pvc).clone();
                annotated["metadata"]["annotations"]["volume.kubernetes.io/selected-node"] =
                    json!(node);
                let key = Key::new(
                    "",
                    "persistentvolumeclaims",
                    namespace,
                    pvc["metadata"]["name"].as_str().unwrap_or_default(),
                );
                let _ = store.update(key, annotated, None);
            }
        }
        return Err(None);
    }
    Ok(node)
}

/// The node a local volume lives on (its required node affinity).
fn volume_node(pv: &Value) -> Option<String> {
    pv["spec"]["nodeAffinity"]["required"]["nodeSelectorTerms"][0]["matchExpressions"]
        .as_array()?
        .iter()
        .find(|e| e["key"] == "kubernetes.io/hostname")
        .and_then(|e| e["values"][0].as_str().map(str::to_string))
}

/// Records that a pod fits nowhere: the PodScheduled condition and a FailedScheduling
/// event (once per distinct message).
fn unschedulable(store: &Store, events: &Recorder, pod: &Value, message: &str) {
    let existing = pod["status"]["conditions"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| c["type"] == "PodScheduled");
    if existing.is_some_and(|c| c["message"] == message) {
        return;
    }
    events.warning(pod, SOURCE, "FailedScheduling", message);
    let key = Key::of("", "pods", pod);
    let mut updated = pod.clone();
    let now = store.clock().now_rfc3339();
    updated["status"]["phase"] = json!("Pending");
    updated["status"]["conditions"] = json!([{"type": "PodScheduled", "status": "False", "lastProbeTime": null,
        "lastTransitionTime": now, "reason": "Unschedulable", "message": message}]);
    let _ = store.update(key, updated, crate::store::resource_version_of(pod));
}

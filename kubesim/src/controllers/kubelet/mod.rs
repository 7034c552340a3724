//! The kubelet of every node: it runs the pods bound to its node — containers through
//! [`container`], their environment and files through [`setup`], health through
//! [`probes`] — and writes their status back, with the events the real kubelet writes.
//! Deleting a pod stops its containers before the pod goes.

mod container;
mod pod;
pub mod probes;
pub mod setup;

use crate::auth::rbac::Authorizer;
use crate::events::Recorder;
use crate::runtime::Runtime;
use crate::store::{EventType, Store};
use pod::PodWorker;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use tokio::sync::broadcast::error::RecvError;
use tokio::time::Instant;

/// What the kubelet works with.
pub struct Kubelet {
    store: Arc<Store>,
    runtime: Arc<Runtime>,
    events: Arc<Recorder>,
    rbac: Authorizer,
    /// Pods on nodes, by uid.
    pods: BTreeMap<String, PodWorker>,
    /// When each pod next needs a step.
    timers: BTreeSet<(Instant, String)>,
    /// Images each node has pulled.
    images: BTreeMap<String, BTreeSet<String>>,
    /// The last host number handed out per node's pod network.
    addresses: BTreeMap<String, u32>,
}

impl Kubelet {
    pub fn new(store: Arc<Store>, runtime: Arc<Runtime>, events: Arc<Recorder>) -> Kubelet {
        Kubelet {
            rbac: Authorizer::new(store.clone()),
            store,
            runtime,
            events,
            pods: BTreeMap::new(),
            timers: BTreeSet::new(),
            images: BTreeMap::new(),
            addresses: BTreeMap::new(),
        }
    }

    /// Runs until the store's event stream ends.
    pub async fn run(mut self) {
        loop {
            let Ok(mut subscription) = self.store.subscribe(0) else {
                return;
            };
            for (_, pod) in self.store.list("", "pods", None, None).0 {
                self.observe(&pod);
            }
            loop {
                let next = self.timers.first().map(|(at, _)| *at);
                let sleep = async {
                    match next {
                        Some(at) => tokio::time::sleep_until(at).await,
                        None => std::future::pending().await,
                    }
                };
                tokio::select! {
                    biased;
                    event = subscription.live.recv() => match event {
                        Ok(event) => self.on_change(&event),
                        Err(RecvError::Lagged(_)) => break,
                        Err(RecvError::Closed) => return,
                    },
                    () = sleep => self.run_due(),
                }
            }
        }
    }

    fn on_change(&mut self, event: &crate::store::Event) {
        let key = &event.key;
        if !key.group.is_empty() {
            return;
        }
        match key.resource.as_str() {
            "pods" if event.kind == EventType::Deleted => {
                let uid = event.object["metadata"]["uid"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string();
                if let Some(worker) = self.pods.remove(&uid) {
                    self.unschedule(&uid, worker.due);
                }
                self.runtime.remove_pod(&uid);
            }
            "pods" => self.observe(&event.object),
            // A pod waiting for a ConfigMap, Secret or claim tries again when one changes.
            "configmaps" | "secrets" | "persistentvolumeclaims" => {
                let waiting: Vec<String> = self
                    .pods
                    .iter()
                    .filter(|(_, w)| w.namespace() == key.namespace && w.waits_for_config())
                    .map(|(uid, _)| uid.clone())
                    .collect();
                let now = Instant::now();
                for uid in waiting {
                    self.schedule(&uid, Some(now));
                }
            }
            _ => {}
        }
    }

    /// A pod was added or changed: start working on it once it is bound to a node.
    fn observe(&mut self, pod: &Arc<serde_json::Value>) {
        let Some(node) = pod["spec"]["nodeName"].as_str().filter(|n| !n.is_empty()) else {
            return;
        };
        let uid = pod["metadata"]["uid"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let deleting = pod["metadata"].get("deletionTimestamp").is_some();
        match self.pods.get_mut(&uid) {
            Some(worker) => {
                let was_deleting = worker.deleting();
                worker.pod = pod.clone();
                if deleting && !was_deleting {
                    self.schedule(&uid, Some(Instant::now()));
                }
            }
            None => {
                let finished =
                    pod["status"]["phase"] == "Succeeded" || pod["status"]["phase"] == "Failed";
                if finished && !deleting {
                    return;
                }
                let ip = match pod["status"]["podIP"].as_str() {
                    Some(ip) => ip.to_string(),
                    None => self.allocate_ip(node),
                };
                self.pods
                    .insert(uid.clone(), PodWorker::new(pod.clone(), node, ip));
                self.schedule(&uid, Some(Instant::now()));
            }
        }
    }

    /// The next free address on a node's pod network (from `spec.podCIDR`).
    fn allocate_ip(&mut self, node: &str) -> String {
        let cidr = self
            .store
            .get(&crate::store::Key::new("", "nodes", "", node))
            .ok()
            .and_then(|n| n["spec"]["podCIDR"].as_str().map(str::to_string))
            .unwrap_or_else(|| "10.244.0.0/24".into());
        let base = cidr.split('/').next().unwrap_or("10.244.0.0");
        let prefix = base.rsplit_once('.').map_or(base, |(p, _)| p);
        let last = self.addresses.entry(node.to_string()).or_insert(1);
        *last = if *last >= 254 { 2 } else { *last + 1 };
        format!("{prefix}.{last}")
    }

    fn schedule(&mut self, uid: &str, at: Option<Instant>) {
        let Some(worker) = self.pods.get_mut(uid) else {
            return;
        };
        if let Some(old) = worker.due.take() {
            self.timers.remove(&(old, uid.to_string()));
        }
        if let Some(at) = at {
            worker.due = Some(at);
            self.timers.insert((at, uid.to_string()));
        }
    }

    fn unschedule(&mut self, uid: &str, due: Option<Instant>) {
        if let Some(at) = due {
            self.timers.remove(&(at, uid.to_string()));
        }
    }

    /// Steps every pod whose time has come.
    fn run_due(&mut self) {
        let now = Instant::now();
        while let Some((at, uid)) = self.timers.first().cloned() {
            if at > now {
                break;
            }
            self.timers.remove(&(at, uid.clone()));
            let Some(mut worker) = self.pods.remove(&uid) else {
                continue;
            };
            worker.due = None;
            let images = self.images.entry(worker.node.clone()).or_default();
            let outcome = worker.step(
                &self.store,
                &self.runtime,
                &self.events,
                &self.rbac,
                images,
                now,
            );
            match outcome {
                pod::Outcome::Gone => self.runtime.remove_pod(&uid),
                pod::Outcome::Next(next) => {
                    self.pods.insert(uid.clone(), worker);
                    // Never busy-loop: a step due now runs on the next millisecond.
                    let soonest = now + std::time::Duration::from_millis(1);
                    self.schedule(&uid, next.map(|n| n.max(soonest)));
                }
            }
        }
    }
}

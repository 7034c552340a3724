//! The kubelet of every node: it runs the pods bound to its node — containers through
//! [`container`], their environment and files through [`setup`], health through
//! [`probes`] — and writes their status back, with the events the real kubelet writes.
//! Deleting a pod stops its containers, within its grace period, before the pod goes
//! ([`stop`]).

mod container;
mod hooks;
mod pod;
pub mod probes;
pub mod setup;
mod start;
mod status;
mod stop;

use super::runner::{Context, Controller};
use crate::store::{Event, EventType, Store};
use pod::PodWorker;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;
use tokio::time::Instant;

/// What the kubelets of every node keep between changes.
#[derive(Default)]
pub struct Kubelet {
    /// Pods on nodes, by uid.
    pods: BTreeMap<String, PodWorker>,
    /// When each pod next needs a step.
    timers: BTreeSet<(Instant, String)>,
    /// Images each node has pulled.
    images: BTreeMap<String, BTreeSet<String>>,
    /// Pod addresses in use (by how many pods: a restored store may hold a pair), so a
    /// new pod's address is drawn without looking at every pod.
    ips: HashMap<u32, usize>,
}

fn ipv4(text: &str) -> Option<u32> {
    text.parse::<std::net::Ipv4Addr>().ok().map(u32::from)
}

/// The controller.
pub fn controller() -> impl Controller {
    Kubelet::default()
}

impl Controller for Kubelet {
    /// Takes up every pod again (those it already runs keep running): first those that
    /// have an address, so none is handed out again to the others.
    fn resync(&mut self, ctx: &Context) {
        let (pods, _) = ctx.store.list("", "pods", None, None);
        let (addressed, others): (Vec<_>, Vec<_>) = pods
            .into_iter()
            .partition(|(_, p)| p["status"]["podIP"].is_string());
        for (_, pod) in addressed.into_iter().chain(others) {
            self.observe(&ctx.store, &pod);
        }
    }

    fn changed(&mut self, ctx: &Context, batch: &[Arc<Event>]) {
        for event in batch {
            self.on_change(ctx, event);
        }
    }

    /// When the next pod needs a step.
    fn wake_at(&self) -> Option<Instant> {
        self.timers.first().map(|(at, _)| *at)
    }

    fn wake(&mut self, ctx: &Context) {
        self.run_due(ctx);
    }
}

impl Kubelet {
    fn on_change(&mut self, ctx: &Context, event: &Event) {
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
                    self.release(&worker.ip);
                    self.unschedule(&uid, worker.due);
                }
                ctx.runtime.remove_pod(&uid);
            }
            "pods" => self.observe(&ctx.store, &event.object),
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
    fn observe(&mut self, store: &Store, pod: &Arc<serde_json::Value>) {
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
                let grace =
                    |p: &serde_json::Value| p["metadata"]["deletionGracePeriodSeconds"].as_i64();
                let regraced = grace(&worker.pod) != grace(pod);
                worker.pod = pod.clone();
                if (deleting && regraced) || (!deleting && worker.follow_spec(pod)) {
                    self.schedule(&uid, Some(Instant::now()));
                }
            }
            None => {
                let finished =
                    pod["status"]["phase"] == "Succeeded" || pod["status"]["phase"] == "Failed";
                // A pod left with no grace waits only for its finalizers: nothing to stop.
                let no_grace = pod["metadata"]["deletionGracePeriodSeconds"] == 0;
                if (finished && !deleting) || (deleting && no_grace) {
                    return;
                }
                let ip = match pod["status"]["podIP"].as_str() {
                    Some(ip) => ip.to_string(),
                    None => self.allocate_ip(store, pod, node),
                };
                *self.ips.entry(ipv4(&ip).unwrap_or(0)).or_default() += 1;
                self.pods
                    .insert(uid.clone(), PodWorker::new(pod.clone(), node, ip));
                self.schedule(&uid, Some(Instant::now()));
            }
        }
    }

    /// A pod's address: the node's own for a host-network pod, else a free one on the
    /// node's pod network (`spec.podCIDR`), drawn from the seeded RNG — not handed out in
    /// order, so one pod's address says nothing about its neighbours'. `.1` is the
    /// node's; an address in use is never given twice.
    fn allocate_ip(&mut self, store: &Store, pod: &serde_json::Value, node: &str) -> String {
        let node_object = store
            .get(&crate::store::Key::new("", "nodes", "", node))
            .ok();
        if pod["spec"]["hostNetwork"] == true {
            let internal = node_object.as_ref().and_then(|n| {
                n["status"]["addresses"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .find(|a| a["type"] == "InternalIP")
                    .and_then(|a| a["address"].as_str().map(str::to_string))
            });
            if let Some(ip) = internal {
                return ip;
            }
        }
        let cidr = node_object
            .and_then(|n| n["spec"]["podCIDR"].as_str().map(str::to_string))
            .unwrap_or_else(|| "10.244.0.0/24".into());
        let (base, bits) = cidr.split_once('/').unwrap_or((&cidr, "24"));
        let base = ipv4(base).unwrap_or(0x0af4_0000);
        let host_bits = 32 - bits.parse::<u32>().unwrap_or(24).clamp(8, 30);
        let network = base & (u32::MAX << host_bits);
        let used = &self.ips;
        // Hosts 2 .. broadcast-1 (at most a /16's worth, to bound the scan).
        let last = (1u32 << host_bits).saturating_sub(2).min(65_534);
        let free: Vec<u32> = (2..=last)
            .map(|host| network | host)
            .filter(|ip| !used.contains_key(ip))
            .collect();
        let ip = match free.as_slice() {
            [] => network | 2,
            free => free[store.random_below(free.len())],
        };
        std::net::Ipv4Addr::from(ip).to_string()
    }

    /// A pod's address is no longer in use.
    fn release(&mut self, ip: &str) {
        let key = ipv4(ip).unwrap_or(0);
        if let Some(count) = self.ips.get_mut(&key) {
            *count -= 1;
            if *count == 0 {
                self.ips.remove(&key);
            }
        }
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
    fn run_due(&mut self, ctx: &Context) {
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
            let outcome = worker.step(ctx, images, now);
            match outcome {
                pod::Outcome::Gone => {
                    self.release(&worker.ip);
                    ctx.runtime.remove_pod(&uid);
                }
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

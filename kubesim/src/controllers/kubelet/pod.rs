//! One pod on a node: its volumes, init containers then containers, its phase and
//! conditions, and its status written back when it changes.

use super::container::{Container, Env};
use super::setup;
use crate::controllers::runner::Context;
use crate::events::Source;
use crate::runtime::network::{Network, Origin};
use crate::store::{Key, Store, StoreError};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;

/// How often mounting a missing volume is retried.
const MOUNT_RETRY: Duration = Duration::from_secs(10);

/// What a step leaves behind.
pub enum Outcome {
    /// The pod was deleted and its containers stopped.
    Gone,
    /// It next needs a step then (or only when something changes).
    Next(Option<Instant>),
}

/// The kubelet's record of one pod.
pub struct PodWorker {
    pub pod: Arc<Value>,
    pub node: String,
    pub(super) ip: String,
    init: Vec<Container>,
    containers: Vec<Container>,
    pub due: Option<Instant>,
    /// Why the volumes cannot be set up yet (`None` once they are).
    mount_error: Option<String>,
    volumes_ready: bool,
    start_time: String,
    /// Each condition's status and when it last changed.
    transitions: BTreeMap<&'static str, (bool, String)>,
    written: Option<Value>,
    /// When the grace period of its deletion ends.
    kill_at: Option<Instant>,
}

impl PodWorker {
    pub fn new(pod: Arc<Value>, node: &str, ip: String) -> PodWorker {
        let specs = |field: &str, init: bool| -> Vec<Container> {
            pod["spec"][field]
                .as_array()
                .into_iter()
                .flatten()
                .map(|c| Container::new(c, init))
                .collect()
        };
        let init = specs("initContainers", true);
        let containers = specs("containers", false);
        PodWorker {
            start_time: pod["status"]["startTime"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
            pod,
            node: node.to_string(),
            ip,
            init,
            containers,
            due: None,
            mount_error: None,
            volumes_ready: false,
            transitions: BTreeMap::new(),
            written: None,
            kill_at: None,
        }
    }

    pub fn namespace(&self) -> &str {
        self.pod["metadata"]["namespace"]
            .as_str()
            .unwrap_or_default()
    }

    pub fn deleting(&self) -> bool {
        self.pod["metadata"].get("deletionTimestamp").is_some()
    }

    /// Takes a changed pod's container definitions (a new image replaces a container).
    /// Returns whether any changed.
    pub fn follow_spec(&mut self, pod: &Value) -> bool {
        let mut changed = false;
        for (field, containers) in [
            ("initContainers", &mut self.init),
            ("containers", &mut self.containers),
        ] {
            for (container, spec) in containers
                .iter_mut()
                .zip(pod["spec"][field].as_array().into_iter().flatten())
            {
                changed |= container.follow(spec);
            }
        }
        changed
    }

    /// Whether the pod waits on a ConfigMap, Secret or claim that may yet appear.
    pub fn waits_for_config(&self) -> bool {
        !self.volumes_ready
            || self
                .init
                .iter()
                .chain(&self.containers)
                .any(|c| !c.ever_started())
    }

    fn key(&self) -> Key {
        let meta = &self.pod["metadata"];
        Key::new(
            "",
            "pods",
            self.namespace(),
            meta["name"].as_str().unwrap_or_default(),
        )
    }

    /// Does everything due by `now`.
    pub fn step(&mut self, ctx: &Context, images: &mut BTreeSet<String>, now: Instant) -> Outcome {
        let (store, events) = (&ctx.store, &*ctx.events);
        // The pod as its containers see it: with the address its sandbox got.
        // Cloned only until the pod's status carries its address.
        let pod = self.pod.clone();
        let patched;
        let seen: &Value = if pod["status"]["podIP"].as_str() == Some(self.ip.as_str()) {
            &pod
        } else {
            let mut copy = (*pod).clone();
            copy["status"]["podIP"] = json!(self.ip);
            patched = copy;
            &patched
        };
        let network = Network {
            store,
            runtime: &ctx.runtime,
            rbac: &ctx.rbac,
            from: Origin::Pod(seen),
        };
        let uid = seen["metadata"]["uid"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let token = format!("kubesim-projected-token.{uid}");
        let node = self.node.clone();
        let mut env = Env {
            runtime: &ctx.runtime,
            events,
            network: &network,
            pod: seen,
            node: &node,
            images,
            now,
            clock: store.clock(),
            token: &token,
        };
        if self.deleting() {
            return self.stop(&mut env, store, &uid);
        }
        if self.start_time.is_empty() {
            self.start_time = store.clock().now_rfc3339();
        }
        let mut due: Option<Instant> = None;
        let mut earliest = |at: Option<Instant>| {
            if let Some(at) = at {
                due = Some(due.map_or(at, |d: Instant| d.min(at)));
            }
        };
        if !self.volumes_ready {
            match setup::volumes_ready(store, seen).and_then(|()| claims_bound(store, seen)) {
                Ok(()) => {
                    self.volumes_ready = true;
                    self.mount_error = None;
                }
                Err(message) => {
                    if !message.is_empty() {
                        events.warning(
                            seen,
                            Source {
                                component: "kubelet",
                                host: &node,
                            },
                            "FailedMount",
                            &message,
                        );
                    }
                    self.mount_error = Some(message);
                    earliest(Some(now + MOUNT_RETRY));
                }
            }
        }
        if self.volumes_ready {
            let mut inits_done = true;
            for c in &mut self.init {
                if c.finished() == Some(0) {
                    continue;
                }
                earliest(c.step(&mut env));
                inits_done = c.finished() == Some(0);
                break;
            }
            if inits_done {
                for c in &mut self.containers {
                    earliest(c.step(&mut env));
                }
            }
        }
        self.report(&env, store);
        Outcome::Next(due)
    }

    /// A deleted pod: its containers stopped in their own time within the grace period
    /// (`stop.rs`), then the pod removed — or, while finalizers hold it, left with no
    /// grace, for them to finish (the Deleted event then forgets it).
    fn stop(&mut self, env: &mut Env, store: &Store, uid: &str) -> Outcome {
        let grace = self.pod["metadata"]["deletionGracePeriodSeconds"]
            .as_u64()
            .map_or(Duration::ZERO, Duration::from_secs);
        // A second deletion with less grace brings the end nearer, never further.
        let ends = env.now + grace;
        let kill_at = *self
            .kill_at
            .insert(self.kill_at.map_or(ends, |at| at.min(ends)));
        let mut due: Option<Instant> = None;
        for c in self.init.iter_mut().chain(self.containers.iter_mut()) {
            if let Some(at) = c.stop_for_deletion(env, kill_at) {
                due = Some(due.map_or(at, |d| d.min(at)));
            }
        }
        self.report(env, store);
        if due.is_some() {
            return Outcome::Next(due);
        }
        let key = self.key();
        if crate::ownership::has_finalizers(&self.pod) {
            // Held: its containers' records and output stay until it goes.
            if let Err(e) = store.mark_deleting(&key, 0) {
                tracing::debug!("ending a held pod's grace: {e}");
            }
            return Outcome::Next(None);
        }
        match store.remove(&key, Some(uid)) {
            Ok(_) | Err(StoreError::NotFound | StoreError::Conflict) => {}
            Err(e) => tracing::warn!("removing pod: {e}"),
        }
        Outcome::Gone
    }

    /// Writes the pod's status when a container's state may have changed: probes that pass
    /// as before cost no JSON.
    fn report(&mut self, env: &Env, store: &Store) {
        let mut dirty = self.written.is_none() || !self.volumes_ready;
        for c in self.init.iter_mut().chain(self.containers.iter_mut()) {
            dirty |= c.take_dirty();
        }
        if dirty {
            let status = self.status(env, store);
            if self.written.as_ref() != Some(&status) && self.write(store, &status) {
                self.written = Some(status);
            }
        }
    }

    fn condition(&mut self, kind: &'static str, ok: bool, now: &str) -> String {
        let entry = self
            .transitions
            .entry(kind)
            .or_insert_with(|| (ok, now.to_string()));
        if entry.0 != ok {
            *entry = (ok, now.to_string());
        }
        entry.1.clone()
    }

    /// The pod's status as the kubelet reports it.
    fn status(&mut self, env: &Env, store: &Store) -> Value {
        let now = store.clock().now_rfc3339();
        let inits_done = self.init.iter().all(|c| c.finished() == Some(0));
        let finished: Vec<Option<i64>> = self.containers.iter().map(Container::finished).collect();
        let phase = if self
            .init
            .iter()
            .any(|c| c.finished().is_some_and(|code| code != 0))
        {
            "Failed"
        } else if !self.containers.is_empty() && finished.iter().all(Option::is_some) {
            if finished.iter().all(|code| *code == Some(0)) {
                "Succeeded"
            } else {
                "Failed"
            }
        } else if inits_done && self.containers.iter().any(Container::ever_started) {
            "Running"
        } else {
            "Pending"
        };
        let unready: Vec<&str> = self
            .containers
            .iter()
            .filter(|c| !c.ready)
            .map(|c| c.name.as_str())
            .collect();
        let ready = unready.is_empty() && phase == "Running";
        let not_ready = format!("containers with unready status: [{}]", unready.join(" "));
        let incomplete: Vec<&str> = self
            .init
            .iter()
            .filter(|c| c.finished() != Some(0))
            .map(|c| c.name.as_str())
            .collect();
        let incomplete = format!(
            "containers with incomplete status: [{}]",
            incomplete.join(" ")
        );
        let (reason, message) = if phase == "Succeeded" || phase == "Failed" {
            (Some("PodCompleted"), None)
        } else if ready {
            (None, None)
        } else {
            (Some("ContainersNotReady"), Some(not_ready))
        };
        let sandbox = self.volumes_ready;
        let wanted = [
            ("PodReadyToStartContainers", sandbox, None, None),
            (
                "Initialized",
                inits_done,
                (!inits_done).then_some("ContainersNotInitialized"),
                (!inits_done).then_some(incomplete),
            ),
            ("Ready", ready, reason, message.clone()),
            ("ContainersReady", ready, reason, message),
        ];
        let conditions: Vec<Value> = wanted
            .into_iter()
            .map(|(kind, ok, reason, message)| {
                let time = self.condition(kind, ok, &now);
                let mut c = json!({"type": kind, "status": if ok { "True" } else { "False" }, "lastProbeTime": null, "lastTransitionTime": time});
                if let Some(r) = reason {
                    c["reason"] = json!(r);
                }
                if let Some(m) = message {
                    c["message"] = json!(m);
                }
                c
            })
            .collect();
        let host_ip = node_ip(store, &self.node);
        let mut status = json!({
            "phase": phase,
            "conditions": conditions,
            "hostIP": host_ip, "hostIPs": [{"ip": host_ip}],
            "startTime": self.start_time,
            "containerStatuses": self.containers.iter().map(|c| c.status(env)).collect::<Vec<_>>(),
            "qosClass": qos_class(&self.pod["spec"]),
        });
        if sandbox {
            status["podIP"] = json!(self.ip);
            status["podIPs"] = json!([{"ip": self.ip}]);
        }
        if !self.init.is_empty() {
            status["initContainerStatuses"] =
                json!(self.init.iter().map(|c| c.status(env)).collect::<Vec<_>>());
        }
        status
    }

    /// Writes the status over the stored pod, keeping conditions others own (such as
    /// PodScheduled). Returns whether it was written.
    fn write(&mut self, store: &Store, status: &Value) -> bool {
        for _ in 0..3 {
            let Ok(current) = store.get(&self.key()) else {
                return false;
            };
            let mut pod = (*current).clone();
            let mut next = status.clone();
            let ours: BTreeSet<&str> = [
                "PodReadyToStartContainers",
                "Initialized",
                "Ready",
                "ContainersReady",
            ]
            .into();
            let mut conditions: Vec<Value> = current["status"]["conditions"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|c| !ours.contains(c["type"].as_str().unwrap_or_default()))
                .cloned()
                .collect();
            conditions.extend(next["conditions"].as_array().cloned().unwrap_or_default());
            next["conditions"] = json!(conditions);
            pod["status"] = next;
            match store.update(self.key(), pod, crate::store::resource_version_of(&current)) {
                Ok(updated) => {
                    self.pod = updated;
                    return true;
                }
                Err(StoreError::Conflict) => continue,
                Err(_) => return false,
            }
        }
        false
    }
}

/// Waits until every claim the pod mounts is Bound (the empty message: nothing to report).
fn claims_bound(store: &Store, pod: &Value) -> Result<(), String> {
    let namespace = pod["metadata"]["namespace"].as_str().unwrap_or_default();
    for volume in pod["spec"]["volumes"].as_array().into_iter().flatten() {
        if let Some(claim) = volume["persistentVolumeClaim"]["claimName"].as_str() {
            let bound = store
                .get(&Key::new("", "persistentvolumeclaims", namespace, claim))
                .is_ok_and(|c| c["status"]["phase"] == "Bound");
            if !bound {
                return Err(String::new());
            }
        }
    }
    Ok(())
}

/// A node's InternalIP.
fn node_ip(store: &Store, node: &str) -> String {
    store
        .get(&Key::new("", "nodes", "", node))
        .ok()
        .and_then(|n| {
            n["status"]["addresses"]
                .as_array()?
                .iter()
                .find(|a| a["type"] == "InternalIP")
                .and_then(|a| a["address"].as_str().map(str::to_string))
        })
        .unwrap_or_default()
}

/// Guaranteed when every container's requests equal its limits for CPU and memory,
/// BestEffort when none sets any, Burstable otherwise.
pub fn qos_class(spec: &Value) -> &'static str {
    let containers: Vec<&Value> = ["initContainers", "containers"]
        .iter()
        .flat_map(|f| spec[*f].as_array().into_iter().flatten())
        .collect();
    let any = containers.iter().any(|c| {
        ["requests", "limits"].iter().any(|k| {
            c["resources"][*k]
                .as_object()
                .is_some_and(|m| !m.is_empty())
        })
    });
    if !any {
        return "BestEffort";
    }
    let guaranteed = containers.iter().all(|c| {
        ["cpu", "memory"].iter().all(|r| {
            let limit = &c["resources"]["limits"][*r];
            let request = &c["resources"]["requests"][*r];
            !limit.is_null() && (request.is_null() || request == limit)
        })
    });
    if guaranteed {
        "Guaranteed"
    } else {
        "Burstable"
    }
}

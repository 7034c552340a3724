//! The container runtime every node shares: the processes running in containers, and
//! their output. The kubelet starts, advances and stops processes here; the API's log,
//! proxy and metrics endpoints read from here, as kube-apiserver reaches them through the
//! kubelet.

pub mod logs;
pub mod network;
pub mod network_policy;

use crate::clock::Clock;
use crate::models::{Exit, HttpRequest, HttpResponse, Process, Stopping, Surroundings, Usage};
use logs::{LogBuffer, LogLine};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;
use tokio::sync::broadcast;
use tokio::time::Instant;

/// One container of one pod (by the pod's uid, so a recreated pod of the same name starts
/// clean).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ContainerKey {
    /// The pod's uid.
    pub pod_uid: String,
    /// The container's name.
    pub container: String,
}

impl ContainerKey {
    /// The key of `container` in the pod with `pod_uid`.
    pub fn new(pod_uid: &str, container: &str) -> ContainerKey {
        ContainerKey {
            pod_uid: pod_uid.into(),
            container: container.into(),
        }
    }
}

#[derive(Debug)]
struct Slot {
    /// The running process; `None` between instances, or while it is being advanced.
    process: Option<Box<dyn Process>>,
    running: bool,
    started: Instant,
    logs: LogBuffer,
    previous: Option<LogBuffer>,
}

/// Every container's process and output.
#[derive(Debug)]
pub struct Runtime {
    clock: Clock,
    slots: Mutex<BTreeMap<ContainerKey, Slot>>,
    /// Counts connections to Services, to spread them over endpoints round robin (per
    /// cluster, so clusters stay deterministic side by side).
    connections: AtomicUsize,
    /// How long a container runs before it shows in the metrics.
    metrics_window: Duration,
}

/// What the log endpoint reads: the kept lines and, when following a running container,
/// the feed of new ones.
pub struct LogRead {
    /// The lines kept.
    pub lines: Vec<LogLine>,
    /// New lines as they come, when following a running container.
    pub follow: Option<broadcast::Receiver<LogLine>>,
}

impl Runtime {
    /// A runtime stamping output with `clock`, reporting metrics after `metrics_window`.
    pub fn new(clock: Clock, metrics_window: Duration) -> Runtime {
        Runtime {
            clock,
            slots: Mutex::default(),
            connections: AtomicUsize::new(0),
            metrics_window,
        }
    }

    /// The number of the next Service connection.
    pub fn next_connection(&self) -> usize {
        self.connections.fetch_add(1, Ordering::Relaxed)
    }

    fn lock(&self) -> MutexGuard<'_, BTreeMap<ContainerKey, Slot>> {
        self.slots.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Starts a new instance of a container; the last instance's output becomes
    /// `previous`.
    pub fn start(&self, key: ContainerKey, process: Box<dyn Process>) {
        let mut slots = self.lock();
        let started = Instant::now();
        match slots.get_mut(&key) {
            Some(slot) => {
                slot.logs.close();
                slot.previous = Some(std::mem::take(&mut slot.logs));
                slot.process = Some(process);
                slot.running = true;
                slot.started = started;
            }
            None => {
                slots.insert(
                    key,
                    Slot {
                        process: Some(process),
                        running: true,
                        started,
                        logs: LogBuffer::default(),
                        previous: None,
                    },
                );
            }
        }
    }

    /// Stops a container's process (it exited or was killed); its output stays readable.
    pub fn stop(&self, key: &ContainerKey) {
        if let Some(slot) = self.lock().get_mut(key) {
            slot.process = None;
            slot.running = false;
            slot.logs.close();
        }
    }

    /// Forgets a deleted pod's containers.
    pub fn remove_pod(&self, pod_uid: &str) {
        let keys = self.containers_of(pod_uid);
        let mut slots = self.lock();
        for key in keys {
            slots.remove(&key);
        }
    }

    /// Runs `f` on a container's process with the lock released, so the process can reach
    /// other containers (curl to a Service) meanwhile. Lines it prints are logged.
    fn with_process<T>(
        &self,
        key: &ContainerKey,
        f: impl FnOnce(&mut dyn Process, Duration, &mut Vec<String>) -> T,
    ) -> Option<T> {
        let (mut process, age) = {
            let mut slots = self.lock();
            let slot = slots.get_mut(key)?;
            (slot.process.take()?, slot.started.elapsed())
        };
        let mut out = Vec::new();
        let result = f(process.as_mut(), age, &mut out);
        let mut slots = self.lock();
        if let Some(slot) = slots.get_mut(key) {
            let time = self.clock.now();
            for text in out {
                slot.logs.push(LogLine { time, text });
            }
            if slot.running && slot.process.is_none() {
                slot.process = Some(process);
            }
        }
        Some(result)
    }

    /// Moves a process to now: what it printed is logged; returns its exit, if it ended,
    /// and when it next wants to run.
    pub fn advance(
        &self,
        key: &ContainerKey,
        around: &dyn Surroundings,
    ) -> (Option<Exit>, Option<Instant>) {
        let started = match self.lock().get(key) {
            Some(slot) => slot.started,
            None => return (None, None),
        };
        self.with_process(key, |p, age, out| {
            let exit = p.advance(age, around, out);
            (exit, p.next_wake().map(|wake| started + wake))
        })
        .unwrap_or((None, None))
    }

    /// Sends a container's process the kubelet's stop signal: what it prints is logged;
    /// returns how it goes, or `None` when it ignores the signal (or is not running).
    pub fn signal(&self, key: &ContainerKey) -> Option<Stopping> {
        self.with_process(key, |p, age, out| p.stop(age, out))
            .flatten()
    }

    /// An HTTP request to a container's port: `None` when nothing listens (connection
    /// refused).
    pub fn http(
        &self,
        key: &ContainerKey,
        port: u16,
        request: &HttpRequest,
        around: &dyn Surroundings,
    ) -> Option<HttpResponse> {
        self.with_process(key, |p, age, out| p.http(age, port, request, around, out))
            .flatten()
    }

    /// An HTTP request to a pod's port, answered by whichever container listens there.
    pub fn pod_http(
        &self,
        pod_uid: &str,
        port: u16,
        request: &HttpRequest,
        around: &dyn Surroundings,
    ) -> Option<HttpResponse> {
        let listening = self
            .containers_of(pod_uid)
            .into_iter()
            .find(|key| self.listens(key, port))?;
        self.http(&listening, port, request, around)
    }

    /// Whether a container accepts TCP connections on `port`.
    pub fn listens(&self, key: &ContainerKey, port: u16) -> bool {
        let slots = self.lock();
        slots.get(key).is_some_and(|slot| {
            slot.process
                .as_ref()
                .is_some_and(|p| p.listens(slot.started.elapsed(), port))
        })
    }

    /// Runs a command in a container: exit code and output. `None` when not running.
    pub fn exec(&self, key: &ContainerKey, argv: &[String]) -> Option<(i32, String)> {
        self.with_process(key, |p, age, _| p.exec(age, argv))
    }

    /// The prompt of a running container's interactive shell; `None` when it has no
    /// shell or is not running.
    pub fn prompt(&self, key: &ContainerKey) -> Option<String> {
        self.with_process(key, |p, _, _| p.prompt().map(str::to_string))
            .flatten()
    }

    /// Adds outside work to a container (fortio's load).
    pub fn add_load(&self, key: &ContainerKey, millicores: i64, seconds: u64) {
        self.with_process(key, |p, age, _| p.add_load(age, millicores, seconds));
    }

    /// A running container's resource use.
    pub fn usage(&self, key: &ContainerKey) -> Option<Usage> {
        self.usage_and_age(key).map(|(usage, _)| usage)
    }

    /// A running container's resource use, and how long it has been running.
    pub fn usage_and_age(&self, key: &ContainerKey) -> Option<(Usage, Duration)> {
        let slots = self.lock();
        let slot = slots.get(key)?;
        let age = slot.started.elapsed();
        slot.process.as_ref().map(|p| (p.usage(age), age))
    }

    /// The containers of a pod that have run.
    pub fn containers_of(&self, pod_uid: &str) -> Vec<ContainerKey> {
        self.lock()
            .range(ContainerKey::new(pod_uid, "")..)
            .map(|(k, _)| k)
            .take_while(|k| k.pod_uid == pod_uid)
            .cloned()
            .collect()
    }

    /// A container's output: the current (or last) instance's, or with `previous` the one
    /// before. `None` when there is no such instance.
    pub fn logs(&self, key: &ContainerKey, previous: bool, follow: bool) -> Option<LogRead> {
        let mut slots = self.lock();
        let slot = slots.get_mut(key)?;
        let running = slot.running;
        let buffer = if previous {
            slot.previous.as_mut()?
        } else {
            &mut slot.logs
        };
        Some(LogRead {
            lines: buffer.lines().cloned().collect(),
            follow: if follow && !previous {
                buffer.follow(running)
            } else {
                None
            },
        })
    }
}

/// metrics-server's resolution (its default): a container shows in the metrics once it
/// has run for one window.
pub const METRICS_WINDOW: Duration = Duration::from_secs(15);

/// A pod's containers' usage as metrics-server reports it — (name, millicores, bytes),
/// CPU capped at each container's limit — or `None` before every container has run for
/// one metrics window.
pub fn pod_usage(runtime: &Runtime, pod: &serde_json::Value) -> Option<Vec<(String, i64, i64)>> {
    let uid = pod["metadata"]["uid"].as_str()?;
    let mut containers = Vec::new();
    for spec in pod["spec"]["containers"].as_array().into_iter().flatten() {
        let name = spec["name"].as_str().unwrap_or_default();
        let (usage, age) = runtime.usage_and_age(&ContainerKey::new(uid, name))?;
        if age < runtime.metrics_window {
            return None;
        }
        let limit = spec["resources"]["limits"]["cpu"]
            .as_str()
            .and_then(crate::quantity::parse)
            .and_then(|m| i64::try_from(m).ok());
        let cpu = limit.map_or(usage.cpu_milli, |l| usage.cpu_milli.min(l));
        containers.push((name.to_string(), cpu, usage.memory_bytes));
    }
    Some(containers)
}

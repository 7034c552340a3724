//! One container's life on a node: pull its image, create it, run it, probe it, restart
//! it with back-off, and report it in `containerStatuses`.

use super::probes::{Kind, Probe, Verdict};
use super::setup;
use crate::events::{Recorder, Source};
use crate::models::image::{self, Image, PullError};
use crate::models::{Context, Exit};
use crate::runtime::network::Network;
use crate::runtime::{ContainerKey, Runtime};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::time::Duration;
use tokio::time::Instant;

/// The first crash and image-pull back-off; it doubles up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_secs(10);
const MAX_BACKOFF: Duration = Duration::from_secs(300);
/// A container that ran this long without failing starts over with a short back-off.
const BACKOFF_RESET: Duration = Duration::from_secs(600);
/// How long a failing pull takes to fail.
const PULL_FAILURE: Duration = Duration::from_secs(1);
/// How often a container whose configuration is missing is retried.
const CONFIG_RETRY: Duration = Duration::from_secs(10);

/// Everything a container step needs from its pod and node.
pub struct Env<'a> {
    pub runtime: &'a Runtime,
    pub events: &'a Recorder,
    pub network: &'a Network<'a>,
    pub node: &'a str,
    pub images: &'a mut BTreeSet<String>,
    pub now: Instant,
    pub clock: &'a crate::clock::Clock,
    pub token: &'a str,
}

impl Env<'_> {
    fn pod(&self) -> &Value {
        self.network.pod
    }

    fn source(&self) -> Source<'_> {
        Source {
            component: "kubelet",
            host: self.node,
        }
    }
}

#[derive(Debug)]
enum Stage {
    New,
    Pulling {
        until: Instant,
        image: Image,
        began: Instant,
    },
    PullFailed {
        retry: Instant,
        error: PullError,
        backoff_shown: bool,
        show_backoff_at: Instant,
    },
    ConfigError {
        retry: Instant,
        message: String,
    },
    Running {
        since: Instant,
        wake: Option<Instant>,
    },
    BackOff {
        until: Instant,
        delay: Duration,
    },
    /// Terminated for good (it will not restart).
    Done,
}

/// A container of a pod on this node.
#[derive(Debug)]
pub struct Container {
    pub name: String,
    spec: Value,
    stage: Stage,
    pub restarts: u32,
    crash_backoff: Duration,
    pull_backoff: Duration,
    /// The last instance's `terminated` state.
    last: Option<Value>,
    started_at: String,
    pub ready: bool,
    pub started: bool,
    probes: Vec<Probe>,
    /// An init container: runs to completion before the next one.
    init: bool,
    image: Option<Image>,
    /// Whether its reported status may have changed since the pod last looked.
    dirty: bool,
}

impl Container {
    pub fn new(spec: &Value, init: bool) -> Container {
        Container {
            name: spec["name"].as_str().unwrap_or_default().to_string(),
            spec: spec.clone(),
            stage: Stage::New,
            restarts: 0,
            crash_backoff: FIRST_BACKOFF,
            pull_backoff: FIRST_BACKOFF,
            last: None,
            started_at: String::new(),
            ready: false,
            started: false,
            probes: Vec::new(),
            init,
            image: None,
            dirty: true,
        }
    }

    /// Whether its status may have changed since the last call.
    pub fn take_dirty(&mut self) -> bool {
        std::mem::take(&mut self.dirty)
    }

    fn key(&self, env: &Env) -> ContainerKey {
        ContainerKey::new(
            env.pod()["metadata"]["uid"].as_str().unwrap_or_default(),
            &self.name,
        )
    }

    fn image_name(&self) -> &str {
        self.spec["image"].as_str().unwrap_or_default()
    }

    /// Whether it is running now.
    pub fn running(&self) -> bool {
        matches!(self.stage, Stage::Running { .. })
    }

    /// Whether it has terminated for good, and with which exit code.
    pub fn finished(&self) -> Option<i64> {
        match self.stage {
            Stage::Done => Some(
                self.last
                    .as_ref()
                    .map_or(0, |t| t["exitCode"].as_i64().unwrap_or(0)),
            ),
            _ => None,
        }
    }

    /// Whether it has ever been started.
    pub fn ever_started(&self) -> bool {
        self.running() || self.last.is_some()
    }

    /// Advances through every transition due by now; returns when it next needs a step.
    pub fn step(&mut self, env: &mut Env) -> Option<Instant> {
        for _ in 0..16 {
            if !self.transition(env) {
                break;
            }
            self.dirty = true;
        }
        self.due()
    }

    fn due(&self) -> Option<Instant> {
        match &self.stage {
            Stage::New => Some(Instant::now()),
            Stage::Pulling { until, .. } => Some(*until),
            Stage::PullFailed {
                retry,
                backoff_shown,
                show_backoff_at,
                ..
            } => Some(if *backoff_shown {
                *retry
            } else {
                *show_backoff_at
            }),
            Stage::ConfigError { retry, .. } => Some(*retry),
            Stage::Running { wake, .. } => {
                let probe = self.active_probes().map(|p| p.next).min();
                match (probe, wake) {
                    (Some(p), Some(w)) => Some(p.min(*w)),
                    (p, w) => p.or(*w),
                }
            }
            Stage::BackOff { until, .. } => Some(*until),
            Stage::Done => None,
        }
    }

    /// The probes that run now: the startup probe until it passes, then the others.
    fn active_probes(&self) -> impl Iterator<Item = &Probe> {
        let started = self.started;
        self.probes
            .iter()
            .filter(move |p| (p.kind == Kind::Startup) != started)
    }

    /// One transition, if one is due. Returns whether anything changed.
    fn transition(&mut self, env: &mut Env) -> bool {
        let now = env.now;
        match std::mem::replace(&mut self.stage, Stage::Done) {
            Stage::New => {
                self.begin_pull(env);
                true
            }
            Stage::Pulling {
                until,
                image,
                began,
            } if now >= until => {
                let took = (until - began).as_secs_f64();
                env.images.insert(image.reference.clone());
                env.events.container(env.pod(), &self.name, env.source(), false, "Pulled", &format!(
                    "Successfully pulled image \"{}\" in {took:.3}s ({took:.3}s including waiting). Image size: {} bytes.",
                    self.image_name(), image.size_bytes
                ));
                self.image = Some(image);
                self.create(env);
                true
            }
            Stage::PullFailed {
                retry,
                error,
                backoff_shown: false,
                show_backoff_at,
            } if now >= show_backoff_at => {
                let message = format!("Back-off pulling image \"{}\"", self.image_name());
                env.events.container(
                    env.pod(),
                    &self.name,
                    env.source(),
                    false,
                    "BackOff",
                    &message,
                );
                env.events.container(
                    env.pod(),
                    &self.name,
                    env.source(),
                    true,
                    "Failed",
                    "Error: ImagePullBackOff",
                );
                self.stage = Stage::PullFailed {
                    retry,
                    error,
                    backoff_shown: true,
                    show_backoff_at,
                };
                true
            }
            Stage::PullFailed {
                retry,
                backoff_shown: true,
                ..
            } if now >= retry => {
                self.begin_pull(env);
                true
            }
            Stage::ConfigError { retry, .. } if now >= retry => {
                self.create(env);
                true
            }
            Stage::BackOff { until, .. } if now >= until => {
                self.restarts += 1;
                self.create(env);
                true
            }
            Stage::Running { since, wake } => self.run(env, since, wake),
            other => {
                self.stage = other;
                false
            }
        }
    }

    fn begin_pull(&mut self, env: &mut Env) {
        let name = self.image_name().to_string();
        let policy = self.spec["imagePullPolicy"].as_str().unwrap_or("");
        let reference = image::normalize(&name);
        let present = env.images.contains(&reference) || image::preloaded(&name);
        if present && !image::pulls_always(&name, policy) {
            env.events.container(
                env.pod(),
                &self.name,
                env.source(),
                false,
                "Pulled",
                &format!("Container image \"{name}\" already present on machine"),
            );
            self.image = image::lookup(&name).ok();
            self.create(env);
            return;
        }
        env.events.container(
            env.pod(),
            &self.name,
            env.source(),
            false,
            "Pulling",
            &format!("Pulling image \"{name}\""),
        );
        match image::lookup(&name) {
            Ok(image) => {
                self.stage = Stage::Pulling {
                    until: env.now + Duration::from_millis(image.pull_millis),
                    image,
                    began: env.now,
                };
            }
            Err(error) => {
                env.events.container(
                    env.pod(),
                    &self.name,
                    env.source(),
                    true,
                    "Failed",
                    &format!("Failed to pull image \"{name}\": {}", error.message()),
                );
                env.events.container(
                    env.pod(),
                    &self.name,
                    env.source(),
                    true,
                    "Failed",
                    "Error: ErrImagePull",
                );
                self.stage = Stage::PullFailed {
                    retry: env.now + PULL_FAILURE + self.pull_backoff,
                    error,
                    backoff_shown: false,
                    show_backoff_at: env.now + PULL_FAILURE,
                };
                self.pull_backoff = (self.pull_backoff * 2).min(MAX_BACKOFF);
            }
        }
    }

    /// Creates and starts the container, or reports why its configuration is missing.
    fn create(&mut self, env: &mut Env) {
        let Some(image) = self.image.clone() else {
            self.stage = Stage::New;
            return;
        };
        let pod = env.pod();
        let environment = match setup::environment(env.network.store, pod, &self.spec) {
            Ok(e) => e,
            Err(message) => {
                env.events.container(
                    pod,
                    &self.name,
                    env.source(),
                    true,
                    "Failed",
                    &format!("Error: {message}"),
                );
                self.stage = Stage::ConfigError {
                    retry: env.now + CONFIG_RETRY,
                    message,
                };
                return;
            }
        };
        let mut argv: Vec<String> = Vec::new();
        for field in ["command", "args"] {
            argv.extend(
                self.spec[field]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|a| a.as_str().map(str::to_string)),
            );
        }
        let context = Context {
            image: image.reference.clone(),
            argv,
            env: environment,
            files: setup::files(env.network.store, pod, &self.spec, env.token),
            namespace: pod["metadata"]["namespace"]
                .as_str()
                .unwrap_or_default()
                .into(),
            pod: pod["metadata"]["name"].as_str().unwrap_or_default().into(),
            pod_ip: pod["status"]["podIP"].as_str().unwrap_or_default().into(),
            memory_limit: memory_limit(&self.spec),
            started_at: env.clock.now(),
        };
        env.events.container(
            pod,
            &self.name,
            env.source(),
            false,
            "Created",
            &format!("Created container: {}", self.name),
        );
        env.runtime.start(self.key(env), image.start(context));
        env.events.container(
            pod,
            &self.name,
            env.source(),
            false,
            "Started",
            &format!("Started container {}", self.name),
        );
        self.started_at = env.clock.now_rfc3339();
        self.ready = false;
        self.started = self.spec.get("startupProbe").is_none_or(|p| !p.is_object());
        self.probes = [Kind::Startup, Kind::Readiness, Kind::Liveness]
            .into_iter()
            .filter_map(|k| Probe::of(&self.spec, k, env.now))
            .collect();
        if self.init {
            self.started = false;
        }
        if !self.probes.iter().any(|p| p.kind == Kind::Readiness) {
            self.ready = self.started && !self.init;
        }
        self.stage = Stage::Running {
            since: env.now,
            wake: Some(env.now),
        };
    }

    /// A running container: its process, its memory, its probes.
    fn run(&mut self, env: &mut Env, since: Instant, wake: Option<Instant>) -> bool {
        let now = env.now;
        let key = self.key(env);
        let mut wake = wake;
        if wake.is_some_and(|w| now >= w) {
            let (exit, next) = env.runtime.advance(&key, env.network);
            wake = next;
            if let Some(Exit { code }) = exit {
                let reason = if code == 0 { "Completed" } else { "Error" };
                self.terminate(env, since, code, reason);
                return true;
            }
        }
        if let (Some(limit), Some(usage)) = (memory_limit(&self.spec), env.runtime.usage(&key))
            && usage.memory_bytes > limit
        {
            self.terminate(env, since, 137, "OOMKilled");
            return true;
        }
        let mut changed = false;
        for i in 0..self.probes.len() {
            let probe = &self.probes[i];
            let gated = (probe.kind == Kind::Startup) == self.started;
            if gated || probe.next > now {
                continue;
            }
            let result = probe.run(env.runtime, &key, &self.spec, env.network);
            if let Err(message) = &result {
                env.events.container(
                    env.pod(),
                    &self.name,
                    env.source(),
                    true,
                    "Unhealthy",
                    &format!("{} probe failed: {message}", probe.kind.title()),
                );
            }
            let kind = probe.kind;
            let verdict = self.probes[i].record(result.is_ok(), now);
            match (kind, verdict) {
                (Kind::Startup, Verdict::Passed) => {
                    self.started = true;
                    if !self.probes.iter().any(|p| p.kind == Kind::Readiness) {
                        self.ready = true;
                    }
                    for p in &mut self.probes {
                        if p.kind != Kind::Startup {
                            p.next = now;
                        }
                    }
                    changed = true;
                }
                (Kind::Readiness, Verdict::Passed) => {
                    self.ready = true;
                    changed = true;
                }
                (Kind::Readiness, Verdict::Failed) => {
                    changed |= self.ready;
                    self.ready = false;
                }
                (Kind::Liveness | Kind::Startup, Verdict::Failed) => {
                    let which = if kind == Kind::Liveness {
                        "liveness"
                    } else {
                        "startup"
                    };
                    env.events.container(
                        env.pod(),
                        &self.name,
                        env.source(),
                        false,
                        "Killing",
                        &format!(
                            "Container {} failed {which} probe, will be restarted",
                            self.name
                        ),
                    );
                    self.terminate(env, since, 143, "Error");
                    return true;
                }
                _ => {}
            }
        }
        self.stage = Stage::Running { since, wake };
        changed
    }

    /// The container's process ended (exited, was killed or ran out of memory): record
    /// it and restart as the pod's restartPolicy says.
    fn terminate(&mut self, env: &mut Env, since: Instant, code: i32, reason: &str) {
        env.runtime.stop(&self.key(env));
        self.ready = false;
        self.started = false;
        self.last = Some(json!({
            "exitCode": code, "reason": reason, "startedAt": self.started_at,
            "finishedAt": env.clock.now_rfc3339(), "containerID": self.container_id(env),
        }));
        let policy = env.pod()["spec"]["restartPolicy"]
            .as_str()
            .unwrap_or("Always");
        let restart = match policy {
            "Never" => false,
            "OnFailure" => code != 0,
            _ => !self.init || code != 0,
        };
        if !restart {
            self.stage = Stage::Done;
            return;
        }
        if env.now.duration_since(since) >= BACKOFF_RESET {
            self.crash_backoff = FIRST_BACKOFF;
        }
        if self.restarts == 0 {
            self.restarts = 1;
            self.create(env);
            return;
        }
        let delay = self.crash_backoff;
        self.crash_backoff = (self.crash_backoff * 2).min(MAX_BACKOFF);
        let pod = env.pod();
        env.events.container(
            pod,
            &self.name,
            env.source(),
            true,
            "BackOff",
            &format!(
                "Back-off restarting failed container {} in pod {}_{}({})",
                self.name,
                pod["metadata"]["name"].as_str().unwrap_or_default(),
                pod["metadata"]["namespace"].as_str().unwrap_or_default(),
                pod["metadata"]["uid"].as_str().unwrap_or_default()
            ),
        );
        self.stage = Stage::BackOff {
            until: env.now + delay,
            delay,
        };
    }

    /// Kills a running container (the pod is being deleted).
    pub fn kill(&mut self, env: &mut Env) {
        self.dirty = true;
        if let Stage::Running { .. } = self.stage {
            env.events.container(
                env.pod(),
                &self.name,
                env.source(),
                false,
                "Killing",
                &format!("Stopping container {}", self.name),
            );
            env.runtime.stop(&self.key(env));
        }
        self.stage = Stage::Done;
    }

    fn container_id(&self, env: &Env) -> String {
        let uid = env.pod()["metadata"]["uid"].as_str().unwrap_or_default();
        format!(
            "containerd://{}",
            hex64(&format!("{uid}/{}/{}", self.name, self.restarts))
        )
    }

    /// The container's entry in `containerStatuses`.
    pub fn status(&self, env: &Env) -> Value {
        let pod = env.pod();
        let waiting = |reason: &str, message: Option<String>| {
            let mut w = json!({"reason": reason});
            if let Some(m) = message {
                w["message"] = json!(m);
            }
            json!({"waiting": w})
        };
        let state = match &self.stage {
            Stage::New | Stage::Pulling { .. } if self.last.is_none() => {
                waiting("ContainerCreating", None)
            }
            Stage::New | Stage::Pulling { .. } => waiting("ContainerCreating", None),
            Stage::PullFailed {
                error,
                backoff_shown: false,
                ..
            } => waiting("ErrImagePull", Some(error.message())),
            Stage::PullFailed { error, .. } => waiting(
                "ImagePullBackOff",
                Some(format!(
                    "Back-off pulling image \"{}\": ErrImagePull: {}",
                    self.image_name(),
                    error.message()
                )),
            ),
            Stage::ConfigError { message, .. } => {
                waiting("CreateContainerConfigError", Some(message.clone()))
            }
            Stage::BackOff { delay, .. } => waiting(
                "CrashLoopBackOff",
                Some(format!(
                    "back-off {} restarting failed container={} pod={}_{}({})",
                    go_duration(*delay),
                    self.name,
                    pod["metadata"]["name"].as_str().unwrap_or_default(),
                    pod["metadata"]["namespace"].as_str().unwrap_or_default(),
                    pod["metadata"]["uid"].as_str().unwrap_or_default()
                )),
            ),
            Stage::Running { .. } => json!({"running": {"startedAt": self.started_at}}),
            Stage::Done => {
                json!({"terminated": self.last.clone().unwrap_or_else(|| json!({"exitCode": 0, "reason": "Completed"}))})
            }
        };
        let last_state = match (&self.stage, &self.last) {
            (Stage::Done, _) | (_, None) => json!({}),
            (_, Some(t)) => json!({"terminated": t}),
        };
        let image = self.image_name();
        let mut status = json!({
            "name": self.name, "state": state, "lastState": last_state, "ready": self.ready,
            "restartCount": self.restarts, "image": image::normalize(image),
            "imageID": "", "started": self.running() && self.started,
        });
        if self.ever_started() {
            let reference = image::normalize(image);
            let repository = reference
                .rsplit_once(':')
                .map_or(reference.as_str(), |(r, _)| r);
            status["imageID"] = json!(format!("{repository}@sha256:{}", hex64(&reference)));
            status["containerID"] = json!(self.container_id(env));
        }
        status
    }
}

/// The container's memory limit in bytes.
fn memory_limit(spec: &Value) -> Option<i64> {
    let text = spec["resources"]["limits"]["memory"].as_str()?;
    crate::quantity::parse(text).and_then(|milli| i64::try_from(milli / 1000).ok())
}

/// A Go duration as the kubelet prints it: `10s`, `1m20s`, `5m0s`.
fn go_duration(d: Duration) -> String {
    let s = d.as_secs();
    if s < 60 {
        format!("{s}s")
    } else {
        format!("{}m{}s", s / 60, s % 60)
    }
}

/// 64 hex digits derived from `text`: stable ids for containers and image digests.
fn hex64(text: &str) -> String {
    let mut out = String::with_capacity(64);
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for round in 0..4u64 {
        for b in text.bytes().chain(round.to_le_bytes()) {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        out.push_str(&format!("{h:016x}"));
    }
    out
}

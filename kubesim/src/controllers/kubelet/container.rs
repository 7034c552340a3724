//! One container's life on a node: pull its image, create it, run it, probe it, restart
//! it with back-off, and report it in `containerStatuses`.

use super::probes::{Kind, Probe, Verdict};
use crate::events::{Recorder, Source};
use crate::models::Exit;
use crate::models::image::{Image, PullError};
use crate::runtime::network::Network;
use crate::runtime::{ContainerKey, Runtime};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::time::Duration;
use tokio::time::Instant;

/// The first crash and image-pull back-off; it doubles up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_secs(10);
pub(super) const MAX_BACKOFF: Duration = Duration::from_secs(300);
/// A container that ran this long without failing starts over with a short back-off.
const BACKOFF_RESET: Duration = Duration::from_secs(600);

/// Everything a container step needs from its pod and node.
pub struct Env<'a> {
    pub runtime: &'a Runtime,
    pub events: &'a Recorder,
    /// The network from the pod's own place in it.
    pub network: &'a Network<'a>,
    pub pod: &'a Value,
    pub node: &'a str,
    pub images: &'a mut BTreeSet<String>,
    pub now: Instant,
    pub clock: &'a crate::clock::Clock,
    pub token: &'a str,
}

impl Env<'_> {
    pub(super) fn pod(&self) -> &Value {
        self.pod
    }

    fn source(&self) -> Source<'_> {
        Source {
            component: "kubelet",
            host: self.node,
        }
    }

    /// An event about the pod's container `name`, from this node's kubelet.
    pub(super) fn event(&self, name: &str, warning: bool, reason: &str, message: &str) {
        self.events
            .container(self.pod(), name, self.source(), warning, reason, message);
    }
}

#[derive(Debug)]
pub(super) enum Stage {
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
    /// Started, its postStart hook running until `until`: the kubelet goes on with the
    /// pod only then (it still shows ContainerCreating). A `failed` hook gets the
    /// container killed and restarted.
    PostStart {
        since: Instant,
        until: Instant,
        failed: bool,
    },
    /// Being stopped (see `stop.rs`): the preStop hook runs until `signal_at`, then the
    /// stop signal goes; once `signalled`, `exits` says when the program exits and with
    /// which code (`None`: it ignores the signal). It is killed at `kill_at` at the
    /// latest; `then` says what follows.
    Stopping {
        since: Instant,
        signal_at: Instant,
        kill_at: Instant,
        signalled: bool,
        exits: Option<(Instant, i32)>,
        then: Then,
    },
    /// Terminated for good (it will not restart).
    Done,
}

/// What follows a container's stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Then {
    /// Nothing: its pod is going.
    Stay,
    /// It starts again as its restartPolicy says (a probe failed it).
    Restart,
    /// It starts again at once with its new definition (its image changed).
    Replace,
}

/// A container of a pod on this node.
#[derive(Debug)]
pub struct Container {
    pub name: String,
    pub(super) spec: Value,
    pub(super) stage: Stage,
    pub restarts: u32,
    pub(super) crash_backoff: Duration,
    pub(super) pull_backoff: Duration,
    /// The last instance's `terminated` state.
    pub(super) last: Option<Value>,
    pub(super) started_at: String,
    pub ready: bool,
    pub started: bool,
    pub(super) probes: Vec<Probe>,
    /// An init container: runs to completion before the next one.
    pub(super) init: bool,
    pub(super) image: Option<Image>,
    /// Whether its reported status may have changed since the pod last looked.
    pub(super) dirty: bool,
    /// Its definition changed (a new image) and the running instance must be replaced.
    pub(super) redefined: bool,
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
            redefined: false,
        }
    }

    /// Takes the pod's current definition of the container: a new image (the one field of
    /// a pod that may change) means the running instance is replaced, as the kubelet
    /// replaces it. Returns whether it changed.
    pub fn follow(&mut self, spec: &Value) -> bool {
        if spec["image"] == self.spec["image"] {
            return false;
        }
        self.spec["image"] = spec["image"].clone();
        self.redefined = true;
        true
    }

    /// Whether its status may have changed since the last call.
    pub fn take_dirty(&mut self) -> bool {
        std::mem::take(&mut self.dirty)
    }

    pub(super) fn key(&self, env: &Env) -> ContainerKey {
        ContainerKey::new(
            env.pod()["metadata"]["uid"].as_str().unwrap_or_default(),
            &self.name,
        )
    }

    pub(super) fn image_name(&self) -> &str {
        self.spec["image"].as_str().unwrap_or_default()
    }

    /// Whether it is running now (being stopped included).
    pub fn running(&self) -> bool {
        matches!(self.stage, Stage::Running { .. } | Stage::Stopping { .. })
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
        if std::mem::take(&mut self.redefined) {
            self.replace(env);
        }
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
            Stage::Stopping { .. } => self.stop_due(),
            Stage::PostStart { until, .. } => Some(*until),
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
                env.event(&self.name, false, "Pulled", &format!(
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
                env.event(&self.name, false, "BackOff", &message);
                env.event(&self.name, true, "Failed", "Error: ImagePullBackOff");
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
            Stage::PostStart {
                since,
                until,
                failed,
            } if now >= until => {
                if failed {
                    // The kubelet keeps the hook's message out of events: it may hold secrets.
                    env.event(
                        &self.name,
                        true,
                        "FailedPostStartHook",
                        "PostStartHook failed",
                    );
                    let kill_at = now + pod_grace(env.pod());
                    self.begin_stop(env, since, "FailedPostStartHook", kill_at, Then::Restart);
                } else {
                    self.stage = Stage::Running {
                        since,
                        wake: Some(now),
                    };
                }
                true
            }
            Stage::Running { since, wake } => self.run(env, since, wake),
            stopping @ Stage::Stopping { .. } => {
                self.stage = stopping;
                self.advance_stop(env);
                !matches!(self.stage, Stage::Stopping { .. })
            }
            other => {
                self.stage = other;
                false
            }
        }
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
                env.event(
                    &self.name,
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
                    let why = format!(
                        "Container {} failed {which} probe, will be restarted",
                        self.name
                    );
                    let grace = probe_grace(&self.probes[i], env.pod());
                    self.begin_stop(env, since, &why, now + grace, Then::Restart);
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
    pub(super) fn terminate(&mut self, env: &mut Env, since: Instant, code: i32, reason: &str) {
        self.record_exit(env, code, reason);
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
        env.event(
            &self.name,
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

    /// Runs one of its lifecycle handlers (`postStart`, `preStop`) in it.
    pub(super) fn run_hook(&self, env: &Env, handler: &Value) -> Result<(), String> {
        let target = super::hooks::Target {
            runtime: env.runtime,
            network: env.network,
            pod: env.pod(),
            key: self.key(env),
            name: &self.name,
            spec: &self.spec,
        };
        super::hooks::run_handler(handler, &target)
    }

    /// The process is gone: its `terminated` state recorded, its output kept.
    pub(super) fn record_exit(&mut self, env: &mut Env, code: i32, reason: &str) {
        env.runtime.stop(&self.key(env));
        self.ready = false;
        self.started = false;
        self.last = Some(json!({
            "exitCode": code, "reason": reason, "startedAt": self.started_at,
            "finishedAt": env.clock.now_rfc3339(), "containerID": self.container_id(env),
        }));
    }
}

/// The grace period of a kill a failed probe asks for: the probe's own
/// `terminationGracePeriodSeconds`, else the pod's, else 30 s.
fn probe_grace(probe: &Probe, pod: &Value) -> Duration {
    probe
        .grace_seconds()
        .map_or_else(|| pod_grace(pod), Duration::from_secs)
}

/// The grace period the kubelet gives a container it stops while its pod stays: the
/// pod's `terminationGracePeriodSeconds`, else 30 s.
pub(super) fn pod_grace(pod: &Value) -> Duration {
    Duration::from_secs(
        pod["spec"]["terminationGracePeriodSeconds"]
            .as_u64()
            .unwrap_or(30),
    )
}

/// The container's memory limit in bytes.
pub(super) fn memory_limit(spec: &Value) -> Option<i64> {
    let text = spec["resources"]["limits"]["memory"].as_str()?;
    crate::quantity::parse(text).and_then(|milli| i64::try_from(milli / 1000).ok())
}

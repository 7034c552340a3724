//! Starting a container: its image found present or pulled (or the pull failing, with
//! containerd's words and back-off), then the container created with its environment
//! and files and its process started, or held with CreateContainerConfigError while
//! its configuration is missing.

use super::container::{Container, Env, MAX_BACKOFF, Stage, memory_limit};
use super::hooks;
use super::probes::{Kind, Probe};
use super::setup;
use crate::models::Context;
use crate::models::image;
use std::time::Duration;

/// How long a failing pull takes to fail.
const PULL_FAILURE: Duration = Duration::from_secs(1);
/// How often a container whose configuration is missing is retried.
const CONFIG_RETRY: Duration = Duration::from_secs(10);

impl Container {
    /// Starts pulling the image (or finds it present), or fails as the registry says.
    pub(super) fn begin_pull(&mut self, env: &mut Env) {
        let name = self.image_name().to_string();
        let policy = self.spec["imagePullPolicy"].as_str().unwrap_or("");
        let reference = image::normalize(&name);
        let present = env.images.contains(&reference) || image::preloaded(&name);
        if present && !image::pulls_always(&name, policy) {
            env.event(
                &self.name,
                false,
                "Pulled",
                &format!("Container image \"{name}\" already present on machine"),
            );
            self.image = image::lookup(&name).ok();
            self.create(env);
            return;
        }
        env.event(
            &self.name,
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
                env.event(
                    &self.name,
                    true,
                    "Failed",
                    &format!("Failed to pull image \"{name}\": {}", error.message()),
                );
                env.event(&self.name, true, "Failed", "Error: ErrImagePull");
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
    pub(super) fn create(&mut self, env: &mut Env) {
        let Some(image) = self.image.clone() else {
            self.stage = Stage::New;
            return;
        };
        let pod = env.pod();
        let environment = match setup::environment(env.network.store, pod, &self.spec) {
            Ok(e) => e,
            Err(message) => {
                env.event(&self.name, true, "Failed", &format!("Error: {message}"));
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
        env.event(
            &self.name,
            false,
            "Created",
            &format!("Created container: {}", self.name),
        );
        env.runtime.start(self.key(env), image.start(context));
        env.event(
            &self.name,
            false,
            "Started",
            &format!("Started container {}", self.name),
        );
        self.started_at = env.clock.now_rfc3339();
        self.ready = false;
        self.started = self.spec.get("startupProbe").is_none_or(|p| !p.is_object());
        // The postStart hook runs before the kubelet goes on: no probe until it is done.
        let post_start = self.spec["lifecycle"]["postStart"].clone();
        let hooked = post_start.is_object().then(|| {
            let ran = self.run_hook(env, &post_start);
            (env.now + hooks::handler_time(&post_start), ran.err())
        });
        let probes_from = hooked.as_ref().map_or(env.now, |(until, _)| *until);
        self.probes = [Kind::Startup, Kind::Readiness, Kind::Liveness]
            .into_iter()
            .filter_map(|k| Probe::of(&self.spec, k, probes_from))
            .collect();
        if self.init {
            self.started = false;
        }
        if !self.probes.iter().any(|p| p.kind == Kind::Readiness) {
            self.ready = self.started && !self.init;
        }
        self.stage = match hooked {
            Some((until, failure)) => Stage::PostStart {
                since: env.now,
                until,
                failed: failure.is_some(),
            },
            None => Stage::Running {
                since: env.now,
                wake: Some(env.now),
            },
        };
    }
}

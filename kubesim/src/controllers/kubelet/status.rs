//! How a container reports itself in the pod's `containerStatuses`: its state (with the
//! kubelet's waiting reasons and messages), last state, readiness, restarts, and the
//! containerd ids of the container and its image.

use super::container::{Container, Env, Stage};
use crate::models::image;
use serde_json::{Value, json};
use std::time::Duration;

impl Container {
    /// The containerd id of the current instance, stable across status writes.
    pub(super) fn container_id(&self, env: &Env) -> String {
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
            Stage::New | Stage::Pulling { .. } | Stage::PostStart { .. } => {
                waiting("ContainerCreating", None)
            }
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
            Stage::Running { .. } | Stage::Stopping { .. } => {
                json!({"running": {"startedAt": self.started_at}})
            }
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

//! Container probes with the kubelet's semantics: an initial delay, a period, success
//! and failure thresholds, and startup gating (readiness and liveness wait until a
//! startup probe has passed).

use crate::models::HttpRequest;
use crate::runtime::network::Network;
use crate::runtime::{ContainerKey, Runtime};
use serde_json::Value;
use std::time::Duration;
use tokio::time::Instant;

/// The kubelet's User-Agent for HTTP probes.
pub const USER_AGENT: &str = "kube-probe/1.32";

/// Which probe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Gates the others until the container has started.
    Startup,
    /// Decides whether the pod receives traffic.
    Readiness,
    /// Restarts the container when it fails.
    Liveness,
}

impl Kind {
    /// The container field that declares it.
    pub fn field(self) -> &'static str {
        match self {
            Kind::Startup => "startupProbe",
            Kind::Readiness => "readinessProbe",
            Kind::Liveness => "livenessProbe",
        }
    }

    /// How the kubelet names it in events (`Readiness probe failed: …`).
    pub fn title(self) -> &'static str {
        match self {
            Kind::Startup => "Startup",
            Kind::Readiness => "Readiness",
            Kind::Liveness => "Liveness",
        }
    }
}

/// One probe's schedule and counters.
#[derive(Debug, Clone)]
pub struct Probe {
    /// Which probe.
    pub kind: Kind,
    spec: Value,
    period: Duration,
    success_threshold: u32,
    failure_threshold: u32,
    /// When it next runs.
    pub next: Instant,
    successes: u32,
    failures: u32,
}

/// What a threshold crossing means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The probe's state flipped to passing.
    Passed,
    /// It failed `failureThreshold` times in a row.
    Failed,
    /// No change of state.
    Unchanged,
}

impl Probe {
    /// The container's probe of `kind`, if it has one, first due after its initial delay.
    pub fn of(container: &Value, kind: Kind, started: Instant) -> Option<Probe> {
        let spec = container
            .get(kind.field())
            .filter(|p| p.is_object())?
            .clone();
        let seconds = |field: &str, default: u64| spec[field].as_u64().unwrap_or(default);
        let delay = Duration::from_secs(seconds("initialDelaySeconds", 0));
        Some(Probe {
            kind,
            period: Duration::from_secs(seconds("periodSeconds", 10).max(1)),
            success_threshold: u32::try_from(seconds("successThreshold", 1))
                .unwrap_or(1)
                .max(1),
            failure_threshold: u32::try_from(seconds("failureThreshold", 3))
                .unwrap_or(3)
                .max(1),
            next: started + delay,
            successes: 0,
            failures: 0,
            spec,
        })
    }

    /// The probe's own grace period for the kill its failure brings, if it sets one.
    pub fn grace_seconds(&self) -> Option<u64> {
        self.spec["terminationGracePeriodSeconds"].as_u64()
    }

    /// Records a result, schedules the next run, and says whether the state flipped.
    pub fn record(&mut self, ok: bool, now: Instant) -> Verdict {
        self.next = now + self.period;
        if ok {
            self.failures = 0;
            self.successes += 1;
            if self.successes == self.success_threshold {
                return Verdict::Passed;
            }
        } else {
            self.successes = 0;
            self.failures += 1;
            if self.failures == self.failure_threshold {
                return Verdict::Failed;
            }
        }
        Verdict::Unchanged
    }

    /// Restarts the counters (after a liveness or startup kill) from `at`.
    pub fn reset(&mut self, at: Instant) {
        self.successes = 0;
        self.failures = 0;
        self.next =
            at + Duration::from_secs(self.spec["initialDelaySeconds"].as_u64().unwrap_or(0));
    }

    /// Runs the probe against the container: `Ok` or the failure as the kubelet words it.
    pub fn run(
        &self,
        runtime: &Runtime,
        key: &ContainerKey,
        container: &Value,
        network: &Network,
    ) -> Result<(), String> {
        let ip = network
            .pod()
            .and_then(|p| p["status"]["podIP"].as_str())
            .unwrap_or_default();
        if let Some(http) = self.spec.get("httpGet").filter(|h| h.is_object()) {
            let port = super::hooks::port_of(&http["port"], container);
            let path = http["path"].as_str().unwrap_or("/");
            let scheme = http["scheme"].as_str().unwrap_or("HTTP").to_lowercase();
            let request = HttpRequest::get(path, USER_AGENT, &gateway(ip));
            return match runtime.pod_http(&key.pod_uid, port, &request, network) {
                Some(r) if (200..400).contains(&r.status) => Ok(()),
                Some(r) => Err(format!("HTTP probe failed with statuscode: {}", r.status)),
                None => Err(format!(
                    "Get \"{scheme}://{ip}:{port}{path}\": dial tcp {ip}:{port}: connect: connection refused"
                )),
            };
        }
        if let Some(tcp) = self.spec.get("tcpSocket").filter(|t| t.is_object()) {
            let port = super::hooks::port_of(&tcp["port"], container);
            return if pod_listens(runtime, key, port) {
                Ok(())
            } else {
                Err(format!("dial tcp {ip}:{port}: connect: connection refused"))
            };
        }
        if let Some(grpc) = self.spec.get("grpc").filter(|g| g.is_object()) {
            let port = super::hooks::port_of(&grpc["port"], container);
            return if pod_listens(runtime, key, port) {
                Ok(())
            } else {
                Err(format!(
                    "timeout: failed to connect service \"{ip}:{port}\" within 1s: context deadline exceeded"
                ))
            };
        }
        let argv = super::hooks::command(&self.spec);
        // A command that outlasts `timeoutSeconds` fails, in the container runtime's words.
        let timeout = Duration::from_secs(self.spec["timeoutSeconds"].as_u64().unwrap_or(1).max(1));
        if super::hooks::command_time(&argv) > timeout {
            return Err(format!(
                "command timed out: {:?} timed out after {}s",
                argv.join(" "),
                timeout.as_secs()
            ));
        }
        match runtime.exec(key, &argv) {
            Some((0, _)) => Ok(()),
            Some((code, output)) if output.trim().is_empty() => {
                Err(format!("command {:?} exited with {code}", argv.join(" ")))
            }
            Some((_, output)) => Err(output.trim_end().to_string()),
            None => Err("container is not running".into()),
        }
    }
}

/// Whether any container of the pod listens on `port` (they share one network).
fn pod_listens(runtime: &Runtime, key: &ContainerKey, port: u16) -> bool {
    runtime
        .containers_of(&key.pod_uid)
        .iter()
        .any(|k| runtime.listens(k, port))
}

/// The node's address on the pod network (`10.244.1.1` for a pod at `10.244.1.7`), where
/// probes come from.
fn gateway(pod_ip: &str) -> String {
    match pod_ip.rsplit_once('.') {
        Some((net, _)) => format!("{net}.1"),
        None => pod_ip.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn thresholds_flip_state_once() {
        let container = json!({"readinessProbe": {"periodSeconds": 5, "failureThreshold": 2, "successThreshold": 2}});
        let t0 = Instant::now();
        let mut p = Probe::of(&container, Kind::Readiness, t0).expect("probe");
        assert_eq!(p.next, t0);
        assert_eq!(p.record(true, t0), Verdict::Unchanged);
        assert_eq!(p.next, t0 + Duration::from_secs(5));
        assert_eq!(p.record(true, t0), Verdict::Passed);
        assert_eq!(p.record(true, t0), Verdict::Unchanged);
        assert_eq!(p.record(false, t0), Verdict::Unchanged);
        assert_eq!(p.record(false, t0), Verdict::Failed);
        assert_eq!(p.record(false, t0), Verdict::Unchanged);
        assert!(Probe::of(&container, Kind::Liveness, t0).is_none());
    }
}

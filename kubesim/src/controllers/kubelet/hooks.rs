//! What the kubelet runs in a container besides its program: lifecycle hooks (postStart,
//! preStop) and exec probes, with the time they take. Commands run in the container's
//! model at once; their time is the `sleep`s they run (a hook's `sleep` action, or
//! `sleep N` in an exec command), which is what a workshop's hooks and probes spend it on.

use crate::models::HttpRequest;
use crate::runtime::network::Network;
use crate::runtime::{ContainerKey, Runtime};
use serde_json::Value;
use std::time::Duration;

/// The longest sleep counted: a day.
const LONGEST: f64 = 86_400.0;

/// An exec handler's command line.
pub(super) fn command(handler: &Value) -> Vec<String> {
    handler["exec"]["command"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|w| w.as_str().map(str::to_string))
        .collect()
}

/// How long a command runs: the `sleep`s in it (`["sleep", "5"]`,
/// `["sh", "-c", "sleep 3; nginx -s quit"]`).
pub(super) fn command_time(argv: &[String]) -> Duration {
    let words: Vec<&str> = argv
        .iter()
        .flat_map(|w| w.split(|c: char| c.is_whitespace() || c == ';' || c == '&'))
        .filter(|w| !w.is_empty())
        .collect();
    words
        .windows(2)
        .filter(|pair| pair[0] == "sleep" || pair[0].ends_with("/sleep"))
        .filter_map(|pair| pair[1].parse::<f64>().ok())
        .filter(|seconds| seconds.is_finite() && *seconds >= 0.0)
        .map(|seconds| Duration::from_secs_f64(seconds.min(LONGEST)))
        .sum()
}

/// How long a lifecycle handler runs: a `sleep` action's seconds, an exec command's
/// sleeps; an HTTP request takes no time in the model.
pub(super) fn handler_time(handler: &Value) -> Duration {
    match handler["sleep"]["seconds"].as_u64() {
        Some(seconds) => Duration::from_secs(seconds),
        None => command_time(&command(handler)),
    }
}

/// Where a handler runs: the container, in its pod, on the cluster's network.
pub(super) struct Target<'a> {
    pub runtime: &'a Runtime,
    pub network: &'a Network<'a>,
    pub pod: &'a Value,
    pub key: ContainerKey,
    /// The container's name and spec.
    pub name: &'a str,
    pub spec: &'a Value,
}

/// Runs a lifecycle handler in the container: `Err` with the kubelet's message when it
/// fails (an exec command exiting non-zero, an HTTP answer that is not 2xx or 3xx).
pub(super) fn run_handler(handler: &Value, target: &Target) -> Result<(), String> {
    let Target {
        runtime,
        network,
        pod,
        key,
        name: container,
        spec,
    } = target;
    let pod_name = format!(
        "{}_{}({})",
        pod["metadata"]["name"].as_str().unwrap_or_default(),
        pod["metadata"]["namespace"].as_str().unwrap_or_default(),
        pod["metadata"]["uid"].as_str().unwrap_or_default()
    );
    if handler["exec"].is_object() {
        let argv = command(handler);
        return match runtime.exec(key, &argv) {
            Some((0, _)) => Ok(()),
            Some((code, output)) => Err(format!(
                "Exec lifecycle hook ([{}]) for Container {container:?} in Pod {pod_name:?} failed - error: command '{}' exited with {code}: {output}, message: {output:?}",
                argv.join(" "),
                argv.join(" ")
            )),
            None => Err(format!(
                "Exec lifecycle hook ([{}]) for Container {container:?} in Pod {pod_name:?} failed - error: container is not running, message: \"\"",
                argv.join(" ")
            )),
        };
    }
    if let Some(http) = handler.get("httpGet").filter(|h| h.is_object()) {
        let path = http["path"].as_str().unwrap_or("/");
        let port = port_of(&http["port"], spec);
        let ip = pod["status"]["podIP"].as_str().unwrap_or_default();
        let request = HttpRequest::get(path, "kube-lifecycle/1.34", ip);
        return match runtime.pod_http(&key.pod_uid, port, &request, *network) {
            Some(answer) if (200..400).contains(&answer.status) => Ok(()),
            Some(answer) => Err(format!(
                "HTTP lifecycle hook ({path}) for Container {container:?} in Pod {pod_name:?} failed - error: HTTP lifecycle hook ({path}) returned non-success status: {}",
                answer.status
            )),
            None => Err(format!(
                "HTTP lifecycle hook ({path}) for Container {container:?} in Pod {pod_name:?} failed - error: Get \"http://{ip}:{port}{path}\": dial tcp {ip}:{port}: connect: connection refused"
            )),
        };
    }
    Ok(())
}

/// A probe port: a number or the name of one of the container's ports.
pub(super) fn port_of(port: &Value, container: &Value) -> u16 {
    if let Some(n) = port.as_u64() {
        return u16::try_from(n).unwrap_or(0);
    }
    let name = port.as_str().unwrap_or_default();
    if let Ok(n) = name.parse() {
        return n;
    }
    container["ports"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|p| p["name"].as_str() == Some(name))
        .and_then(|p| p["containerPort"].as_u64())
        .and_then(|n| u16::try_from(n).ok())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn named_ports_resolve() {
        let c = json!({"ports": [{"name": "http", "containerPort": 8000}]});
        assert_eq!(port_of(&json!("http"), &c), 8000);
        assert_eq!(port_of(&json!(81), &c), 81);
    }

    #[test]
    fn a_handler_takes_the_time_it_sleeps() {
        let cases = [
            (json!({"sleep": {"seconds": 7}}), 7.0),
            (json!({"exec": {"command": ["sleep", "5"]}}), 5.0),
            (
                json!({"exec": {"command": ["/bin/sh", "-c", "sleep 3; nginx -s quit"]}}),
                3.0,
            ),
            (
                json!({"exec": {"command": ["sh", "-c", "sleep 1 && sleep 0.5"]}}),
                1.5,
            ),
            (
                json!({"exec": {"command": ["/usr/sbin/nginx", "-s", "quit"]}}),
                0.0,
            ),
            (json!({"httpGet": {"path": "/shutdown", "port": 80}}), 0.0),
            (json!({"exec": {"command": ["sleep", "-1"]}}), 0.0),
            (json!({}), 0.0),
        ];
        for (handler, seconds) in cases {
            let took = handler_time(&handler);
            assert_eq!(took, Duration::from_secs_f64(seconds), "{handler}");
        }
    }
}

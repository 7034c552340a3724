//! `pods/NAME/exec` over a websocket, as kubectl 1.32 and kube-rs speak it: the
//! `v5.channel.k8s.io` protocol (and `v4`, which differs only in v5's close frames),
//! framed as [`super::channels`] says: stdout, then the command's Status (`Success`, or
//! `NonZeroExitCode` with the code) on the error channel before the server closes. The command runs once in the container's
//! workload model (`Runtime::exec`: the busybox shell's `cat`, `echo`, `env`, `sh -c`, …),
//! its stdin and resizes read and dropped; a shell with stdin (`exec -i … -- sh`) reads
//! its commands from stdin instead, as a session ([`super::shell`]).

use super::channels::{STDOUT, end, frame, status};
use super::server::ApiServer;
use crate::registry::Target;
use crate::runtime::ContainerKey;
use crate::status::{ApiError, Result};
use axum::extract::ws::{WebSocket, WebSocketUpgrade};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use std::sync::Arc;

/// The protocols spoken, most preferred first.
const PROTOCOLS: [&str; 2] = ["v5.channel.k8s.io", "v4.channel.k8s.io"];

impl ApiServer {
    /// Checks the request (the pod, its container running, a command) and upgrades it;
    /// the command runs once the socket is open.
    pub(super) fn exec(
        self: &Arc<Self>,
        target: &Target,
        raw_query: Option<&str>,
        upgrade: Option<WebSocketUpgrade>,
    ) -> Result<Response> {
        let query = query(raw_query);
        let command: Vec<String> = query
            .iter()
            .filter(|(k, _)| k == "command")
            .map(|(_, v)| v.clone())
            .collect();
        let flag = |name: &str| query.iter().any(|(k, v)| k == name && v == "true");
        let (stdin, tty) = (flag("stdin"), flag("tty"));
        if command.is_empty() {
            return Err(ApiError::bad_request("you must specify at least 1 command"));
        }
        let (key, upgrade) = self.running_container(target, &query, upgrade)?;
        let api = self.clone();
        let session = stdin
            && matches!(command.as_slice(), [shell] if crate::models::script::is_shell(shell))
            && self.runtime.prompt(&key).is_some();
        Ok(upgrade
            .protocols(PROTOCOLS)
            .on_upgrade(move |socket| async move {
                if session {
                    super::shell::session(api, key, command, tty, socket).await;
                } else {
                    run(api, key, command, socket).await;
                }
            })
            .into_response())
    }

    /// `pods/NAME/attach`: the container's output from now on, until it stops or the
    /// client goes ([`super::shell::attach`]).
    pub(super) fn attach(
        self: &Arc<Self>,
        target: &Target,
        raw_query: Option<&str>,
        upgrade: Option<WebSocketUpgrade>,
    ) -> Result<Response> {
        let (key, upgrade) = self.running_container(target, &query(raw_query), upgrade)?;
        let api = self.clone();
        Ok(upgrade
            .protocols(PROTOCOLS)
            .on_upgrade(move |socket| super::shell::attach(api, key, socket))
            .into_response())
    }

    /// The running container the request names (`container=`, or the pod's only one),
    /// and the upgrade it asked for; the kubelet's refusals otherwise.
    fn running_container(
        &self,
        target: &Target,
        query: &[(String, String)],
        upgrade: Option<WebSocketUpgrade>,
    ) -> Result<(ContainerKey, WebSocketUpgrade)> {
        let pod = self.registry.pod(target)?;
        let name = target.name()?;
        let containers: Vec<&str> = pod["spec"]["containers"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|c| c["name"].as_str())
            .collect();
        let container = match query.iter().find(|(k, _)| k == "container") {
            Some((_, c)) if containers.contains(&c.as_str()) => c.clone(),
            Some((_, c)) => {
                return Err(ApiError::bad_request(format!(
                    "container {c} is not valid for pod {name}"
                )));
            }
            None if containers.len() == 1 => containers[0].to_string(),
            None => {
                return Err(ApiError::bad_request(format!(
                    "a container name must be specified for pod {name}, choose one of: [{}]",
                    containers.join(" ")
                )));
            }
        };
        let running = pod["status"]["containerStatuses"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|s| s["name"] == container.as_str() && s["state"]["running"].is_object());
        if !running {
            return Err(ApiError::bad_request(format!(
                "unable to upgrade connection: container not found (\"{container}\")"
            )));
        }
        let Some(upgrade) = upgrade else {
            return Err(ApiError::bad_request(
                "Upgrade request required: kubesim speaks exec and attach over websockets (v5.channel.k8s.io)",
            ));
        };
        let key = ContainerKey::new(
            pod["metadata"]["uid"].as_str().unwrap_or_default(),
            &container,
        );
        Ok((key, upgrade))
    }
}

/// The request's query, decoded.
fn query(raw: Option<&str>) -> Vec<(String, String)> {
    form_urlencoded::parse(raw.unwrap_or("").as_bytes())
        .into_owned()
        .collect()
}

async fn run(api: Arc<ApiServer>, key: ContainerKey, command: Vec<String>, mut socket: WebSocket) {
    let status = match api.runtime.exec(&key, &command) {
        None => json!({"metadata": {}, "status": "Failure", "reason": "InternalError",
            "message": format!("container not found (\"{}\")", key.container)}),
        Some((code, output)) => {
            if !output.is_empty() {
                let _ = socket.send(frame(STDOUT, output.as_bytes())).await;
            }
            status(&command, code)
        }
    };
    end(socket, &status).await;
}

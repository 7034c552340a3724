//! `pods/NAME/exec` over a websocket, as kubectl 1.32 and kube-rs speak it: the
//! `v5.channel.k8s.io` protocol (and `v4`, which differs only in v5's close frames).
//! Every frame is binary, its first byte the channel: 1 stdout, 2 stderr, 3 the error
//! channel, which carries the command's Status (`Success`, or `NonZeroExitCode` with the
//! code) before the server closes the socket. The command runs once in the container's
//! workload model (`Runtime::exec`: the busybox shell's `cat`, `echo`, `env`, …); the
//! console has no terminal, so stdin and resizes are read and dropped.

use super::server::ApiServer;
use crate::registry::Target;
use crate::runtime::ContainerKey;
use crate::status::{ApiError, Result};
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use std::sync::Arc;

/// The protocols spoken, most preferred first.
const PROTOCOLS: [&str; 2] = ["v5.channel.k8s.io", "v4.channel.k8s.io"];
const STDOUT: u8 = 1;
const ERROR: u8 = 3;

impl ApiServer {
    /// Checks the request (the pod, its container running, a command) and upgrades it;
    /// the command runs once the socket is open.
    pub(super) fn exec(
        self: &Arc<Self>,
        target: &Target,
        raw_query: Option<&str>,
        upgrade: Option<WebSocketUpgrade>,
    ) -> Result<Response> {
        let pod = self.registry.pod(target)?;
        let name = target.name()?;
        let query: Vec<(String, String)> =
            form_urlencoded::parse(raw_query.unwrap_or("").as_bytes())
                .into_owned()
                .collect();
        let command: Vec<String> = query
            .iter()
            .filter(|(k, _)| k == "command")
            .map(|(_, v)| v.clone())
            .collect();
        if command.is_empty() {
            return Err(ApiError::bad_request("you must specify at least 1 command"));
        }
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
                "Upgrade request required: the console's kubesim speaks exec over websockets (v5.channel.k8s.io)",
            ));
        };
        let key = ContainerKey::new(
            pod["metadata"]["uid"].as_str().unwrap_or_default(),
            &container,
        );
        let api = self.clone();
        Ok(upgrade
            .protocols(PROTOCOLS)
            .on_upgrade(move |socket| run(api, key, command, socket))
            .into_response())
    }
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
    let _ = socket
        .send(frame(ERROR, status.to_string().as_bytes()))
        .await;
    // A normal close: kubectl reads any other as the error stream breaking off.
    let close = axum::extract::ws::CloseFrame {
        code: 1000,
        reason: "".into(),
    };
    let _ = socket.send(Message::Close(Some(close))).await;
    // The client answers the close (after any stdin it was still sending): read until it
    // does, so the connection ends cleanly rather than with a reset.
    let _ = tokio::time::timeout(std::time::Duration::from_secs(2), async {
        while let Some(Ok(message)) = socket.recv().await {
            if matches!(message, Message::Close(_)) {
                break;
            }
        }
    })
    .await;
}

fn frame(channel: u8, data: &[u8]) -> Message {
    let mut bytes = Vec::with_capacity(data.len() + 1);
    bytes.push(channel);
    bytes.extend_from_slice(data);
    Message::Binary(bytes.into())
}

/// The error channel's Status for an exit code, as the kubelet reports it.
fn status(command: &[String], code: i32) -> Value {
    if code == 0 {
        return json!({"metadata": {}, "status": "Success"});
    }
    json!({
        "metadata": {},
        "status": "Failure",
        "message": format!("command terminated with non-zero exit code: error executing command [{}], exit code {code}", command.join(" ")),
        "reason": "NonZeroExitCode",
        "details": {"causes": [{"reason": "ExitCode", "message": code.to_string()}]},
    })
}

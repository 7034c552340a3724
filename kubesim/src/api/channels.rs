//! The `channel.k8s.io` framing exec speaks over its websocket: each binary frame's first
//! byte is its channel (0 stdin, 1 stdout, 2 stderr, 3 the error channel with the
//! command's Status, 4 resizes, 255 v5's close signal), and the end as the kubelet ends.

use axum::extract::ws::{Message, WebSocket};
use serde_json::{Value, json};

pub(super) const STDIN: u8 = 0;
pub(super) const STDOUT: u8 = 1;
const ERROR: u8 = 3;
/// v5's signal channel: `[255, N]` closes the client's stream N.
pub(super) const CLOSE: u8 = 255;

/// A frame of `data` on `channel`.
pub(super) fn frame(channel: u8, data: &[u8]) -> Message {
    let mut bytes = Vec::with_capacity(data.len() + 1);
    bytes.push(channel);
    bytes.extend_from_slice(data);
    Message::Binary(bytes.into())
}

/// The error channel's Status for an exit code, as the kubelet reports it.
pub(super) fn status(command: &[String], code: i32) -> Value {
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

/// Sends the command's Status on the error channel and closes the socket as the kubelet
/// does.
pub(super) async fn end(mut socket: WebSocket, status: &Value) {
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

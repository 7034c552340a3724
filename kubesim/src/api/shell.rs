//! A container's shell read from stdin over the exec websocket (`kubectl exec -i … -- sh`,
//! `-it` with a terminal): each line the client sends runs as `sh -c LINE` runs in the
//! container's workload model, its output sent back; `exit [N]`, the end of stdin
//! (`v5`'s close signal, or Ctrl-D on a terminal) or the client going away ends it.
//! With a terminal the session behaves as one does: the image's prompt, the typed line
//! echoed, lines ended with `\r\n`. And `attach`: the container's own output from now
//! on.

use super::channels::{CLOSE, STDIN, STDOUT, end, frame, status};
use super::server::ApiServer;
use crate::models::script::statements;
use crate::runtime::ContainerKey;
use axum::extract::ws::{Message, WebSocket};
use serde_json::json;
use std::sync::Arc;

/// Ctrl-D on a terminal in raw mode: the end of input.
const END_OF_TRANSMISSION: char = '\u{4}';
/// A line longer than this runs as it is (the rest is its own next line), so input
/// without a newline cannot grow without end.
const LINE: usize = 16 * 1024;

/// Runs the shell session until it ends, then sends its Status and closes.
pub(super) async fn session(
    api: Arc<ApiServer>,
    key: ContainerKey,
    command: Vec<String>,
    tty: bool,
    mut socket: WebSocket,
) {
    let prompt = api.runtime.prompt(&key).unwrap_or_default();
    let terminal = |text: &str| {
        if tty {
            text.replace('\n', "\r\n")
        } else {
            text.to_string()
        }
    };
    if tty {
        let _ = socket.send(frame(STDOUT, prompt.as_bytes())).await;
    }
    let mut pending = String::new();
    let mut last = 0;
    let code = 'session: loop {
        let data = match socket.recv().await {
            Some(Ok(Message::Binary(data))) => data.to_vec(),
            Some(Ok(Message::Text(text))) => text.as_bytes().to_vec(),
            Some(Ok(Message::Close(_)) | Err(_)) | None => return,
            Some(Ok(_)) => continue,
        };
        let Some((&channel, rest)) = data.split_first() else {
            continue;
        };
        let closed = channel == CLOSE && rest == [STDIN];
        if channel == STDIN {
            pending.push_str(&String::from_utf8_lossy(rest));
        } else if !closed {
            continue; // resizes
        }
        if closed || (pending.len() > LINE && !pending.contains(['\n', '\r'])) {
            // The last line needs no newline to run; nor does one too long to keep.
            pending.push('\n');
        }
        let ended = closed || (tty && pending.contains(END_OF_TRANSMISSION));
        while let Some(at) = pending.find(['\n', '\r', END_OF_TRANSMISSION]) {
            let line: String = pending.drain(..=at).collect();
            if line.ends_with(END_OF_TRANSMISSION) {
                break 'session last;
            }
            let line = line.trim_end_matches(['\n', '\r']);
            let mut said = if tty {
                format!("{line}\n")
            } else {
                String::new()
            };
            // A line with `exit` in it ends the session with the status it leaves.
            let exits = statements(line)
                .iter()
                .any(|(words, _)| words.first().is_some_and(|w| w == "exit"));
            // A bare `exit` leaves the status of the session's last command.
            if !line.trim().is_empty() && line.trim() != "exit" {
                let script = vec!["sh".to_string(), "-c".to_string(), line.to_string()];
                let Some((code, output)) = api.runtime.exec(&key, &script) else {
                    let gone = json!({"metadata": {}, "status": "Failure", "reason": "InternalError",
                        "message": format!("container not found (\"{}\")", key.container)});
                    end(socket, &gone).await;
                    return;
                };
                last = code;
                said.push_str(&output);
            }
            if exits {
                let _ = socket.send(frame(STDOUT, terminal(&said).as_bytes())).await;
                break 'session last;
            }
            if tty {
                said.push_str(&prompt);
            }
            if !said.is_empty() {
                let _ = socket.send(frame(STDOUT, terminal(&said).as_bytes())).await;
            }
        }
        if ended {
            break last;
        }
    };
    end(socket, &status(&command, code)).await;
}

/// Sends the container's output as it prints it, until the container stops (then its
/// Status) or the client goes; what the client sends is read and dropped (the models'
/// main processes read no stdin).
pub(super) async fn attach(api: Arc<ApiServer>, key: ContainerKey, mut socket: WebSocket) {
    let followed = api
        .runtime
        .logs(&key, false, true)
        .and_then(|read| read.follow);
    if let Some(mut lines) = followed {
        loop {
            tokio::select! {
                line = lines.recv() => match line {
                    Ok(line) => {
                        let text = format!("{}\n", line.text);
                        if socket.send(frame(STDOUT, text.as_bytes())).await.is_err() {
                            return;
                        }
                    }
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
                },
                message = socket.recv() => match message {
                    Some(Ok(Message::Close(_)) | Err(_)) | None => return,
                    Some(Ok(_)) => {}
                },
            }
        }
    }
    end(socket, &json!({"metadata": {}, "status": "Success"})).await;
}

//! Following a pod's log for a tab, line by line, until it ends or the tab stops looking —
//! each line cut at a length, and at most so many lines a second (a container that
//! floods its log is read at that pace, not the tab flooded).

use app::model::live::ServerMessage;
use futures::{AsyncBufReadExt, StreamExt};
use k8s_openapi::api::core::v1::Pod;
use std::time::Duration;
use tokio::sync::mpsc;

/// Longest line sent; longer ones are cut and marked.
const LINE: usize = 16 * 1024;
/// Lines sent per second at most.
const LINES_PER_SECOND: u32 = 200;

/// Which log a tab follows.
pub struct LogRequest {
    /// The short namespace, as the tab knows it.
    pub namespace: String,
    pub pod: String,
    pub container: Option<String>,
    pub previous: bool,
    pub tail_lines: Option<i64>,
}

/// Sends the log's lines to the tab, then why it ended (on a cluster whose nodes run no
/// containers, that there is no log, rather than the kubelet's connection error).
pub async fn follow(
    api: kube::Api<Pod>,
    request: LogRequest,
    containers: bool,
    out: mpsc::Sender<ServerMessage>,
) {
    let LogRequest {
        namespace,
        pod,
        container,
        previous,
        tail_lines,
    } = request;
    let params = kube::api::LogParams {
        container: container.clone(),
        follow: !previous,
        previous,
        tail_lines,
        ..Default::default()
    };
    let reason = match api.log_stream(&pod, &params).await {
        Ok(stream) => {
            let mut lines = stream.lines();
            let mut window = (tokio::time::Instant::now(), 0u32);
            while let Some(Ok(mut line)) = lines.next().await {
                let now = tokio::time::Instant::now();
                if now.duration_since(window.0) >= Duration::from_secs(1) {
                    window = (now, 0);
                } else if window.1 >= LINES_PER_SECOND {
                    tokio::time::sleep_until(window.0 + Duration::from_secs(1)).await;
                    window = (tokio::time::Instant::now(), 0);
                }
                window.1 += 1;
                if line.len() > LINE {
                    let mut end = LINE;
                    while !line.is_char_boundary(end) {
                        end -= 1;
                    }
                    line.truncate(end);
                    line.push_str(" … (line cut)");
                }
                let message = ServerMessage::Log {
                    namespace: namespace.clone(),
                    pod: pod.clone(),
                    container: container.clone(),
                    line,
                };
                if out.send(message).await.is_err() {
                    return;
                }
            }
            "ended".to_string()
        }
        Err(_) if !containers => crate::cluster::NO_CONTAINERS.to_string(),
        Err(e) => crate::pipeline::send::api_message(e),
    };
    let _ = out
        .send(ServerMessage::LogEnd {
            namespace,
            pod,
            container,
            reason,
        })
        .await;
}

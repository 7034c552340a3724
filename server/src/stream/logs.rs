//! Following a pod's log for a tab, line by line, until it ends or the tab stops looking —
//! each line cut at a length, and at most so many lines a second
//! ([`crate::limits::LogPace`]).

use app::model::live::ServerMessage;
use futures::{AsyncBufReadExt, StreamExt};
use k8s_openapi::api::core::v1::Pod;
use tokio::sync::mpsc;

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
            let mut pace = crate::limits::LogPace::default();
            while let Some(Ok(line)) = lines.next().await {
                let line = pace.admit(line).await;
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

//! Following a pod's log for a tab, line by line, until it ends or the tab stops looking.

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

/// Sends the log's lines to the tab, then why it ended.
pub async fn follow(api: kube::Api<Pod>, request: LogRequest, out: mpsc::Sender<ServerMessage>) {
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
            while let Some(Ok(line)) = lines.next().await {
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
        Err(kube::Error::Api(status)) => status.message,
        Err(e) => e.to_string(),
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

//! `kubectl logs -f`: each chosen log read as the kubelet writes it, until every one has
//! ended or Ctrl-C. Several logs (`-l`, `--all-containers`) are read at once, their lines
//! interleaved as they come, as kubectl reads them, up to `--max-log-requests`. Each is
//! read at [`crate::limits::LogPace`]'s pace.

use super::super::command::Invocation;
use super::super::context::{Console, Ran, from_server};
use futures::{AsyncBufReadExt, StreamExt};
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, LogParams};

/// kubectl's `--max-log-requests` default.
const MAX_LOG_REQUESTS: usize = 5;

/// Follows `logs` (pod, container), after `out` (what was said before them).
pub async fn follow(
    console: &Console<'_>,
    invocation: &Invocation,
    pods: &Api<Pod>,
    base: &LogParams,
    logs: Vec<(String, String)>,
    out: String,
) -> Ran {
    let most = match invocation.flag("max-log-requests").map(str::parse::<usize>) {
        None => MAX_LOG_REQUESTS,
        Some(Ok(most)) => most,
        Some(Err(_)) => {
            return Ran::error(format!(
                "error: invalid argument \"{0}\" for \"--max-log-requests\" flag: strconv.ParseInt: parsing \"{0}\": invalid syntax",
                invocation.flag("max-log-requests").unwrap_or_default()
            ));
        }
    };
    if logs.len() > 1 && logs.len() > most {
        return Ran::error(format!(
            "{out}error: you are attempting to follow {} log streams, but maximum allowed concurrency is {most}, use --max-log-requests to increase the limit",
            logs.len()
        ));
    }
    if !console.print(&out).await {
        return Ran::stopped();
    }
    let prefix = invocation.is_set("prefix");
    let mut streams = Vec::new();
    for (pod, container) in logs {
        let params = LogParams {
            container: Some(container.clone()),
            follow: true,
            ..base.clone()
        };
        let lines = match pods.log_stream(&pod, &params).await {
            Ok(stream) => stream.lines(),
            Err(e) => return Ran::error(from_server(&e)),
        };
        let label = prefix.then(|| format!("[pod/{pod}/{container}] "));
        streams.push(
            lines
                .map(move |line| line.map(|line| (label.clone(), line)))
                .boxed(),
        );
    }
    let mut lines = futures::stream::select_all(streams);
    let mut pace = crate::limits::LogPace::default();
    loop {
        let Some(next) = console.unless_stopped(lines.next()).await else {
            return Ran::stopped();
        };
        let Some(line) = next else { break };
        let (label, line) = match line {
            Ok(line) => line,
            Err(e) => return Ran::error(format!("error: {e}")),
        };
        let line = pace.admit(line).await;
        let text = format!("{}{line}\n", label.unwrap_or_default());
        if !console.print(&text).await {
            return Ran::stopped();
        }
    }
    Ran::ok(String::new())
}

//! `GET /api/stream`: one websocket per tab. The tab says which lesson (and step) it
//! shows; the server sends a snapshot of the workspace's objects, then every change, the
//! namespace events, the step's checks as they tick, and pod logs when asked. Messages
//! are typed, versioned JSON (`docs/api.md`). A tab that reconnects gets a fresh
//! snapshot, so it loses nothing; a tab too slow to keep up is sent a fresh snapshot
//! instead of the changes it missed, and never holds up the others.

pub mod watchers;

use crate::routes::AppState;
use crate::workshop::Attendee;
use crate::workspace::{Workspace, checks, view};
use app::model::live::{ChangeKind, CheckResult, ClientMessage as Request, ServerMessage};
use axum::extract::State;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::response::Response;
use futures::{AsyncBufReadExt, SinkExt, StreamExt};
use kube::discovery::ApiResource;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::sync::mpsc;
use watchers::{Change, Watch};

/// Messages queued for one tab before it counts as slow.
const QUEUE: usize = 512;

fn message(message: ServerMessage) -> Message {
    Message::Text(message.to_frame().into())
}

/// `GET /api/stream`.
pub async fn stream(
    ws: WebSocketUpgrade,
    State(state): State<AppState>,
    Attendee(attendee): Attendee,
) -> Response {
    ws.on_upgrade(move |socket| serve(socket, state, attendee))
}

/// One tab's connection.
async fn serve(socket: WebSocket, state: AppState, attendee: String) {
    let (mut sink, mut incoming) = socket.split();
    let (out, mut queue) = mpsc::channel::<Message>(QUEUE);
    let writer = tokio::spawn(async move {
        while let Some(m) = queue.recv().await {
            if sink.send(m).await.is_err() {
                return;
            }
        }
    });
    let workspace = state.workshop.workspace(&attendee);
    let slow = Arc::new(AtomicBool::new(false));
    let dirty = Arc::new(tokio::sync::Notify::new());
    let mut session: Option<Watching> = None;
    let mut logs: Option<tokio::task::JoinHandle<()>> = None;
    let mut tick = tokio::time::interval(Duration::from_millis(300));
    loop {
        tokio::select! {
            frame = incoming.next() => {
                let Some(Ok(frame)) = frame else { break };
                let Message::Text(text) = frame else { continue };
                match serde_json::from_str::<Request>(&text) {
                    Ok(Request::Watch { lesson, step }) => {
                        let _ = state.workshop.touch(&attendee).await;
                        let watching = Watching::start(&state, &workspace, &lesson, step, &out, &slow, &dirty).await;
                        let _ = out.send(watching.snapshot()).await;
                        session = Some(watching);
                    }
                    Ok(Request::Logs { namespace, pod, container, previous, tail_lines }) => {
                        if let Some(old) = logs.take() { old.abort(); }
                        let api = kube::Api::<k8s_openapi::api::core::v1::Pod>::namespaced(state.kube.clone(), &workspace.namespace(&namespace));
                        logs = Some(tokio::spawn(follow_logs(api, namespace, pod, container, previous, tail_lines, out.clone())));
                    }
                    Ok(Request::StopLogs) => {
                        if let Some(old) = logs.take() { old.abort(); }
                    }
                    Err(e) => {
                        let _ = out.send(message(ServerMessage::Error { message: format!("not a request this server understands: {e}") })).await;
                    }
                }
            }
            () = dirty.notified() => {
                if let Some(watching) = &mut session {
                    watching.checks_due = true;
                }
            }
            _ = tick.tick() => {
                let Some(watching) = &mut session else { continue };
                if slow.swap(false, Ordering::Relaxed) {
                    // Dropped changes: a fresh snapshot replaces them.
                    let _ = out.send(watching.snapshot()).await;
                }
                if std::mem::take(&mut watching.checks_due) {
                    let results = watching.checks(&state).await;
                    let all_passed = !results.is_empty() && results.iter().all(|c| c.passed);
                    if all_passed && let Err(e) = state.workshop.complete_step(&attendee, &watching.lesson, watching.step).await {
                        tracing::warn!("recording progress: {e}");
                    }
                    if watching.last_checks.as_ref() != Some(&results) {
                        watching.last_checks = Some(results.clone());
                        let _ = out.send(message(ServerMessage::Checks { step: watching.step, results })).await;
                    }
                }
            }
        }
    }
    if let Some(task) = logs {
        task.abort();
    }
    drop(session);
    writer.abort();
}

/// What one tab watches.
struct Watching {
    workspace: Workspace,
    lesson: String,
    step: usize,
    /// (short namespace, watch).
    watches: Vec<(String, Arc<Watch>)>,
    forwarders: Vec<tokio::task::JoinHandle<()>>,
    checks_due: bool,
    last_checks: Option<Vec<CheckResult>>,
}

impl Drop for Watching {
    fn drop(&mut self) {
        for f in &self.forwarders {
            f.abort();
        }
    }
}

impl Watching {
    async fn start(
        state: &AppState,
        workspace: &Workspace,
        lesson: &str,
        step: usize,
        out: &mpsc::Sender<Message>,
        slow: &Arc<AtomicBool>,
        dirty: &Arc<tokio::sync::Notify>,
    ) -> Watching {
        let mut shorts: Vec<String> = lesson_namespaces(state, lesson);
        for (short, _) in workspace.namespaces(&state.kube).await.unwrap_or_default() {
            if !shorts.contains(&short) {
                shorts.push(short);
            }
        }
        let mut kinds = view::kinds();
        kinds.push(ApiResource::erase::<k8s_openapi::api::core::v1::Event>(&()));
        let mut watches = Vec::new();
        let mut forwarders = Vec::new();
        for short in &shorts {
            let real = workspace.namespace(short);
            for kind in &kinds {
                let watch = state.watchers.watch(&real, kind);
                forwarders.push(tokio::spawn(forward(
                    watch.clone(),
                    short.clone(),
                    out.clone(),
                    slow.clone(),
                    dirty.clone(),
                )));
                watches.push((short.clone(), watch));
            }
        }
        // The first snapshot goes at once and may miss what new watches have not listed
        // yet; a complete one follows when they all have.
        let pending: Vec<Arc<Watch>> = watches.iter().map(|(_, w)| w.clone()).collect();
        let resend = slow.clone();
        forwarders.push(tokio::spawn(async move {
            futures::future::join_all(pending.iter().map(|w| w.listed(Duration::from_secs(10))))
                .await;
            resend.store(true, Ordering::Relaxed);
        }));
        Watching {
            workspace: workspace.clone(),
            lesson: lesson.to_string(),
            step,
            watches,
            forwarders,
            checks_due: true,
            last_checks: None,
        }
    }

    /// Every object the tab watches, as the panels show them.
    fn snapshot(&self) -> Message {
        let mut objects = Vec::new();
        let mut events = Vec::new();
        for (short, watch) in &self.watches {
            for object in watch.objects() {
                if watch.kind == "Event" {
                    events.push(view::event(short, &object));
                } else if !view::is_workshop_own(&watch.kind, &object) {
                    objects.push(view::summary(&watch.kind, short, &object));
                }
            }
        }
        message(ServerMessage::Snapshot { objects, events })
    }

    /// The step's checks, evaluated on the workspace now.
    async fn checks(&self, state: &AppState) -> Vec<CheckResult> {
        let Some((course, slug)) = self.lesson.split_once('/') else {
            return Vec::new();
        };
        let Some(step) = state
            .library
            .lesson(course, slug)
            .and_then(|l| l.steps.get(self.step))
        else {
            return Vec::new();
        };
        let mut results = Vec::new();
        for check in &step.checks {
            let passed = checks::holds(&self.workspace, &state.kube, check).await;
            results.push(CheckResult {
                label: check.label.clone(),
                passed,
            });
        }
        results
    }
}

fn lesson_namespaces(state: &AppState, lesson: &str) -> Vec<String> {
    lesson
        .split_once('/')
        .and_then(|(course, slug)| state.library.lesson(course, slug))
        .map_or_else(
            || vec!["default".to_string()],
            |l| l.front.namespaces.clone(),
        )
}

/// Forwards one watch's changes to the tab. A full queue marks the tab slow (it gets a
/// snapshot instead) rather than waiting: one slow tab never holds up a watch.
async fn forward(
    watch: Arc<Watch>,
    short: String,
    out: mpsc::Sender<Message>,
    slow: Arc<AtomicBool>,
    dirty: Arc<tokio::sync::Notify>,
) {
    let mut changes = watch.changes.subscribe();
    loop {
        let change = match changes.recv().await {
            Ok(change) => change,
            Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {
                slow.store(true, Ordering::Relaxed);
                continue;
            }
            Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
        };
        dirty.notify_one();
        let frame = match &change {
            Change::Relisted => {
                slow.store(true, Ordering::Relaxed);
                continue;
            }
            Change::Applied(object) | Change::Deleted(object) if watch.kind == "Event" => {
                if matches!(change, Change::Deleted(_)) {
                    continue;
                }
                message(ServerMessage::Event {
                    event: view::event(&short, object),
                })
            }
            Change::Applied(object) => {
                if view::is_workshop_own(&watch.kind, object) {
                    continue;
                }
                message(ServerMessage::Change {
                    change: ChangeKind::Applied,
                    object: view::summary(&watch.kind, &short, object),
                })
            }
            Change::Deleted(object) => message(ServerMessage::Change {
                change: ChangeKind::Deleted,
                object: view::summary(&watch.kind, &short, object),
            }),
        };
        if out.try_send(frame).is_err() {
            slow.store(true, Ordering::Relaxed);
        }
    }
}

/// Follows a pod's log, line by line, until it ends or the tab stops looking.
async fn follow_logs(
    api: kube::Api<k8s_openapi::api::core::v1::Pod>,
    namespace: String,
    pod: String,
    container: Option<String>,
    previous: bool,
    tail_lines: Option<i64>,
    out: mpsc::Sender<Message>,
) {
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
                let body = ServerMessage::Log {
                    namespace: namespace.clone(),
                    pod: pod.clone(),
                    container: container.clone(),
                    line,
                };
                if out.send(message(body)).await.is_err() {
                    return;
                }
            }
            "ended".to_string()
        }
        Err(kube::Error::Api(status)) => status.message,
        Err(e) => e.to_string(),
    };
    let _ = out
        .send(message(ServerMessage::LogEnd {
            namespace,
            pod,
            container,
            reason,
        }))
        .await;
}

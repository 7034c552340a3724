//! The live stream: one websocket per tab. The tab says which lesson (and step) it shows;
//! the server sends a snapshot of the workspace's objects, then every change, the
//! namespace events, the step's checks as they tick, pod logs when asked, and what the
//! console lines it runs print (`console`). Messages
//! are typed, versioned JSON (`app::model::live`, `docs/api.md`). A tab that reconnects
//! gets a fresh snapshot, so it loses nothing; a tab too slow to keep up is sent a fresh
//! snapshot instead of the changes it missed, and never holds up the others.

mod console;
mod logs;
mod watching;

use crate::state::AppState;
use crate::workspace::Workspace;
use app::model::live::{ClientMessage as Request, ServerMessage};
use axum::extract::ws::{Message, WebSocket};
use futures::{SinkExt, StreamExt};
use logs::LogRequest;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::sync::{Notify, mpsc};
use watching::{TabLink, Watching};

/// Messages queued for one tab before it counts as slow.
const QUEUE: usize = 512;

/// How often a tab's checks and missed changes are looked at.
const TICK: Duration = Duration::from_millis(300);

/// Every how many ticks a step with checks on answers looks at them again: Try the app
/// answers over its own request, perhaps on another replica, and tells no tab.
const ANSWERS_EVERY: u32 = 3;

/// Serves one tab's connection until it closes.
pub async fn serve(socket: WebSocket, state: AppState, attendee: String) {
    let (mut sink, mut incoming) = socket.split();
    let (out, mut queue) = mpsc::channel::<ServerMessage>(QUEUE);
    let writer = tokio::spawn(async move {
        while let Some(message) = queue.recv().await {
            if sink
                .send(Message::Text(message.to_frame().into()))
                .await
                .is_err()
            {
                return;
            }
        }
    });
    let workspace = state.workspace(&attendee);
    let link = TabLink {
        out: out.clone(),
        slow: Arc::new(AtomicBool::new(false)),
        dirty: Arc::new(Notify::new()),
    };
    let mut session: Option<Watching> = None;
    // Counted as the attendee's open tab (for the room view) from its first Watch.
    let mut tab: Option<crate::trainer::presence::Tab> = None;
    let mut logs: Option<tokio::task::JoinHandle<()>> = None;
    let mut consoles = console::Consoles::default();
    let mut tick = tokio::time::interval(TICK);
    let mut ticks = 0u32;
    loop {
        tokio::select! {
            frame = incoming.next() => {
                let Some(Ok(frame)) = frame else { break };
                let Message::Text(text) = frame else { continue };
                match serde_json::from_str::<Request>(&text) {
                    Ok(Request::Watch { lesson, step }) => {
                        if let Err(e) = state.db.touch(&attendee).await {
                            tracing::warn!("recording the attendee: {e}");
                        }
                        let namespaces = prepare(&state, &workspace, &lesson).await;
                        // In a room its trainer paces, no step past what is open.
                        let open = crate::trainer::pacing::open_steps(&state, &attendee, &lesson).await;
                        let steps = state.lesson(&lesson).map_or(0, |l| l.steps.len());
                        let step = crate::trainer::pacing::watchable(step, open, steps);
                        tab.get_or_insert_with(|| state.presence.tab(&attendee)).at(&lesson, step);
                        let watching = Watching::start((&state.watchers, &state.identities), &workspace, &lesson, state.lesson(&lesson), step, &namespaces, &link);
                        let _ = out.send(watching.snapshot()).await;
                        session = Some(watching);
                    }
                    Ok(Request::Logs { namespace, pod, container, previous, tail_lines }) => {
                        if let Some(old) = logs.take() { old.abort(); }
                        let api = kube::Api::namespaced(state.tenant(&workspace), &workspace.namespace(&namespace));
                        let request = LogRequest { namespace, pod, container, previous, tail_lines };
                        let containers = state.runs_containers().await;
                        logs = Some(tokio::spawn(logs::follow(api, request, containers, out.clone())));
                    }
                    Ok(Request::StopLogs) => {
                        if let Some(old) = logs.take() { old.abort(); }
                    }
                    Ok(Request::Console { id, command, files }) => {
                        let lesson = session.as_ref().map(|w| w.lesson.as_str());
                        let panes = crate::console::Panes { files, namespaces: state.lesson_namespaces(lesson) };
                        let lesson = lesson.map(str::to_string);
                        consoles.start(&state, &attendee, console::Line { id, command, panes, lesson }, &out).await;
                    }
                    Ok(Request::Interrupt { id }) => consoles.interrupt(id, &out).await,
                    Ok(Request::Edited { id, text }) => consoles.edited(id, text),
                    Ok(Request::Stdin { id, text }) => consoles.typed(id, text),
                    Err(e) => {
                        let _ = out.send(ServerMessage::Error { message: format!("not a request this server understands: {e}") }).await;
                    }
                }
            }
            () = link.dirty.notified() => {
                if let Some(watching) = &mut session {
                    watching.checks_due = true;
                }
            }
            _ = tick.tick() => {
                let Some(watching) = &mut session else { continue };
                ticks = ticks.wrapping_add(1);
                if ticks.is_multiple_of(ANSWERS_EVERY) && judges_answers(&state, watching) {
                    watching.checks_due = true;
                }
                if link.slow.swap(false, Ordering::Relaxed) {
                    // Dropped changes: a fresh snapshot replaces them.
                    let _ = out.send(watching.snapshot()).await;
                }
                if std::mem::take(&mut watching.checks_due) {
                    check(&state, &attendee, watching, &out).await;
                }
            }
        }
    }
    if let Some(task) = logs {
        task.abort();
    }
    drop(session);
    drop(tab);
    drop(consoles);
    writer.abort();
}

/// Makes the lesson's namespaces ready (a workspace is ready when its lesson opens, and
/// its attendee may watch only namespaces that exist with their RoleBinding); gives
/// those and any others the workspace holds.
async fn prepare(state: &AppState, workspace: &Workspace, lesson: &str) -> Vec<String> {
    let mut namespaces = state.lesson_namespaces(Some(lesson));
    let existing = workspace
        .namespaces(state.platform())
        .await
        .unwrap_or_default();
    match workspace
        .ensure(state.platform(), &existing, &namespaces)
        .await
    {
        Ok(created) if !created.is_empty() => state.watchers.wake(&workspace.namespace("")),
        Ok(_) => {}
        Err(e) => tracing::warn!("preparing a workspace: {e}"),
    }
    for (short, _) in existing {
        if !namespaces.contains(&short) {
            namespaces.push(short);
        }
    }
    namespaces
}

/// Evaluates the tab's step's checks on what it observes; records a step whose checks all
/// pass, and tells the tab when a result changed.
async fn check(
    state: &AppState,
    attendee: &str,
    watching: &mut Watching,
    out: &mpsc::Sender<ServerMessage>,
) {
    let Some(step) = state
        .lesson(&watching.lesson)
        .and_then(|l| l.steps.get(watching.step))
    else {
        return;
    };
    let answers = if judges_answers(state, watching) {
        state
            .db
            .answers(attendee, &watching.lesson)
            .await
            .unwrap_or_else(|e| {
                tracing::warn!("reading the attendee's answers: {e}");
                Vec::new()
            })
    } else {
        Vec::new()
    };
    let results = watching.observed.evaluate(&step.checks, &answers);
    let troubled = state.presence.saw(
        attendee,
        (&watching.lesson, watching.step),
        &results,
        state.db.now(),
    );
    crate::trainer::trouble::checks(
        state,
        attendee,
        (&watching.lesson, watching.step),
        &troubled,
    )
    .await;
    let all_passed = !results.is_empty() && results.iter().all(|c| c.passed);
    let changed = watching.last_checks.as_ref() != Some(&results);
    // Recorded when the step turns done, not on every evaluation that finds it done (a step
    // with answer checks is evaluated every few ticks); a failed write is tried again next
    // time, as the results then count as unsent.
    let mut recorded = true;
    if all_passed
        && changed
        && let Err(e) = state
            .db
            .complete_step(attendee, &watching.lesson, watching.step)
            .await
    {
        tracing::warn!("recording progress: {e}");
        recorded = false;
    }
    if changed {
        watching.last_checks = recorded.then(|| results.clone());
        let _ = out
            .send(ServerMessage::Checks {
                step: watching.step,
                results,
            })
            .await;
    }
}

/// Whether the tab's step has checks on what a console line or Try the app answered.
fn judges_answers(state: &AppState, watching: &Watching) -> bool {
    state
        .lesson(&watching.lesson)
        .and_then(|l| l.steps.get(watching.step))
        .is_some_and(|step| {
            step.checks
                .iter()
                .any(|c| matches!(c.subject, app::content::check::Subject::Outcome(_)))
        })
}

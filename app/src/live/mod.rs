//! The lesson page's live view of the attendee's workspace: what the stream
//! (`/api/stream`, `docs/api.md`) has said so far, folded into state the panels show.
//! The folding is plain Rust (tested natively); `client` (browser only) holds the socket
//! and the HTTP calls.

pub mod age;
pub mod api;
#[cfg(feature = "hydrate")]
pub mod client;
pub mod complete;
pub mod console;
pub mod locate;
pub mod tree;

use crate::model::live::{
    ChangeKind, CheckResult, ClientMessage, EventView, MAX_CLIENT_MESSAGE, ObjectView,
    ServerMessage,
};
use leptos::prelude::*;
use std::collections::BTreeMap;

/// The lesson page's handle on its workspace: the live state, whether the stream is
/// connected, a clock for ages, and the way to ask the stream for things. Provided as
/// context by the lesson page; on the server it stays empty.
#[derive(Clone, Copy)]
pub struct Live {
    pub state: RwSignal<LiveState>,
    pub connected: RwSignal<bool>,
    /// The attendee's session exists (its cookie is set). Everything that calls the
    /// workspace API waits for it: requests racing without a cookie would each start a
    /// session of their own, and the page would watch one attendee and apply as another.
    pub ready: RwSignal<bool>,
    /// Seconds since the epoch, ticking every second in the browser.
    pub now: RwSignal<f64>,
    /// `COURSE/SLUG`.
    pub lesson: StoredValue<String>,
    /// Commands the lesson's Run buttons asked the console to run, oldest first.
    pub console_queue: RwSignal<Vec<String>>,
    /// What a lesson's Try button asked Try the app for (short namespace, Service, path),
    /// until the panel has sent it.
    pub try_request: RwSignal<Option<(String, String, String)>>,
    /// How many Try buttons were pressed: the cluster panel shows Try the app on each
    /// (the request itself is taken, and cleared, by the panel that sends it, which may
    /// run first).
    pub try_pressed: RwSignal<u64>,
    /// The console's lines and their output (a signal apart from `state`, so a command
    /// that prints a lot does not redraw the other panels).
    pub console: RwSignal<console::ConsoleLog>,
    #[cfg(feature = "hydrate")]
    socket: StoredValue<Option<std::rc::Rc<client::Socket>>, LocalStorage>,
}

impl Live {
    /// Opens the stream for `lesson` (in the browser) once `started` (at once on the
    /// lesson page; in a docs site's embed when the reader pressed Start) and watches
    /// `step`'s checks.
    pub fn provide(lesson: String, step: Memo<usize>, started: Signal<bool>) -> Live {
        let live = Live {
            state: RwSignal::new(LiveState::default()),
            connected: RwSignal::new(false),
            ready: RwSignal::new(false),
            now: RwSignal::new(0.0),
            lesson: StoredValue::new(lesson),
            console_queue: RwSignal::new(Vec::new()),
            try_request: RwSignal::new(None),
            try_pressed: RwSignal::new(0),
            console: RwSignal::new(console::ConsoleLog::default()),
            #[cfg(feature = "hydrate")]
            socket: StoredValue::new_local(None),
        };
        #[cfg(feature = "hydrate")]
        {
            let connected = live.connected;
            let begin = move || {
                leptos::task::spawn_local(async move {
                    // One request first, so the session (and its cookie) exists before
                    // anything else asks.
                    if let Err(e) = api::progress().await {
                        leptos::logging::warn!("{e}");
                    }
                    let socket = client::Socket::open(
                        move |message| live.receive(message),
                        move |up| {
                            connected.set(up);
                            if !up {
                                live.console.update(console::ConsoleLog::lost);
                            }
                        },
                    );
                    if live
                        .socket
                        .try_set_value(Some(std::rc::Rc::new(socket)))
                        .is_none()
                    {
                        live.ready.set(true);
                    }
                })
            };
            Effect::new(move |begun: Option<bool>| {
                if begun == Some(true) || !started.get() {
                    return begun.unwrap_or(false);
                }
                begin();
                true
            });
            live.now.set(client::now());
            let now = live.now;
            let clock = set_interval_with_handle(
                move || now.set(client::now()),
                std::time::Duration::from_secs(1),
            );
            // Leaving the lesson (client-side navigation) ends its stream and clock.
            let socket = live.socket;
            on_cleanup(move || {
                if let Some(Some(socket)) = socket.try_get_value() {
                    socket.close();
                }
                if let Ok(clock) = clock {
                    clock.clear();
                }
            });
            Effect::new(move |_| {
                let step = step.get();
                if !live.ready.get() {
                    return;
                }
                live.send(ClientMessage::Watch {
                    lesson: live.lesson.get_value(),
                    step,
                });
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (step, started);
        provide_context(live);
        live
    }

    /// Sends a request on the stream (remembered across reconnects).
    pub fn send(&self, message: ClientMessage) {
        #[cfg(feature = "hydrate")]
        if let Some(socket) = self.socket.get_value() {
            socket.send(message);
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = message;
    }

    /// Folds a stream message into the console's lines or the panels' state.
    #[cfg(feature = "hydrate")]
    fn receive(&self, message: ServerMessage) {
        match message {
            ServerMessage::ConsoleOutput { id, text } => {
                self.console.update(|c| c.output(id, &text));
            }
            ServerMessage::ConsoleExit { id, exit_code } => {
                self.console.update(|c| c.exit(id, exit_code));
            }
            ServerMessage::ConsoleEdit { id, title, text } => {
                self.console.update(|c| c.edit(id, title, text));
            }
            other => self.state.update(|s| s.receive(other)),
        }
    }

    /// Runs a console line on the server, with the text of the panes it names with
    /// `-f` (`files`); its output arrives on the stream.
    pub fn run_console(&self, command: &str, files: BTreeMap<String, String>) {
        let id = self
            .console
            .try_update(|c| c.start(command))
            .unwrap_or_default();
        if !self.connected.get_untracked() {
            self.console.update(console::ConsoleLog::lost);
            return;
        }
        let message = ClientMessage::Console {
            id,
            command: command.to_string(),
            files,
        };
        // Past the stream's limit the server would close the socket: said here instead.
        let size = serde_json::to_string(&message).map_or(0, |m| m.len());
        if size > MAX_CLIENT_MESSAGE {
            self.console.update(|c| {
                c.output(id, &format!(
                    "error: the panes this line applies hold {} KiB; the console takes lines of up to {} KiB with their panes: use the pane's Apply button\n",
                    size / 1024,
                    MAX_CLIENT_MESSAGE / 1024
                ));
                c.exit(id, 1);
            });
            return;
        }
        self.send(message);
    }

    /// Answers the editor `kubectl edit` opened: the text saved, or `None` for closed
    /// without saving.
    pub fn answer_edit(&self, text: Option<String>) {
        let Some(id) = self
            .console
            .try_update(console::ConsoleLog::close_editor)
            .flatten()
        else {
            return;
        };
        let mut message = ClientMessage::Edited { id, text };
        // Past the stream's limit the server would close the socket: the edit is
        // abandoned instead, and said so.
        let size = serde_json::to_string(&message).map_or(0, |m| m.len());
        if size > MAX_CLIENT_MESSAGE {
            self.console.update(|c| {
                c.output(
                    id,
                    &format!(
                        "error: the edited object holds {} KiB; the console takes up to {} KiB\n",
                        size / 1024,
                        MAX_CLIENT_MESSAGE / 1024
                    ),
                );
            });
            message = ClientMessage::Edited { id, text: None };
        }
        self.send(message);
    }

    /// Gives `text` (a line the attendee typed) to the running console line that reads
    /// it (`exec -i`); false when none does. Without a terminal (`-t`) nothing echoes
    /// it, so the page shows it as a terminal's own echo would.
    pub fn type_into_console(&self, text: &str) -> bool {
        let running = self.console.with_untracked(|c| {
            let id = c.running()?;
            let entry = c.entries.iter().rev().find(|e| e.id == Some(id))?;
            Some((id, crate::model::console::reads_stdin(&entry.command)?))
        });
        let Some((id, tty)) = running else {
            return false;
        };
        if !tty {
            self.console.update(|c| c.output(id, &format!("{text}\n")));
        }
        self.send(ClientMessage::Stdin {
            id,
            text: format!("{text}\n"),
        });
        true
    }

    /// Ctrl-C: stops the running console line, if there is one.
    pub fn interrupt_console(&self) -> bool {
        let Some(id) = self.console.with_untracked(console::ConsoleLog::running) else {
            return false;
        };
        self.console.update(|c| c.interrupt(id));
        self.send(ClientMessage::Interrupt { id });
        true
    }

    /// Follows a pod's log in the logs panel.
    pub fn follow_logs(
        &self,
        namespace: &str,
        pod: &str,
        container: Option<String>,
        previous: bool,
    ) {
        self.state.update(|s| s.follow(namespace, pod));
        self.send(ClientMessage::Logs {
            namespace: namespace.to_string(),
            pod: pod.to_string(),
            container,
            previous,
            tail_lines: Some(500),
        });
    }
}

/// Log lines kept for the logs panel.
const LOG_LINES: usize = 2_000;
/// Events kept for the timeline.
const EVENTS: usize = 500;

/// Asks the attendee to confirm something that cannot be undone.
pub fn confirm(question: &str) -> bool {
    #[cfg(feature = "hydrate")]
    return web_sys::window()
        .and_then(|w| w.confirm_with_message(question).ok())
        .unwrap_or(false);
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = question;
        false
    }
}

/// Everything the panels show.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LiveState {
    /// By uid.
    pub objects: BTreeMap<String, ObjectView>,
    /// Oldest first.
    pub events: Vec<EventView>,
    /// The step the checks are for, and their results.
    pub checks: Option<(usize, Vec<CheckResult>)>,
    pub logs: LogView,
}

/// The log being followed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LogView {
    pub pod: Option<(String, String)>,
    pub lines: Vec<String>,
    /// Why the log ended, once it has.
    pub ended: Option<String>,
}

impl LiveState {
    /// Folds one stream message in.
    pub fn receive(&mut self, message: ServerMessage) {
        match message {
            ServerMessage::Snapshot {
                objects,
                mut events,
            } => {
                self.objects = objects.into_iter().map(|o| (o.uid.clone(), o)).collect();
                events.sort_by(|a, b| a.last_timestamp.cmp(&b.last_timestamp));
                self.events = events;
                self.trim_events();
            }
            ServerMessage::Change {
                change: ChangeKind::Applied,
                object,
            } => {
                self.objects.insert(object.uid.clone(), object);
            }
            ServerMessage::Change {
                change: ChangeKind::Deleted,
                object,
            } => {
                self.objects.remove(&object.uid);
            }
            ServerMessage::Event { event } => {
                // A repeated event (count goes up) replaces its earlier self.
                self.events.retain(|e| {
                    !(e.namespace == event.namespace
                        && e.reason == event.reason
                        && e.object == event.object
                        && e.message == event.message)
                });
                self.events.push(event);
                self.trim_events();
            }
            ServerMessage::Checks { step, results } => self.checks = Some((step, results)),
            ServerMessage::Log {
                namespace,
                pod,
                line,
                ..
            } => {
                if self.logs.pod.as_ref() == Some(&(namespace, pod)) {
                    self.logs.lines.push(line);
                    let excess = self.logs.lines.len().saturating_sub(LOG_LINES);
                    self.logs.lines.drain(..excess);
                }
            }
            ServerMessage::LogEnd {
                namespace,
                pod,
                reason,
                ..
            } => {
                if self.logs.pod.as_ref() == Some(&(namespace, pod)) {
                    self.logs.ended = Some(reason);
                }
            }
            // A request of ours the server did not understand: a bug, not the attendee's.
            ServerMessage::Error { message } => leptos::logging::warn!("stream: {message}"),
            // The console's lines have a signal of their own (`Live::console`).
            ServerMessage::ConsoleOutput { .. }
            | ServerMessage::ConsoleExit { .. }
            | ServerMessage::ConsoleEdit { .. } => {}
        }
    }

    /// Starts a new log view (the old one's lines go).
    pub fn follow(&mut self, namespace: &str, pod: &str) {
        self.logs = LogView {
            pod: Some((namespace.to_string(), pod.to_string())),
            ..LogView::default()
        };
    }

    fn trim_events(&mut self) {
        let excess = self.events.len().saturating_sub(EVENTS);
        self.events.drain(..excess);
    }

    /// The objects of one short namespace.
    pub fn in_namespace(&self, namespace: &str) -> Vec<ObjectView> {
        self.objects
            .values()
            .filter(|o| o.namespace == namespace)
            .cloned()
            .collect()
    }

    /// The short namespaces that hold objects, in order.
    pub fn namespaces(&self) -> Vec<String> {
        let mut names: Vec<String> = self.objects.values().map(|o| o.namespace.clone()).collect();
        names.sort();
        names.dedup();
        names
    }

    /// The checks of `step`, if the stream has evaluated them.
    pub fn checks_for(&self, step: usize) -> Option<&[CheckResult]> {
        self.checks
            .as_ref()
            .filter(|(s, _)| *s == step)
            .map(|(_, r)| r.as_slice())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::live::EventObject;
    use serde_json::json;

    fn object(uid: &str, name: &str) -> ObjectView {
        serde_json::from_value(
            json!({"namespace": "server", "kind": "Pod", "name": name, "uid": uid}),
        )
        .unwrap()
    }

    #[test]
    fn changes_follow_a_snapshot_and_a_new_snapshot_replaces_everything() {
        let mut state = LiveState::default();
        state.receive(ServerMessage::Snapshot {
            objects: vec![object("1", "a")],
            events: vec![],
        });
        state.receive(ServerMessage::Change {
            change: ChangeKind::Applied,
            object: object("2", "b"),
        });
        state.receive(ServerMessage::Change {
            change: ChangeKind::Deleted,
            object: object("1", "a"),
        });
        assert_eq!(state.objects.keys().collect::<Vec<_>>(), ["2"]);
        state.receive(ServerMessage::Snapshot {
            objects: vec![object("3", "c")],
            events: vec![],
        });
        assert_eq!(state.objects.keys().collect::<Vec<_>>(), ["3"]);
    }

    #[test]
    fn a_repeated_event_replaces_its_earlier_count_and_logs_belong_to_the_followed_pod() {
        let mut state = LiveState::default();
        let event = |count| EventView {
            namespace: "server".into(),
            reason: Some("BackOff".into()),
            message: Some("Back-off restarting failed container".into()),
            kind: Some("Warning".into()),
            count: Some(count),
            last_timestamp: None,
            object: EventObject {
                kind: Some("Pod".into()),
                name: Some("a".into()),
            },
        };
        state.receive(ServerMessage::Event { event: event(1) });
        state.receive(ServerMessage::Event { event: event(2) });
        assert_eq!(
            state.events.iter().map(|e| e.count).collect::<Vec<_>>(),
            [Some(2)]
        );

        state.follow("server", "a");
        let line = |pod: &str| ServerMessage::Log {
            namespace: "server".into(),
            pod: pod.into(),
            container: None,
            line: format!("from {pod}"),
        };
        state.receive(line("a"));
        state.receive(line("b"));
        assert_eq!(state.logs.lines, ["from a"]);
    }
}

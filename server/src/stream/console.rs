//! Console lines a tab runs over its live stream. Each runs in a task of its own; what it
//! prints is sent as it is printed (commands that follow, such as `get -w`, `logs -f` and
//! `rollout status`, print until they end or the tab presses Ctrl-C), then its exit code.
//! An attendee has at most so many running over all their tabs ([`crate::limits`]).

use crate::console::Console;
use crate::state::AppState;
use app::model::live::ServerMessage;
use std::collections::HashMap;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// Pieces of output held for a tab before the command waits for it.
const PENDING: usize = 16;

/// The exit code of a command stopped by Ctrl-C, as a shell reports it.
const INTERRUPTED: i32 = 130;

/// A tab's running console lines, by the id the tab gave each. Dropping it (the tab
/// closed) stops them all.
#[derive(Default)]
pub struct Consoles {
    running: HashMap<u32, Running>,
}

/// One running line: its task, where the tab's editor answers go (`kubectl edit`), and
/// where what the attendee types goes (`exec -i`).
struct Running {
    task: JoinHandle<()>,
    answers: mpsc::Sender<Option<String>>,
    typed: mpsc::Sender<String>,
}

/// Lines typed ahead of a command that reads them; past these, more are dropped.
const TYPED_AHEAD: usize = 16;

/// One console line a tab sent: its id, what was typed, the panes it may apply, and the
/// lesson the tab shows.
pub struct Line {
    pub id: u32,
    pub command: String,
    pub panes: crate::console::Panes,
    pub lesson: Option<String>,
}

impl Consoles {
    /// Starts the line, or says at once why it cannot run.
    pub async fn start(
        &mut self,
        state: &AppState,
        attendee: &str,
        line: Line,
        out: &mpsc::Sender<ServerMessage>,
    ) {
        let Line {
            id,
            command,
            panes,
            lesson,
        } = line;
        self.running.retain(|_, line| !line.task.is_finished());
        let refusal = if let Some(refusal) = crate::console::too_long(&command) {
            Some(format!("error: {refusal}"))
        } else if self.running.contains_key(&id) {
            Some(format!("error: console line {id} is already running"))
        } else {
            None
        };
        let slot = match refusal {
            Some(refusal) => Err(refusal),
            None => state.limits.run_console(attendee).ok_or_else(|| {
                format!(
                    "error: {} console commands are already running in your tabs; stop one with Ctrl-C first",
                    state.limits.config.max_console_commands_per_attendee
                )
            }),
        };
        let slot = match slot {
            Ok(slot) => slot,
            Err(refusal) => {
                let text = refusal + "\n";
                let _ = out.send(ServerMessage::ConsoleOutput { id, text }).await;
                let _ = out
                    .send(ServerMessage::ConsoleExit { id, exit_code: 1 })
                    .await;
                return;
            }
        };
        let (answers, answered) = mpsc::channel(1);
        let (typed, typed_lines) = mpsc::channel(TYPED_AHEAD);
        let terminal = std::sync::Arc::new(crate::console::Terminal {
            id,
            out: out.clone(),
            answers: tokio::sync::Mutex::new(answered),
            typed: tokio::sync::Mutex::new(typed_lines),
        });
        let (state, attendee, out) = (state.clone(), attendee.to_string(), out.clone());
        let task = tokio::spawn(async move {
            let slot = slot;
            let workspace = state.workspace(&attendee);
            let (pieces, mut printed) = mpsc::channel::<String>(PENDING);
            let run = async {
                let mut console = Console {
                    follow: Some(pieces),
                    terminal: Some(terminal),
                    panes,
                    lesson,
                    ..state.console(&workspace)
                };
                let ran = crate::console::run(&console, &command).await;
                // Nothing more to print: the forwarder below may finish.
                console.follow = None;
                (ran, console)
            };
            let mut copy = String::new();
            let forward = async {
                while let Some(text) = printed.recv().await {
                    if copy.len() < crate::db::answers::TEXT_KEPT {
                        copy.push_str(&text);
                    }
                    if out
                        .send(ServerMessage::ConsoleOutput { id, text })
                        .await
                        .is_err()
                    {
                        break;
                    }
                }
                // Nobody reads on: the command sees its output closed and stops.
                drop(printed);
            };
            let ((ran, console), ()) = tokio::join!(run, forward);
            let exit_code = ran.exit_code;
            copy.push_str(&ran.output);
            crate::console::keep_answer(&console, &command, exit_code, copy).await;
            // The tab may start another command as soon as it reads the exit: the slot
            // is free before it is told.
            drop(slot);
            if !ran.output.is_empty() {
                let text = ran.output;
                let _ = out.send(ServerMessage::ConsoleOutput { id, text }).await;
            }
            let _ = out.send(ServerMessage::ConsoleExit { id, exit_code }).await;
        });
        self.running.insert(
            id,
            Running {
                task,
                answers,
                typed,
            },
        );
    }

    /// The tab's editor answered line `id` (`kubectl edit`): saved text, or `None`.
    pub fn edited(&mut self, id: u32, text: Option<String>) {
        if let Some(line) = self.running.get(&id) {
            // A line that is not editing has no room for a second answer: it is dropped.
            let _ = line.answers.try_send(text);
        }
    }

    /// The attendee typed `text` into line `id` (a command that reads it, `exec -i`).
    pub fn typed(&mut self, id: u32, text: String) {
        if let Some(line) = self.running.get(&id) {
            let _ = line.typed.try_send(text);
        }
    }

    /// Ctrl-C: stops the line `id` if it still runs, and says it ended.
    pub async fn interrupt(&mut self, id: u32, out: &mpsc::Sender<ServerMessage>) {
        let Some(Running { task, .. }) = self.running.remove(&id) else {
            return;
        };
        if task.is_finished() {
            return;
        }
        task.abort();
        // The aborted command lets go of its slot once it is dropped: wait for that, so
        // a command the tab starts when it reads the exit finds the slot free.
        let _ = task.await;
        let exit_code = INTERRUPTED;
        let _ = out.send(ServerMessage::ConsoleExit { id, exit_code }).await;
    }
}

impl Drop for Consoles {
    fn drop(&mut self) {
        for line in self.running.values() {
            line.task.abort();
        }
    }
}

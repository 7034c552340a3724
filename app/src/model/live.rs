//! The workspace API's and live stream's messages (`docs/api.md`), shared by the server,
//! which sends them, and the lesson page, which reads them: one definition, so the two
//! cannot drift apart.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// The protocol version every stream message carries.
pub const STREAM_VERSION: u32 = 1;

/// The answer to an apply, dry run, diff or delete: whether anything was done, and what
/// became of each document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub applied: bool,
    #[serde(rename = "dryRun")]
    pub dry_run: bool,
    pub results: Vec<Outcome>,
}

/// What became of one document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    /// Position among the documents, from 0.
    pub index: usize,
    /// Line the document starts on, from 1.
    pub line: usize,
    pub kind: String,
    pub name: String,
    /// The short namespace (as the lesson writes it), for namespaced kinds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// What was (or, on a dry run, would be) done.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<Action>,
    /// Why it was refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// For a diff: the fields applying would change, against the live object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub changes: Option<Vec<FieldChange>>,
    /// What the workshop left out of the document, and why (fields only the cluster
    /// sets, such as `status`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// What applying a document did (or would do).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Created,
    Configured,
    Unchanged,
    Deleted,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Created => "created",
            Action::Configured => "configured",
            Action::Unchanged => "unchanged",
            Action::Deleted => "deleted",
        }
    }
}

/// One field a diff found different: its path (`spec.replicas`,
/// `spec.template.spec.containers[0].image`) and its value live and after applying
/// (`None`: absent on that side).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldChange {
    pub path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub live: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applied: Option<Value>,
}

/// An object as the panels show it: in its short namespace, with its owners (for the
/// owner tree), labels, status and a summary of its spec (never a Secret's data).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ObjectView {
    pub namespace: String,
    pub kind: String,
    pub name: String,
    pub uid: String,
    #[serde(default)]
    pub created: Option<String>,
    /// Set while the object is being deleted (kubectl's "Terminating").
    #[serde(default)]
    pub deleting: bool,
    #[serde(default)]
    pub owners: Vec<OwnerRef>,
    #[serde(default)]
    pub labels: std::collections::BTreeMap<String, String>,
    /// What `kubectl get` prints for it, as the cluster's API server answers (its
    /// `Table`): the columns after NAME, in order (an `Age` column is kept live by the
    /// page).
    #[serde(default)]
    pub columns: Vec<Cell>,
    #[serde(default)]
    pub status: Value,
    #[serde(default)]
    pub spec: Value,
}

/// One column of `kubectl get`'s output for an object: its header and value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cell {
    pub name: String,
    pub value: String,
}

/// An owner reference, as the owner tree needs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnerRef {
    pub kind: String,
    pub name: String,
}

/// A Kubernetes Event in one of the workspace's namespaces.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventView {
    pub namespace: String,
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
    /// `Normal` or `Warning`.
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    #[serde(default)]
    pub count: Option<u64>,
    #[serde(default, rename = "lastTimestamp")]
    pub last_timestamp: Option<String>,
    pub object: EventObject,
}

/// What an Event is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventObject {
    #[serde(default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
}

/// One check of the step and whether it holds now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckResult {
    pub label: String,
    pub passed: bool,
}

/// What a tab asks of the live stream.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum ClientMessage {
    /// Watch the workspace for a lesson (COURSE/SLUG) and evaluate one step's checks.
    Watch { lesson: String, step: usize },
    /// Follow a pod's log (replacing any log followed before).
    Logs {
        namespace: String,
        pod: String,
        #[serde(default)]
        container: Option<String>,
        #[serde(default)]
        previous: bool,
        #[serde(default, rename = "tailLines")]
        tail_lines: Option<i64>,
    },
    /// Stop following logs.
    StopLogs,
    /// Run a console line (`kubectl …`) as the attendee: its output comes as
    /// `consoleOutput` messages with the same `id` (as it is printed, for commands that
    /// follow), then one `consoleExit`. `files` holds the text of each lesson pane the
    /// line names with `-f` (`apply -f deployment.yaml`), as the page's editor holds it:
    /// the console reads no files of its own.
    Console {
        id: u32,
        command: String,
        #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
        files: BTreeMap<String, String>,
    },
    /// Ctrl-C: stop the console line `id` (it ends with exit code 130).
    Interrupt { id: u32 },
    /// The attendee saved (`text`) or closed without saving (`null`) the editor a
    /// `consoleEdit` opened for console line `id` (`kubectl edit`).
    Edited { id: u32, text: Option<String> },
    /// What the attendee typed (a line, with its newline) into console line `id`, a
    /// command that reads its stdin (`kubectl exec -i … -- sh`).
    Stdin { id: u32, text: String },
}

/// The largest message a tab may send (bigger ones close its stream): a console line
/// with the panes it applies is the largest it sends.
pub const MAX_CLIENT_MESSAGE: usize = 64 * 1024;

/// What the live stream sends a tab.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum ServerMessage {
    /// Everything watched, replacing what the tab had.
    Snapshot {
        objects: Vec<ObjectView>,
        events: Vec<EventView>,
    },
    /// An object was created, changed or deleted.
    Change {
        change: ChangeKind,
        object: ObjectView,
    },
    Event {
        event: EventView,
    },
    /// The step's checks, whenever a result changes.
    Checks {
        step: usize,
        results: Vec<CheckResult>,
    },
    Log {
        namespace: String,
        pod: String,
        #[serde(default)]
        container: Option<String>,
        line: String,
    },
    /// The log ended: the container stopped, or the API server's reason it cannot be read.
    LogEnd {
        namespace: String,
        pod: String,
        #[serde(default)]
        container: Option<String>,
        reason: String,
    },
    /// What the console line `id` printed since the last message (stdout and stderr in
    /// order, as a terminal shows them).
    ConsoleOutput {
        id: u32,
        text: String,
    },
    /// The console line `id` (`kubectl edit`) opens its object in the page's editor, as
    /// kubectl opens `$EDITOR`: `title` names it (`deployment.apps/web`), `text` is what to
    /// edit. The tab answers with `edited`; an edit that cannot be saved opens again, its
    /// errors as comments at the top, as kubectl reopens the file.
    ConsoleEdit {
        id: u32,
        title: String,
        text: String,
    },
    /// The console line `id` ended with kubectl's exit code (130 when interrupted).
    ConsoleExit {
        id: u32,
        #[serde(rename = "exitCode")]
        exit_code: i32,
    },
    Error {
        message: String,
    },
}

/// Whether a changed object is still there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    Applied,
    Deleted,
}

/// A stream message on the wire: the message and the protocol version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Envelope {
    pub v: u32,
    #[serde(flatten)]
    pub message: ServerMessage,
}

impl ServerMessage {
    /// The message as a text frame.
    pub fn to_frame(&self) -> String {
        serde_json::to_string(&Envelope {
            v: STREAM_VERSION,
            message: self.clone(),
        })
        .expect("stream messages always serialise")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_round_trips_with_its_version_and_type() {
        let frame = ServerMessage::Checks {
            step: 1,
            results: vec![CheckResult {
                label: "two pods".into(),
                passed: true,
            }],
        }
        .to_frame();
        let value: Value = serde_json::from_str(&frame).unwrap();
        assert_eq!(value["v"], 1);
        assert_eq!(value["type"], "checks");
        let back: Envelope = serde_json::from_str(&frame).unwrap();
        assert!(matches!(
            back.message,
            ServerMessage::Checks { step: 1, .. }
        ));
    }

    #[test]
    fn a_request_reads_as_documented() {
        let logs: ClientMessage = serde_json::from_str(
            r#"{"type":"logs","namespace":"server","pod":"p","tailLines":100}"#,
        )
        .unwrap();
        assert_eq!(
            logs,
            ClientMessage::Logs {
                namespace: "server".into(),
                pod: "p".into(),
                container: None,
                previous: false,
                tail_lines: Some(100)
            }
        );
        let stop: ClientMessage = serde_json::from_str(r#"{"type":"stopLogs"}"#).unwrap();
        assert_eq!(stop, ClientMessage::StopLogs);
    }
}

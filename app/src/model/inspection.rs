//! What a trainer sees of one attendee's workspace, read-only (`docs/trainer-api.md`):
//! the objects and events as the attendee's own panels show them, each pane they edited
//! beside the lesson's text with the lines that differ, their console history, and one
//! pod's log on request.

use super::live::{EventView, ObjectView};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// `GET /api/trainer/rooms/{id}/attendees/{attendee}/workspace`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Inspection {
    /// The attendee's display name.
    pub name: String,
    /// Their objects by short namespace (every namespace of the workspace, empty ones too).
    pub namespaces: BTreeMap<String, Vec<ObjectView>>,
    /// What the cluster said about them, oldest first.
    pub events: Vec<EventView>,
    /// The panes they changed, lesson by lesson in the room's order.
    pub panes: Vec<PaneInspection>,
    /// The console lines they ran, oldest first.
    pub console: Vec<String>,
}

/// One pane the attendee edited: their text, the lesson's, and the lines between them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaneInspection {
    /// `COURSE/SLUG`.
    pub lesson: String,
    /// The pane's file name.
    pub pane: String,
    /// The step (from 1) whose text the draft replaces.
    pub step: usize,
    pub text: String,
    /// The lesson's text of the pane at that step.
    pub reference: String,
    /// The lines from the lesson's text to theirs, in order.
    pub diff: Vec<DiffLine>,
}

/// One line of a pane's diff against the lesson's text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DiffLine {
    pub change: Change,
    pub text: String,
}

/// Whether a line is in both texts, only the lesson's, or only the attendee's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Change {
    Same,
    Removed,
    Added,
}

impl Change {
    /// The mark `diff -u` puts before such a line.
    pub fn mark(self) -> char {
        match self {
            Change::Same => ' ',
            Change::Removed => '-',
            Change::Added => '+',
        }
    }
}

/// `GET …/attendees/{attendee}/logs/{namespace}/{pod}[?container=C&previous=true]`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LogQuery {
    #[serde(default)]
    pub container: Option<String>,
    #[serde(default)]
    pub previous: bool,
}

/// A pod's latest log lines, as the attendee's logs panel would show them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogLines {
    pub lines: Vec<String>,
    /// Why there are none when there are none (no containers on this cluster, the pod
    /// has not started, …).
    #[serde(default)]
    pub note: Option<String>,
}

//! Changes as the store announces them: one [`Event`] per write, in version order, and
//! the [`Subscription`] a watch or a controller follows them through.

use super::key::Key;
use serde_json::Value;
use std::sync::Arc;
use tokio::sync::broadcast;

/// What happened to an object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventType {
    /// A new object.
    Added,
    /// A changed object.
    Modified,
    /// An object removed.
    Deleted,
}

impl EventType {
    /// As watch streams spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::Added => "ADDED",
            EventType::Modified => "MODIFIED",
            EventType::Deleted => "DELETED",
        }
    }
}

/// One change, as watches deliver it.
#[derive(Debug, Clone)]
pub struct Event {
    /// The version the change made.
    pub resource_version: u64,
    /// What happened.
    pub kind: EventType,
    /// Where.
    pub key: Key,
    /// The object after the change (for deletions: as it was, with the deletion's version).
    pub object: Arc<Value>,
    /// The object before the change (None for additions): watches with selectors need it
    /// to tell an object that stopped matching from one that never did.
    pub previous: Option<Arc<Value>>,
}

/// A watch: the retained events after the requested version, then live ones.
pub struct Subscription {
    /// Events already in the history, oldest first.
    pub backlog: Vec<Arc<Event>>,
    /// Everything that happens from now on.
    pub live: broadcast::Receiver<Arc<Event>>,
}

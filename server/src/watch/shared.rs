//! One shared watch: the objects of one kind in one namespace (or, for cluster-scoped
//! kinds, those with one workspace's label), each with the columns the API server prints
//! for it, and a broadcast of every change. A reflector with a single writer (the
//! follower in [`super::table`]) and cheap readers (every tab that looks at it).

use app::model::live::Cell;
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::broadcast;

/// Changes a watch holds for its slowest tab (the slots are allocated up front, per
/// watch: keep it small; a tab that falls further behind gets a fresh snapshot).
const CHANGES_QUEUE: usize = 64;

/// One object as the watch saw it.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub object: Value,
    /// The API server's Table columns for it (priority 0, as `kubectl get` prints them),
    /// without NAME.
    pub columns: Vec<Cell>,
}

/// A change to one object.
#[derive(Debug, Clone)]
pub enum Change {
    Applied(Arc<Item>),
    Deleted(Arc<Item>),
    /// The watch (re)started: its objects were listed afresh.
    Relisted,
}

/// A running watch.
pub struct Watch {
    /// The `kind` of its objects.
    pub kind: String,
    items: Mutex<BTreeMap<String, Arc<Item>>>,
    /// Every change, for the tabs that follow it.
    pub changes: broadcast::Sender<Change>,
    /// Becomes true once the first list is complete.
    listed: tokio::sync::watch::Sender<bool>,
    /// The follower task, stopped with the watch.
    pub(super) task: Mutex<Option<tokio::task::AbortHandle>>,
    /// Wakes the follower from a back-off: what it could not read may be readable now
    /// (a namespace and its RoleBinding were just made).
    pub(super) wake: Arc<tokio::sync::Notify>,
}

impl Drop for Watch {
    fn drop(&mut self) {
        if let Some(task) = self.lock_task().take() {
            task.abort();
        }
    }
}

impl Watch {
    /// A watch of `kind` that has seen nothing yet.
    pub fn new(kind: &str) -> Watch {
        Watch {
            kind: kind.to_string(),
            items: Mutex::default(),
            changes: broadcast::channel(CHANGES_QUEUE).0,
            listed: tokio::sync::watch::Sender::new(false),
            task: Mutex::default(),
            wake: Arc::default(),
        }
    }

    fn lock_items(&self) -> MutexGuard<'_, BTreeMap<String, Arc<Item>>> {
        self.items.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(super) fn lock_task(&self) -> MutexGuard<'_, Option<tokio::task::AbortHandle>> {
        self.task.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Waits (at most `limit`) until the watch has listed its objects once, so what it
    /// holds after that is complete.
    pub async fn listed(&self, limit: std::time::Duration) {
        let mut listed = self.listed.subscribe();
        let _ = tokio::time::timeout(limit, listed.wait_for(|done| *done)).await;
    }

    /// The objects as last seen, in name order.
    pub fn items(&self) -> Vec<Arc<Item>> {
        self.lock_items().values().cloned().collect()
    }

    /// The objects in `namespace` as last seen, in name order: the part of a watch of
    /// every namespace that one workspace's namespace holds (its keys are
    /// `NAMESPACE/NAME`, so they sit together).
    pub fn items_in(&self, namespace: &str) -> Vec<Arc<Item>> {
        let start = format!("{namespace}/");
        self.lock_items()
            .range(start.clone()..)
            .take_while(|(key, _)| key.starts_with(&start))
            .map(|(_, item)| item.clone())
            .collect()
    }

    /// Replaces everything with a fresh listing.
    pub(super) fn relisted(&self, items: BTreeMap<String, Arc<Item>>) {
        *self.lock_items() = items;
        self.listed.send_replace(true);
        let _ = self.changes.send(Change::Relisted);
    }

    /// An object was added or changed.
    pub(super) fn applied(&self, name: String, item: Arc<Item>) {
        self.lock_items().insert(name, item.clone());
        let _ = self.changes.send(Change::Applied(item));
    }

    /// An object was deleted.
    pub(super) fn deleted(&self, name: &str, item: Arc<Item>) {
        self.lock_items().remove(name);
        let _ = self.changes.send(Change::Deleted(item));
    }
}

//! Shared watches of the cluster: one per (kind, namespace) — or, for a cluster-scoped
//! kind, per workspace label — started when the first reader asks and stopped when the
//! last one lets go. The live stream, the lesson checks and the objects view all read
//! these stores; nothing lists the cluster per request.

pub mod shared;
pub mod table;

use shared::Watch;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};
use table::Target;

/// The watches running, by what they follow.
pub struct Watchers {
    client: kube::Client,
    running: Mutex<HashMap<Target, Weak<Watch>>>,
}

impl Watchers {
    pub fn new(client: kube::Client) -> Watchers {
        Watchers {
            client,
            running: Mutex::default(),
        }
    }

    /// How many watches run now (for tests and metrics).
    pub fn running(&self) -> usize {
        let running = self.running.lock().unwrap_or_else(|e| e.into_inner());
        running.values().filter(|w| w.strong_count() > 0).count()
    }

    /// The watch of `target`, started if nobody holds it. Holding the `Arc` keeps it
    /// running.
    pub fn watch(&self, target: Target) -> Arc<Watch> {
        let mut running = self.running.lock().unwrap_or_else(|e| e.into_inner());
        running.retain(|_, w| w.strong_count() > 0);
        if let Some(existing) = running.get(&target).and_then(Weak::upgrade) {
            return existing;
        }
        let watch = Arc::new(Watch::new(&target.resource.kind));
        let task = tokio::spawn(table::follow(
            self.client.clone(),
            target.clone(),
            Arc::downgrade(&watch),
        ));
        *watch.lock_task() = Some(task.abort_handle());
        running.insert(target, Arc::downgrade(&watch));
        watch
    }
}

//! Shared watches of the cluster: one per (kind, namespace) — or, for a cluster-scoped
//! kind, per workspace label; or per kind across namespaces, for the rooms — started
//! when the first reader asks and stopped when the last one lets go. The live stream, the lesson checks and the objects view all read
//! these stores; nothing lists the cluster per request.

pub mod shared;
pub mod table;

use shared::Watch;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};
use table::Target;

/// The watches running, by what they follow.
#[derive(Default)]
pub struct Watchers {
    running: Mutex<HashMap<Target, Weak<Watch>>>,
}

impl Watchers {
    /// How many watches run now (for tests and metrics).
    pub fn running(&self) -> usize {
        let running = self.running.lock().unwrap_or_else(|e| e.into_inner());
        running.values().filter(|w| w.strong_count() > 0).count()
    }

    /// Wakes the watches of every namespace whose name starts with `prefix` (a
    /// workspace's) from their back-off: its namespaces were just made or remade.
    pub fn wake(&self, prefix: &str) {
        let running = self.running.lock().unwrap_or_else(|e| e.into_inner());
        for (target, watch) in running.iter() {
            if target
                .namespace
                .as_deref()
                .is_some_and(|n| n.starts_with(prefix))
                && let Some(watch) = watch.upgrade()
            {
                watch.wake.notify_one();
            }
        }
    }

    /// The watch of `target`, started through `client` if nobody holds it. Holding the
    /// `Arc` keeps it running. A target names one workspace's namespace (or label), so
    /// whoever starts it acts for that workspace; one with neither (every namespace: a
    /// room's, `trainer::room_watch`) is kubeclass's own and started as kubeclass.
    pub fn watch(&self, target: Target, client: &kube::Client) -> Arc<Watch> {
        let mut running = self.running.lock().unwrap_or_else(|e| e.into_inner());
        running.retain(|_, w| w.strong_count() > 0);
        if let Some(existing) = running.get(&target).and_then(Weak::upgrade) {
            return existing;
        }
        let watch = Arc::new(Watch::new(&target.resource.kind));
        let task = tokio::spawn(table::follow(
            client.clone(),
            target.clone(),
            Arc::downgrade(&watch),
            watch.wake.clone(),
        ));
        *watch.lock_task() = Some(task.abort_handle());
        running.insert(target, Arc::downgrade(&watch));
        watch
    }
}

//! One watch per (namespace, kind), shared by every tab looking at it: started when the
//! first tab asks, stopped when the last one goes. Each keeps the objects it has seen (a
//! reflector) and broadcasts every change; it backs off and resumes after API errors, as
//! kube-runtime's watcher does.

use futures::StreamExt;
use kube::api::{Api, DynamicObject};
use kube::discovery::ApiResource;
use kube::runtime::{WatchStreamExt, watcher};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, Weak};
use tokio::sync::broadcast;

/// Changes a watch holds for its slowest tab.
const CHANGES_QUEUE: usize = 64;

/// A change to one object.
#[derive(Debug, Clone)]
pub enum Change {
    Applied(Arc<Value>),
    Deleted(Arc<Value>),
    /// The watch restarted (after an error): its objects were listed afresh.
    Relisted,
}

/// A running watch.
pub struct Watch {
    pub kind: String,
    objects: Mutex<BTreeMap<String, Arc<Value>>>,
    pub changes: broadcast::Sender<Change>,
    /// Becomes true once the first list is complete.
    listed: tokio::sync::watch::Sender<bool>,
    task: tokio::task::AbortHandle,
}

impl Drop for Watch {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Watch {
    /// Waits (at most `limit`) until the watch has listed its objects once, so a snapshot
    /// taken after it is complete.
    pub async fn listed(&self, limit: std::time::Duration) {
        let mut listed = self.listed.subscribe();
        let _ = tokio::time::timeout(limit, listed.wait_for(|done| *done)).await;
    }

    /// The objects as last seen, by name.
    pub fn objects(&self) -> Vec<Arc<Value>> {
        self.objects
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .values()
            .cloned()
            .collect()
    }
}

/// The watches running, by (namespace, plural).
pub struct Watchers {
    client: kube::Client,
    running: Mutex<HashMap<(String, String), Weak<Watch>>>,
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

    /// The watch of `resource` in `namespace`, started if nobody holds it.
    pub fn watch(&self, namespace: &str, resource: &ApiResource) -> Arc<Watch> {
        let key = (namespace.to_string(), resource.plural.clone());
        let mut running = self.running.lock().unwrap_or_else(|e| e.into_inner());
        running.retain(|_, w| w.strong_count() > 0);
        if let Some(existing) = running.get(&key).and_then(Weak::upgrade) {
            return existing;
        }
        // A tab that falls further behind than this gets a fresh snapshot instead (the
        // channel's slots are allocated up front, per watch: keep it small).
        let (changes, _) = broadcast::channel(CHANGES_QUEUE);
        let watch = Arc::new_cyclic(|weak: &Weak<Watch>| {
            let api: Api<DynamicObject> =
                Api::namespaced_with(self.client.clone(), namespace, resource);
            let task = tokio::spawn(follow(api, weak.clone())).abort_handle();
            Watch {
                kind: resource.kind.clone(),
                objects: Mutex::default(),
                changes,
                listed: tokio::sync::watch::Sender::new(false),
                task,
            }
        });
        running.insert(key, Arc::downgrade(&watch));
        watch
    }
}

/// Follows the API's watch into the shared state until nobody holds it.
async fn follow(api: Api<DynamicObject>, watch: Weak<Watch>) {
    let mut stream = watcher(api, watcher::Config::default())
        .default_backoff()
        .boxed();
    let mut listing: Option<BTreeMap<String, Arc<Value>>> = None;
    while let Some(event) = stream.next().await {
        let Some(watch) = watch.upgrade() else {
            return;
        };
        let event = match event {
            Ok(event) => event,
            Err(e) => {
                tracing::debug!("watch: {e}; retrying after a back-off");
                continue; // the next Init relists
            }
        };
        let value = |o: DynamicObject| Arc::new(serde_json::to_value(o).unwrap_or_default());
        let name = |v: &Value| {
            v["metadata"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        };
        match event {
            watcher::Event::Init => listing = Some(BTreeMap::new()),
            watcher::Event::InitApply(object) => {
                let v = value(object);
                listing
                    .get_or_insert_with(BTreeMap::new)
                    .insert(name(&v), v);
            }
            watcher::Event::InitDone => {
                *watch.objects.lock().unwrap_or_else(|e| e.into_inner()) =
                    listing.take().unwrap_or_default();
                watch.listed.send_replace(true);
                let _ = watch.changes.send(Change::Relisted);
            }
            watcher::Event::Apply(object) => {
                let v = value(object);
                watch
                    .objects
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .insert(name(&v), v.clone());
                let _ = watch.changes.send(Change::Applied(v));
            }
            watcher::Event::Delete(object) => {
                let v = value(object);
                watch
                    .objects
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .remove(&name(&v));
                let _ = watch.changes.send(Change::Deleted(v));
            }
        }
    }
}

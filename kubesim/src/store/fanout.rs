//! How the store announces changes: one channel that hears everything (the controllers
//! follow the whole cluster) and one per watched topic (an API watch follows one resource
//! in one namespace), so a thousand watches of a thousand namespaces are not each woken
//! for every change.

use super::event::Event;
use super::key::Key;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::broadcast;

/// What a watch follows: one resource, in one namespace or (`None`) in all.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Topic {
    /// The API group (`""` for the core group).
    pub group: String,
    /// The resource's plural.
    pub resource: String,
    /// One namespace, or `None` for all.
    pub namespace: Option<String>,
}

impl Topic {
    pub(super) fn covers(&self, key: &Key) -> bool {
        self.group == key.group
            && self.resource == key.resource
            && self
                .namespace
                .as_ref()
                .is_none_or(|ns| *ns == key.namespace)
    }
}

/// Announces every change on one channel for the controllers (which want everything)
/// and on per-topic channels for API watches.
#[derive(Debug)]
pub(super) struct Fanout {
    all: broadcast::Sender<Arc<Event>>,
    topics: Mutex<HashMap<Topic, broadcast::Sender<Arc<Event>>>>,
}

/// Events a controller may fall behind by before it must resynchronise.
const ALL_QUEUE: usize = 4096;
/// Events a namespace's watch may fall behind by (slots are allocated up front, and
/// there is one channel per watched namespace and resource: with 256 slots they were an
/// eighth of the workshop server's memory) before it gets `410 Gone` and relists, as a
/// real client does. Each watch also buffers 64 encoded events of its own
/// (`api::watch`), so a watcher is cut off only 128 events behind.
const TOPIC_QUEUE: usize = 64;

impl Default for Fanout {
    fn default() -> Self {
        Fanout {
            all: broadcast::channel(ALL_QUEUE).0,
            topics: Mutex::default(),
        }
    }
}

impl Fanout {
    pub(super) fn subscribe(&self, topic: Option<Topic>) -> broadcast::Receiver<Arc<Event>> {
        let Some(topic) = topic else {
            return self.all.subscribe();
        };
        let mut topics = self.topics.lock().unwrap_or_else(|e| e.into_inner());
        topics.retain(|_, sender| sender.receiver_count() > 0);
        let capacity = if topic.namespace.is_some() {
            TOPIC_QUEUE
        } else {
            ALL_QUEUE
        };
        topics
            .entry(topic)
            .or_insert_with(|| broadcast::channel(capacity).0)
            .subscribe()
    }

    pub(super) fn send(&self, event: Arc<Event>) {
        let topics = self.topics.lock().unwrap_or_else(|e| e.into_inner());
        if !topics.is_empty() {
            let mut topic = Topic {
                group: event.key.group.clone(),
                resource: event.key.resource.clone(),
                namespace: None,
            };
            if let Some(all) = topics.get(&topic) {
                let _ = all.send(event.clone());
            }
            topic.namespace = Some(event.key.namespace.clone());
            if let Some(one) = topics.get(&topic) {
                let _ = one.send(event.clone());
            }
        }
        // No receivers is fine: nobody is watching.
        let _ = self.all.send(event);
    }
}

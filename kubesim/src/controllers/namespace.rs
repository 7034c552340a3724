//! Namespace lifecycle: a deleted Namespace turns `Terminating`, everything in it is
//! deleted, and once it is empty its `kubernetes` finalizer is removed and it goes away.

use super::runner::{Context, Controller, EachChange};
use crate::store::{Event, EventType, Key, Store};
use serde_json::{Value, json};

/// The controller: namespaces being deleted, advanced whenever one changes or content
/// goes.
pub fn controller() -> impl Controller {
    EachChange::new(
        |ctx: &Context| sweep(&ctx.store),
        |ctx: &Context, event: &Event| {
            let namespace_changed =
                event.key.resource == "namespaces" && event.kind == EventType::Modified;
            let content_gone = event.kind == EventType::Deleted && !event.key.namespace.is_empty();
            if namespace_changed || content_gone {
                sweep(&ctx.store);
            }
        },
    )
}

/// Advances every namespace that is being deleted.
fn sweep(store: &Store) {
    let (namespaces, _) = store.list("", "namespaces", None, None);
    for (key, namespace) in namespaces {
        if namespace["metadata"].get("deletionTimestamp").is_some() {
            finish(store, &key, &namespace);
        }
    }
}

fn finish(store: &Store, key: &Key, namespace: &Value) {
    if namespace["status"]["phase"] != "Terminating" {
        let mut terminating = namespace.clone();
        terminating["status"] = json!({"phase": "Terminating"});
        let _ = store.update(key.clone(), terminating, None);
        return; // the update's own event brings us back
    }
    for (object_key, object) in store.in_namespace(&key.name) {
        // Objects with finalizers wait for whoever owns the finalizer, as on a real cluster.
        if let Err(e) = crate::ownership::collect(store, &object_key, &object) {
            tracing::debug!(namespace = %key.name, "deleting {}: {e}", object_key.name);
        }
    }
    let left = store.in_namespace(&key.name).len();
    if left == 0 {
        // Empty: the `kubernetes` finalizer is done, and the namespace goes.
        let _ = store.remove(key, None);
    }
}

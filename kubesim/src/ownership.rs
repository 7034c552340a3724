//! Who owns what, and what holds a deletion: ownerReferences (the controller that made an
//! object, which the garbage collector follows) and finalizers (which keep a deleted
//! object until whoever owns the finalizer lets go). The API's delete, the garbage
//! collector, the namespace controller and every workload controller read them alike.

use crate::store::{Event, Key, Store, StoreError};
use serde_json::{Value, json};

/// Finalizer that holds an owner until its dependents are deleted
/// (`propagationPolicy=Foreground`).
pub const FOREGROUND: &str = "foregroundDeletion";
/// Finalizer that holds an owner until its dependents are released
/// (`propagationPolicy=Orphan`).
pub const ORPHAN: &str = "orphan";

/// Whether `object` has an ownerReference to the object with `uid`.
pub fn owned_by(object: &Value, uid: &str) -> bool {
    object["metadata"]["ownerReferences"]
        .as_array()
        .is_some_and(|refs| refs.iter().any(|r| r["uid"] == uid))
}

/// Whether `object` has an ownerReference marked as its controller.
pub fn has_controller(object: &Value) -> bool {
    object["metadata"]["ownerReferences"]
        .as_array()
        .is_some_and(|refs| refs.iter().any(|r| r["controller"] == true))
}

/// The ownerReference a controller puts on what it creates (`controller` and
/// `blockOwnerDeletion` set, as kube-controller-manager sets them).
pub fn controller_reference(api_version: &str, kind: &str, name: &str, uid: &Value) -> Value {
    json!({"apiVersion": api_version, "kind": kind, "name": name, "uid": uid,
        "controller": true, "blockOwnerDeletion": true})
}

/// The objects of `kind` (stored as `GROUP/PLURAL`) that own the changed object: a pod's
/// StatefulSet, DaemonSet or Job, a ReplicaSet's Deployment.
pub fn owners(event: &Event, kind: &str, (group, plural): (&str, &str)) -> Vec<Key> {
    event.object["metadata"]["ownerReferences"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r["kind"] == kind)
        .filter_map(|r| r["name"].as_str())
        .map(|name| Key::new(group, plural, &event.key.namespace, name))
        .collect()
}

/// Whether `object` carries the finalizer `name`.
pub fn has_finalizer(object: &Value, name: &str) -> bool {
    object["metadata"]["finalizers"]
        .as_array()
        .is_some_and(|f| f.iter().any(|x| x == name))
}

/// Whether any finalizer holds `object`'s deletion.
pub fn has_finalizers(object: &Value) -> bool {
    object["metadata"]["finalizers"]
        .as_array()
        .is_some_and(|f| !f.is_empty())
}

/// Deletes an object a controller collects (a namespace's content, a gone owner's
/// dependents): at once, or — when finalizers hold it — marked as deleting, for whoever
/// owns the finalizer, as on a real cluster. A running pod gets its grace period.
pub fn collect(store: &Store, key: &Key, object: &Value) -> Result<(), StoreError> {
    if key.group.is_empty() && key.resource == "pods" {
        return crate::pods::delete_gracefully(store, key, object);
    }
    if has_finalizers(object) {
        store.mark_deleting(key, 0).map(drop)
    } else {
        store.remove(key, None).map(drop)
    }
}

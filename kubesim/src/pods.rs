//! What several layers read off a Pod: whether it is ready (Services, controllers,
//! evictions) and bound to a node, its named ports, and how a controller deletes one.

use crate::store::{Key, Store, StoreError};
use serde_json::Value;

/// Whether a pod's Ready condition is True.
pub fn is_ready(pod: &Value) -> bool {
    pod["status"]["conditions"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|c| c["type"] == "Ready" && c["status"] == "True")
}

/// Whether a pod is bound to a node (its kubelet runs it).
pub fn is_bound(pod: &Value) -> bool {
    pod["spec"]["nodeName"]
        .as_str()
        .is_some_and(|n| !n.is_empty())
}

/// Deletes a pod as the API does for a controller: gracefully (its own termination
/// grace period, at least a second) when it runs on a node, so its kubelet stops it;
/// at once otherwise.
pub fn delete_gracefully(store: &Store, key: &Key, pod: &Value) -> Result<(), StoreError> {
    if is_bound(pod) {
        let grace = pod["spec"]["terminationGracePeriodSeconds"]
            .as_i64()
            .unwrap_or(30)
            .max(1);
        store.mark_deleting(key, grace).map(drop)
    } else {
        store.remove(key, None).map(drop)
    }
}

/// The number of a pod's container port called `name`.
pub fn named_port(pod: &Value, name: &str) -> Option<u16> {
    pod["spec"]["containers"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|c| c["ports"].as_array().into_iter().flatten())
        .find(|p| p["name"].as_str() == Some(name))
        .and_then(|p| p["containerPort"].as_u64())
        .and_then(|n| u16::try_from(n).ok())
}

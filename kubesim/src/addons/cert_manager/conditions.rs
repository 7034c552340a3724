//! How cert-manager writes status: conditions that keep their `lastTransitionTime`
//! while their status holds, and status written only when it changed.

use crate::store::{Key, Store};

/// A condition as cert-manager writes it, keeping `lastTransitionTime` when the status
/// did not change.
pub fn condition(
    previous: &serde_json::Value,
    kind: &str,
    status: &str,
    reason: &str,
    message: &str,
    now: &str,
    generation: &serde_json::Value,
) -> serde_json::Value {
    let old = previous["status"]["conditions"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| c["type"] == kind);
    let since = match old {
        Some(c) if c["status"] == status => c["lastTransitionTime"].clone(),
        _ => serde_json::json!(now),
    };
    serde_json::json!({"type": kind, "status": status, "reason": reason, "message": message,
        "lastTransitionTime": since, "observedGeneration": generation})
}

/// Writes `status` when it changed.
pub fn write_status(
    store: &Store,
    key: &Key,
    object: &serde_json::Value,
    status: serde_json::Value,
) {
    let expected = crate::store::resource_version_of(object);
    crate::controllers::workload::update_status(store, key, object, status, expected);
}

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

/// Whether a pod is available to a controller with `min_ready_seconds`: Ready, and for
/// longer than that (kube-controller-manager's `IsPodAvailable`: the Ready condition's
/// transition plus the seconds must lie before `now`).
pub fn is_available(pod: &Value, min_ready_seconds: i64, now: jiff::Timestamp) -> bool {
    if !is_ready(pod) {
        return false;
    }
    if min_ready_seconds <= 0 {
        return true;
    }
    let since = pod["status"]["conditions"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| c["type"] == "Ready")
        .and_then(|c| c["lastTransitionTime"].as_str())
        .and_then(|t| t.parse::<jiff::Timestamp>().ok());
    since.is_some_and(|since| {
        since
            .checked_add(jiff::SignedDuration::from_secs(min_ready_seconds))
            .is_ok_and(|at| at < now)
    })
}

/// Whether a pod is bound to a node (its kubelet runs it).
pub fn is_bound(pod: &Value) -> bool {
    pod["spec"]["nodeName"]
        .as_str()
        .is_some_and(|n| !n.is_empty())
}

/// The grace period a deleted pod gets: `requested` (a DELETE's `gracePeriodSeconds`),
/// else its own `terminationGracePeriodSeconds`, else 30 s. `None` — gone at once — when
/// no kubelet runs it (not bound, or finished) or no grace is asked for.
pub fn grace_seconds(pod: &Value, requested: Option<i64>) -> Option<i64> {
    let phase = pod["status"]["phase"].as_str().unwrap_or_default();
    if !is_bound(pod) || phase == "Succeeded" || phase == "Failed" {
        return None;
    }
    let grace = requested
        .or_else(|| pod["spec"]["terminationGracePeriodSeconds"].as_i64())
        .unwrap_or(30);
    (grace > 0).then_some(grace)
}

/// Deletes a pod as the API does for a controller (ReplicaSet scale-down, Job failure,
/// namespace deletion, garbage collection): with its grace period, so its kubelet stops
/// it in its own time; at once when no kubelet runs it. Finalizers hold it either way.
pub fn delete_gracefully(store: &Store, key: &Key, pod: &Value) -> Result<(), StoreError> {
    let held = pod["metadata"]["finalizers"]
        .as_array()
        .is_some_and(|f| !f.is_empty());
    match grace_seconds(pod, None) {
        Some(grace) => store.mark_deleting(key, grace).map(drop),
        None if held => store.mark_deleting(key, 0).map(drop),
        None => store.remove(key, None).map(drop),
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

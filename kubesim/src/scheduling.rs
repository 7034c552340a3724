//! What decides where a pod may run, and the binding that puts it there: its requests,
//! the node's taints against its tolerations, its node selector and required node
//! affinity. The scheduler places pods with them, the DaemonSet controller picks its
//! nodes with them, and the API's `pods/binding` binds as the scheduler does.

use crate::store::{Key, Store, StoreError};
use serde_json::{Value, json};
use std::sync::Arc;

/// A pod's requests: millicores and bytes, as the scheduler counts them against a
/// node's allocatable.
pub fn requests(pod: &Value) -> (i128, i128) {
    let mut sum = (0, 0);
    for c in pod["spec"]["containers"].as_array().into_iter().flatten() {
        let q = |r: &str| {
            c["resources"]["requests"][r]
                .as_str()
                .and_then(crate::quantity::parse)
                .unwrap_or(0)
        };
        sum.0 += q("cpu");
        sum.1 += q("memory") / 1000;
    }
    sum
}

/// Whether the pod tolerates every NoSchedule/NoExecute taint of the node.
pub fn tolerates(node: &Value, pod: &Value) -> bool {
    untolerated(node, pod).is_none()
}

/// The first NoSchedule/NoExecute taint of the node the pod does not tolerate, as
/// `key: value`.
pub fn untolerated(node: &Value, pod: &Value) -> Option<String> {
    let tolerations = pod["spec"]["tolerations"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    node["spec"]["taints"].as_array()?.iter().find_map(|taint| {
        let effect = taint["effect"].as_str().unwrap_or_default();
        if effect == "PreferNoSchedule" {
            return None;
        }
        let key = taint["key"].as_str().unwrap_or_default();
        let value = taint["value"].as_str().unwrap_or_default();
        let tolerated = tolerations.iter().any(|t| {
            let key_ok = t["key"].as_str().is_none_or(|k| k.is_empty() || k == key);
            let effect_ok = t["effect"]
                .as_str()
                .is_none_or(|e| e.is_empty() || e == effect);
            let value_ok =
                t["operator"] == "Exists" || t["value"].as_str().unwrap_or_default() == value;
            key_ok
                && effect_ok
                && value_ok
                && !(t["key"].as_str().is_none_or(str::is_empty) && t["operator"] != "Exists")
        });
        (!tolerated).then(|| format!("{key}: {value}"))
    })
}

/// Whether the node's labels match the pod's nodeSelector and required node affinity
/// (`matchExpressions` on labels, `matchFields` on `metadata.name`).
pub fn selects(pod: &Value, node: &Value) -> bool {
    let labels = &node["metadata"]["labels"];
    let selector_ok = pod["spec"]["nodeSelector"]
        .as_object()
        .into_iter()
        .flatten()
        .all(|(k, v)| labels.get(k) == Some(v));
    let terms = &pod["spec"]["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]
        ["nodeSelectorTerms"];
    let affinity_ok = match terms.as_array() {
        Some(terms) if !terms.is_empty() => terms.iter().any(|term| {
            let fields = json!({"metadata.name": node["metadata"]["name"]});
            term["matchExpressions"]
                .as_array()
                .into_iter()
                .flatten()
                .all(|e| crate::labels::expression_holds(e, labels, "key", "values"))
                && term["matchFields"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .all(|e| crate::labels::expression_holds(e, &fields, "key", "values"))
        }),
        _ => true,
    };
    selector_ok && affinity_ok
}

/// Binds a pod to a node (as a Binding does): sets `spec.nodeName` and the PodScheduled
/// condition. Fails with Conflict when it is already bound.
pub fn bind(store: &Store, pod: &Value, node: &str) -> Result<Arc<Value>, StoreError> {
    let key = Key::of("", "pods", pod);
    let current = store.get(&key)?;
    if current["spec"]["nodeName"]
        .as_str()
        .is_some_and(|n| !n.is_empty())
    {
        return Err(StoreError::Conflict);
    }
    let mut bound = (*current).clone();
    bound["spec"]["nodeName"] = json!(node);
    let now = store.clock().now_rfc3339();
    let mut conditions: Vec<Value> = current["status"]["conditions"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|c| c["type"] != "PodScheduled")
        .cloned()
        .collect();
    conditions.push(json!({"type": "PodScheduled", "status": "True", "lastProbeTime": null, "lastTransitionTime": now}));
    bound["status"]["conditions"] = json!(conditions);
    if bound["status"]["phase"].is_null() {
        bound["status"]["phase"] = json!("Pending");
    }
    store.update(key, bound, crate::store::resource_version_of(&current))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn taints_need_tolerations() {
        let node = json!({"spec": {"taints": [{"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}]}});
        assert_eq!(
            untolerated(&node, &json!({"spec": {}})).as_deref(),
            Some("node-role.kubernetes.io/control-plane: ")
        );
        let tolerant = json!({"spec": {"tolerations": [{"key": "node-role.kubernetes.io/control-plane", "operator": "Exists", "effect": "NoSchedule"}]}});
        assert_eq!(untolerated(&node, &tolerant), None);
        let everything = json!({"spec": {"tolerations": [{"operator": "Exists"}]}});
        assert_eq!(untolerated(&node, &everything), None);
    }

    #[test]
    fn selectors_and_affinity_pick_nodes() {
        let node = json!({"metadata": {"labels": {"disk": "ssd", "kubernetes.io/hostname": "a"}}});
        assert!(selects(
            &json!({"spec": {"nodeSelector": {"disk": "ssd"}}}),
            &node
        ));
        assert!(!selects(
            &json!({"spec": {"nodeSelector": {"disk": "hdd"}}}),
            &node
        ));
        let affinity = json!({"spec": {"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
            "nodeSelectorTerms": [{"matchExpressions": [{"key": "kubernetes.io/hostname", "operator": "In", "values": ["b"]}]}]}}}}});
        assert!(!selects(&affinity, &node));
    }
}

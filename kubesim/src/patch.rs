//! The patch formats kube-apiserver accepts besides JSON patch: JSON merge patch
//! (RFC 7386) and strategic merge patch, which merges lists of objects by a key (containers
//! by `name`, volume mounts by `mountPath`, …) instead of replacing them, and understands
//! the `$patch`, `$setElementOrder` and `$deleteFromPrimitiveList` directives that kubectl
//! sends.

use serde_json::{Map, Value};

/// Applies an RFC 7386 merge patch.
pub fn merge(target: &mut Value, patch: &Value) {
    json_patch::merge(target, patch);
}

/// The key that identifies items of the list at `field`, for the built-in types' lists
/// that merge (patchStrategy "merge"); `None` for lists that a patch replaces whole.
pub(crate) fn merge_key(field: &str, items: &[Value]) -> Option<&'static str> {
    match field {
        "containers"
        | "initContainers"
        | "ephemeralContainers"
        | "env"
        | "volumes"
        | "imagePullSecrets"
        | "readinessGates"
        | "resourceClaims" => Some("name"),
        "volumeMounts" | "volumeDevices" => Some("mountPath"),
        "conditions" => Some("type"),
        "ownerReferences" => Some("uid"),
        "hostAliases" => Some("ip"),
        "topologySpreadConstraints" => Some("topologyKey"),
        // Container ports merge by containerPort, Service ports by port.
        "ports" if items.iter().any(|i| i.get("containerPort").is_some()) => Some("containerPort"),
        "ports" => Some("port"),
        _ => None,
    }
}

/// Lists of strings that merge as sets rather than being replaced.
pub(crate) fn is_set_list(field: &str) -> bool {
    matches!(field, "finalizers")
}

/// Applies a strategic merge patch.
pub fn strategic(target: &mut Value, patch: &Value) {
    let (Value::Object(target_map), Value::Object(patch_map)) = (&mut *target, patch) else {
        *target = strip_directives(patch);
        return;
    };
    if patch_map.get("$patch").and_then(Value::as_str) == Some("replace") {
        let mut replacement = patch_map.clone();
        replacement.remove("$patch");
        *target = strip_directives(&Value::Object(replacement));
        return;
    }
    if let Some(Value::Array(keep)) = patch_map.get("$retainKeys") {
        let keep: Vec<&str> = keep.iter().filter_map(Value::as_str).collect();
        target_map.retain(|k, _| keep.contains(&k.as_str()));
    }
    for (key, value) in patch_map {
        if key.starts_with("$setElementOrder/") || key == "$retainKeys" || key == "$patch" {
            continue; // order hints only
        }
        if let Some(field) = key.strip_prefix("$deleteFromPrimitiveList/") {
            if let (Some(Value::Array(list)), Value::Array(remove)) =
                (target_map.get_mut(field), value)
            {
                list.retain(|v| !remove.contains(v));
            }
            continue;
        }
        match value {
            Value::Null => {
                target_map.remove(key);
            }
            Value::Object(_) => {
                let slot = target_map
                    .entry(key.clone())
                    .or_insert_with(|| Value::Object(Map::new()));
                if slot.is_object() {
                    strategic(slot, value);
                } else {
                    *slot = strip_directives(value);
                }
            }
            Value::Array(items) => merge_list(target_map, key, items),
            other => {
                target_map.insert(key.clone(), other.clone());
            }
        }
    }
}

fn merge_list(target_map: &mut Map<String, Value>, field: &str, items: &[Value]) {
    let current = match target_map.get(field) {
        Some(Value::Array(list)) => list.clone(),
        _ => Vec::new(),
    };
    if is_set_list(field) {
        let mut merged = current;
        for item in items {
            if !merged.contains(item) {
                merged.push(item.clone());
            }
        }
        target_map.insert(field.into(), Value::Array(merged));
        return;
    }
    let all: Vec<Value> = current.iter().chain(items).cloned().collect();
    let Some(key) = merge_key(field, &all).filter(|_| items.iter().all(Value::is_object)) else {
        target_map.insert(
            field.into(),
            Value::Array(items.iter().map(strip_directives).collect()),
        );
        return;
    };
    let mut merged = current;
    for item in items {
        let id = item.get(key);
        let position = merged.iter().position(|m| m.get(key) == id && id.is_some());
        let delete = item.get("$patch").and_then(Value::as_str) == Some("delete");
        match (position, delete) {
            (Some(i), true) => {
                merged.remove(i);
            }
            (None, true) => {}
            (Some(i), false) => strategic(&mut merged[i], item),
            (None, false) => merged.push(strip_directives(item)),
        }
    }
    target_map.insert(field.into(), Value::Array(merged));
}

/// A patch value as plain data: directives removed.
fn strip_directives(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(k, _)| !k.starts_with('$'))
                .map(|(k, v)| (k.clone(), strip_directives(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(strip_directives).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn containers_merge_by_name_and_env_by_name() {
        let mut pod = json!({"spec": {"containers": [
            {"name": "app", "image": "a:1", "env": [{"name": "A", "value": "1"}]},
            {"name": "side", "image": "s:1"}
        ]}});
        strategic(
            &mut pod,
            &json!({"spec": {"containers": [{"name": "app", "image": "a:2", "env": [{"name": "B", "value": "2"}]}]}}),
        );
        assert_eq!(pod["spec"]["containers"][0]["image"], "a:2");
        assert_eq!(
            pod["spec"]["containers"][0]["env"].as_array().map(Vec::len),
            Some(2)
        );
        assert_eq!(pod["spec"]["containers"][1]["name"], "side");
    }

    #[test]
    fn directives_kubectl_sends() {
        let mut d = json!({"metadata": {"finalizers": ["a"], "labels": {"x": "1", "y": "2"}}, "spec": {"template": {"spec": {"containers": [{"name": "app"}, {"name": "old"}]}}}});
        strategic(
            &mut d,
            &json!({
                "metadata": {"finalizers": ["b"], "labels": {"y": null}},
                "spec": {"template": {"spec": {
                    "$setElementOrder/containers": [{"name": "app"}],
                    "containers": [{"name": "old", "$patch": "delete"}]
                }}}
            }),
        );
        assert_eq!(d["metadata"]["finalizers"], json!(["a", "b"]));
        assert_eq!(d["metadata"]["labels"], json!({"x": "1"}));
        assert_eq!(
            d["spec"]["template"]["spec"]["containers"],
            json!([{"name": "app"}])
        );
    }

    #[test]
    fn lists_without_a_merge_key_are_replaced() {
        let mut d = json!({"spec": {"args": ["a", "b"], "ports": [{"port": 80, "name": "http"}]}});
        strategic(
            &mut d,
            &json!({"spec": {"args": ["c"], "ports": [{"port": 443, "name": "https"}]}}),
        );
        assert_eq!(d["spec"]["args"], json!(["c"]));
        assert_eq!(d["spec"]["ports"].as_array().map(Vec::len), Some(2));
    }
}

//! The patch formats kube-apiserver accepts besides JSON patch: JSON merge patch
//! (RFC 7386) and strategic merge patch, which merges lists of objects by a key (containers
//! by `name`, volume mounts by `mountPath`, …) instead of replacing them, and understands
//! the `$patch`, `$setElementOrder` and `$deleteFromPrimitiveList` directives that kubectl
//! sends.

use crate::patch_schema::{Field, Type};
use serde_json::{Map, Value};

/// Applies an RFC 7386 merge patch.
pub fn merge(target: &mut Value, patch: &Value) {
    json_patch::merge(target, patch);
}

/// Applies a strategic merge patch to an object of type `ty` (see
/// [`crate::patch_schema::of_kind`]): lists merge as the type's OpenAPI document says
/// (by their merge key, or as sets of scalars) and are replaced otherwise; `$patch`
/// (`replace`, `delete`), `$retainKeys`, `$setElementOrder` and
/// `$deleteFromPrimitiveList` act as apimachinery's strategicpatch makes them act.
///
/// An unknown `$patch` is refused with apimachinery's words (kube-apiserver answers 500
/// with them).
pub fn strategic(target: &mut Value, patch: &Value, ty: Option<Type>) -> Result<(), String> {
    let (Value::Object(target_map), Value::Object(patch_map)) = (&mut *target, patch) else {
        *target = strip_directives(patch);
        return Ok(());
    };
    match patch_map.get("$patch") {
        Some(Value::String(d)) if d == "replace" => {
            let mut replacement = patch_map.clone();
            replacement.remove("$patch");
            *target = strip_directives(&Value::Object(replacement));
            return Ok(());
        }
        Some(Value::String(d)) if d == "delete" => {
            *target = Value::Object(Map::new());
            return Ok(());
        }
        Some(Value::String(d)) if d == "merge" => {}
        Some(other) => return Err(bad_patch_type(other, patch)),
        None => {}
    }
    if let Some(Value::Array(keep)) = patch_map.get("$retainKeys") {
        let keep: Vec<&str> = keep.iter().filter_map(Value::as_str).collect();
        target_map.retain(|k, _| keep.contains(&k.as_str()));
    }
    for (key, value) in patch_map {
        if key.starts_with("$setElementOrder/") || key == "$retainKeys" || key == "$patch" {
            continue; // applied with their lists, below
        }
        if let Some(name) = key.strip_prefix("$deleteFromPrimitiveList/") {
            if let (Some(Value::Array(list)), Value::Array(remove)) =
                (target_map.get_mut(name), value)
            {
                list.retain(|v| !remove.contains(v));
            }
            continue;
        }
        let field = Type::child(ty, key);
        match value {
            Value::Null => {
                target_map.remove(key);
            }
            Value::Object(_) => {
                let slot = target_map
                    .entry(key.clone())
                    .or_insert_with(|| Value::Object(Map::new()));
                if slot.is_object() {
                    strategic(slot, value, field.and_then(Field::ty))?;
                } else {
                    *slot = strip_directives(value);
                }
            }
            Value::Array(items) => {
                let merged = match field.filter(|f| f.merges()) {
                    Some(field) => {
                        let server = target_map.get(key).and_then(Value::as_array);
                        let server = server.cloned().unwrap_or_default();
                        let merged = merge_list(&server, items, field)?;
                        // The patch's own items (or `$setElementOrder`) give the order.
                        let own: Vec<Value> = items
                            .iter()
                            .filter(|i| i.get("$patch").is_none())
                            .cloned()
                            .collect();
                        let order = match patch_map.get(&format!("$setElementOrder/{key}")) {
                            Some(Value::Array(order)) => order,
                            _ => &own,
                        };
                        element_order(merged, &server, order, field.merge_key.as_deref())
                    }
                    None => items.iter().map(strip_directives).collect(),
                };
                target_map.insert(key.clone(), Value::Array(merged));
            }
            other => {
                target_map.insert(key.clone(), other.clone());
            }
        }
    }
    // An order sent without its list (kubectl sends one when only the order changed).
    for (key, order) in patch_map {
        if let (Some(field), Value::Array(order)) = (key.strip_prefix("$setElementOrder/"), order)
            && !patch_map.contains_key(field)
            && let Some(Value::Array(list)) = target_map.get_mut(field)
        {
            let merge_key = Type::child(ty, field).and_then(|f| f.merge_key.as_deref());
            let server = list.clone();
            *list = element_order(std::mem::take(list), &server, order, merge_key);
        }
    }
    Ok(())
}

/// A list that merges: scalars as a set, objects by the field's merge key (an item with
/// `$patch: delete` removed; one `{"$patch": "replace"}` item makes the rest the list).
fn merge_list(
    current: &[Value],
    items: &[Value],
    field: &'static Field,
) -> Result<Vec<Value>, String> {
    let current = current.to_vec();
    let Some(key) = field.merge_key.as_deref() else {
        let mut merged = current;
        for item in items {
            if !merged.contains(item) {
                merged.push(item.clone());
            }
        }
        return Ok(merged);
    };
    for item in items {
        match item.get("$patch") {
            None => {}
            Some(Value::String(d)) if ["delete", "replace", "merge"].contains(&d.as_str()) => {}
            Some(other) => return Err(bad_patch_type(other, item)),
        }
    }
    let replace = items
        .iter()
        .any(|i| i.get("$patch").and_then(Value::as_str) == Some("replace"));
    if replace {
        return Ok(items
            .iter()
            .filter(|i| i.get("$patch").is_none())
            .map(strip_directives)
            .collect());
    }
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
            (Some(i), false) => strategic(&mut merged[i], item, field.ty())?,
            (None, false) => merged.push(strip_directives(item)),
        }
    }
    Ok(merged)
}

/// Orders a merged list as apimachinery's strategicpatch does (`normalizeElementOrder`):
/// the items the order names (`$setElementOrder`, else the patch's own items) in that
/// order, the server's other items in theirs, the two interleaved by `mergeSortedSlice`:
/// a server item goes first when the server had it before the patch item, otherwise the
/// patch item does (always, for an item new to the server).
fn element_order(
    merged: Vec<Value>,
    server: &[Value],
    order: &[Value],
    key: Option<&str>,
) -> Vec<Value> {
    let id = |v: &Value| match key {
        Some(key) => v.get(key).cloned(),
        None => Some(v.clone()),
    };
    let wanted: Vec<Value> = order.iter().filter_map(id).collect();
    let patch: Vec<Value> = wanted
        .iter()
        .filter_map(|w| merged.iter().find(|v| id(v).as_ref() == Some(w)).cloned())
        .collect();
    let server_only: Vec<Value> = merged
        .iter()
        .filter(|v| id(v).is_none_or(|i| !wanted.contains(&i)))
        .cloned()
        .collect();
    let place = |v: &Value| {
        let v = id(v);
        server.iter().position(|s| id(s) == v)
    };
    let mut ordered = Vec::with_capacity(merged.len());
    let (mut left, mut right) = (
        server_only.into_iter().peekable(),
        patch.into_iter().peekable(),
    );
    loop {
        let take_left = match (left.peek(), right.peek()) {
            (None, None) => break,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (Some(l), Some(r)) => matches!((place(l), place(r)), (Some(a), Some(b)) if a < b),
        };
        ordered.extend(if take_left { left.next() } else { right.next() });
    }
    ordered
}

/// apimachinery's `ErrBadPatchType`: the directive and the map it is in, as Go's `%v`
/// prints them.
fn bad_patch_type(directive: &Value, map: &Value) -> String {
    format!(
        "unknown patch type: {} in map: {}",
        go_value(directive),
        go_value(map)
    )
}

/// A JSON value as Go's `%v` prints what it decodes into: maps with their keys sorted.
fn go_value(value: &Value) -> String {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            let parts: Vec<String> = entries
                .iter()
                .map(|(k, v)| format!("{k}:{}", go_value(v)))
                .collect();
            format!("map[{}]", parts.join(" "))
        }
        Value::Array(items) => {
            let parts: Vec<String> = items.iter().map(go_value).collect();
            format!("[{}]", parts.join(" "))
        }
        Value::String(s) => s.clone(),
        Value::Null => "<nil>".into(),
        other => other.to_string(),
    }
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

    fn pod() -> Option<Type> {
        crate::patch_schema::of_kind("v1", "Pod")
    }

    fn deployment() -> Option<Type> {
        crate::patch_schema::of_kind("apps/v1", "Deployment")
    }

    #[test]
    fn containers_merge_by_name_and_env_by_name() {
        let mut pod = json!({"spec": {"containers": [
            {"name": "app", "image": "a:1", "env": [{"name": "A", "value": "1"}]},
            {"name": "side", "image": "s:1"}
        ]}});
        strategic(
            &mut pod,
            &json!({"spec": {"containers": [{"name": "app", "image": "a:2", "env": [{"name": "B", "value": "2"}]}]}}),
            self::pod(),
        )
        .expect("patch");
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
            deployment(),
        )
        .expect("patch");
        // As kube-apiserver orders a merged list: a value new to the server goes first.
        assert_eq!(d["metadata"]["finalizers"], json!(["b", "a"]));
        assert_eq!(d["metadata"]["labels"], json!({"x": "1"}));
        assert_eq!(
            d["spec"]["template"]["spec"]["containers"],
            json!([{"name": "app"}])
        );
    }

    #[test]
    fn lists_without_a_merge_key_are_replaced() {
        let service = crate::patch_schema::of_kind("v1", "Service");
        let mut d =
            json!({"spec": {"externalIPs": ["a", "b"], "ports": [{"port": 80, "name": "http"}]}});
        strategic(
            &mut d,
            &json!({"spec": {"externalIPs": ["c"], "ports": [{"port": 443, "name": "https"}]}}),
            service,
        )
        .expect("patch");
        assert_eq!(d["spec"]["externalIPs"], json!(["c"]));
        assert_eq!(d["spec"]["ports"].as_array().map(Vec::len), Some(2));
    }

    #[test]
    fn atomic_lists_are_replaced_and_keyed_ones_follow_set_element_order() {
        let mut p = json!({"spec": {
            "readinessGates": [{"conditionType": "a"}],
            "tolerations": [{"key": "x", "operator": "Exists"}],
            "containers": [{"name": "a"}, {"name": "side"}, {"name": "b"}]}});
        strategic(
            &mut p,
            &json!({"spec": {
                "readinessGates": [{"conditionType": "b"}],
                "tolerations": [{"key": "y", "operator": "Exists"}],
                "$setElementOrder/containers": [{"name": "b"}, {"name": "a"}],
                "containers": [{"name": "b", "image": "nginx"}]}}),
            pod(),
        )
        .expect("patch");
        assert_eq!(p["spec"]["readinessGates"], json!([{"conditionType": "b"}]));
        assert_eq!(
            p["spec"]["tolerations"],
            json!([{"key": "y", "operator": "Exists"}])
        );
        let names: Vec<&str> = p["spec"]["containers"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|c| c["name"].as_str())
            .collect();
        assert_eq!(
            names,
            ["side", "b", "a"],
            "the server's own item goes before b, which the server had after it"
        );
    }

    #[test]
    fn retain_keys_and_replace_directives() {
        let mut d = json!({"spec": {"strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}},
            "template": {"spec": {"volumes": [{"name": "v", "emptyDir": {}}]}}}});
        strategic(
            &mut d,
            &json!({"spec": {
                "strategy": {"$retainKeys": ["type"], "type": "Recreate"},
                "template": {"spec": {"volumes": [{"name": "w", "configMap": {"name": "c"}}, {"$patch": "replace"}]}}}}),
            deployment(),
        )
        .expect("patch");
        assert_eq!(d["spec"]["strategy"], json!({"type": "Recreate"}));
        assert_eq!(
            d["spec"]["template"]["spec"]["volumes"],
            json!([{"name": "w", "configMap": {"name": "c"}}])
        );
    }
}

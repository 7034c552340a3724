//! Label selectors as objects carry them: a Service's plain map, and the
//! `matchLabels`/`matchExpressions` of workloads, PDBs and affinities.

use serde_json::Value;

/// Whether `labels` carry every pair of a plain selector map. An empty or missing map
/// selects nothing, as for a Service (its Endpoints stay empty).
pub fn map_selects(selector: &Value, labels: &Value) -> bool {
    match selector.as_object() {
        Some(map) if !map.is_empty() => map.iter().all(|(k, v)| labels.get(k) == Some(v)),
        _ => false,
    }
}

/// Whether `labels` satisfy a `LabelSelector`. An empty selector selects everything (as
/// for a PDB); `null` selects nothing.
pub fn selector_selects(selector: &Value, labels: &Value) -> bool {
    if selector.is_null() {
        return false;
    }
    let by_label = selector["matchLabels"]
        .as_object()
        .into_iter()
        .flatten()
        .all(|(k, v)| labels.get(k) == Some(v));
    by_label
        && selector["matchExpressions"]
            .as_array()
            .into_iter()
            .flatten()
            .all(|e| expression_holds(e, labels, "key", "values"))
}

/// One `matchExpressions` (or node affinity `matchExpressions`) requirement.
pub fn expression_holds(
    expression: &Value,
    labels: &Value,
    key_field: &str,
    values_field: &str,
) -> bool {
    let key = expression[key_field].as_str().unwrap_or_default();
    let value = labels.get(key).and_then(Value::as_str);
    let values: Vec<&str> = expression[values_field]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    match expression["operator"].as_str().unwrap_or_default() {
        "In" => value.is_some_and(|v| values.contains(&v)),
        "NotIn" => value.is_none_or(|v| !values.contains(&v)),
        "Exists" => value.is_some(),
        "DoesNotExist" => value.is_none(),
        "Gt" | "Lt" => {
            let (Some(actual), Some(bound)) = (
                value.and_then(|v| v.parse::<i64>().ok()),
                values.first().and_then(|v| v.parse::<i64>().ok()),
            ) else {
                return false;
            };
            if expression["operator"] == "Gt" {
                actual > bound
            } else {
                actual < bound
            }
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn selectors_match_as_kubernetes_does() {
        let labels = json!({"app": "web", "tier": "front"});
        assert!(map_selects(&json!({"app": "web"}), &labels));
        assert!(!map_selects(&json!({}), &labels));
        assert!(!map_selects(&json!({"app": "db"}), &labels));
        assert!(selector_selects(&json!({}), &labels));
        assert!(!selector_selects(&Value::Null, &labels));
        assert!(selector_selects(
            &json!({"matchLabels": {"app": "web"}, "matchExpressions": [
                {"key": "tier", "operator": "In", "values": ["front", "back"]},
                {"key": "gone", "operator": "DoesNotExist"}]}),
            &labels
        ));
        assert!(!selector_selects(
            &json!({"matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["front"]}]}),
            &labels
        ));
    }
}

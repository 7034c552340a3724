//! Field-level diff of a live object against what applying would make of it (the
//! server's dry-run answer), as `kubectl diff` shows it but by field: the Diff button's
//! answer. Fields the server owns (resourceVersion, managedFields, status, …) are left
//! out by the caller.

use app::model::live::FieldChange;
use serde_json::Value;

/// Every leaf that differs between `live` and `applied`, in document order, with its
/// path (`spec.template.spec.containers[0].image`).
pub fn changes(live: &Value, applied: &Value) -> Vec<FieldChange> {
    let mut found = Vec::new();
    walk(String::new(), Some(live), Some(applied), &mut found);
    found
}

fn walk(path: String, live: Option<&Value>, applied: Option<&Value>, found: &mut Vec<FieldChange>) {
    match (live, applied) {
        (Some(Value::Object(a)), Some(Value::Object(b))) => {
            let mut keys: Vec<&String> = a.keys().collect();
            keys.extend(b.keys().filter(|k| !a.contains_key(*k)));
            for key in keys {
                walk(join(&path, key), a.get(key), b.get(key), found);
            }
        }
        (Some(Value::Array(a)), Some(Value::Array(b))) => {
            for i in 0..a.len().max(b.len()) {
                walk(format!("{path}[{i}]"), a.get(i), b.get(i), found);
            }
        }
        (a, b) if a == b => {}
        (a, b) => found.push(FieldChange {
            path,
            live: a.cloned(),
            applied: b.cloned(),
        }),
    }
}

/// `a.b`, or `a["x.y"]` for a key with dots or slashes (labels, annotations).
fn join(path: &str, key: &str) -> String {
    let plain = key
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    match (path.is_empty(), plain) {
        (true, true) => key.to_string(),
        (false, true) => format!("{path}.{key}"),
        (_, false) => format!("{path}[{key:?}]"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_changed_replica_count_and_image_are_named_by_path() {
        let live = json!({"spec": {"replicas": 2, "template": {"spec": {"containers": [{"name": "app", "image": "demo:1"}]}}}});
        let applied = json!({"spec": {"replicas": 3, "template": {"spec": {"containers": [{"name": "app", "image": "demo:2"}]}}}});
        let found = changes(&live, &applied);
        let paths: Vec<&str> = found.iter().map(|c| c.path.as_str()).collect();
        assert_eq!(
            paths,
            ["spec.replicas", "spec.template.spec.containers[0].image"]
        );
        assert_eq!(found[0].live, Some(json!(2)));
        assert_eq!(found[0].applied, Some(json!(3)));
    }

    #[test]
    fn added_and_removed_fields_have_one_side_only() {
        let live =
            json!({"metadata": {"labels": {"app.kubernetes.io/name": "web"}}, "data": {"a": "1"}});
        let applied = json!({"metadata": {"labels": {}}, "data": {"a": "1", "b": "2"}});
        let found = changes(&live, &applied);
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].path, "metadata.labels[\"app.kubernetes.io/name\"]");
        assert_eq!(
            (found[0].live.is_some(), found[0].applied.is_none()),
            (true, true)
        );
        assert_eq!(found[1].path, "data.b");
        assert_eq!(found[1].applied, Some(json!("2")));
    }

    #[test]
    fn equal_objects_have_no_changes() {
        let object = json!({"spec": {"ports": [{"port": 80}]}});
        assert!(changes(&object, &object).is_empty());
    }
}

//! Field sets: which fields of an object a manager owns, as server-side apply tracks them,
//! and their `FieldsV1` encoding in `metadata.managedFields` (`f:name` for a field,
//! `k:{"name":"app"}` for a list item by its merge key, `v:"x"` for a set member, `.` for
//! the item itself).

use crate::patch_schema::{Field, ListKind, Type};
use serde_json::{Map, Value, json};
use std::collections::BTreeSet;

/// One step of a field path.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Step {
    /// A map field.
    Field(String),
    /// A list item identified by its merge key(s), as canonical JSON.
    Key(String),
    /// A member of a set-like list, as canonical JSON.
    Value(String),
}

/// A path from the object's root.
pub type Path = Vec<Step>;

/// A set of owned paths: leaves, and list items (which own themselves, as `.`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldSet(pub BTreeSet<Path>);

/// Fields no manager owns: identity and bookkeeping the server writes.
const UNTRACKED_METADATA: &[&str] = &[
    "name",
    "namespace",
    "uid",
    "resourceVersion",
    "generation",
    "creationTimestamp",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "managedFields",
    "selfLink",
    "generateName",
];

impl FieldSet {
    /// The fields `object` sets. `status` is included only when `with_status`.
    pub fn of(object: &Value, with_status: bool) -> FieldSet {
        // Lists and maps are told apart as the object's type says (custom resources,
        // whose type kubesim does not know, have atomic lists).
        let root = crate::patch_schema::of_object(object);
        let meta = Type::child(root, "metadata").and_then(Field::ty);
        let mut set = BTreeSet::new();
        if let Value::Object(map) = object {
            for (key, value) in map {
                match key.as_str() {
                    "apiVersion" | "kind" => continue,
                    "status" if !with_status => continue,
                    "metadata" => {
                        if let Value::Object(fields) = value {
                            for (k, v) in fields
                                .iter()
                                .filter(|(k, _)| !UNTRACKED_METADATA.contains(&k.as_str()))
                            {
                                walk(
                                    &mut set,
                                    vec![Step::Field("metadata".into()), Step::Field(k.clone())],
                                    Type::child(meta, k),
                                    v,
                                );
                            }
                        }
                    }
                    _ => walk(
                        &mut set,
                        vec![Step::Field(key.clone())],
                        Type::child(root, key),
                        value,
                    ),
                }
            }
        }
        FieldSet(set)
    }

    /// Whether `path` or one of its ancestors is in the set.
    pub fn covers(&self, path: &Path) -> bool {
        (1..=path.len()).any(|n| self.0.contains(&path[..n]))
    }

    /// Paths in `self` but not `other`.
    pub fn difference(&self, other: &FieldSet) -> FieldSet {
        FieldSet(self.0.difference(&other.0).cloned().collect())
    }

    /// Encodes as `fieldsV1`.
    pub fn to_fields_v1(&self) -> Value {
        let mut root = Map::new();
        for path in &self.0 {
            let mut node = &mut root;
            for step in path {
                let key = match step {
                    Step::Field(f) => format!("f:{f}"),
                    Step::Key(k) => format!("k:{k}"),
                    Step::Value(v) => format!("v:{v}"),
                };
                node = node
                    .entry(key)
                    .or_insert_with(|| json!({}))
                    .as_object_mut()
                    .expect("nodes are objects");
            }
            if matches!(path.last(), Some(Step::Key(_))) {
                node.insert(".".into(), json!({}));
            }
        }
        Value::Object(root)
    }

    /// Decodes `fieldsV1`.
    pub fn from_fields_v1(value: &Value) -> FieldSet {
        fn go(set: &mut BTreeSet<Path>, prefix: &mut Path, node: &Map<String, Value>) {
            for (key, child) in node {
                if key == "." {
                    set.insert(prefix.clone());
                    continue;
                }
                let step = match key.split_at(key.find(':').map_or(0, |i| i + 1)) {
                    ("f:", f) => Step::Field(f.into()),
                    ("k:", k) => Step::Key(k.into()),
                    ("v:", v) => Step::Value(v.into()),
                    _ => continue,
                };
                prefix.push(step);
                match child.as_object() {
                    Some(m) if !m.is_empty() => go(set, prefix, m),
                    _ => {
                        set.insert(prefix.clone());
                    }
                }
                prefix.pop();
            }
        }
        let mut set = BTreeSet::new();
        if let Some(map) = value.as_object() {
            go(&mut set, &mut Vec::new(), map);
        }
        FieldSet(set)
    }
}

/// The paths `value` sets under `path`; `field` is what the type says of it.
fn walk(set: &mut BTreeSet<Path>, path: Path, field: Option<&'static Field>, value: &Value) {
    match value {
        Value::Object(map) if !map.is_empty() && !field.is_some_and(Field::is_atomic_map) => {
            let ty = field.and_then(Field::ty);
            for (k, v) in map {
                let mut child = path.clone();
                child.push(Step::Field(k.clone()));
                walk(set, child, Type::child(ty, k), v);
            }
        }
        Value::Array(items) if !items.is_empty() => match field.map(Field::list_kind) {
            Some(ListKind::Set) => {
                for item in items {
                    let mut child = path.clone();
                    child.push(Step::Value(item.to_string()));
                    set.insert(child);
                }
            }
            Some(ListKind::Map(keys)) if items.iter().all(Value::is_object) => {
                let ty = field.and_then(Field::ty);
                for item in items {
                    let mut child = path.clone();
                    child.push(Step::Key(item_key(item, &keys, ty)));
                    set.insert(child.clone());
                    if let Value::Object(fields) = item {
                        for (k, v) in fields {
                            let mut grandchild = child.clone();
                            grandchild.push(Step::Field(k.clone()));
                            walk(set, grandchild, Type::child(ty, k), v);
                        }
                    }
                }
            }
            _ => {
                set.insert(path);
            }
        },
        _ => {
            set.insert(path);
        }
    }
}

/// A map list item's identity as `FieldsV1` writes it: its keys' values, as canonical
/// JSON (the keys sorted; a key the item lacks takes the type's default, as
/// structured-merge-diff fills it, or is left out).
pub fn item_key(item: &Value, keys: &[&str], ty: Option<Type>) -> String {
    let identity: Map<String, Value> = keys
        .iter()
        .filter_map(|k| {
            let value = item
                .get(*k)
                .cloned()
                .or_else(|| Type::child(ty, k).and_then(|f| f.default.clone()))?;
            Some((k.to_string(), value))
        })
        .collect();
    Value::Object(identity).to_string()
}

/// The value at `path` in `object`, if any.
pub fn value_at<'a>(object: &'a Value, path: &Path) -> Option<&'a Value> {
    let mut current = object;
    for step in path {
        current = match step {
            Step::Field(f) => current.get(f)?,
            Step::Key(k) => {
                let key: Map<String, Value> = serde_json::from_str(k).ok()?;
                current
                    .as_array()?
                    .iter()
                    .find(|item| key.iter().all(|(kk, kv)| item.get(kk) == Some(kv)))?
            }
            Step::Value(v) => {
                let wanted: Value = serde_json::from_str(v).ok()?;
                current.as_array()?.iter().find(|item| **item == wanted)?
            }
        };
    }
    Some(current)
}

/// Removes the field or item at `path` from `object` (no-op if absent).
pub fn remove_at(object: &mut Value, path: &Path) {
    let Some((last, parents)) = path.split_last() else {
        return;
    };
    let mut current = object;
    for step in parents {
        let next = match step {
            Step::Field(f) => current.get_mut(f),
            Step::Key(k) => {
                let Ok(key) = serde_json::from_str::<Map<String, Value>>(k) else {
                    return;
                };
                current.as_array_mut().and_then(|a| {
                    a.iter_mut()
                        .find(|item| key.iter().all(|(kk, kv)| item.get(kk) == Some(kv)))
                })
            }
            Step::Value(_) => None,
        };
        match next {
            Some(n) => current = n,
            None => return,
        }
    }
    match last {
        Step::Field(f) => {
            if let Value::Object(map) = current {
                map.remove(f);
            }
        }
        Step::Key(k) => {
            if let (Ok(key), Value::Array(items)) =
                (serde_json::from_str::<Map<String, Value>>(k), current)
            {
                items.retain(|item| !key.iter().all(|(kk, kv)| item.get(kk) == Some(kv)));
            }
        }
        Step::Value(v) => {
            if let (Ok(wanted), Value::Array(items)) = (serde_json::from_str::<Value>(v), current) {
                items.retain(|item| *item != wanted);
            }
        }
    }
}

/// How a path reads in a conflict message: `.spec.template.spec.containers[name="app"].image`.
pub fn display(path: &Path) -> String {
    let mut out = String::new();
    for step in path {
        match step {
            Step::Field(f) => {
                out.push('.');
                out.push_str(f);
            }
            Step::Key(k) => {
                let key: Map<String, Value> = serde_json::from_str(k).unwrap_or_default();
                let inner: Vec<String> = key.iter().map(|(kk, kv)| format!("{kk}={kv}")).collect();
                out.push_str(&format!("[{}]", inner.join(",")));
            }
            Step::Value(v) => out.push_str(&format!("[={v}]")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deployment() -> Value {
        json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "labels": {"app": "web"}, "finalizers": ["a"]},
            "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
                "template": {"spec": {"containers": [{"name": "app", "image": "x:1", "args": ["-v"]}]}}},
            "status": {"replicas": 2}
        })
    }

    #[test]
    fn sets_round_trip_through_fields_v1() {
        let set = FieldSet::of(&deployment(), false);
        let v1 = set.to_fields_v1();
        assert_eq!(v1["f:spec"]["f:selector"], json!({}), "selector is atomic");
        assert_eq!(
            v1["f:spec"]["f:template"]["f:spec"]["f:containers"]["k:{\"name\":\"app\"}"]["."],
            json!({})
        );
        assert_eq!(v1["f:metadata"]["f:finalizers"]["v:\"a\""], json!({}));
        assert!(v1.get("f:status").is_none() && v1["f:metadata"].get("f:name").is_none());
        assert_eq!(FieldSet::from_fields_v1(&v1), set);
    }

    #[test]
    fn values_are_found_and_removed_by_path() {
        let mut d = deployment();
        let image: Path = vec![
            Step::Field("spec".into()),
            Step::Field("template".into()),
            Step::Field("spec".into()),
            Step::Field("containers".into()),
            Step::Key(r#"{"name":"app"}"#.into()),
            Step::Field("image".into()),
        ];
        assert_eq!(value_at(&d, &image), Some(&json!("x:1")));
        assert_eq!(
            display(&image),
            r#".spec.template.spec.containers[name="app"].image"#
        );
        remove_at(&mut d, &image);
        assert_eq!(value_at(&d, &image), None);
        assert!(
            d["spec"]["template"]["spec"]["containers"][0]
                .get("args")
                .is_some()
        );
    }
}

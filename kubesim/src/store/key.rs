//! Where an object lives and the metadata every stored object carries: its key, its
//! `metadata` map and its resourceVersion.

use serde_json::{Value, json};

/// Where an object lives. Ordered, so lists come out sorted by namespace then name, as
/// kube-apiserver returns them.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Key {
    /// The API group (`""` for the core group).
    pub group: String,
    /// The resource's plural as stored (a version's storage resource).
    pub resource: String,
    /// `""` for cluster-scoped objects.
    pub namespace: String,
    /// The object's name.
    pub name: String,
}

impl Key {
    /// A key from its parts.
    pub fn new(group: &str, resource: &str, namespace: &str, name: &str) -> Key {
        Key {
            group: group.into(),
            resource: resource.into(),
            namespace: namespace.into(),
            name: name.into(),
        }
    }

    /// The key of `object`, stored as `resource` in `group`, from its metadata.
    pub fn of(group: &str, resource: &str, object: &Value) -> Key {
        let meta = &object["metadata"];
        Key::new(
            group,
            resource,
            meta["namespace"].as_str().unwrap_or_default(),
            meta["name"].as_str().unwrap_or_default(),
        )
    }
}

/// `metadata` as a mutable map, created if missing.
pub fn metadata_mut(object: &mut Value) -> &mut serde_json::Map<String, Value> {
    if !object.get("metadata").is_some_and(Value::is_object) {
        object["metadata"] = json!({});
    }
    match object.get_mut("metadata") {
        Some(Value::Object(map)) => map,
        _ => unreachable!("metadata was just made an object"),
    }
}

/// The resourceVersion of a stored object.
pub fn resource_version_of(object: &Value) -> Option<u64> {
    object["metadata"]["resourceVersion"]
        .as_str()
        .and_then(|s| s.parse().ok())
}

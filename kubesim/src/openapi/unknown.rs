//! Unknown fields: kube-apiserver decodes built-in objects into their Go types, so fields
//! the type does not have are dropped (and quantities come out canonical); with `fieldValidation=Strict` the request fails
//! instead, and with `Warn` (the default) each dropped field becomes a warning. The Swagger
//! definitions say which fields a type has.

use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::sync::OnceLock;

const QUANTITY_REF: &str = "#/definitions/io.k8s.apimachinery.pkg.api.resource.Quantity";

/// Definition names by (group, version, kind).
pub(super) fn index() -> &'static BTreeMap<(String, String, String), String> {
    static INDEX: OnceLock<BTreeMap<(String, String, String), String>> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut out = BTreeMap::new();
        for (name, schema) in super::v2()["definitions"].as_object().into_iter().flatten() {
            for gvk in schema["x-kubernetes-group-version-kind"]
                .as_array()
                .into_iter()
                .flatten()
            {
                let s = |k: &str| gvk[k].as_str().unwrap_or_default().to_string();
                out.insert((s("group"), s("version"), s("kind")), name.clone());
            }
        }
        out
    })
}

pub(super) fn definition(reference: &str) -> Option<&'static Value> {
    let name = reference.strip_prefix("#/definitions/")?;
    super::v2()["definitions"].get(name)
}

/// Removes the fields `object` has that its type does not, returning their paths
/// (`spec.replica`, `spec.template.spec.containers[0].imagePolicy`). Kinds without a
/// schema are left alone.
pub fn prune(group: &str, version: &str, kind: &str, object: &mut Value) -> Vec<String> {
    let Some(name) = index().get(&(group.to_string(), version.to_string(), kind.to_string()))
    else {
        return Vec::new();
    };
    let Some(schema) = super::v2()["definitions"].get(name) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    walk(schema, object, "", &mut found);
    found
}

fn resolve(schema: &'static Value) -> &'static Value {
    match schema["$ref"].as_str().and_then(definition) {
        Some(target) => target,
        None => schema,
    }
}

fn walk(schema: &'static Value, value: &mut Value, path: &str, found: &mut Vec<String>) {
    // A quantity decodes into Go's Quantity, which writes itself back canonical: what is
    // stored (and counted by quota, limits and the scheduler) is `"1"`, not `1`.
    if schema["$ref"] == QUANTITY_REF {
        let text = match value {
            Value::String(text) => text.clone(),
            Value::Number(number) => number.to_string(),
            _ => return,
        };
        if let Some(canonical) = crate::quantity::canonical(&text) {
            *value = Value::String(canonical);
        }
        return;
    }
    let schema = resolve(schema);
    if schema.get("x-kubernetes-preserve-unknown-fields").is_some() {
        return;
    }
    match value {
        Value::Object(map) => {
            if let Some(properties) = schema["properties"].as_object() {
                prune_map(properties, map, path, found);
            } else if let Some(values) =
                schema.get("additionalProperties").filter(|v| v.is_object())
            {
                for (k, v) in map.iter_mut() {
                    walk(values, v, &format!("{path}[{k}]"), found);
                }
            }
        }
        Value::Array(items) => {
            if let Some(item_schema) = schema.get("items").filter(|i| i.is_object()) {
                for (i, item) in items.iter_mut().enumerate() {
                    walk(item_schema, item, &format!("{path}[{i}]"), found);
                }
            }
        }
        _ => {}
    }
}

fn prune_map(
    properties: &'static Map<String, Value>,
    map: &mut Map<String, Value>,
    path: &str,
    found: &mut Vec<String>,
) {
    let unknown: Vec<String> = map
        .keys()
        .filter(|k| !properties.contains_key(*k))
        .cloned()
        .collect();
    for key in unknown {
        found.push(if path.is_empty() {
            key.clone()
        } else {
            format!("{path}.{key}")
        });
        map.remove(&key);
    }
    // A known field sent as null decodes to its zero value, which the API server never
    // writes back (kubectl's `rollout undo` sends a template with
    // `creationTimestamp: null`; kept, it would never equal the ReplicaSet's again).
    map.retain(|_, v| !v.is_null());
    for (key, v) in map.iter_mut() {
        if let Some(child) = properties.get(key) {
            let child_path = if path.is_empty() {
                key.clone()
            } else {
                format!("{path}.{key}")
            };
            walk(child, v, &child_path, found);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn known_fields_sent_as_null_are_dropped() {
        let mut d = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "creationTimestamp": null},
            "spec": {"template": {"metadata": {"creationTimestamp": null, "labels": {"app": "web"}}, "spec": {"containers": []}}}});
        assert_eq!(
            prune("apps", "v1", "Deployment", &mut d),
            Vec::<String>::new()
        );
        assert_eq!(d["metadata"], json!({"name": "web"}));
        assert_eq!(
            d["spec"]["template"]["metadata"],
            json!({"labels": {"app": "web"}})
        );
    }

    #[test]
    fn unknown_fields_are_found_and_dropped() {
        let mut d = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "labels": {"a": "b"}, "lables": {}},
            "spec": {"replica": 2, "selector": {"matchLabels": {"app": "web"}},
                "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "a", "image": "x", "imagePolicy": "Always", "resources": {"limits": {"cpu": "1"}}}]}}}});
        let found = prune("apps", "v1", "Deployment", &mut d);
        assert_eq!(
            found,
            [
                "metadata.lables",
                "spec.replica",
                "spec.template.spec.containers[0].imagePolicy"
            ]
        );
        assert!(d["spec"].get("replica").is_none() && d["metadata"]["labels"]["a"] == "b");
        assert_eq!(
            d["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"]["cpu"],
            "1"
        );
        let mut cm = json!({"kind": "ConfigMap", "data": {"any-key": "v"}});
        assert!(prune("", "v1", "ConfigMap", &mut cm).is_empty());
    }
}

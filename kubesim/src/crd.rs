//! CustomResourceDefinitions: a stored CRD serves its resource (every served version)
//! under its group, validated and pruned against the version's structural schema, with its
//! status and scale subresources and its printer columns.

use crate::resources::{Resource, VERBS};
use crate::status::Cause;
use crate::store::{Key, Store, StoreError};
use serde_json::{Value, json};
use std::sync::{Arc, RwLock};

/// One served version of a custom resource.
#[derive(Debug, Clone)]
struct Served {
    crd: String,
    resource: &'static Resource,
    schema: Value,
    columns: Vec<Value>,
}

/// The custom resources a cluster serves.
#[derive(Debug, Default)]
pub struct Crds {
    served: RwLock<Vec<Served>>,
}

/// Names live as long as the cluster: a CRD's resource is leaked once per registration
/// (a few hundred bytes), so it can stand beside the built-in, `'static` ones.
fn leak(s: &str) -> &'static str {
    Box::leak(s.to_string().into_boxed_str())
}

impl Crds {
    fn read(&self) -> std::sync::RwLockReadGuard<'_, Vec<Served>> {
        self.served.read().unwrap_or_else(|p| p.into_inner())
    }

    /// The resource at group/version/plural, if a CRD serves it.
    pub fn find(&self, group: &str, version: &str, plural: &str) -> Option<&'static Resource> {
        self.read()
            .iter()
            .map(|s| s.resource)
            .find(|r| r.group == group && r.version == version && r.plural == plural)
    }

    /// Every custom resource served.
    pub fn all(&self) -> Vec<&'static Resource> {
        self.read().iter().map(|s| s.resource).collect()
    }

    /// The structural schema of a custom resource's version.
    pub fn schema(&self, resource: &Resource) -> Option<Value> {
        self.read()
            .iter()
            .find(|s| std::ptr::eq(s.resource, resource))
            .map(|s| s.schema.clone())
    }

    /// Every custom resource served, with its version's structural schema (for the
    /// OpenAPI documents).
    pub fn with_schemas(&self) -> Vec<crate::openapi::Custom> {
        self.read()
            .iter()
            .map(|s| (s.resource, s.schema.clone()))
            .collect()
    }

    /// The additionalPrinterColumns of a custom resource's version.
    pub fn columns(&self, resource: &Resource) -> Option<Vec<Value>> {
        self.read()
            .iter()
            .find(|s| std::ptr::eq(s.resource, resource))
            .map(|s| s.columns.clone())
    }

    /// Serves what `crd` defines (replacing what it defined before).
    pub fn register(&self, crd: &Value) {
        let name = crd["metadata"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let spec = &crd["spec"];
        let group = spec["group"].as_str().unwrap_or_default();
        let names = &spec["names"];
        let strings = |v: &Value| -> &'static [&'static str] {
            let list: Vec<&'static str> = v
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .map(leak)
                .collect();
            Box::leak(list.into_boxed_slice())
        };
        let mut served = Vec::new();
        for version in spec["versions"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|v| v["served"] != false)
        {
            let mut subresources = Vec::new();
            if version["subresources"]["status"].is_object() {
                subresources.push("status");
            }
            if version["subresources"]["scale"].is_object() {
                subresources.push("scale");
            }
            let resource: &'static Resource = Box::leak(Box::new(Resource {
                group: leak(group),
                version: leak(version["name"].as_str().unwrap_or_default()),
                kind: leak(names["kind"].as_str().unwrap_or_default()),
                plural: leak(names["plural"].as_str().unwrap_or_default()),
                singular: leak(names["singular"].as_str().unwrap_or_default()),
                short_names: strings(&names["shortNames"]),
                namespaced: spec["scope"] != "Cluster",
                verbs: VERBS,
                categories: strings(&names["categories"]),
                subresources: Box::leak(subresources.into_boxed_slice()),
            }));
            served.push(Served {
                crd: name.clone(),
                resource,
                schema: version["schema"]["openAPIV3Schema"].clone(),
                columns: version["additionalPrinterColumns"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default(),
            });
        }
        let mut all = self.served.write().unwrap_or_else(|p| p.into_inner());
        all.retain(|s| s.crd != name);
        all.extend(served);
    }

    /// Stops serving what the CRD `name` defined; returns those resources.
    pub fn unregister(&self, name: &str) -> Vec<&'static Resource> {
        let mut all = self.served.write().unwrap_or_else(|p| p.into_inner());
        let gone = all
            .iter()
            .filter(|s| s.crd == name)
            .map(|s| s.resource)
            .collect();
        all.retain(|s| s.crd != name);
        gone
    }
}

/// Marks the stored CRD at `key` Established, as the API server does once it serves it.
pub fn establish(store: &Store, key: &Key, stored: &Value) -> Result<Arc<Value>, StoreError> {
    let mut established = stored.clone();
    established["status"] = established_status(stored, &store.clock().now_rfc3339());
    store.update(key.clone(), established, None)
}

/// What the API server writes into a CRD's status once it serves it.
pub fn established_status(crd: &Value, now: &str) -> Value {
    let condition = |kind: &str, reason: &str, message: &str| json!({"type": kind, "status": "True", "lastTransitionTime": now, "reason": reason, "message": message});
    let stored: Vec<Value> = crd["spec"]["versions"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|v| v["storage"] == true)
        .map(|v| v["name"].clone())
        .collect();
    json!({
        "acceptedNames": crd["spec"]["names"],
        "conditions": [
            condition("NamesAccepted", "NoConflicts", "no conflicts found"),
            condition("Established", "InitialNamesAccepted", "the initial names have been accepted"),
        ],
        "storedVersions": stored,
    })
}

/// Validates `object` against a structural schema and prunes the fields it does not
/// declare (unless `x-kubernetes-preserve-unknown-fields`), with kube-apiserver's messages.
pub fn validate(schema: &Value, object: &mut Value) -> Vec<Cause> {
    let mut causes = Vec::new();
    if schema.is_object() {
        walk(schema, object, "", &mut causes, true);
    }
    causes
}

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn walk(schema: &Value, value: &mut Value, path: &str, causes: &mut Vec<Cause>, root: bool) {
    let expected = schema["type"].as_str();
    let int_or_string = schema["x-kubernetes-int-or-string"] == true;
    let actual = type_name(value);
    let fits = match expected {
        _ if int_or_string => matches!(actual, "integer" | "string"),
        Some("number") => matches!(actual, "number" | "integer"),
        Some(t) => t == actual,
        None => true,
    };
    if !fits {
        let name = if path.is_empty() {
            "body".to_string()
        } else {
            path.to_string()
        };
        causes.push(Cause {
            reason: "FieldValueTypeInvalid",
            message: format!(
                "Invalid value: {value}: {name} in body must be of type {}: {}",
                expected.unwrap_or("object"),
                format_args!("\"{actual}\"")
            ),
            field: path.to_string(),
        });
        return;
    }
    if let Some(allowed) = schema["enum"].as_array().filter(|a| !a.contains(value)) {
        let list: Vec<String> = allowed.iter().map(Value::to_string).collect();
        causes.push(Cause {
            reason: "FieldValueNotSupported",
            message: format!(
                "Unsupported value: {value}: supported values: {}",
                list.join(", ")
            ),
            field: path.to_string(),
        });
    }
    let preserve = schema["x-kubernetes-preserve-unknown-fields"] == true;
    match value {
        Value::Object(map) => {
            for required in schema["required"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
            {
                if !map.contains_key(required) {
                    causes.push(Cause {
                        reason: "FieldValueRequired",
                        message: "Required value".into(),
                        field: join(path, required),
                    });
                }
            }
            let properties = schema["properties"].as_object();
            let additional = schema.get("additionalProperties").filter(|a| a.is_object());
            let keys: Vec<String> = map.keys().cloned().collect();
            for key in keys {
                // apiVersion, kind and metadata are the API server's, not the schema's.
                if root && matches!(key.as_str(), "apiVersion" | "kind" | "metadata") {
                    continue;
                }
                let child = properties.and_then(|p| p.get(&key)).or(additional);
                match (child, map.get_mut(&key)) {
                    (Some(child), Some(v)) => walk(child, v, &join(path, &key), causes, false),
                    (None, _) if !preserve => {
                        map.remove(&key);
                    }
                    _ => {}
                }
            }
        }
        Value::Array(items) => {
            if let Some(item_schema) = schema.get("items").filter(|i| i.is_object()) {
                for (i, item) in items.iter_mut().enumerate() {
                    walk(item_schema, item, &format!("{path}[{i}]"), causes, false);
                }
            }
        }
        _ => {}
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// A printer column's JSONPath (`.spec.replicas`, `.status.conditions[0].status`,
/// `.status.conditions[?(@.type=="Ready")].status`) read from `object`: the first match,
/// or null.
pub fn column_value(object: &Value, json_path: &str) -> Value {
    let mut current = object;
    let mut rest = json_path.trim();
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('.') {
            let end = after.find(['.', '[']).unwrap_or(after.len());
            current = &current[&after[..end]];
            rest = &after[end..];
        } else if let Some(after) = rest.strip_prefix("[?(@.") {
            // A filter: the first list item whose field equals the quoted value.
            let Some(close) = after.find(")]") else {
                return Value::Null;
            };
            let condition = &after[..close];
            let (field, wanted) = condition.split_once("==").unwrap_or((condition, ""));
            let wanted = wanted.trim().trim_matches(|c| c == '"' || c == '\'');
            let found = current
                .as_array()
                .into_iter()
                .flatten()
                .find(|item| item[field.trim()].as_str() == Some(wanted));
            match found {
                Some(item) => current = item,
                None => return Value::Null,
            }
            rest = &after[close + 2..];
        } else if let Some(after) = rest.strip_prefix('[') {
            let Some(close) = after.find(']') else {
                return Value::Null;
            };
            match after[..close].parse::<usize>() {
                Ok(i) => current = &current[i],
                Err(_) => return Value::Null,
            }
            rest = &after[close + 1..];
        } else {
            return Value::Null;
        }
    }
    current.clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema() -> Value {
        json!({"type": "object", "properties": {
            "spec": {"type": "object", "required": ["size"], "properties": {
                "size": {"type": "integer"}, "mode": {"type": "string", "enum": ["fast", "safe"]},
                "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                "free": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}
            }}
        }})
    }

    #[test]
    fn column_paths_index_and_filter_lists() {
        let object = json!({"status": {"conditions": [
            {"type": "Issuing", "status": "False"}, {"type": "Ready", "status": "True"}]}});
        assert_eq!(column_value(&object, ".status.conditions[1].type"), "Ready");
        assert_eq!(
            column_value(&object, ".status.conditions[?(@.type==\"Ready\")].status"),
            "True"
        );
        assert_eq!(
            column_value(&object, ".status.conditions[?(@.type==\"Gone\")].status"),
            Value::Null
        );
    }

    #[test]
    fn types_required_enums_and_pruning() {
        let mut ok = json!({"apiVersion": "x/v1", "kind": "W", "metadata": {"name": "a"}, "spec": {"size": 1, "extra": true, "labels": {"a": "b"}, "free": {"anything": 1}}});
        assert!(validate(&schema(), &mut ok).is_empty());
        assert!(
            ok["spec"].get("extra").is_none(),
            "unknown fields are pruned"
        );
        assert_eq!(
            ok["spec"]["free"]["anything"], 1,
            "preserved where the schema says so"
        );
        let mut bad = json!({"spec": {"size": "big", "mode": "slow"}});
        let causes = validate(&schema(), &mut bad);
        let messages: Vec<String> = causes
            .iter()
            .map(|c| format!("{}: {}", c.field, c.message))
            .collect();
        assert_eq!(
            messages,
            [
                "spec.size: Invalid value: \"big\": spec.size in body must be of type integer: \"string\"",
                "spec.mode: Unsupported value: \"slow\": supported values: \"fast\", \"safe\"",
            ]
        );
        let mut missing = json!({"spec": {}});
        assert_eq!(validate(&schema(), &mut missing)[0].field, "spec.size");
    }
}

//! Field ownership (`metadata.managedFields`) and server-side apply. Every write records
//! which manager set which fields; an apply merges the manager's intent into the live
//! object, removes fields the manager stopped applying (unless someone else owns them),
//! and refuses to overwrite another manager's differing values without `force`.

use crate::fields::{self, FieldSet, Path};
use crate::patch_schema::{Field, ListKind, Type};
use crate::resources::Resource;
use crate::status::ApiError;
use serde_json::{Value, json};

/// One `managedFields` entry.
#[derive(Debug, Clone, PartialEq)]
struct Entry {
    manager: String,
    operation: String,
    api_version: String,
    time: String,
    subresource: Option<String>,
    fields: FieldSet,
}

impl Entry {
    fn to_json(&self) -> Value {
        let mut v = json!({
            "manager": self.manager,
            "operation": self.operation,
            "apiVersion": self.api_version,
            "time": self.time,
            "fieldsType": "FieldsV1",
            "fieldsV1": self.fields.to_fields_v1(),
        });
        if let Some(s) = &self.subresource {
            v["subresource"] = json!(s);
        }
        v
    }
}

fn entries(object: Option<&Value>) -> Vec<Entry> {
    let Some(list) = object.and_then(|o| o["metadata"]["managedFields"].as_array()) else {
        return Vec::new();
    };
    list.iter()
        .map(|e| Entry {
            manager: e["manager"].as_str().unwrap_or_default().into(),
            operation: e["operation"].as_str().unwrap_or("Update").into(),
            api_version: e["apiVersion"].as_str().unwrap_or_default().into(),
            time: e["time"].as_str().unwrap_or_default().into(),
            subresource: e["subresource"].as_str().map(str::to_string),
            fields: FieldSet::from_fields_v1(&e["fieldsV1"]),
        })
        .collect()
}

/// Writes the entries into `object`. A write that changes nothing else keeps the old
/// entries as they were, timestamps included, so it stays a no-op (no new
/// resourceVersion), as kube-apiserver does.
fn store_entries(object: &mut Value, entries: Vec<Entry>, old: Option<&Value>) {
    let list: Vec<Value> = entries
        .iter()
        .filter(|e| !e.fields.0.is_empty())
        .map(Entry::to_json)
        .collect();
    crate::store::metadata_mut(object).insert("managedFields".into(), Value::Array(list));
    let Some(old) = old else {
        return;
    };
    let old_entries = old["metadata"]["managedFields"].clone();
    let mut probe = object.clone();
    let meta = crate::store::metadata_mut(&mut probe);
    meta.insert("managedFields".into(), old_entries.clone());
    meta.insert(
        "resourceVersion".into(),
        old["metadata"]["resourceVersion"].clone(),
    );
    if &probe == old {
        crate::store::metadata_mut(object).insert("managedFields".into(), old_entries);
    }
}

/// Who is writing, and when.
#[derive(Debug, Clone)]
pub struct Writer<'a> {
    /// The field manager (`fieldManager`, or the user agent's product).
    pub manager: &'a str,
    /// The version written through, as managedFields record it.
    pub api_version: &'a str,
    /// When, as managedFields record it.
    pub time: &'a str,
    /// `Some("status")` for writes through the status subresource.
    pub subresource: Option<&'a str>,
}

/// Records a create, update or non-apply patch: the writer takes the fields it changed,
/// and everyone loses fields that changed or disappeared.
pub fn record_update(old: Option<&Value>, new: &mut Value, writer: &Writer) {
    let with_status = writer.subresource == Some("status");
    let mut list = entries(old);
    let empty = json!({});
    let old_object = old.unwrap_or(&empty);
    let new_set = FieldSet::of(new, with_status);
    let old_set = FieldSet::of(old_object, with_status);
    let changed: Vec<Path> = new_set
        .0
        .iter()
        .filter(|p| differs(old_object, new, p))
        .cloned()
        .collect();
    let removed = old_set.difference(&new_set);
    for entry in list
        .iter_mut()
        .filter(|e| e.subresource.as_deref() == writer.subresource)
    {
        entry
            .fields
            .0
            .retain(|p| !changed.contains(p) && !removed.0.contains(p));
    }
    if !changed.is_empty() {
        match list.iter_mut().find(|e| {
            e.manager == writer.manager
                && e.operation == "Update"
                && e.subresource.as_deref() == writer.subresource
        }) {
            Some(entry) => {
                entry.fields.0.extend(changed);
                entry.time = writer.time.into();
                entry.api_version = writer.api_version.into();
            }
            None => list.push(Entry {
                manager: writer.manager.into(),
                operation: "Update".into(),
                api_version: writer.api_version.into(),
                time: writer.time.into(),
                subresource: writer.subresource.map(str::to_string),
                fields: FieldSet(changed.into_iter().collect()),
            }),
        }
    }
    store_entries(new, list, old);
}

/// Whether two objects disagree at `path`. A list item's own path compares presence only:
/// its fields are compared on their own paths.
fn differs(a: &Value, b: &Value, path: &Path) -> bool {
    match path.last() {
        Some(fields::Step::Key(_)) => {
            fields::value_at(a, path).is_some() != fields::value_at(b, path).is_some()
        }
        _ => fields::value_at(a, path) != fields::value_at(b, path),
    }
}

/// A field another manager owns with a different value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    /// The manager that owns the field.
    pub manager: String,
    /// The version it wrote the field through.
    pub api_version: String,
    /// The field.
    pub path: Path,
}

/// Server-side apply of `config` by `writer` onto `live` (None: the object is new).
/// Returns the merged object with updated managedFields, or the conflicts.
pub fn apply(
    live: Option<&Value>,
    config: &Value,
    writer: &Writer,
    force: bool,
) -> Result<Value, Vec<Conflict>> {
    let mut list = entries(live);
    let new_set = FieldSet::of(config, false);
    let empty = json!({});
    let live_object = live.unwrap_or(&empty);
    let mut conflicts = Vec::new();
    for entry in list.iter_mut().filter(|e| {
        e.subresource.is_none() && !(e.manager == writer.manager && e.operation == "Apply")
    }) {
        let clashing: Vec<Path> = entry
            .fields
            .0
            .iter()
            .filter(|p| new_set.0.contains(*p) && differs(live_object, config, p))
            .cloned()
            .collect();
        if force {
            entry.fields.0.retain(|p| !clashing.contains(p));
        } else {
            conflicts.extend(clashing.into_iter().map(|path| Conflict {
                manager: entry.manager.clone(),
                api_version: entry.api_version.clone(),
                path,
            }));
        }
    }
    if !conflicts.is_empty() {
        return Err(conflicts);
    }
    let previous = list
        .iter()
        .find(|e| e.manager == writer.manager && e.operation == "Apply" && e.subresource.is_none())
        .map(|e| e.fields.clone())
        .unwrap_or_default();
    let mut merged = live.cloned().unwrap_or_else(|| json!({}));
    let others: Vec<&Entry> = list
        .iter()
        .filter(|e| !(e.manager == writer.manager && e.operation == "Apply"))
        .collect();
    // Ancestors first: removing a keyed list item takes its fields with it (removing its
    // key field first would leave an item that can no longer be found).
    let owned_within = |sets: &[&FieldSet], path: &[fields::Step]| {
        let path = path.to_vec();
        sets.iter()
            .any(|f| f.covers(&path) || f.0.iter().any(|owned| owned.starts_with(&path)))
    };
    let other_sets: Vec<&FieldSet> = others.iter().map(|e| &e.fields).collect();
    let mut with_new = other_sets.clone();
    with_new.push(&new_set);
    let removed = previous.difference(&new_set);
    for path in &removed.0 {
        if !owned_within(&other_sets, path) {
            fields::remove_at(&mut merged, path);
        }
    }
    // A struct left holding only defaulted fields nobody owns goes too (a removed
    // livenessProbe must not survive as `{timeoutSeconds: 1, …}`); top-level fields and
    // list items (owned by their own entry) stay.
    for path in &removed.0 {
        for n in (2..path.len()).rev() {
            let ancestor = &path[..n];
            if matches!(
                ancestor.last(),
                Some(fields::Step::Key(_) | fields::Step::Value(_))
            ) {
                break;
            }
            let ancestor = ancestor.to_vec();
            let holds_fields = with_new
                .iter()
                .any(|f| f.0.iter().any(|owned| owned.starts_with(&ancestor)));
            if holds_fields {
                break;
            }
            fields::remove_at(&mut merged, &ancestor);
        }
    }
    merge_object(&mut merged, config, crate::patch_schema::of_object(config));
    list.retain(|e| {
        !(e.manager == writer.manager && e.operation == "Apply" && e.subresource.is_none())
    });
    list.push(Entry {
        manager: writer.manager.into(),
        operation: "Apply".into(),
        api_version: writer.api_version.into(),
        time: writer.time.into(),
        subresource: None,
        fields: new_set,
    });
    store_entries(&mut merged, list, live);
    Ok(merged)
}

/// Deep-merges an applied configuration into an object of type `ty`: maps field by
/// field (atomic ones whole), map lists item by item by their keys, set lists as sets,
/// everything else replaced, as the type's OpenAPI document says.
fn merge_object(target: &mut Value, config: &Value, ty: Option<Type>) {
    let (Value::Object(t), Value::Object(c)) = (&mut *target, config) else {
        *target = config.clone();
        return;
    };
    for (k, v) in c {
        let field = Type::child(ty, k);
        match t.get_mut(k) {
            Some(existing) => merge_into(existing, v, field),
            None => {
                t.insert(k.clone(), v.clone());
            }
        }
    }
}

fn merge_into(target: &mut Value, config: &Value, field: Option<&'static Field>) {
    let ty = field.and_then(Field::ty);
    match (&mut *target, config) {
        (Value::Object(_), Value::Object(_)) if !field.is_some_and(Field::is_atomic_map) => {
            merge_object(target, config, ty);
        }
        (Value::Array(t), Value::Array(c)) => match field.map(Field::list_kind) {
            Some(ListKind::Set) => {
                for item in c {
                    if !t.contains(item) {
                        t.push(item.clone());
                    }
                }
            }
            Some(ListKind::Map(keys)) if c.iter().all(Value::is_object) => {
                for item in c {
                    let id = fields::item_key(item, &keys, ty);
                    match t
                        .iter_mut()
                        .find(|existing| fields::item_key(existing, &keys, ty) == id)
                    {
                        Some(existing) => merge_object(existing, item, ty),
                        None => t.push(item.clone()),
                    }
                }
            }
            _ => *t = c.clone(),
        },
        (t, c) => *t = c.clone(),
    }
}

/// The 409 server-side apply answers with, one cause per conflicting field, so a client
/// can tell which fields to drop or force.
pub fn conflict_error(resource: &Resource, name: &str, conflicts: &[Conflict]) -> ApiError {
    let mut error = ApiError::about(resource, name, 409, "Conflict", conflict_message(conflicts));
    if let Some(details) = &mut error.details {
        details["causes"] = conflicts
            .iter()
            .map(|c| {
                json!({
                    "reason": "FieldManagerConflict",
                    "message": format!("conflict with \"{}\" using {}", c.manager, c.api_version),
                    "field": fields::display(&c.path),
                })
            })
            .collect();
    }
    error
}

/// The Conflict error message kube-apiserver writes.
pub fn conflict_message(conflicts: &[Conflict]) -> String {
    let n = conflicts.len();
    let plural = if n == 1 { "conflict" } else { "conflicts" };
    let mut managers: Vec<(&str, &str)> = conflicts
        .iter()
        .map(|c| (c.manager.as_str(), c.api_version.as_str()))
        .collect();
    managers.dedup();
    let body = if n == 1 {
        let c = &conflicts[0];
        format!(
            "conflict with \"{}\" using {}: {}",
            c.manager,
            c.api_version,
            fields::display(&c.path)
        )
    } else {
        managers
            .iter()
            .map(|(m, v)| {
                let paths: Vec<String> = conflicts
                    .iter()
                    .filter(|c| c.manager == *m)
                    .map(|c| format!("- {}", fields::display(&c.path)))
                    .collect();
                format!("conflicts with \"{m}\" using {v}:\n{}", paths.join("\n"))
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    format!("Apply failed with {n} {plural}: {body}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn writer(manager: &str) -> Writer<'_> {
        Writer {
            manager,
            api_version: "apps/v1",
            time: "2026-01-01T00:00:00Z",
            subresource: None,
        }
    }

    fn config(replicas: i64, image: &str) -> Value {
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
            "spec": {"replicas": replicas, "template": {"spec": {"containers": [{"name": "app", "image": image}]}}}})
    }

    #[test]
    fn apply_then_a_changed_apply_by_another_manager_conflicts() {
        let first = apply(None, &config(2, "x:1"), &writer("kubeclass"), false).expect("apply");
        assert_eq!(
            first["metadata"]["managedFields"][0]["manager"],
            "kubeclass"
        );
        assert_eq!(first["metadata"]["managedFields"][0]["operation"], "Apply");
        // The same values from someone else: shared ownership, no conflict.
        let shared =
            apply(Some(&first), &config(2, "x:1"), &writer("other"), false).expect("same values");
        assert_eq!(
            shared["metadata"]["managedFields"].as_array().map(Vec::len),
            Some(2)
        );
        // Different values: conflicts, named as kube-apiserver names them.
        let conflicts =
            apply(Some(&first), &config(3, "x:2"), &writer("other"), false).expect_err("conflict");
        assert_eq!(
            conflict_message(&conflicts),
            "Apply failed with 2 conflicts: conflicts with \"kubeclass\" using apps/v1:\n- .spec.replicas\n- .spec.template.spec.containers[name=\"app\"].image"
        );
        let forced = apply(Some(&first), &config(3, "x:2"), &writer("other"), true).expect("force");
        assert_eq!(forced["spec"]["replicas"], 3);
    }

    #[test]
    fn fields_a_manager_stops_applying_are_removed() {
        let mut with_label = config(2, "x:1");
        with_label["metadata"]["labels"] = json!({"team": "a"});
        let first = apply(None, &with_label, &writer("kubeclass"), false).expect("apply");
        let second =
            apply(Some(&first), &config(2, "x:1"), &writer("kubeclass"), false).expect("apply");
        assert!(second["metadata"].get("labels").is_none(), "{second}");
    }

    #[test]
    fn empty_maps_the_manager_applies_stay() {
        let issuer = json!({"apiVersion": "cert-manager.io/v1", "kind": "ClusterIssuer", "metadata": {"name": "s"},
            "spec": {"selfSigned": {}}});
        let first = apply(None, &issuer, &writer("k"), false).expect("apply");
        let again = apply(Some(&first), &issuer, &writer("k"), false).expect("apply");
        assert_eq!(again["spec"]["selfSigned"], json!({}));
    }

    #[test]
    fn a_keyed_list_item_no_longer_applied_goes_whole() {
        let with_env = |env: Value| {
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
            "spec": {"template": {"spec": {"containers": [{"name": "app", "image": "a", "env": env}]}}}})
        };
        let first = apply(
            None,
            &with_env(json!([{"name": "A", "value": "1"}, {"name": "B", "value": "2"}])),
            &writer("k"),
            false,
        )
        .expect("apply");
        let second = apply(
            Some(&first),
            &with_env(json!([{"name": "B", "value": "2"}])),
            &writer("k"),
            false,
        )
        .expect("apply");
        assert_eq!(
            second["spec"]["template"]["spec"]["containers"][0]["env"],
            json!([{"name": "B", "value": "2"}])
        );
    }

    #[test]
    fn a_struct_no_longer_applied_goes_with_its_defaults() {
        let with = |probe: Value| {
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
            "spec": {"template": {"spec": {"containers": [{"name": "app", "image": "a", "livenessProbe": probe}]}}}})
        };
        let mut first = apply(
            None,
            &with(json!({"httpGet": {"path": "/", "port": 80}})),
            &writer("k"),
            false,
        )
        .expect("apply");
        // Defaulting adds fields nobody owns.
        first["spec"]["template"]["spec"]["containers"][0]["livenessProbe"]["timeoutSeconds"] =
            json!(1);
        first["spec"]["template"]["spec"]["containers"][0]["livenessProbe"]["httpGet"]["scheme"] =
            json!("HTTP");
        let without = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
            "spec": {"template": {"spec": {"containers": [{"name": "app", "image": "a"}]}}}});
        let second = apply(Some(&first), &without, &writer("k"), false).expect("apply");
        assert!(
            second["spec"]["template"]["spec"]["containers"][0]
                .get("livenessProbe")
                .is_none(),
            "{second}"
        );
    }

    #[test]
    fn updates_take_ownership_of_what_they_change() {
        let first = apply(None, &config(2, "x:1"), &writer("kubeclass"), false).expect("apply");
        let mut scaled = first.clone();
        scaled["spec"]["replicas"] = json!(5);
        record_update(
            Some(&first),
            &mut scaled,
            &Writer {
                manager: "kubectl",
                ..writer("")
            },
        );
        let managers = scaled["metadata"]["managedFields"]
            .as_array()
            .expect("list");
        assert_eq!(managers.len(), 2);
        assert!(
            managers[0]["fieldsV1"]["f:spec"]
                .get("f:replicas")
                .is_none(),
            "kubeclass lost replicas"
        );
        assert_eq!(managers[1]["fieldsV1"]["f:spec"]["f:replicas"], json!({}));
        // Now kubeclass applying 2 replicas again conflicts with kubectl's change.
        let conflicts = apply(
            Some(&scaled),
            &config(2, "x:1"),
            &writer("kubeclass"),
            false,
        )
        .expect_err("conflict");
        assert_eq!(
            conflict_message(&conflicts),
            "Apply failed with 1 conflict: conflict with \"kubectl\" using apps/v1: .spec.replicas"
        );
    }
}

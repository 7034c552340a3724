//! DELETE: one object (preconditions, dry run, finalizers, propagation policies) or a
//! collection.

use super::ApiServer;
use super::path::Target;
use super::query::Query;
use crate::status::{ApiError, Result};
use serde_json::{Value, json};

impl ApiServer {
    /// DELETE of one object: preconditions, finalizers, dry run.
    pub fn delete(&self, target: &Target, query: &Query, options: &Value) -> Result<Value> {
        let resource = target.resource;
        let name = target.name()?.to_string();
        let key = self.key(target, &name);
        let current = self
            .store
            .get(&key)
            .map_err(|e| Self::store_error(resource, &name, e))?;
        let preconditions = &options["preconditions"];
        for (field, label) in [("uid", "UID"), ("resourceVersion", "ResourceVersion")] {
            let actual = current["metadata"][field].as_str().unwrap_or_default();
            if let Some(wanted) = preconditions[field].as_str().filter(|w| *w != actual) {
                return Err(ApiError::precondition_failed(
                    resource,
                    &name,
                    &format!(
                        "Precondition failed: {label} in precondition: {wanted}, {label} in object meta: {actual}"
                    ),
                ));
            }
        }
        let dry_run = query.dry_run()
            || options["dryRun"]
                .as_array()
                .is_some_and(|a| a.iter().any(|v| v == "All"));
        if dry_run {
            return Ok(Self::present(resource, &current));
        }
        // Foreground and Orphan deletion hand the object to the garbage collector behind a
        // finalizer; Background (the default) deletes now and lets it collect dependents.
        let policy = options["propagationPolicy"]
            .as_str()
            .or(query.get("propagationPolicy"))
            .or((options["orphanDependents"] == true).then_some("Orphan"));
        let gc_finalizer = match policy {
            Some("Foreground") => Some(crate::ownership::FOREGROUND),
            Some("Orphan") => Some(crate::ownership::ORPHAN),
            _ => None,
        }
        .filter(|_| resource.kind != "Namespace");
        if let Some(finalizer) = gc_finalizer {
            let mut held = (*current).clone();
            let finalizers = &mut crate::store::metadata_mut(&mut held)
                .entry("finalizers")
                .or_insert_with(|| json!([]));
            if let Some(list) = finalizers
                .as_array_mut()
                .filter(|l| !l.iter().any(|f| f == finalizer))
            {
                list.push(json!(finalizer));
            }
            self.store
                .update(key.clone(), held, None)
                .map_err(|e| Self::store_error(resource, &name, e))?;
        }
        let has_finalizers = gc_finalizer.is_some()
            || current["metadata"]["finalizers"]
                .as_array()
                .is_some_and(|f| !f.is_empty())
            || (resource.kind == "Namespace"
                && current["spec"]["finalizers"]
                    .as_array()
                    .is_some_and(|f| !f.is_empty()));
        // A pod running on a node gets its grace period: its kubelet stops the containers
        // and then removes it. Pods not (or no longer) running go at once.
        let pod_grace = (resource.kind == "Pod")
            .then(|| graceful_pod_seconds(&current, options, query))
            .flatten();
        if let Some(grace) = pod_grace.filter(|_| !has_finalizers) {
            let marked = self
                .store
                .mark_deleting(&key, grace)
                .map_err(|e| Self::store_error(resource, &name, e))?;
            return Ok(Self::present(resource, &marked));
        }
        if has_finalizers {
            let grace = options["gracePeriodSeconds"].as_i64().unwrap_or(0);
            let marked = self
                .store
                .mark_deleting(&key, grace)
                .map_err(|e| Self::store_error(resource, &name, e))?;
            return Ok(Self::present(resource, &marked));
        }
        let removed = self
            .store
            .remove(&key, None)
            .map_err(|e| Self::store_error(resource, &name, e))?;
        if resource.kind == "CustomResourceDefinition" {
            // Its objects go with it.
            for served in self.crds.unregister(&name) {
                let (group, plural) = served.storage_key();
                for (object_key, _) in self.store.list(group, plural, None, None).0 {
                    let _ = self.store.remove(&object_key, None);
                }
            }
        }
        let mut details =
            json!({"name": name, "kind": resource.plural, "uid": removed["metadata"]["uid"]});
        if !resource.group.is_empty() {
            details["group"] = json!(resource.group);
        }
        Ok(
            json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "details": details}),
        )
    }

    /// DELETE of a collection: every object the selectors match.
    pub fn delete_collection(
        &self,
        target: &Target,
        query: &Query,
        options: &Value,
    ) -> Result<Value> {
        let list = self.list(target, query)?;
        for item in list["items"].as_array().into_iter().flatten() {
            let name = item["metadata"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            let namespace = item["metadata"]["namespace"].as_str().map(str::to_string);
            let one = Target {
                name: Some(name),
                namespace: namespace.or(target.namespace.clone()),
                ..target.clone()
            };
            match self.delete(&one, query, options) {
                Ok(_) | Err(ApiError { code: 404, .. }) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success"}))
    }
}

/// The grace period a pod gets: `None` when it goes at once (not bound to a node, already
/// finished, or deleted with a zero grace period).
fn graceful_pod_seconds(pod: &Value, options: &Value, query: &Query) -> Option<i64> {
    let bound = pod["spec"]["nodeName"]
        .as_str()
        .is_some_and(|n| !n.is_empty());
    let phase = pod["status"]["phase"].as_str().unwrap_or_default();
    if !bound || phase == "Succeeded" || phase == "Failed" {
        return None;
    }
    let grace = options["gracePeriodSeconds"]
        .as_i64()
        .or_else(|| query.get("gracePeriodSeconds").and_then(|g| g.parse().ok()))
        .or_else(|| pod["spec"]["terminationGracePeriodSeconds"].as_i64())
        .unwrap_or(30);
    (grace > 0).then_some(grace)
}

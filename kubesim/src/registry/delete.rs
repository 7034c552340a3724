//! DELETE: one object (preconditions, dry run, finalizers, propagation policies) or a
//! collection.

use super::base::{Registry, present};
use super::context::Params;
use super::strategy;
use super::target::Target;
use crate::status::{ApiError, Result};
use serde_json::{Value, json};

impl Registry {
    /// DELETE of one object: preconditions, finalizers, dry run. `options` are the
    /// DeleteOptions (`Null` when the request had no body).
    pub fn delete(&self, target: &Target, params: &Params, options: &Value) -> Result<Value> {
        let resource = target.resource;
        let strategy = strategy::for_kind(resource.kind);
        let name = target.name()?.to_string();
        let key = self.key(target, &name);
        let current = self
            .store
            .get(&key)
            .map_err(|e| Registry::store_error(resource, &name, e))?;
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
        let dry_run = params.dry_run()
            || options["dryRun"]
                .as_array()
                .is_some_and(|a| a.iter().any(|v| v == "All"));
        if dry_run {
            return Ok(present(resource, &current));
        }
        // Foreground and Orphan deletion hand the object to the garbage collector behind a
        // finalizer; Background (the default) deletes now and lets it collect dependents.
        let policy = options["propagationPolicy"]
            .as_str()
            .or(params.get("propagationPolicy"))
            .or((options["orphanDependents"] == true).then_some("Orphan"));
        let gc_finalizer = match policy {
            Some("Foreground") => Some(crate::ownership::FOREGROUND),
            Some("Orphan") => Some(crate::ownership::ORPHAN),
            _ => None,
        }
        .filter(|_| strategy.propagates());
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
                .map_err(|e| Registry::store_error(resource, &name, e))?;
        }
        let has_finalizers = gc_finalizer.is_some()
            || crate::ownership::has_finalizers(&current)
            || strategy.held(&current);
        let grace = strategy.grace_period(&current, options, params);
        if let Some(grace) = grace.filter(|_| !has_finalizers) {
            let marked = self
                .store
                .mark_deleting(&key, grace)
                .map_err(|e| Registry::store_error(resource, &name, e))?;
            return Ok(present(resource, &marked));
        }
        if has_finalizers {
            let grace = options["gracePeriodSeconds"].as_i64().unwrap_or(0);
            let marked = self
                .store
                .mark_deleting(&key, grace)
                .map_err(|e| Registry::store_error(resource, &name, e))?;
            return Ok(present(resource, &marked));
        }
        let removed = self
            .store
            .remove(&key, None)
            .map_err(|e| Registry::store_error(resource, &name, e))?;
        strategy.after_delete(self, &name);
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
        params: &Params,
        options: &Value,
    ) -> Result<Value> {
        let list = self.list(target, params)?;
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
            match self.delete(&one, params, options) {
                Ok(_) | Err(ApiError { code: 404, .. }) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success"}))
    }
}

//! Writing objects: create (naming, NamespaceLifecycle, defaulting, admission,
//! validation, field ownership) and update (of the object, or of its status), with each
//! kind's [`strategy`](super::strategy) at its points, as kube-apiserver's generic
//! registry store runs them.

use super::base::{Registry, present};
use super::context::RequestContext;
use super::strategy::{self, Created, Strategy, Writing};
use super::target::Target;
use crate::admission::{Attributes, Operation};
use crate::managed::{self, Writer};
use crate::resources::Resource;
use crate::status::{ApiError, Cause, Result};
use crate::store::metadata_mut;
use serde_json::{Value, json};

impl Registry {
    /// POST: create. `manager` records field ownership; `None` when the caller (apply)
    /// already wrote managedFields. Returns the created object.
    pub fn create(
        &self,
        target: &Target,
        ctx: &mut RequestContext,
        manager: Option<&str>,
        mut object: Value,
    ) -> Result<Value> {
        let resource = target.resource;
        let strategy = strategy::for_kind(resource.kind);
        self.check_type(resource, &mut object, ctx)?;
        let name = self.name_new(target, &mut object)?;
        self.check_namespace(target, &name)?;
        if resource.has_status() {
            set_status(&mut object, None);
        }
        let namespace = target.namespace.clone().unwrap_or_default();
        strategy.prepare_for_create(&self.store, &mut object);
        crate::defaults::apply(resource.kind, &mut object);
        let attrs = Attributes {
            store: &self.store,
            resource,
            namespace: &namespace,
            name: &name,
            operation: Operation::Create,
            old: None,
        };
        crate::admission::mutate(&attrs, &mut object)?;
        strategy.authorize(&Writing {
            registry: self,
            ctx,
            resource,
            namespace: &namespace,
            name: &name,
            object: &object,
            old: None,
        })?;
        self.validate(strategy, resource, &name, &mut object, None)?;
        self.admit(&attrs, ctx, &object)?;
        if let Some(manager) = manager {
            self.record_manager(resource, manager, None, &mut object, None);
        }
        let key = self.key(target, &name);
        if ctx.params.dry_run() {
            if self.store.get(&key).is_ok() {
                return Err(ApiError::already_exists(resource, &name));
            }
            return Ok(object);
        }
        let stored = self
            .store
            .create(key.clone(), crate::convert::to_storage(resource, object))
            .map_err(|e| Registry::store_error(resource, &name, e))?;
        let stored = strategy.after_create(Created {
            registry: self,
            resource,
            key: &key,
            object: stored,
        })?;
        Ok(present(resource, &stored))
    }

    /// Creates `object` (of `plural` in `group`/`version`) in `namespace` as `manager`:
    /// the writes the cluster's own controllers make, as kube-controller-manager does
    /// through the API, so a ReplicaSet's pods pass defaulting, admission (ResourceQuota,
    /// LimitRange, Pod Security, ServiceAccount) and validation like anyone's.
    pub fn create_as_controller(
        &self,
        group: &str,
        version: &str,
        plural: &str,
        namespace: &str,
        object: Value,
        manager: &str,
    ) -> Result<Value> {
        let resource =
            crate::resources::find(group, version, plural).ok_or_else(ApiError::no_route)?;
        let target = Target::collection(resource, Some(namespace));
        self.create(
            &target,
            &mut RequestContext::default(),
            Some(manager),
            object,
        )
    }

    /// PUT: update (the object, its status, or its scale).
    pub fn update(
        &self,
        target: &Target,
        ctx: &mut RequestContext,
        manager: &str,
        mut object: Value,
    ) -> Result<Value> {
        let resource = target.resource;
        let name = target.name()?.to_string();
        if target.subresource_kind() == Some("scale") {
            let replicas = object["spec"]["replicas"].clone();
            let expected = crate::store::resource_version_of(&object);
            return self.write_scale(target, &name, replicas, expected, ctx, manager);
        }
        self.check_type(resource, &mut object, ctx)?;
        check_name(&object, &name)?;
        let expected = crate::store::resource_version_of(&object);
        self.replace(target, &name, object, expected, ctx, Some(manager))
    }

    /// Stores `object` in place of the current one, keeping the parts this endpoint may
    /// not change (status for the main resource, everything but status for `/status`).
    /// An update of the object itself is authorized (RBAC objects), validated against
    /// the current one and admitted like a create; writes through a subresource
    /// (`/status`, `/scale`) are not admitted, as kube-apiserver's plugins ignore them.
    pub(super) fn replace(
        &self,
        target: &Target,
        name: &str,
        mut object: Value,
        expected: Option<u64>,
        ctx: &mut RequestContext,
        manager: Option<&str>,
    ) -> Result<Value> {
        let resource = target.resource;
        let strategy = strategy::for_kind(resource.kind);
        let key = self.key(target, name);
        let current = self
            .store
            .get(&key)
            .map_err(|e| Registry::store_error(resource, name, e))?;
        let status_only = target.subresource_kind() == Some("status");
        if status_only {
            let status = object.get("status").cloned();
            object = (*current).clone();
            set_status(&mut object, status.as_ref());
        } else if resource.has_status() {
            set_status(&mut object, current.get("status"));
        }
        if let Some(ns) = &target.namespace {
            metadata_mut(&mut object).insert("namespace".into(), json!(ns));
        }
        if !status_only {
            crate::defaults::apply(resource.kind, &mut object);
            strategy.prepare_for_update(&mut object, &current);
            let namespace = target.namespace.clone().unwrap_or_default();
            strategy.authorize(&Writing {
                registry: self,
                ctx,
                resource,
                namespace: &namespace,
                name,
                object: &object,
                old: Some(&current),
            })?;
            self.validate(strategy, resource, name, &mut object, Some(&current))?;
            if target.subresource.is_none() {
                let attrs = Attributes {
                    store: &self.store,
                    resource,
                    namespace: &namespace,
                    name,
                    operation: Operation::Update,
                    old: Some(&current),
                };
                self.admit(&attrs, ctx, &object)?;
            }
        }
        if let Some(manager) = manager {
            let sub = status_only.then_some("status");
            self.record_manager(resource, manager, Some(&current), &mut object, sub);
        }
        if ctx.params.dry_run() {
            return Ok(present(resource, &object));
        }
        let stored = self
            .store
            .update(key, crate::convert::to_storage(resource, object), expected)
            .map_err(|e| Registry::store_error(resource, name, e))?;
        strategy.after_update(self, &stored);
        Ok(present(resource, &stored))
    }

    /// The name a new object is stored under (generated from `generateName` when it has
    /// none), with its namespace set from the path and what the server owns cleared.
    fn name_new(&self, target: &Target, object: &mut Value) -> Result<String> {
        let meta = metadata_mut(object);
        match (
            meta.get("namespace").and_then(Value::as_str),
            &target.namespace,
        ) {
            (Some(ns), Some(path_ns)) if !ns.is_empty() && ns != path_ns => {
                return Err(ApiError::bad_request(
                    "the namespace of the provided object does not match the namespace sent on the request",
                ));
            }
            (_, Some(path_ns)) => {
                meta.insert("namespace".into(), json!(path_ns));
            }
            (_, None) => {
                meta.remove("namespace");
            }
        }
        if meta
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or("")
            .is_empty()
        {
            match meta.get("generateName").and_then(Value::as_str) {
                Some(prefix) if !prefix.is_empty() => {
                    let name = format!("{prefix}{}", self.store.random_suffix());
                    meta.insert("name".into(), json!(name));
                }
                _ => {
                    return Err(ApiError::invalid(
                        target.resource,
                        "",
                        vec![Cause {
                            reason: "FieldValueRequired",
                            message: "Required value: name or generateName is required".into(),
                            field: "metadata.name".into(),
                        }],
                    ));
                }
            }
        }
        meta.remove("resourceVersion");
        meta.remove("uid");
        meta.remove("deletionTimestamp");
        Ok(meta
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string())
    }

    /// Validation: the kind's rules, then (when they pass) the strategy's allocations,
    /// then a custom resource's schema.
    fn validate(
        &self,
        strategy: &dyn Strategy,
        resource: &Resource,
        name: &str,
        object: &mut Value,
        old: Option<&Value>,
    ) -> Result<()> {
        let mut causes = crate::validation::validate(resource.kind, object, old);
        if causes.is_empty() {
            causes.extend(strategy.allocate(&self.store, object, old));
        }
        if let Some(schema) = self.crds.schema(resource) {
            causes.extend(crate::crd::validate(&schema, object));
        }
        if causes.is_empty() {
            Ok(())
        } else {
            Err(ApiError::invalid(resource, name, causes))
        }
    }

    /// Records `manager` as the owner of the fields it wrote (`old` is None on create).
    pub(super) fn record_manager(
        &self,
        resource: &Resource,
        manager: &str,
        old: Option<&Value>,
        object: &mut Value,
        subresource: Option<&str>,
    ) {
        let time = self.store.clock().now_rfc3339();
        let api_version = resource.api_version();
        let writer = Writer {
            manager,
            api_version: &api_version,
            time: &time,
            subresource,
        };
        managed::record_update(old, object, &writer);
    }
}

/// Sets `status` (or removes it when `None`).
fn set_status(object: &mut Value, status: Option<&Value>) {
    match status {
        Some(s) => object["status"] = s.clone(),
        None => {
            if let Value::Object(map) = object {
                map.remove("status");
            }
        }
    }
}

/// A body's name must be the one in the URL.
pub(super) fn check_name(object: &Value, name: &str) -> Result<()> {
    let body_name = object["metadata"]["name"].as_str().unwrap_or_default();
    if body_name == name {
        Ok(())
    } else {
        Err(ApiError::bad_request(format!(
            "the name of the object ({body_name}) does not match the name on the URL ({name})"
        )))
    }
}

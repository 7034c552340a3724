//! The verbs on objects: get, list, create, update, patch, delete, deletecollection, and
//! the status and scale subresources. Watch has its own module.

use super::ApiServer;
use super::path::Target;
use super::query::Query;
use super::selectors::{FieldSelector, LabelSelector, selectable_fields};
use crate::managed::{self, Writer};
use crate::patch;
use crate::resources::Resource;
use crate::status::{ApiError, Result};
use crate::store::{Key, StoreError, metadata_mut, resource_version_of};
use axum::http::StatusCode;
use serde_json::{Value, json};
use std::sync::Arc;

/// Largest request body kube-apiserver accepts (3 MiB).
pub const MAX_BODY: usize = 3 * 1024 * 1024;

impl ApiServer {
    pub(super) fn key(&self, target: &Target, name: &str) -> Key {
        let (group, plural) = target.resource.storage_key();
        Key::new(
            group,
            plural,
            target.namespace.as_deref().unwrap_or(""),
            name,
        )
    }

    /// A stored object as this request's version presents it.
    pub(super) fn present(resource: &Resource, object: &Value) -> Value {
        crate::convert::present(resource, object)
    }

    pub(super) fn store_error(resource: &Resource, name: &str, e: StoreError) -> ApiError {
        match e {
            StoreError::NotFound => ApiError::not_found(resource, name),
            StoreError::AlreadyExists => ApiError::already_exists(resource, name),
            StoreError::Conflict => ApiError::conflict(resource, name),
            StoreError::Gone { requested, oldest } => ApiError::gone(requested, oldest),
            StoreError::Storage(e) => ApiError::internal(e),
        }
    }

    /// GET of one object (or its status/scale).
    pub fn get(&self, target: &Target) -> Result<Value> {
        let name = target.name()?;
        let object = self
            .store
            .get(&self.key(target, name))
            .map_err(|e| Self::store_error(target.resource, name, e))?;
        match target.subresource_kind() {
            None | Some("status") => Ok(Self::present(target.resource, &object)),
            Some("scale") => Ok(scale_of(&object)),
            Some(other) => Err(ApiError::method_not_allowed(
                &format!("GET {other}"),
                target.resource,
            )),
        }
    }

    /// GET of a collection: selectors, `limit` and `continue`.
    pub fn list(&self, target: &Target, query: &Query) -> Result<Value> {
        let resource = target.resource;
        let labels = LabelSelector::parse(query.get("labelSelector").unwrap_or(""))?;
        let fields = FieldSelector::parse(
            query.get("fieldSelector").unwrap_or(""),
            selectable_fields(resource.kind),
        )?;
        let limit: usize = match query.get("limit") {
            Some(l) => l
                .parse()
                .map_err(|_| ApiError::bad_request(format!("invalid limit: {l}")))?,
            None => 0,
        };
        let (group, plural) = resource.storage_key();
        let after = match query.get("continue") {
            Some(token) => {
                let (namespace, name) = decode_continue(token)?;
                Some(Key::new(group, plural, &namespace, &name))
            }
            None => None,
        };
        // Select under the store's lock without copying; present (copy) only the page.
        let mut page: Vec<(Key, Arc<Value>)> = Vec::new();
        let mut remaining = 0;
        let rv = self.store.scan(
            group,
            plural,
            target.namespace.as_deref(),
            after.as_ref(),
            |key, object| {
                if labels.matches(object) && fields.matches(object) {
                    if limit > 0 && page.len() == limit {
                        remaining += 1;
                    } else {
                        page.push((key.clone(), object.clone()));
                    }
                }
                true
            },
        );
        let last = page.last().map(|(k, _)| k.clone());
        let items: Vec<Value> = page
            .iter()
            .map(|(_, object)| {
                let mut item = Self::present(resource, object);
                if let Value::Object(map) = &mut item {
                    // Built-in lists carry kind and apiVersion once, on the list.
                    map.remove("apiVersion");
                    map.remove("kind");
                }
                item
            })
            .collect();
        let mut metadata = json!({"resourceVersion": rv.to_string()});
        if remaining > 0
            && let Some(key) = last
        {
            metadata["continue"] = json!(encode_continue(&key));
            metadata["remainingItemCount"] = json!(remaining);
        }
        Ok(json!({
            "kind": format!("{}List", resource.kind),
            "apiVersion": resource.api_version(),
            "metadata": metadata,
            "items": items,
        }))
    }

    /// Who is writing, now, through which version.
    fn writer<'a>(
        manager: &'a str,
        time: &'a str,
        api_version: &'a str,
        subresource: Option<&'a str>,
    ) -> Writer<'a> {
        Writer {
            manager,
            api_version,
            time,
            subresource,
        }
    }

    /// POST: create. `manager` records field ownership; `None` when the caller (apply)
    /// already wrote managedFields.
    pub fn create(
        &self,
        target: &Target,
        query: &Query,
        manager: Option<&str>,
        mut object: Value,
    ) -> Result<(StatusCode, Value)> {
        let resource = target.resource;
        self.check_type(resource, &mut object, query)?;
        let meta = metadata_mut(&mut object);
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
                        resource,
                        "",
                        vec![crate::status::Cause {
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
        let name = meta
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        self.check_namespace(target, &name)?;
        if resource.has_status()
            && let Value::Object(map) = &mut object
        {
            map.remove("status");
        }
        let namespace = target.namespace.clone().unwrap_or_default();
        crate::admission::prepare_for_create(resource.kind, &mut object);
        if resource.kind == "Job" {
            crate::admission::prepare_job(&mut object, &self.store.new_uid());
        }
        crate::defaults::apply(resource.kind, &mut object);
        crate::admission::mutate(&self.store, resource, &namespace, &mut object)?;
        let mut causes = crate::validation::validate(resource.kind, &object, None);
        if resource.kind == "Service" && causes.is_empty() {
            causes.extend(crate::allocators::allocate_service(
                &self.store,
                &mut object,
                None,
            ));
        }
        if let Some(schema) = self.crds.schema(resource) {
            causes.extend(crate::crd::validate(&schema, &mut object));
        }
        if !causes.is_empty() {
            return Err(ApiError::invalid(resource, &name, causes));
        }
        for warning in crate::admission::check(&self.store, resource, &namespace, &object)? {
            query.warn(warning);
        }
        if let Some(manager) = manager {
            let (time, api_version) = (self.store.clock().now_rfc3339(), resource.api_version());
            managed::record_update(
                None,
                &mut object,
                &Self::writer(manager, &time, &api_version, None),
            );
        }
        if query.dry_run() {
            if self.store.get(&self.key(target, &name)).is_ok() {
                return Err(ApiError::already_exists(resource, &name));
            }
            return Ok((StatusCode::CREATED, object));
        }
        let stored = self
            .store
            .create(
                self.key(target, &name),
                crate::convert::to_storage(resource, object),
            )
            .map_err(|e| Self::store_error(resource, &name, e))?;
        if resource.kind == "CustomResourceDefinition" {
            self.crds.register(&stored);
            let mut established = (*stored).clone();
            established["status"] =
                crate::crd::established_status(&stored, &self.store.clock().now_rfc3339());
            let updated = self
                .store
                .update(self.key(target, &name), established, None)
                .map_err(|e| Self::store_error(resource, &name, e))?;
            return Ok((StatusCode::CREATED, Self::present(resource, &updated)));
        }
        if resource.kind == "Namespace" {
            // Every namespace has a `default` ServiceAccount. kube-controller-manager adds it
            // moments later; kubesim adds it at once, so a Pod created right after its
            // namespace never races it.
            let account = json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "default", "namespace": name}});
            match self
                .store
                .create(Key::new("", "serviceaccounts", &name, "default"), account)
            {
                Ok(_) | Err(StoreError::AlreadyExists) => {}
                Err(e) => return Err(Self::store_error(resource, &name, e)),
            }
        }
        Ok((StatusCode::CREATED, Self::present(resource, &stored)))
    }

    /// PUT: update (the object, its status, or its scale).
    pub fn update(
        &self,
        target: &Target,
        query: &Query,
        manager: &str,
        mut object: Value,
    ) -> Result<Value> {
        let resource = target.resource;
        let name = target.name()?.to_string();
        if target.subresource_kind() == Some("scale") {
            let replicas = object["spec"]["replicas"].clone();
            let expected = resource_version_of(&object);
            return self.write_scale(target, &name, replicas, expected, query, manager);
        }
        self.check_type(resource, &mut object, query)?;
        check_name(&object, &name)?;
        let expected = resource_version_of(&object);
        self.replace(target, &name, object, expected, query, Some(manager))
    }

    /// Stores `object` in place of the current one, keeping the parts this endpoint may
    /// not change (status for the main resource, everything but status for `/status`).
    fn replace(
        &self,
        target: &Target,
        name: &str,
        mut object: Value,
        expected: Option<u64>,
        query: &Query,
        manager: Option<&str>,
    ) -> Result<Value> {
        let resource = target.resource;
        let key = self.key(target, name);
        let current = self
            .store
            .get(&key)
            .map_err(|e| Self::store_error(resource, name, e))?;
        if target.subresource_kind() == Some("status") {
            let status = object.get("status").cloned();
            object = (*current).clone();
            match status {
                Some(s) => object["status"] = s,
                None => {
                    if let Value::Object(map) = &mut object {
                        map.remove("status");
                    }
                }
            }
        } else if resource.has_status() {
            match current.get("status") {
                Some(s) => object["status"] = s.clone(),
                None => {
                    if let Value::Object(map) = &mut object {
                        map.remove("status");
                    }
                }
            }
        }
        if let Some(ns) = &target.namespace {
            metadata_mut(&mut object).insert("namespace".into(), json!(ns));
        }
        if target.subresource_kind() != Some("status") {
            crate::defaults::apply(resource.kind, &mut object);
            if resource.kind == "Service" {
                crate::allocators::prepare_service_update(&mut object, &current);
            }
            let mut causes = crate::validation::validate(resource.kind, &object, Some(&current));
            if resource.kind == "Service" && causes.is_empty() {
                causes.extend(crate::allocators::allocate_service(
                    &self.store,
                    &mut object,
                    Some(&current),
                ));
            }
            if let Some(schema) = self.crds.schema(resource) {
                causes.extend(crate::crd::validate(&schema, &mut object));
            }
            if !causes.is_empty() {
                return Err(ApiError::invalid(resource, name, causes));
            }
        }
        if let Some(manager) = manager {
            let (time, api_version) = (self.store.clock().now_rfc3339(), resource.api_version());
            let sub = target.subresource_kind().filter(|s| *s == "status");
            managed::record_update(
                Some(&current),
                &mut object,
                &Self::writer(manager, &time, &api_version, sub),
            );
        }
        if query.dry_run() {
            return Ok(Self::present(resource, &object));
        }
        let stored = self
            .store
            .update(key, crate::convert::to_storage(resource, object), expected)
            .map_err(|e| Self::store_error(resource, name, e))?;
        if resource.kind == "CustomResourceDefinition" {
            self.crds.register(&stored);
        }
        Ok(Self::present(resource, &stored))
    }

    fn write_scale(
        &self,
        target: &Target,
        name: &str,
        replicas: Value,
        expected: Option<u64>,
        query: &Query,
        manager: &str,
    ) -> Result<Value> {
        let resource = target.resource;
        let current = self
            .store
            .get(&self.key(target, name))
            .map_err(|e| Self::store_error(resource, name, e))?;
        if !replicas.is_i64() {
            return Err(ApiError::invalid(
                resource,
                name,
                vec![crate::status::Cause {
                    reason: "FieldValueRequired",
                    message: "Required value".into(),
                    field: "spec.replicas".into(),
                }],
            ));
        }
        let mut object = (*current).clone();
        object["spec"]["replicas"] = replicas;
        let main = Target {
            subresource: None,
            ..target.clone()
        };
        let stored = self.replace(&main, name, object, expected, query, Some(manager))?;
        Ok(scale_of(&stored))
    }

    /// PATCH in any of the four formats.
    pub fn patch(
        &self,
        target: &Target,
        query: &Query,
        manager: &str,
        content_type: &str,
        body: &[u8],
    ) -> Result<(StatusCode, Value)> {
        let resource = target.resource;
        let name = target.name()?.to_string();
        let key = self.key(target, &name);
        let media = content_type.split(';').next().unwrap_or("").trim();
        let current = match self.store.get(&key) {
            Ok(object) => Some(object),
            Err(StoreError::NotFound) if media == "application/apply-patch+yaml" => None,
            Err(e) => return Err(Self::store_error(resource, &name, e)),
        };
        let parse_json = |body: &[u8]| -> Result<Value> {
            serde_json::from_slice(body)
                .map_err(|e| ApiError::bad_request(format!("error decoding patch: {e}")))
        };
        let base = match (&current, target.subresource_kind()) {
            (Some(c), Some("scale")) => scale_of(c),
            (Some(c), _) => Self::present(resource, c),
            (None, _) => json!({}),
        };
        let mut patched = base.clone();
        match media {
            "application/json-patch+json" => {
                let ops: json_patch::Patch = serde_json::from_value(parse_json(body)?)
                    .map_err(|e| ApiError::bad_request(format!("error decoding patch: {e}")))?;
                json_patch::patch(&mut patched, &ops).map_err(|e| {
                    ApiError::invalid(
                        resource,
                        &name,
                        vec![crate::status::Cause {
                            reason: "FieldValueInvalid",
                            message: e.to_string(),
                            field: String::new(),
                        }],
                    )
                })?;
            }
            "application/merge-patch+json" => patch::merge(&mut patched, &parse_json(body)?),
            "application/strategic-merge-patch+json" => {
                patch::strategic(&mut patched, &parse_json(body)?)
            }
            "application/apply-patch+yaml" => {
                return self.apply(target, query, &name, current.as_deref(), body);
            }
            other => {
                return Err(ApiError::unsupported_media_type(&format!(
                    "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json (got {other})"
                )));
            }
        }
        let expected =
            resource_version_of(&patched).filter(|rv| Some(*rv) != resource_version_of(&base));
        if target.subresource_kind() == Some("scale") {
            let replicas = patched["spec"]["replicas"].clone();
            return Ok((
                StatusCode::OK,
                self.write_scale(target, &name, replicas, expected, query, manager)?,
            ));
        }
        self.check_type(resource, &mut patched, query)?;
        Ok((
            StatusCode::OK,
            self.replace(target, &name, patched, expected, query, Some(manager))?,
        ))
    }

    /// Server-side apply: merge the manager's configuration, track ownership, refuse to
    /// overwrite another manager's values unless `force=true`.
    fn apply(
        &self,
        target: &Target,
        query: &Query,
        name: &str,
        current: Option<&Value>,
        body: &[u8],
    ) -> Result<(StatusCode, Value)> {
        let resource = target.resource;
        let mut config: Value = serde_yaml::from_slice(body)
            .map_err(|e| ApiError::bad_request(format!("error decoding YAML: {e}")))?;
        let Some(manager) = query.get("fieldManager") else {
            return Err(ApiError::bad_request(
                "PATCH, application/apply-patch+yaml requires fieldManager to be set",
            ));
        };
        self.check_type(resource, &mut config, query)?;
        check_name(&config, name)?;
        let (time, api_version) = (self.store.clock().now_rfc3339(), resource.api_version());
        let writer = Self::writer(manager, &time, &api_version, None);
        let live = current.map(|c| Self::present(resource, c));
        let merged = managed::apply(live.as_ref(), &config, &writer, query.flag("force"))
            .map_err(|conflicts| managed::conflict_error(resource, name, &conflicts))?;
        match current {
            None => self.create(target, query, None, merged),
            Some(_) => Ok((
                StatusCode::OK,
                self.replace(target, name, merged, None, query, None)?,
            )),
        }
    }

    /// An object's `apiVersion` and `kind` must be this endpoint's (or absent: filled in);
    /// fields its type does not have are dropped, or refused under
    /// `fieldValidation=Strict`, or warned about under `Warn` (the default).
    fn check_type(&self, resource: &Resource, object: &mut Value, query: &Query) -> Result<()> {
        if !object.is_object() {
            return Err(ApiError::bad_request(
                "the body of the request was not a JSON object",
            ));
        }
        let expected = resource.api_version();
        match object["apiVersion"].as_str() {
            Some(v) if v != expected => {
                return Err(ApiError::bad_request(format!(
                    "the API version in the data ({v}) does not match the expected API version ({expected})"
                )));
            }
            _ => object["apiVersion"] = json!(expected),
        }
        match object["kind"].as_str() {
            Some(k) if k != resource.kind => {
                return Err(ApiError::bad_request(format!(
                    "the kind in the data ({k}) does not match the expected kind ({})",
                    resource.kind
                )));
            }
            _ => object["kind"] = json!(resource.kind),
        }
        let unknown =
            crate::openapi::unknown::prune(resource.group, resource.version, resource.kind, object);
        let fields: Vec<String> = query
            .duplicates()
            .iter()
            .map(|f| format!("duplicate field \"{f}\""))
            .chain(unknown.iter().map(|f| format!("unknown field \"{f}\"")))
            .collect();
        if fields.is_empty() {
            return Ok(());
        }
        match query.get("fieldValidation").unwrap_or("Warn") {
            "Strict" => Err(ApiError::bad_request(format!(
                "{kind} in version \"{version}\" cannot be handled as a {kind}: strict decoding error: {}",
                fields.join(", "),
                kind = resource.kind,
                version = resource.version,
            ))),
            "Ignore" => Ok(()),
            _ => {
                fields.into_iter().for_each(|f| query.warn(f));
                Ok(())
            }
        }
    }

    /// NamespaceLifecycle: new namespaced objects need a namespace that exists and is not
    /// being deleted.
    fn check_namespace(&self, target: &Target, name: &str) -> Result<()> {
        let Some(ns) = target
            .namespace
            .as_deref()
            .filter(|_| target.resource.namespaced)
        else {
            return Ok(());
        };
        let namespaces = crate::resources::find("", "v1", "namespaces")
            .ok_or_else(|| ApiError::internal("no namespaces resource"))?;
        match self.store.get(&Key::new("", "namespaces", "", ns)) {
            Err(_) => Err(ApiError::not_found(namespaces, ns)),
            Ok(namespace) if namespace["metadata"].get("deletionTimestamp").is_some() => {
                Err(ApiError::forbidden(
                    target.resource,
                    name,
                    &format!(
                        "unable to create new content in namespace {ns} because it is being terminated"
                    ),
                ))
            }
            Ok(_) => Ok(()),
        }
    }
}

/// A body's name must be the one in the URL.
fn check_name(object: &Value, name: &str) -> Result<()> {
    let body_name = object["metadata"]["name"].as_str().unwrap_or_default();
    if body_name == name {
        Ok(())
    } else {
        Err(ApiError::bad_request(format!(
            "the name of the object ({body_name}) does not match the name on the URL ({name})"
        )))
    }
}

/// The `autoscaling/v1` Scale of a Deployment, ReplicaSet or StatefulSet.
fn scale_of(object: &Value) -> Value {
    let meta = &object["metadata"];
    let selector = object["spec"]["selector"]["matchLabels"]
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default()))
                .collect::<Vec<_>>()
                .join(",")
        })
        .unwrap_or_default();
    json!({
        "kind": "Scale",
        "apiVersion": "autoscaling/v1",
        "metadata": {
            "name": meta["name"], "namespace": meta["namespace"], "uid": meta["uid"],
            "resourceVersion": meta["resourceVersion"], "creationTimestamp": meta["creationTimestamp"],
        },
        "spec": {"replicas": object["spec"]["replicas"].as_i64().unwrap_or(0)},
        "status": {"replicas": object["status"]["replicas"].as_i64().unwrap_or(0), "selector": selector},
    })
}

fn encode_continue(key: &Key) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(format!("{}\n{}", key.namespace, key.name))
}

fn decode_continue(token: &str) -> Result<(String, String)> {
    use base64::Engine;
    let bad = || {
        ApiError::bad_request(
            "continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)",
        )
    };
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token)
        .map_err(|_| bad())?;
    let text = String::from_utf8(bytes).map_err(|_| bad())?;
    let (namespace, name) = text.split_once('\n').ok_or_else(bad)?;
    Ok((namespace.into(), name.into()))
}

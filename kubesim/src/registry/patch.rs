//! PATCH in its four formats (JSON patch, merge patch, strategic merge patch, and
//! server-side apply with field ownership and conflicts), and the Scale subresource of
//! Deployments, ReplicaSets and StatefulSets.

use super::base::{Registry, present};
use super::context::RequestContext;
use super::target::Target;
use super::write::check_name;
use crate::managed::{self, Writer};
use crate::patch;
use crate::status::{ApiError, Cause, Result};
use crate::store::{StoreError, resource_version_of};
use serde_json::{Value, json};

/// What a write produced: the object, and whether it is new (a server-side apply may
/// create), which the HTTP layer answers with 201 rather than 200.
#[derive(Debug, Clone, PartialEq)]
pub struct Written {
    /// The object as stored (or as it would be, under dry run).
    pub object: Value,
    /// Whether the write created it.
    pub created: bool,
}

impl Written {
    fn created(object: Value) -> Written {
        Written {
            object,
            created: true,
        }
    }

    fn updated(object: Value) -> Written {
        Written {
            object,
            created: false,
        }
    }
}

impl Registry {
    /// PATCH in any of the four formats.
    pub fn patch(
        &self,
        target: &Target,
        ctx: &mut RequestContext,
        manager: &str,
        content_type: &str,
        body: &[u8],
    ) -> Result<Written> {
        let resource = target.resource;
        let name = target.name()?.to_string();
        let key = self.key(target, &name);
        let media = content_type.split(';').next().unwrap_or("").trim();
        let current = match self.store.get(&key) {
            Ok(object) => Some(object),
            Err(StoreError::NotFound) if media == "application/apply-patch+yaml" => None,
            Err(e) => return Err(Registry::store_error(resource, &name, e)),
        };
        let parse_json = |body: &[u8]| -> Result<Value> {
            serde_json::from_slice(body)
                .map_err(|e| ApiError::bad_request(format!("error decoding patch: {e}")))
        };
        let base = match (&current, target.subresource_kind()) {
            (Some(c), Some("scale")) => scale_of(c),
            (Some(c), _) => present(resource, c),
            (None, _) => json!({}),
        };
        let mut patched = base.clone();
        // Custom resources have no Go types to carry strategic-merge keys: kube-apiserver
        // refuses that format for them.
        let built_in =
            crate::resources::find(resource.group, resource.version, resource.plural).is_some();
        let accepted = "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml";
        match media {
            "application/json-patch+json" => {
                let ops: json_patch::Patch = serde_json::from_value(parse_json(body)?)
                    .map_err(|e| ApiError::bad_request(format!("error decoding patch: {e}")))?;
                json_patch::patch(&mut patched, &ops).map_err(|e| {
                    ApiError::invalid(
                        resource,
                        &name,
                        vec![Cause {
                            reason: "FieldValueInvalid",
                            message: e.to_string(),
                            field: String::new(),
                        }],
                    )
                })?;
            }
            "application/merge-patch+json" => patch::merge(&mut patched, &parse_json(body)?),
            "application/strategic-merge-patch+json" if built_in => {
                let ty = match target.subresource_kind() {
                    Some("scale") => crate::patch_schema::of_kind("autoscaling/v1", "Scale"),
                    _ => crate::patch_schema::of_kind(&resource.api_version(), resource.kind),
                };
                patch::strategic(&mut patched, &parse_json(body)?, ty)
                    .map_err(|message| ApiError::new(500, "", message))?
            }
            "application/apply-patch+yaml" => {
                return self.apply(target, ctx, &name, current.as_deref(), body);
            }
            // Built-in types' routes refuse other formats before the handler runs, in
            // the words of the HTTP router kube-apiserver uses (go-restful).
            _ if built_in => {
                let mut refused =
                    ApiError::new(415, "UnsupportedMediaType", "415: Unsupported Media Type");
                refused.details = Some(json!({}));
                return Err(refused);
            }
            _ => return Err(ApiError::unsupported_media_type(accepted)),
        }
        let expected =
            resource_version_of(&patched).filter(|rv| Some(*rv) != resource_version_of(&base));
        if target.subresource_kind() == Some("scale") {
            let replicas = patched["spec"]["replicas"].clone();
            let object = self.write_scale(target, &name, replicas, expected, ctx, manager)?;
            return Ok(Written::updated(object));
        }
        self.check_type(resource, &mut patched, ctx)?;
        let object = self.replace(target, &name, patched, expected, ctx, Some(manager))?;
        Ok(Written::updated(object))
    }

    /// Server-side apply: merge the manager's configuration, track ownership, refuse to
    /// overwrite another manager's values unless `force=true`.
    fn apply(
        &self,
        target: &Target,
        ctx: &mut RequestContext,
        name: &str,
        current: Option<&Value>,
        body: &[u8],
    ) -> Result<Written> {
        let resource = target.resource;
        let mut config: Value = serde_yaml::from_slice(body)
            .map_err(|e| ApiError::bad_request(format!("error decoding YAML: {e}")))?;
        let Some(manager) = ctx.params.get("fieldManager").map(str::to_string) else {
            return Err(ApiError::bad_request(
                "PATCH, application/apply-patch+yaml requires fieldManager to be set",
            ));
        };
        self.check_type(resource, &mut config, ctx)?;
        check_name(&config, name)?;
        let (time, api_version) = (self.store.clock().now_rfc3339(), resource.api_version());
        let writer = Writer {
            manager: &manager,
            api_version: &api_version,
            time: &time,
            subresource: None,
        };
        let live = current.map(|c| present(resource, c));
        let merged = managed::apply(live.as_ref(), &config, &writer, ctx.params.flag("force"))
            .map_err(|conflicts| managed::conflict_error(resource, name, &conflicts))?;
        match current {
            None => Ok(Written::created(self.create(target, ctx, None, merged)?)),
            Some(_) => Ok(Written::updated(
                self.replace(target, name, merged, None, ctx, None)?,
            )),
        }
    }

    /// Writes a new replica count through the Scale subresource.
    pub(super) fn write_scale(
        &self,
        target: &Target,
        name: &str,
        replicas: Value,
        expected: Option<u64>,
        ctx: &mut RequestContext,
        manager: &str,
    ) -> Result<Value> {
        let resource = target.resource;
        let current = self
            .store
            .get(&self.key(target, name))
            .map_err(|e| Registry::store_error(resource, name, e))?;
        if !replicas.is_i64() {
            return Err(ApiError::invalid(
                resource,
                name,
                vec![Cause {
                    reason: "FieldValueRequired",
                    message: "Required value".into(),
                    field: "spec.replicas".into(),
                }],
            ));
        }
        let mut object = (*current).clone();
        object["spec"]["replicas"] = replicas;
        let stored = self.replace(target, name, object, expected, ctx, Some(manager))?;
        Ok(scale_of(&stored))
    }
}

/// The `autoscaling/v1` Scale of a Deployment, ReplicaSet or StatefulSet.
pub(super) fn scale_of(object: &Value) -> Value {
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

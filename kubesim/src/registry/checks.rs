//! What every write checks before anything else: that the body is an object of this
//! endpoint's type (decodable into its Go type; unknown and duplicate fields dropped,
//! refused or warned about as `fieldValidation` says), and NamespaceLifecycle (new objects need a namespace that
//! exists and is not being deleted).

use super::base::Registry;
use super::context::RequestContext;
use super::target::Target;
use crate::resources::Resource;
use crate::status::{ApiError, Result};
use crate::store::Key;
use serde_json::{Value, json};

impl Registry {
    /// An object's `apiVersion` and `kind` must be this endpoint's (or absent: filled in);
    /// fields its type does not have are dropped, or refused under
    /// `fieldValidation=Strict`, or warned about under `Warn` (the default).
    pub(super) fn check_type(
        &self,
        resource: &Resource,
        object: &mut Value,
        ctx: &mut RequestContext,
    ) -> Result<()> {
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
        // Decoding into the Go type comes first: a value of the wrong type is refused
        // before unknown fields are looked for.
        if let Some(why) =
            crate::openapi::decode::refusal(resource.group, resource.version, resource.kind, object)
        {
            return Err(ApiError::bad_request(format!(
                "{kind} in version \"{version}\" cannot be handled as a {kind}: {why}",
                kind = resource.kind,
                version = resource.version,
            )));
        }
        let unknown =
            crate::openapi::unknown::prune(resource.group, resource.version, resource.kind, object);
        let fields: Vec<String> = ctx
            .duplicates
            .iter()
            .map(|f| format!("duplicate field \"{f}\""))
            .chain(unknown.iter().map(|f| format!("unknown field \"{f}\"")))
            .collect();
        if fields.is_empty() {
            return Ok(());
        }
        match ctx.params.get("fieldValidation").unwrap_or("Warn") {
            "Strict" => Err(ApiError::bad_request(format!(
                "{kind} in version \"{version}\" cannot be handled as a {kind}: strict decoding error: {}",
                fields.join(", "),
                kind = resource.kind,
                version = resource.version,
            ))),
            "Ignore" => Ok(()),
            _ => {
                fields.into_iter().for_each(|f| ctx.warn(f));
                Ok(())
            }
        }
    }

    /// NamespaceLifecycle: new namespaced objects need a namespace that exists and is not
    /// being deleted.
    pub(super) fn check_namespace(&self, target: &Target, name: &str) -> Result<()> {
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

//! Admission: what kube-apiserver's built-in admission plugins do to an object before it
//! is stored, on every write — create, update, patch, server-side apply and scale alike
//! ([`Operation`]). Mutating plugins run before validation (ServiceAccount, LimitRanger
//! defaults, DefaultStorageClass), validating ones after it (LimitRanger bounds,
//! PodSecurity, ResourceQuota), in kube-apiserver's order. Each plugin decides what an
//! update can change that matters to it, as its upstream counterpart does: Pod Security
//! judges a Pod update that changes an image and every workload update, ResourceQuota
//! charges what an update adds (a Service turned NodePort), while ServiceAccount and
//! LimitRanger settle a Pod's account and resources at create, which no update may
//! change afterwards (Pod updates are validated by `validation::pod_update`).

mod attributes;
mod limit_range;
mod pod_security;
pub(crate) mod quota;
mod service_account;

use crate::status::ApiError;
pub use attributes::{Attributes, Notes, Operation};
use serde_json::{Value, json};

/// Mutating admission.
pub fn mutate(attrs: &Attributes, object: &mut Value) -> Result<(), ApiError> {
    if attrs.operation != Operation::Create {
        // Every field the mutating plugins set is one an update may not change (a Pod's
        // account, token volume and resources) or only chosen once (a claim's class).
        return Ok(());
    }
    match attrs.resource.kind {
        "Pod" => {
            service_account::admit(attrs, object)?;
            limit_range::apply_defaults(attrs.store, attrs.namespace, object);
        }
        "PersistentVolumeClaim" if object["spec"].get("storageClassName").is_none() => {
            // DefaultStorageClass: a claim that names no class gets the default one.
            let default = attrs
                .store
                .list("storage.k8s.io", "storageclasses", None, None)
                .0
                .into_iter()
                .find(|(_, c)| {
                    c["metadata"]["annotations"]["storageclass.kubernetes.io/is-default-class"]
                        == "true"
                });
            if let Some((key, _)) = default {
                object["spec"]["storageClassName"] = json!(key.name);
            }
        }
        _ => {}
    }
    Ok(())
}

/// Validating admission. Warnings and audit annotations go to `notes`, refused or not
/// (a refused Pod still records the policy it was judged by).
pub fn check(attrs: &Attributes, object: &Value, notes: &mut Notes) -> Result<(), ApiError> {
    match attrs.resource.kind {
        "Pod" => {
            limit_range::check(attrs, object)?;
            pod_security::check_pod(attrs, object, notes)?;
        }
        "Namespace" => pod_security::check_namespace(attrs, object, notes)?,
        kind => {
            if let Some(template) = pod_security::template_of(kind, object) {
                pod_security::check_template(attrs, template, notes);
            }
        }
    }
    quota::check(attrs, object)
}

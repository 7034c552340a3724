//! Admission: what kube-apiserver's strategies and built-in admission plugins do to an
//! object before it is stored. Mutating plugins run before validation (ServiceAccount,
//! LimitRanger defaults), validating ones after it (LimitRanger bounds, PodSecurity,
//! ResourceQuota), in kube-apiserver's order.

mod attributes;
mod limit_range;
mod pod_security;
pub(crate) mod quota;
mod service_account;

use crate::resources::Resource;
use crate::status::ApiError;
use crate::store::Store;
pub use attributes::Attributes;
use serde_json::{Value, json};

/// Mutating admission on create.
pub fn mutate(
    store: &Store,
    resource: &Resource,
    namespace: &str,
    object: &mut Value,
) -> Result<(), ApiError> {
    if resource.kind == "Pod" {
        service_account::admit(store, resource, namespace, object)?;
        limit_range::apply_defaults(store, namespace, object);
    }
    if resource.kind == "PersistentVolumeClaim" && object["spec"].get("storageClassName").is_none()
    {
        // DefaultStorageClass: a claim that names no class gets the default one.
        let default = store
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
    Ok(())
}

/// Validating admission on create. Returns warnings for the client (Pod Security on
/// workload templates: the object is admitted, its Pods will not be).
pub fn check(
    store: &Store,
    resource: &Resource,
    namespace: &str,
    object: &Value,
) -> Result<Vec<String>, ApiError> {
    let attrs = Attributes {
        store,
        resource,
        namespace,
        name: object["metadata"]["name"].as_str().unwrap_or_default(),
    };
    let mut warnings = Vec::new();
    match resource.kind {
        "Pod" => {
            limit_range::check(&attrs, object)?;
            pod_security::check(&attrs, object)?;
        }
        "Deployment" | "ReplicaSet" | "StatefulSet" | "DaemonSet" | "Job" => {
            warnings.extend(pod_security::warn_template(
                store,
                namespace,
                &object["spec"]["template"],
            ));
        }
        "CronJob" => warnings.extend(pod_security::warn_template(
            store,
            namespace,
            &object["spec"]["jobTemplate"]["spec"]["template"],
        )),
        _ => {}
    }
    quota::check(&attrs, object)?;
    Ok(warnings)
}

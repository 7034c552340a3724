//! Admission: what kube-apiserver's strategies and built-in admission plugins do to an
//! object before it is stored. Mutating plugins run before validation (ServiceAccount,
//! LimitRanger defaults), validating ones after it (LimitRanger bounds, PodSecurity,
//! ResourceQuota), in kube-apiserver's order.

mod limit_range;
mod pod_security;
pub(crate) mod quota;
mod service_account;

use crate::resources::Resource;
use crate::status::ApiError;
use crate::store::Store;
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
    let name = object["metadata"]["name"].as_str().unwrap_or_default();
    let mut warnings = Vec::new();
    match resource.kind {
        "Pod" => {
            limit_range::check(store, resource, namespace, name, object)?;
            pod_security::check(store, resource, namespace, name, object)?;
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
    quota::check(store, resource, namespace, name, object)?;
    Ok(warnings)
}

/// Prepares a new object of `kind` (after its client-set status was dropped).
pub fn prepare_for_create(kind: &str, object: &mut Value) {
    if kind == "Namespace" {
        // The namespace strategy: the `kubernetes` finalizer, Active, and the immutable
        // name label that selectors across namespaces rely on.
        let name = object["metadata"]["name"].clone();
        object["metadata"]["labels"]["kubernetes.io/metadata.name"] = name;
        let finalizers = object["spec"]["finalizers"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        if !finalizers.iter().any(|f| f == "kubernetes") {
            let mut all = finalizers;
            all.push(json!("kubernetes"));
            object["spec"]["finalizers"] = Value::Array(all);
        }
        object["status"] = json!({"phase": "Active"});
    }
}

/// The Job strategy: unless `manualSelector` is set, the Job selects its pods by its own
/// uid, and its template carries the labels that do so.
pub fn prepare_job(object: &mut Value, uid: &str) {
    if object["spec"]["manualSelector"] == true {
        return;
    }
    object["metadata"]["uid"] = json!(uid);
    let name = object["metadata"]["name"].clone();
    object["spec"]["selector"] =
        json!({"matchLabels": {"batch.kubernetes.io/controller-uid": uid}});
    let labels = &mut object["spec"]["template"]["metadata"]["labels"];
    for (key, value) in [
        ("batch.kubernetes.io/controller-uid", json!(uid)),
        ("batch.kubernetes.io/job-name", name.clone()),
        ("controller-uid", json!(uid)),
        ("job-name", name),
    ] {
        labels[key] = value;
    }
}

//! The ServiceAccount admission plugin: every Pod runs as an account (`default` unless it
//! names one), which must exist, and gets the projected token volume the kubelet mounts at
//! `/var/run/secrets/kubernetes.io/serviceaccount`.

use super::attributes::Attributes;
use crate::status::ApiError;
use crate::store::Key;
use serde_json::{Value, json};

const MOUNT_PATH: &str = "/var/run/secrets/kubernetes.io/serviceaccount";

/// Fills in the account and its token volume, or refuses a Pod whose account is missing.
/// Only on create, as kube-apiserver's plugin: an update may not change the account or
/// the volumes.
pub fn admit(attrs: &Attributes, pod: &mut Value) -> Result<(), ApiError> {
    let (store, namespace) = (attrs.store, attrs.namespace);
    let spec = &mut pod["spec"];
    let account = spec["serviceAccountName"]
        .as_str()
        .or(spec["serviceAccount"].as_str())
        .filter(|s| !s.is_empty())
        .unwrap_or("default")
        .to_string();
    spec["serviceAccountName"] = json!(account);
    spec["serviceAccount"] = json!(account);
    let Ok(sa) = store.get(&Key::new("", "serviceaccounts", namespace, &account)) else {
        let name = pod["metadata"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        return Err(ApiError::forbidden(
            attrs.resource,
            &name,
            &format!(
                "error looking up service account {namespace}/{account}: serviceaccount \"{account}\" not found"
            ),
        ));
    };
    let automount = pod["spec"]["automountServiceAccountToken"]
        .as_bool()
        .or(sa["automountServiceAccountToken"].as_bool())
        .unwrap_or(true);
    let already = pod["spec"]["containers"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|c| {
            c["volumeMounts"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|m| m["mountPath"] == MOUNT_PATH)
        });
    if !automount || already {
        return Ok(());
    }
    let volume = format!("kube-api-access-{}", store.random_suffix());
    let spec = &mut pod["spec"];
    if !spec["volumes"].is_array() {
        spec["volumes"] = json!([]);
    }
    if let Some(volumes) = spec["volumes"].as_array_mut() {
        volumes.push(json!({"name": volume, "projected": {"defaultMode": 420, "sources": [
            {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
            {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
            {"downwardAPI": {"items": [{"path": "namespace", "fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}}]}}
        ]}}));
    }
    for field in ["initContainers", "containers"] {
        // `get_mut`: indexing a missing list would write a `null` there.
        let containers = spec.get_mut(field).and_then(Value::as_array_mut);
        for c in containers.into_iter().flatten() {
            if !c["volumeMounts"].is_array() {
                c["volumeMounts"] = json!([]);
            }
            if let Some(mounts) = c["volumeMounts"].as_array_mut() {
                mounts.push(json!({"name": volume, "readOnly": true, "mountPath": MOUNT_PATH}));
            }
        }
    }
    Ok(())
}

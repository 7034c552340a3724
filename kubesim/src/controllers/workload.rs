//! What the controllers share about the objects they manage: reading the live ones and
//! those they own, new objects from a template owned by the controller's object, pods
//! created through the registry (so admission can refuse them) with the events
//! kube-controller-manager writes, and status written back only when it changed.

use super::runner::Context;
use crate::events::Source;
use crate::ownership::{controller_reference, owned_by};
use crate::store::{Key, Store};
use serde_json::{Value, json};
use std::sync::Arc;

/// The field manager of the controllers' writes.
pub const MANAGER: &str = "kube-controller-manager";

/// A new object of `kind` from `template`'s metadata and spec.
pub fn from_template(api_version: &str, kind: &str, template: &Value) -> Value {
    let mut object = json!({"apiVersion": api_version, "kind": kind,
        "metadata": template["metadata"].clone(), "spec": template["spec"].clone()});
    if !object["metadata"].is_object() {
        object["metadata"] = json!({});
    }
    object
}

/// An owner's type: its apiVersion and kind.
pub type OwnerType = (&'static str, &'static str);

/// A pod from `template`, named after `owner` (`generateName`) and owned by it.
pub fn pod_from_template(owner: &Value, owner_type: OwnerType, template: &Value) -> Value {
    let name = owner["metadata"]["name"].as_str().unwrap_or_default();
    let mut pod = from_template("v1", "Pod", template);
    pod["metadata"]["generateName"] = json!(format!("{name}-"));
    pod["metadata"]["ownerReferences"] = json!([owner_reference(owner, owner_type)]);
    pod
}

/// The controller reference to `owner`.
pub fn owner_reference(owner: &Value, (api_version, kind): OwnerType) -> Value {
    controller_reference(
        api_version,
        kind,
        owner["metadata"]["name"].as_str().unwrap_or_default(),
        &owner["metadata"]["uid"],
    )
}

/// Creates `pod` in `owner`'s namespace through the registry and records it on `owner`
/// (`SuccessfulCreate`, or `FailedCreate` with the API's refusal). Returns whether it was
/// created.
pub fn create_pod(ctx: &Context, owner: &Value, source: Source, pod: Value) -> bool {
    let namespace = owner["metadata"]["namespace"].as_str().unwrap_or_default();
    match ctx
        .registry
        .create_as_controller("", "v1", "pods", namespace, pod, MANAGER)
    {
        Ok(created) => {
            let name = created["metadata"]["name"].as_str().unwrap_or_default();
            let message = format!("Created pod: {name}");
            ctx.events
                .normal(owner, source, "SuccessfulCreate", &message);
            true
        }
        Err(e) => {
            let message = format!("Error creating: {}", e.message);
            ctx.events.warning(owner, source, "FailedCreate", &message);
            false
        }
    }
}

/// The object at `key`, unless it is gone or being deleted (nothing to reconcile then).
pub fn live(store: &Store, key: &Key) -> Option<Arc<Value>> {
    store
        .get(key)
        .ok()
        .filter(|o| o["metadata"].get("deletionTimestamp").is_none())
}

/// The objects of `(group, plural)` in `namespace` that `owner` owns.
pub fn owned(
    store: &Store,
    (group, plural): (&str, &str),
    namespace: &str,
    owner: &Value,
) -> Vec<(Key, Arc<Value>)> {
    let uid = owner["metadata"]["uid"].as_str().unwrap_or_default();
    store
        .list(group, plural, Some(namespace), None)
        .0
        .into_iter()
        .filter(|(_, o)| owned_by(o, uid))
        .collect()
}

/// Drops the `fields` of a status that are zero, as the controllers' Go structs omit
/// them (`omitempty`).
pub fn omit_zeros(status: &mut Value, fields: &[&str]) {
    if let Some(map) = status.as_object_mut() {
        for field in fields {
            if map.get(*field) == Some(&json!(0)) {
                map.remove(*field);
            }
        }
    }
}

/// Writes `status` over `object`'s when it changed. `expected` is the resourceVersion
/// read (a conflicting write is reconciled again from its own event), or `None` to
/// write over whatever happened meanwhile.
pub fn update_status(
    store: &Store,
    key: &Key,
    object: &Value,
    status: Value,
    expected: Option<u64>,
) {
    if object["status"] != status {
        let mut next = object.clone();
        next["status"] = status;
        let _ = store.update(key.clone(), next, expected);
    }
}

/// The pod-template-hash: ten characters from the template, in Kubernetes' safe alphabet.
pub fn template_hash(template: &Value) -> String {
    const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    let text = serde_json::to_string(template).unwrap_or_default();
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    (0..10)
        .map(|i| ALPHABET[((h >> (i * 6)) % ALPHABET.len() as u64) as usize] as char)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_follows_the_template() {
        let a = template_hash(&json!({"spec": {"containers": [{"image": "a"}]}}));
        assert_eq!(a.len(), 10);
        assert_eq!(
            a,
            template_hash(&json!({"spec": {"containers": [{"image": "a"}]}}))
        );
        assert_ne!(
            a,
            template_hash(&json!({"spec": {"containers": [{"image": "b"}]}}))
        );
    }
}

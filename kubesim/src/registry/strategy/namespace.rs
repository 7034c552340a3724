//! The Namespace strategy: a new Namespace gets the `kubernetes` finalizer, phase Active
//! and the name label that selectors across namespaces rely on (kept on every update), and at once its
//! `default` ServiceAccount; its deletion is held by `spec.finalizers` (the namespace
//! controller empties it) and never propagates (the controller deletes the content).

use super::hooks::{Created, Strategy};
use crate::registry::Registry;
use crate::status::Result;
use crate::store::{Key, Store, StoreError};
use serde_json::{Value, json};
use std::sync::Arc;

/// Namespaces.
pub struct Namespace;

impl Strategy for Namespace {
    fn prepare_for_create(&self, _store: &Store, object: &mut Value) {
        prepare(object);
    }

    fn prepare_for_update(&self, object: &mut Value, _old: &Value) {
        // The name label is what NetworkPolicies' namespaceSelectors trust: an update may
        // not remove or forge it.
        let name = object["metadata"]["name"].clone();
        object["metadata"]["labels"]["kubernetes.io/metadata.name"] = name;
    }

    fn after_create(&self, created: Created) -> Result<Arc<Value>> {
        // kube-controller-manager adds the account moments later; kubesim adds it at
        // once, so a Pod created right after its namespace never races it.
        let name = &created.key.name;
        default_account(created.registry.store(), name)
            .map_err(|e| Registry::store_error(created.resource, name, e))?;
        Ok(created.object)
    }

    fn propagates(&self) -> bool {
        false
    }

    fn held(&self, object: &Value) -> bool {
        object["spec"]["finalizers"]
            .as_array()
            .is_some_and(|f| !f.is_empty())
    }
}

/// What the server sets on a new Namespace.
pub fn prepare(object: &mut Value) {
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

/// Creates the `default` ServiceAccount of `namespace` unless it exists.
pub fn default_account(store: &Store, namespace: &str) -> std::result::Result<(), StoreError> {
    let account = json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "default", "namespace": namespace}});
    match store.create(
        Key::new("", "serviceaccounts", namespace, "default"),
        account,
    ) {
        Ok(_) | Err(StoreError::AlreadyExists) => Ok(()),
        Err(e) => Err(e),
    }
}

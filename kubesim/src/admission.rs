//! Admission: what kube-apiserver's strategies and built-in admission plugins do to an
//! object before it is stored. Grows with each kind kubesim models.

use serde_json::{Value, json};

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

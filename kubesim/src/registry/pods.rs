//! The pod subresources that are writes: `binding` (what the scheduler posts) and
//! `eviction` (refused when a PodDisruptionBudget would be violated), with
//! kube-apiserver's messages.

use super::base::Registry;
use super::context::Params;
use super::target::Target;
use crate::status::{ApiError, Cause, Result};
use crate::store::Key;
use serde_json::{Value, json};
use std::sync::Arc;

impl Registry {
    /// The pod a pod subresource addresses.
    pub fn pod(&self, target: &Target) -> Result<Arc<Value>> {
        let name = target.name()?;
        let key = Key::new(
            "",
            "pods",
            target.namespace.as_deref().unwrap_or_default(),
            name,
        );
        self.store
            .get(&key)
            .map_err(|_| ApiError::not_found(target.resource, name))
    }

    /// `POST pods/NAME/binding` (and `POST bindings`): assigns the pod to a node.
    pub fn bind_pod(
        &self,
        namespace: &str,
        body: &Value,
        path_name: Option<&str>,
    ) -> Result<Value> {
        let name = path_name
            .or(body["metadata"]["name"].as_str())
            .unwrap_or_default()
            .to_string();
        let node = body["target"]["name"].as_str().unwrap_or_default();
        if node.is_empty() {
            return Err(ApiError::invalid(
                crate::resources::for_kind("v1", "Binding")
                    .unwrap_or(&crate::resources::BUILTIN[0]),
                &name,
                vec![Cause {
                    reason: "FieldValueRequired",
                    message: "Required value".into(),
                    field: "target.name".into(),
                }],
            ));
        }
        let key = Key::new("", "pods", namespace, &name);
        let pod = self
            .store
            .get(&key)
            .map_err(|_| ApiError::new(404, "NotFound", format!("pods \"{name}\" not found")))?;
        if let Some(current) = pod["spec"]["nodeName"].as_str().filter(|n| !n.is_empty()) {
            return Err(ApiError {
                details: Some(json!({"name": name, "kind": "pods/binding"})),
                ..ApiError::new(
                    409,
                    "Conflict",
                    format!(
                        "Operation cannot be fulfilled on pods/binding \"{name}\": pod {name} is already assigned to node \"{current}\""
                    ),
                )
            });
        }
        crate::scheduling::bind(&self.store, &pod, node)
            .map_err(|e| ApiError::internal(e.to_string()))?;
        Ok(
            json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": 201}),
        )
    }

    /// `POST pods/NAME/eviction`: deletes the pod unless a PodDisruptionBudget forbids it.
    pub fn evict_pod(&self, target: &Target, params: &Params, body: &Value) -> Result<Value> {
        let pod = self.pod(target)?;
        let namespace = target.namespace.as_deref().unwrap_or_default();
        let labels = &pod["metadata"]["labels"];
        let pods = self.store.list("", "pods", Some(namespace), None).0;
        for (_, pdb) in self
            .store
            .list("policy", "poddisruptionbudgets", Some(namespace), None)
            .0
        {
            let selector = &pdb["spec"]["selector"];
            if !crate::labels::selector_selects(selector, labels) {
                continue;
            }
            let covered: Vec<&Arc<Value>> = pods
                .iter()
                .map(|(_, p)| p)
                .filter(|p| crate::labels::selector_selects(selector, &p["metadata"]["labels"]))
                .collect();
            let expected = covered.len() as i64;
            let healthy = covered.iter().filter(|p| crate::pods::is_ready(p)).count() as i64;
            let resolve = |v: &Value| -> Option<i64> {
                match v {
                    Value::Number(n) => n.as_i64(),
                    Value::String(s) => s
                        .strip_suffix('%')
                        .and_then(|p| p.parse::<i64>().ok())
                        .map(|p| (p * expected + 99) / 100),
                    _ => None,
                }
            };
            let desired = match (
                resolve(&pdb["spec"]["minAvailable"]),
                resolve(&pdb["spec"]["maxUnavailable"]),
            ) {
                (Some(min), _) => min,
                (None, Some(max)) => expected - max,
                (None, None) => 0,
            };
            if healthy - 1 < desired && crate::pods::is_ready(&pod) {
                let pdb_name = pdb["metadata"]["name"].as_str().unwrap_or_default();
                return Err(ApiError {
                    details: Some(
                        json!({"causes": [{"reason": "DisruptionBudget", "message": format!(
                            "The disruption budget {pdb_name} needs {desired} healthy pods and has {healthy} currently"
                        )}]}),
                    ),
                    ..ApiError::new(
                        429,
                        "TooManyRequests",
                        "Cannot evict pod as it would violate the pod's disruption budget.",
                    )
                });
            }
        }
        let options = body.get("deleteOptions").cloned().unwrap_or(Value::Null);
        self.delete(target, params, &options)?;
        Ok(
            json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": 201}),
        )
    }
}

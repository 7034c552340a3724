//! The LimitRanger admission plugin: containers without requests or limits get the
//! namespace's LimitRange defaults, and values outside its min/max are refused with
//! kube-apiserver's message.

use super::attributes::{Attributes, Operation};
use crate::quantity;
use crate::status::ApiError;
use crate::store::Store;
use serde_json::{Value, json};

fn container_limits(store: &Store, namespace: &str) -> Vec<Value> {
    store
        .list("", "limitranges", Some(namespace), None)
        .0
        .iter()
        .flat_map(|(_, lr)| lr["spec"]["limits"].as_array().cloned().unwrap_or_default())
        .filter(|l| l["type"] == "Container")
        .collect()
}

/// Fills default requests and limits from the namespace's LimitRanges.
pub fn apply_defaults(store: &Store, namespace: &str, pod: &mut Value) {
    let limits = container_limits(store, namespace);
    if limits.is_empty() {
        return;
    }
    for field in ["initContainers", "containers"] {
        // `get_mut`: indexing a missing list would write a `null` there.
        let containers = pod
            .get_mut("spec")
            .and_then(|s| s.get_mut(field))
            .and_then(Value::as_array_mut);
        for c in containers.into_iter().flatten() {
            for item in &limits {
                for (source, target) in [("default", "limits"), ("defaultRequest", "requests")] {
                    for (resource, value) in item[source].as_object().into_iter().flatten() {
                        if c["resources"][target].get(resource).is_none() {
                            if !c["resources"].is_object() {
                                c["resources"] = json!({});
                            }
                            if !c["resources"][target].is_object() {
                                c["resources"][target] = json!({});
                            }
                            c["resources"][target][resource] = value.clone();
                        }
                    }
                }
                // A limit without a request: the request defaults to the limit.
                let limits_now = c["resources"]["limits"].clone();
                for (resource, value) in limits_now.as_object().into_iter().flatten() {
                    if c["resources"]["requests"].get(resource).is_none() {
                        if !c["resources"]["requests"].is_object() {
                            c["resources"]["requests"] = json!({});
                        }
                        c["resources"]["requests"][resource] = value.clone();
                    }
                }
            }
        }
    }
}

/// Refuses containers outside the LimitRanges' bounds. Only on create, as
/// kube-apiserver's plugin: a Pod update may not change containers' resources, so an
/// older pod is not refused a label change because a LimitRange appeared since.
pub fn check(attrs: &Attributes, pod: &Value) -> Result<(), ApiError> {
    if attrs.operation != Operation::Create {
        return Ok(());
    }
    let limits = container_limits(attrs.store, attrs.namespace);
    let mut problems = Vec::new();
    for c in pod["spec"]["containers"].as_array().into_iter().flatten() {
        for item in &limits {
            for (r, max) in item["max"].as_object().into_iter().flatten() {
                let bound = max.as_str().and_then(quantity::parse);
                match c["resources"]["limits"][r]
                    .as_str()
                    .and_then(quantity::parse)
                {
                    None => problems.push(format!(
                        "maximum {r} usage per Container is {}.  No limit is specified",
                        max.as_str().unwrap_or_default()
                    )),
                    Some(v) if bound.is_some_and(|b| v > b) => problems.push(format!(
                        "maximum {r} usage per Container is {}, but limit is {}",
                        max.as_str().unwrap_or_default(),
                        c["resources"]["limits"][r].as_str().unwrap_or_default()
                    )),
                    _ => {}
                }
            }
            for (r, min) in item["min"].as_object().into_iter().flatten() {
                let bound = min.as_str().and_then(quantity::parse);
                if let Some(v) = c["resources"]["requests"][r]
                    .as_str()
                    .and_then(quantity::parse)
                    && bound.is_some_and(|b| v < b)
                {
                    problems.push(format!(
                        "minimum {r} usage per Container is {}, but request is {}",
                        min.as_str().unwrap_or_default(),
                        c["resources"]["requests"][r].as_str().unwrap_or_default()
                    ));
                }
            }
        }
    }
    match problems.len() {
        0 => Ok(()),
        1 => Err(attrs.forbidden(&problems[0])),
        _ => Err(attrs.forbidden(&format!("[{}]", problems.join(", ")))),
    }
}

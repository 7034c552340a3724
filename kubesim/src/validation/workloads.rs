//! Deployments, ReplicaSets, StatefulSets, DaemonSets and Jobs: selectors, templates,
//! replicas, and what may not change.

use super::errors::Errors;
use super::pod::validate_pod_spec;
use serde_json::{Value, json};

/// Whether `selector` selects objects labelled `labels` (matchLabels and expressions).
fn selects(selector: &Value, labels: &Value) -> bool {
    let get = |k: &str| labels.get(k).and_then(Value::as_str);
    let match_labels = selector["matchLabels"]
        .as_object()
        .into_iter()
        .flatten()
        .all(|(k, v)| get(k) == v.as_str());
    let expressions = selector["matchExpressions"]
        .as_array()
        .into_iter()
        .flatten()
        .all(|e| {
            let key = e["key"].as_str().unwrap_or_default();
            let values: Vec<&str> = e["values"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            match e["operator"].as_str() {
                Some("In") => get(key).is_some_and(|v| values.contains(&v)),
                Some("NotIn") => get(key).is_none_or(|v| !values.contains(&v)),
                Some("Exists") => get(key).is_some(),
                Some("DoesNotExist") => get(key).is_none(),
                _ => false,
            }
        });
    match_labels && expressions
}

fn is_empty_selector(selector: &Value) -> bool {
    selector["matchLabels"]
        .as_object()
        .is_none_or(|m| m.is_empty())
        && selector["matchExpressions"]
            .as_array()
            .is_none_or(Vec::is_empty)
}

/// Deployment, ReplicaSet, StatefulSet, DaemonSet.
pub fn validate_workload(kind: &str, object: &Value, old: Option<&Value>, errors: &mut Errors) {
    let spec = &object["spec"];
    let selector = &spec["selector"];
    let labels = &spec["template"]["metadata"]["labels"];
    if !selector.is_object() {
        errors.required("spec.selector", "");
    } else if is_empty_selector(selector) {
        let what = if kind == "StatefulSet" {
            "statefulset"
        } else {
            "deployment"
        };
        errors.invalid(
            "spec.selector",
            &json!({}),
            &format!("empty selector is invalid for {what}"),
        );
    }
    if !selector.is_object() || (!is_empty_selector(selector) && !selects(selector, labels)) {
        errors.invalid(
            "spec.template.metadata.labels",
            labels,
            "`selector` does not match template `labels`",
        );
    }
    if let Some(n) = spec["replicas"].as_i64().filter(|n| *n < 0) {
        errors.invalid(
            "spec.replicas",
            &json!(n),
            "must be greater than or equal to 0",
        );
    }
    if kind == "StatefulSet"
        && let Some(policy) = spec["podManagementPolicy"]
            .as_str()
            .filter(|p| !["OrderedReady", "Parallel"].contains(p))
    {
        errors.invalid(
            "spec.podManagementPolicy",
            &json!(policy),
            "must be 'OrderedReady' or 'Parallel'",
        );
    }
    // A StatefulSet's containers may mount its volumeClaimTemplates: they become volumes
    // of each pod.
    let mut pod_spec = spec["template"]["spec"].clone();
    for claim in spec["volumeClaimTemplates"]
        .as_array()
        .into_iter()
        .flatten()
    {
        let name = claim["metadata"]["name"].clone();
        // As the controller makes it: a claim volume.
        let volume = json!({"name": name, "persistentVolumeClaim": {"claimName": name}});
        match pod_spec["volumes"].as_array_mut() {
            Some(volumes) => volumes.push(volume),
            None => pod_spec["volumes"] = json!([volume]),
        }
    }
    validate_pod_spec(&pod_spec, "spec.template.spec", true, errors);
    if let Some(policy) = spec["template"]["spec"]["restartPolicy"]
        .as_str()
        .filter(|p| *p != "Always")
    {
        errors.not_supported(
            "spec.template.spec.restartPolicy",
            &json!(policy),
            &["Always"],
        );
    }
    let rolling = &spec["strategy"]["rollingUpdate"];
    if rolling["maxUnavailable"] == json!(0) && rolling["maxSurge"] == json!(0) {
        errors.invalid(
            "spec.strategy.rollingUpdate.maxUnavailable",
            &json!(0),
            "may not be 0 when `maxSurge` is 0",
        );
    }
    if let Some(old) = old
        && old["spec"]["selector"] != spec["selector"]
    {
        errors.invalid("spec.selector", selector, "field is immutable");
    }
}

/// Jobs: a template whose pods end.
pub fn validate_job(object: &Value, errors: &mut Errors) {
    let spec = &object["spec"];
    validate_pod_spec(
        &spec["template"]["spec"],
        "spec.template.spec",
        true,
        errors,
    );
    match spec["template"]["spec"]["restartPolicy"].as_str() {
        Some("OnFailure" | "Never") => {}
        other => errors.not_supported(
            "spec.template.spec.restartPolicy",
            &json!(other.unwrap_or("Always")),
            &["OnFailure", "Never"],
        ),
    }
}

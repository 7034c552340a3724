//! HorizontalPodAutoscaler, as autoscaling's validation has it: replica bounds, the
//! target it scales, its metrics (each of one source type, with a target of one kind) and
//! its scaling behaviour.

use super::errors::Errors;
use serde_json::{Value, json};

const SOURCE_TYPES: &[&str] = &[
    "ContainerResource",
    "External",
    "Object",
    "Pods",
    "Resource",
];
/// The source field each type fills.
const SOURCE_FIELDS: &[(&str, &str)] = &[
    ("Object", "object"),
    ("External", "external"),
    ("Pods", "pods"),
    ("Resource", "resource"),
    ("ContainerResource", "containerResource"),
];
const MAX_STABILIZATION_WINDOW: i64 = 3600;
const MAX_PERIOD: i64 = 1800;

/// An HPA's spec (autoscaling/v1's or v2's; v1 has no metrics or behaviour). As the
/// registry's strategy allows, an update keeps a zero `minReplicas` it had, and one that
/// leaves the target's apiVersion and kind as they were is not held to them.
pub fn validate_hpa(object: &Value, old: Option<&Value>, errors: &mut Errors) {
    let spec = &object["spec"];
    let min = spec["minReplicas"].as_i64();
    let max = spec["maxReplicas"].as_i64().unwrap_or(0);
    let lower_bound = match old {
        Some(old) if old["spec"]["minReplicas"] == 0 => 0,
        _ => 1,
    };
    if let Some(min) = min.filter(|m| *m < lower_bound) {
        errors.invalid(
            "spec.minReplicas",
            &json!(min),
            &format!("must be greater than or equal to {lower_bound}"),
        );
    }
    if max < 1 {
        errors.invalid("spec.maxReplicas", &json!(max), "must be greater than 0");
    }
    if min.is_some_and(|min| max < min) {
        errors.invalid(
            "spec.maxReplicas",
            &json!(max),
            "must be greater than or equal to `minReplicas`",
        );
    }
    let target = &spec["scaleTargetRef"];
    let same_target = old.is_some_and(|old| {
        let before = &old["spec"]["scaleTargetRef"];
        before["apiVersion"] == target["apiVersion"] && before["kind"] == target["kind"]
    });
    validate_target(target, !same_target, errors);
    let metrics = spec["metrics"].as_array().map_or(&[][..], Vec::as_slice);
    for (i, metric) in metrics.iter().enumerate() {
        validate_metric(metric, &format!("spec.metrics[{i}]"), errors);
    }
    let scales_on_objects = metrics
        .iter()
        .any(|m| m["type"] == "Object" || m["type"] == "External");
    if min == Some(0) && !scales_on_objects {
        errors.forbidden(
            "spec.metrics",
            "must specify at least one Object or External metric to support scaling to zero replicas",
        );
    }
    for direction in ["scaleUp", "scaleDown"] {
        let rules = &spec["behavior"][direction];
        if rules.is_object() {
            validate_rules(rules, &format!("spec.behavior.{direction}"), errors);
        }
    }
}

fn validate_target(target: &Value, check_api_version: bool, errors: &mut Errors) {
    for (field, value) in [("kind", &target["kind"]), ("name", &target["name"])] {
        let text = value.as_str().unwrap_or_default();
        let path = format!("spec.scaleTargetRef.{field}");
        if text.is_empty() {
            errors.required(&path, "");
        } else {
            for problem in super::meta::path_segment_problems(text) {
                errors.invalid(&path, value, &problem);
            }
        }
    }
    if !check_api_version {
        return;
    }
    // Only ReplicationController, in the core group, may leave the group out.
    let api_version = target["apiVersion"].as_str().unwrap_or_default();
    let problem = match api_version.matches('/').count() {
        0 if target["kind"] == "ReplicationController" => None,
        0 => Some("apiVersion must specify API group".to_string()),
        1 => None,
        _ => Some(format!("unexpected GroupVersion string: {api_version}")),
    };
    if let Some(problem) = problem {
        errors.invalid(
            "spec.scaleTargetRef.apiVersion",
            &json!(api_version),
            &problem,
        );
    }
}

fn validate_metric(metric: &Value, at: &str, errors: &mut Errors) {
    let kind = metric["type"].as_str().unwrap_or_default();
    if kind.is_empty() {
        errors.required(&format!("{at}.type"), "must specify a metric source type");
    }
    if !SOURCE_TYPES.contains(&kind) {
        errors.not_supported(&format!("{at}.type"), &json!(kind), SOURCE_TYPES);
    }
    let present: Vec<&str> = SOURCE_FIELDS
        .iter()
        .map(|(_, field)| *field)
        .filter(|field| metric[*field].is_object())
        .collect();
    if let Some(first) = present.first() {
        validate_source(first, &metric[*first], &format!("{at}.{first}"), errors);
    }
    let expected = SOURCE_FIELDS
        .iter()
        .find(|(k, _)| *k == kind)
        .map(|(_, f)| *f);
    match expected {
        Some(field) if !metric[field].is_object() => errors.required(
            &format!("{at}.{field}"),
            "must populate information for the given metric source",
        ),
        Some(_) => {}
        None => errors.not_supported(&format!("{at}.type"), &json!(kind), SOURCE_TYPES),
    }
    if present.len() != 1 {
        for field in present.iter().filter(|f| Some(**f) != expected) {
            errors.forbidden(
                &format!("{at}.{field}"),
                "must populate the given metric source only",
            );
        }
    }
}

fn validate_source(field: &str, source: &Value, at: &str, errors: &mut Errors) {
    let target = &source["target"];
    match field {
        "resource" | "containerResource" => {
            if source["name"].as_str().unwrap_or_default().is_empty() {
                errors.required(&format!("{at}.name"), "must specify a resource name");
            }
            if field == "containerResource"
                && source["container"].as_str().unwrap_or_default().is_empty()
            {
                errors.required(&format!("{at}.container"), "must specify a container");
            }
            validate_metric_target(target, &format!("{at}.target"), errors);
            let utilization = !target["averageUtilization"].is_null();
            let average = !target["averageValue"].is_null();
            if !utilization && !average {
                errors.required(
                    &format!("{at}.target.averageUtilization"),
                    "must set either a target raw value or a target utilization",
                );
            }
            if utilization && average {
                errors.forbidden(
                    &format!("{at}.target.averageValue"),
                    "may not set both a target raw value and a target utilization",
                );
            }
        }
        _ => {
            let name = source["metric"]["name"].as_str().unwrap_or_default();
            if name.is_empty() {
                errors.required(&format!("{at}.metric.name"), "must specify a metric name");
            } else {
                for problem in super::meta::path_segment_problems(name) {
                    errors.invalid(&format!("{at}.metric.name"), &json!(name), &problem);
                }
            }
            validate_metric_target(target, &format!("{at}.target"), errors);
        }
    }
}

fn validate_metric_target(target: &Value, at: &str, errors: &mut Errors) {
    let kind = target["type"].as_str().unwrap_or_default();
    if kind.is_empty() {
        errors.required(&format!("{at}.type"), "must specify a metric target type");
    }
    if !matches!(kind, "Utilization" | "Value" | "AverageValue") {
        errors.invalid(
            &format!("{at}.type"),
            &json!(kind),
            "must be either Utilization, Value, or AverageValue",
        );
    }
    for field in ["value", "averageValue"] {
        let quantity = &target[field];
        let positive = quantity
            .as_str()
            .map(str::to_string)
            .or_else(|| quantity.as_f64().map(|n| n.to_string()))
            .and_then(|q| crate::quantity::parse(&q))
            .is_none_or(|milli| milli > 0);
        if !quantity.is_null() && !positive {
            errors.invalid(&format!("{at}.{field}"), quantity, "must be positive");
        }
    }
    if let Some(utilization) = target["averageUtilization"].as_i64().filter(|u| *u < 1) {
        errors.invalid(
            &format!("{at}.averageUtilization"),
            &json!(utilization),
            "must be greater than 0",
        );
    }
}

fn validate_rules(rules: &Value, at: &str, errors: &mut Errors) {
    if let Some(window) = rules["stabilizationWindowSeconds"].as_i64() {
        let field = format!("{at}.stabilizationWindowSeconds");
        if window < 0 {
            errors.invalid(
                &field,
                &json!(window),
                "must be greater than or equal to zero",
            );
        }
        if window > MAX_STABILIZATION_WINDOW {
            errors.invalid(
                &field,
                &json!(window),
                &format!("must be less than or equal to {MAX_STABILIZATION_WINDOW}"),
            );
        }
    }
    if let Some(select) = rules.get("selectPolicy").filter(|s| !s.is_null())
        && !matches!(select.as_str(), Some("Max" | "Min" | "Disabled"))
    {
        errors.not_supported(
            &format!("{at}.selectPolicy"),
            select,
            &["Disabled", "Max", "Min"],
        );
    }
    let policies = rules["policies"].as_array().map_or(&[][..], Vec::as_slice);
    if policies.is_empty() {
        errors.required(
            &format!("{at}.policies"),
            "must specify at least one Policy",
        );
    }
    for (i, policy) in policies.iter().enumerate() {
        let at = format!("{at}.policies[{i}]");
        if !matches!(policy["type"].as_str(), Some("Pods" | "Percent")) {
            errors.not_supported(&format!("{at}.type"), &policy["type"], &["Percent", "Pods"]);
        }
        let value = policy["value"].as_i64().unwrap_or(0);
        if value <= 0 {
            errors.invalid(
                &format!("{at}.value"),
                &json!(value),
                "must be greater than zero",
            );
        }
        let period = policy["periodSeconds"].as_i64().unwrap_or(0);
        if period <= 0 {
            errors.invalid(
                &format!("{at}.periodSeconds"),
                &json!(period),
                "must be greater than zero",
            );
        }
        if period > MAX_PERIOD {
            errors.invalid(
                &format!("{at}.periodSeconds"),
                &json!(period),
                &format!("must be less than or equal to {MAX_PERIOD}"),
            );
        }
    }
}

//! Services: ports, types, node ports, and the cluster IP that may not change.

use super::errors::Errors;
use super::meta::check_label;
use serde_json::{Value, json};
use std::collections::BTreeSet;

const PORT_RANGE: &str = "must be between 1 and 65535, inclusive";
const TYPES: &[&str] = &["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"];

/// Validates a Service (after defaulting).
pub fn validate_service(object: &Value, old: Option<&Value>, errors: &mut Errors) {
    let spec = &object["spec"];
    let kind = spec["type"].as_str().unwrap_or("ClusterIP");
    if !TYPES.contains(&kind) {
        errors.not_supported("spec.type", &json!(kind), TYPES);
    }
    let ports = spec["ports"].as_array().cloned().unwrap_or_default();
    let headless = spec["clusterIP"] == "None";
    if ports.is_empty() && kind != "ExternalName" && !headless {
        errors.required("spec.ports", "");
    }
    let mut names = BTreeSet::new();
    for (i, p) in ports.iter().enumerate() {
        let at = format!("spec.ports[{i}]");
        match p["name"].as_str().filter(|n| !n.is_empty()) {
            None if ports.len() > 1 => errors.required(&format!("{at}.name"), ""),
            None => {}
            Some(name) => {
                check_label(name, &format!("{at}.name"), errors);
                if !names.insert(name.to_string()) {
                    errors.duplicate(&format!("{at}.name"), &json!(name));
                }
            }
        }
        let port = p["port"].as_i64().unwrap_or(0);
        if !(1..=65535).contains(&port) {
            errors.invalid(&format!("{at}.port"), &json!(port), PORT_RANGE);
        }
        if let Some(proto) = p["protocol"]
            .as_str()
            .filter(|p| !["SCTP", "TCP", "UDP"].contains(p))
        {
            errors.not_supported(
                &format!("{at}.protocol"),
                &json!(proto),
                &["SCTP", "TCP", "UDP"],
            );
        }
        if let Some(target) = p["targetPort"]
            .as_i64()
            .filter(|t| !(1..=65535).contains(t))
        {
            errors.invalid(&format!("{at}.targetPort"), &json!(target), PORT_RANGE);
        }
        if let Some(node_port) = p["nodePort"].as_i64().filter(|n| *n != 0) {
            if kind == "ClusterIP" {
                errors.forbidden(
                    &format!("{at}.nodePort"),
                    "may not be used when `type` is 'ClusterIP'",
                );
            } else if !(30000..=32767).contains(&node_port) {
                errors.invalid(&format!("{at}.nodePort"), &json!(node_port), "provided port is not in the valid range. The range of valid ports is 30000-32767");
            }
        }
    }
    if let Some(old) = old {
        let (before, after) = (&old["spec"]["clusterIP"], &spec["clusterIP"]);
        if before.is_string() && before != "" && after.is_string() && before != after {
            errors.invalid(
                "spec.clusterIPs[0]",
                &json!([after]),
                "may not change once set",
            );
        }
    }
}

//! Ingress, as networking's validation has it: rules with hosts that are DNS names (a
//! leading `*.` allowed), paths whose `pathType` says how to read them, and backends that
//! name a Service and one port.

use super::errors::Errors;
use super::meta::{DNS1035_LABEL, DNS1123_SUBDOMAIN, is_dns1035_label, is_dns1123_subdomain};
use super::pod::check_port_name;
use serde_json::{Value, json};

const WILDCARD_SUBDOMAIN: &str = "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character (e.g. '*.example.com', regex used for validation is '\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const PATH_TYPES: &[&str] = &["Exact", "ImplementationSpecific", "Prefix"];
const INVALID_SEQUENCES: &[&str] = &["//", "/./", "/../", "%2f", "%2F"];
const INVALID_SUFFIXES: &[&str] = &["/..", "/."];

/// An Ingress's spec.
pub fn validate_ingress(object: &Value, errors: &mut Errors) {
    let spec = &object["spec"];
    let rules = spec["rules"].as_array().map_or(&[][..], Vec::as_slice);
    let default_backend = spec.get("defaultBackend").filter(|b| b.is_object());
    if rules.is_empty() && default_backend.is_none() {
        let shown = if spec["rules"].is_array() {
            json!([])
        } else {
            Value::Null
        };
        errors.invalid(
            "spec",
            &shown,
            "either `defaultBackend` or `rules` must be specified",
        );
    }
    if let Some(backend) = default_backend {
        validate_backend(backend, "spec.defaultBackend", errors);
    }
    for (i, rule) in rules.iter().enumerate() {
        let at = format!("spec.rules[{i}]");
        if let Some(host) = rule["host"].as_str().filter(|h| !h.is_empty()) {
            check_host(host, &format!("{at}.host"), errors);
        }
        if let Some(http) = rule.get("http").filter(|h| h.is_object()) {
            let paths = http["paths"].as_array().map_or(&[][..], Vec::as_slice);
            if paths.is_empty() {
                errors.required(&format!("{at}.http.paths"), "");
            }
            for (j, path) in paths.iter().enumerate() {
                validate_path(path, &format!("{at}.http.paths[{j}]"), errors);
            }
        }
    }
    for (t, tls) in spec["tls"].as_array().into_iter().flatten().enumerate() {
        for (i, host) in tls["hosts"].as_array().into_iter().flatten().enumerate() {
            let host = host.as_str().unwrap_or_default();
            let field = format!("spec.tls[{t}].hosts[{i}]");
            if host.contains('*') {
                if !is_wildcard_subdomain(host) {
                    errors.invalid(&field, &json!(host), WILDCARD_SUBDOMAIN);
                }
            } else {
                check_subdomain(host, &field, errors);
            }
        }
    }
}

fn check_host(host: &str, field: &str, errors: &mut Errors) {
    if host.parse::<std::net::IpAddr>().is_ok() {
        errors.invalid(field, &json!(host), "must be a DNS name, not an IP address");
    }
    if host.contains('*') {
        if !is_wildcard_subdomain(host) {
            errors.invalid(field, &json!(host), WILDCARD_SUBDOMAIN);
        }
    } else {
        check_subdomain(host, field, errors);
    }
}

fn check_subdomain(value: &str, field: &str, errors: &mut Errors) {
    if value.len() > 253 {
        errors.invalid(field, &json!(value), "must be no more than 253 characters");
    }
    if !is_dns1123_subdomain(value) {
        errors.invalid(field, &json!(value), DNS1123_SUBDOMAIN);
    }
}

/// `*.` followed by a DNS-1123 subdomain.
fn is_wildcard_subdomain(host: &str) -> bool {
    host.strip_prefix("*.").is_some_and(is_dns1123_subdomain)
}

fn validate_path(path: &Value, at: &str, errors: &mut Errors) {
    let Some(path_type) = path.get("pathType").filter(|t| !t.is_null()) else {
        errors.required(&format!("{at}.pathType"), "pathType must be specified");
        return;
    };
    let text = path["path"].as_str().unwrap_or_default();
    let field = format!("{at}.path");
    match path_type.as_str().unwrap_or_default() {
        "Exact" | "Prefix" => {
            if !text.starts_with('/') {
                errors.invalid(&field, &json!(text), "must be an absolute path");
            }
            for sequence in INVALID_SEQUENCES.iter().filter(|s| text.contains(**s)) {
                errors.invalid(
                    &field,
                    &json!(text),
                    &format!("must not contain '{sequence}'"),
                );
            }
            for suffix in INVALID_SUFFIXES.iter().filter(|s| text.ends_with(**s)) {
                errors.invalid(&field, &json!(text), &format!("cannot end with '{suffix}'"));
            }
        }
        "ImplementationSpecific" => {
            if !text.is_empty() && !text.starts_with('/') {
                errors.invalid(&field, &json!(text), "must be an absolute path");
            }
        }
        _ => errors.not_supported(&format!("{at}.pathType"), path_type, PATH_TYPES),
    }
    validate_backend(&path["backend"], &format!("{at}.backend"), errors);
}

fn validate_backend(backend: &Value, at: &str, errors: &mut Errors) {
    let resource = backend.get("resource").filter(|r| r.is_object());
    let service = backend.get("service").filter(|s| s.is_object());
    let service = match (resource, service) {
        (Some(_), Some(_)) => {
            errors.invalid(
                at,
                &json!(""),
                "cannot set both resource and service backends",
            );
            return;
        }
        (Some(_), None) => return,
        (None, Some(service)) => service,
        (None, None) => {
            errors.invalid(at, &json!(""), "resource or service backend is required");
            return;
        }
    };
    let name = service["name"].as_str().unwrap_or_default();
    let name_field = format!("{at}.service.name");
    if name.is_empty() {
        errors.required(&name_field, "");
    } else {
        if name.len() > 63 {
            errors.invalid(
                &name_field,
                &json!(name),
                "must be no more than 63 characters",
            );
        }
        if !is_dns1035_label(name) {
            errors.invalid(&name_field, &json!(name), DNS1035_LABEL);
        }
    }
    let port_name = service["port"]["name"].as_str().unwrap_or_default();
    let number = service["port"]["number"].as_i64().unwrap_or(0);
    match (port_name.is_empty(), number) {
        (false, n) if n != 0 => {
            errors.invalid(at, &json!(""), "cannot set both port name & port number");
        }
        (false, _) => check_port_name(port_name, &format!("{at}.service.port.name"), errors),
        (true, 0) => errors.required(at, "port name or number is required"),
        (true, n) if !(1..=65535).contains(&n) => errors.invalid(
            &format!("{at}.service.port.number"),
            &json!(n),
            "must be between 1 and 65535, inclusive",
        ),
        (true, _) => {}
    }
}

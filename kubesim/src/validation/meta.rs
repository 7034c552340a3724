//! Names, labels and the data of ConfigMaps and Secrets.

use super::errors::Errors;
use serde_json::{Value, json};

pub const DNS1123_LABEL: &str = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
pub const DNS1123_SUBDOMAIN: &str = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
pub const DNS1035_LABEL: &str = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
const LABEL_VALUE: &str = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
const NAME_PART: &str = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const CONFIG_KEY: &str = "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')";

fn lower_alnum(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit()
}

/// `[a-z0-9]([-a-z0-9]*[a-z0-9])?`
pub fn is_dns1123_label(s: &str) -> bool {
    !s.is_empty()
        && s.chars().all(|c| lower_alnum(c) || c == '-')
        && s.starts_with(lower_alnum)
        && s.ends_with(lower_alnum)
}

pub fn is_dns1123_subdomain(s: &str) -> bool {
    s.split('.').all(is_dns1123_label)
}

pub fn is_dns1035_label(s: &str) -> bool {
    is_dns1123_label(s) && s.starts_with(|c: char| c.is_ascii_lowercase())
}

fn alnum_dash_underscore_dot(s: &str) -> bool {
    s.chars()
        .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        && s.starts_with(|c: char| c.is_ascii_alphanumeric())
        && s.ends_with(|c: char| c.is_ascii_alphanumeric())
}

/// What keeps a name from being a path segment, in apimachinery's words
/// (`IsValidPathSegmentName`).
pub fn path_segment_problems(name: &str) -> Vec<String> {
    if name == "." || name == ".." {
        return vec![format!("may not be '{name}'")];
    }
    ["/", "%"]
        .iter()
        .filter(|c| name.contains(**c))
        .map(|c| format!("may not contain '{c}'"))
        .collect()
}

/// Checks a DNS-1123 label value, with the length and dot rules.
pub fn check_label(value: &str, field: &str, errors: &mut Errors) {
    if value.len() > 63 {
        errors.invalid(field, &json!(value), "must be no more than 63 characters");
    }
    if !is_dns1123_label(value) {
        let detail = if is_dns1123_subdomain(value) {
            "must not contain dots"
        } else {
            DNS1123_LABEL
        };
        errors.invalid(field, &json!(value), detail);
    }
}

/// The name rules per kind, then labels.
pub fn validate_metadata(kind: &str, meta: &Value, errors: &mut Errors) {
    let name = meta["name"].as_str().unwrap_or_default();
    let field = "metadata.name";
    match kind {
        "Namespace" | "StatefulSet" => check_label(name, field, errors),
        "Service" => {
            if name.len() > 63 {
                errors.invalid(field, &json!(name), "must be no more than 63 characters");
            }
            if !is_dns1035_label(name) {
                errors.invalid(field, &json!(name), DNS1035_LABEL);
            }
        }
        "Role" | "RoleBinding" | "ClusterRole" | "ClusterRoleBinding" => {
            for problem in path_segment_problems(name) {
                errors.invalid(field, &json!(name), &problem);
            }
        }
        _ => {
            if name.len() > 253 {
                errors.invalid(field, &json!(name), "must be no more than 253 characters");
            }
            if !is_dns1123_subdomain(name) {
                errors.invalid(field, &json!(name), DNS1123_SUBDOMAIN);
            }
        }
    }
    for (key, value) in meta["labels"].as_object().into_iter().flatten() {
        let name_part = key.rsplit('/').next().unwrap_or(key);
        if name_part.is_empty() || name_part.len() > 63 || !alnum_dash_underscore_dot(name_part) {
            errors.invalid("metadata.labels", &json!(key), NAME_PART);
        }
        let v = value.as_str().unwrap_or_default();
        if v.len() > 63 {
            errors.invalid(
                "metadata.labels",
                value,
                "must be no more than 63 characters",
            );
        }
        if !v.is_empty() && !alnum_dash_underscore_dot(v) {
            errors.invalid("metadata.labels", value, LABEL_VALUE);
        }
    }
}

/// ConfigMap and Secret keys, sizes, immutability.
pub fn validate_config_data(kind: &str, object: &Value, old: Option<&Value>, errors: &mut Errors) {
    let mut total = 0;
    for field in ["data", "binaryData"] {
        for (key, value) in object[field].as_object().into_iter().flatten() {
            if key.is_empty()
                || !key
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
            {
                errors.invalid(&format!("{field}[{key}]"), &json!(key), CONFIG_KEY);
            }
            total += value.as_str().map_or(0, str::len);
        }
    }
    if total > 1024 * 1024 {
        errors.too_long(if kind == "ConfigMap" { "[]" } else { "data" }, 1024 * 1024);
    }
    if let Some(old) = old {
        if old["immutable"] == true
            && (old["data"] != object["data"] || old["binaryData"] != object["binaryData"])
        {
            errors.forbidden("data", "field is immutable when `immutable` is set");
        }
        if kind == "Secret" && old["type"] != object["type"] {
            errors.invalid("type", &object["type"], "field is immutable");
        }
    }
    if kind == "Secret" && object["type"] == "kubernetes.io/tls" {
        for key in ["tls.crt", "tls.key"] {
            if object["data"].get(key).is_none() {
                errors.required(&format!("data[{key}]"), "");
            }
        }
    }
}

//! PersistentVolumeClaims, as core's validation has it: the access modes that exist (and
//! ReadWriteOncePod alone), a storage request greater than zero, a valid class name.

use super::errors::Errors;
use super::meta::{DNS1123_SUBDOMAIN, is_dns1123_subdomain};
use serde_json::{Value, json};

const ACCESS_MODES: &[&str] = &[
    "ReadOnlyMany",
    "ReadWriteMany",
    "ReadWriteOnce",
    "ReadWriteOncePod",
];
const VOLUME_MODES: &[&str] = &["Block", "Filesystem"];

/// A claim's spec.
pub fn validate_claim(object: &Value, errors: &mut Errors) {
    let spec = &object["spec"];
    let modes = spec["accessModes"]
        .as_array()
        .map_or(&[][..], Vec::as_slice);
    if modes.is_empty() {
        errors.required("spec.accessModes", "at least 1 access mode is required");
    }
    let (mut once_pod, mut others) = (false, false);
    for mode in modes {
        let known = mode.as_str().is_some_and(|m| ACCESS_MODES.contains(&m));
        if !known {
            errors.not_supported("spec.accessModes", mode, ACCESS_MODES);
        } else if mode == "ReadWriteOncePod" {
            once_pod = true;
        } else {
            others = true;
        }
    }
    if once_pod && others {
        errors.forbidden(
            "spec.accessModes",
            "may not use ReadWriteOncePod with other access modes",
        );
    }
    let storage = &spec["resources"]["requests"]["storage"];
    let field = "spec.resources[storage]";
    if storage.is_null() {
        errors.required(field, "");
    } else {
        let text = storage
            .as_str()
            .map(str::to_string)
            .unwrap_or_else(|| storage.to_string());
        if crate::quantity::parse(&text).is_none_or(|milli| milli <= 0) {
            errors.invalid(field, &json!(text), "must be greater than zero");
        }
    }
    if let Some(class) = spec["storageClassName"].as_str().filter(|c| !c.is_empty())
        && !is_dns1123_subdomain(class)
    {
        errors.invalid("spec.storageClassName", &json!(class), DNS1123_SUBDOMAIN);
    }
    if let Some(mode) = spec.get("volumeMode").filter(|m| !m.is_null())
        && !mode.as_str().is_some_and(|m| VOLUME_MODES.contains(&m))
    {
        errors.not_supported("spec.volumeMode", mode, VOLUME_MODES);
    }
}

//! Pod specs, in Pods and in workload templates: containers, ports, env, volume mounts,
//! probes, restart policy.

use super::errors::Errors;
use super::meta::check_label;
use serde_json::{Value, json};
use std::collections::BTreeSet;

const PORT_RANGE: &str = "must be between 1 and 65535, inclusive";
const NON_NEGATIVE: &str = "must be greater than or equal to 0";

/// Validates `spec` found at `path` (`spec`, or `spec.template.spec`).
pub fn validate_pod_spec(spec: &Value, path: &str, template: bool, errors: &mut Errors) {
    // A volume that is itself invalid is not there for the mounts (as upstream's
    // validateVolumes leaves it out of the names it returns).
    let mut volumes: BTreeSet<&str> = BTreeSet::new();
    for (i, volume) in spec["volumes"].as_array().into_iter().flatten().enumerate() {
        if volume_source_valid(volume, &format!("{path}.volumes[{i}]"), errors)
            && let Some(name) = volume["name"].as_str()
        {
            volumes.insert(name);
        }
    }
    let containers = spec["containers"].as_array().cloned().unwrap_or_default();
    if containers.is_empty() {
        errors.required(&format!("{path}.containers"), "");
    }
    let mut names = BTreeSet::new();
    for (field, list) in [
        (
            "initContainers",
            spec["initContainers"]
                .as_array()
                .cloned()
                .unwrap_or_default(),
        ),
        ("containers", containers),
    ] {
        for (i, c) in list.iter().enumerate() {
            let at = format!("{path}.{field}[{i}]");
            validate_container(c, &at, template, &volumes, &mut names, errors);
        }
    }
    if let Some(policy) = spec["restartPolicy"].as_str()
        && !["Always", "OnFailure", "Never"].contains(&policy)
    {
        errors.not_supported(
            &format!("{path}.restartPolicy"),
            &json!(policy),
            &["Always", "OnFailure", "Never"],
        );
    }
}

/// The sources a volume may have, in the order kube-apiserver's validateVolumeSource
/// looks at them: the first is the volume's type, any further one is refused.
const VOLUME_SOURCES: &[&str] = &[
    "hostPath",
    "emptyDir",
    "gitRepo",
    "gcePersistentDisk",
    "awsElasticBlockStore",
    "secret",
    "nfs",
    "iscsi",
    "glusterfs",
    "flocker",
    "persistentVolumeClaim",
    "rbd",
    "cinder",
    "cephfs",
    "quobyte",
    "downwardAPI",
    "fc",
    "flexVolume",
    "azureFile",
    "vsphereVolume",
    "photonPersistentDisk",
    "portworxVolume",
    "azureDisk",
    "storageos",
    "configMap",
    "projected",
    "scaleIO",
    "csi",
    "ephemeral",
    "image",
];

/// Whether the volume at `at` has exactly one source; the errors when not.
fn volume_source_valid(volume: &Value, at: &str, errors: &mut Errors) -> bool {
    let mut found = false;
    let mut valid = true;
    for source in VOLUME_SOURCES {
        if volume.get(*source).is_none_or(Value::is_null) {
            continue;
        }
        if found {
            errors.forbidden(
                &format!("{at}.{source}"),
                "may not specify more than 1 volume type",
            );
            valid = false;
        }
        found = true;
    }
    if !found {
        errors.required(at, "must specify a volume type");
        return false;
    }
    valid
}

fn validate_container(
    c: &Value,
    at: &str,
    template: bool,
    volumes: &BTreeSet<&str>,
    names: &mut BTreeSet<String>,
    errors: &mut Errors,
) {
    match c["name"].as_str().filter(|n| !n.is_empty()) {
        None => errors.required(&format!("{at}.name"), ""),
        Some(name) => {
            check_label(name, &format!("{at}.name"), errors);
            if !names.insert(name.to_string()) {
                errors.duplicate(&format!("{at}.name"), &json!(name));
            }
        }
    }
    match c["image"].as_str() {
        None | Some("") => errors.required(&format!("{at}.image"), ""),
        Some(image) if !template && image.trim() != image => {
            errors.invalid(
                &format!("{at}.image"),
                &json!(image),
                "must not have leading or trailing whitespace",
            );
        }
        Some(_) => {}
    }
    if let Some(policy) = c["imagePullPolicy"].as_str()
        && !["Always", "IfNotPresent", "Never"].contains(&policy)
    {
        errors.not_supported(
            &format!("{at}.imagePullPolicy"),
            &json!(policy),
            &["Always", "IfNotPresent", "Never"],
        );
    }
    let mut port_names = BTreeSet::new();
    for (j, p) in c["ports"].as_array().into_iter().flatten().enumerate() {
        let pf = format!("{at}.ports[{j}]");
        match p["containerPort"].as_i64() {
            None | Some(0) => errors.required(&format!("{pf}.containerPort"), ""),
            Some(n) if !(1..=65535).contains(&n) => {
                errors.invalid(&format!("{pf}.containerPort"), &json!(n), PORT_RANGE)
            }
            Some(_) => {}
        }
        if let Some(name) = p["name"].as_str().filter(|n| !n.is_empty()) {
            check_port_name(name, &format!("{pf}.name"), errors);
            if !port_names.insert(name.to_string()) {
                errors.duplicate(&format!("{pf}.name"), &json!(name));
            }
        }
        if let Some(proto) = p["protocol"].as_str()
            && !["SCTP", "TCP", "UDP"].contains(&proto)
        {
            errors.not_supported(
                &format!("{pf}.protocol"),
                &json!(proto),
                &["SCTP", "TCP", "UDP"],
            );
        }
    }
    for (j, e) in c["env"].as_array().into_iter().flatten().enumerate() {
        let ef = format!("{at}.env[{j}].name");
        match e["name"].as_str().filter(|n| !n.is_empty()) {
            None => errors.required(&ef, ""),
            Some(name)
                if name.contains('=')
                    || !name.chars().all(|ch| ch.is_ascii_graphic() || ch == ' ') =>
            {
                errors.invalid(&ef, &json!(name), "a valid environment variable name must consist only of printable ASCII characters other than '='");
            }
            Some(_) => {}
        }
    }
    for (j, m) in c["volumeMounts"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
    {
        let name = m["name"].as_str().unwrap_or_default();
        if name.is_empty() {
            errors.required(&format!("{at}.volumeMounts[{j}].name"), "");
        } else if !volumes.contains(name) {
            errors.not_found(&format!("{at}.volumeMounts[{j}].name"), &json!(name));
        }
        if m["mountPath"].as_str().is_none_or(str::is_empty) {
            errors.required(&format!("{at}.volumeMounts[{j}].mountPath"), "");
        }
    }
    for probe in ["livenessProbe", "readinessProbe", "startupProbe"] {
        if c[probe].is_object() {
            validate_probe(
                &c[probe],
                &format!("{at}.{probe}"),
                probe != "readinessProbe",
                errors,
            );
        }
    }
}

fn validate_probe(probe: &Value, at: &str, success_must_be_one: bool, errors: &mut Errors) {
    let handlers: Vec<&str> = ["exec", "httpGet", "tcpSocket", "grpc"]
        .into_iter()
        .filter(|h| probe[*h].is_object())
        .collect();
    match handlers.as_slice() {
        [] => errors.required(at, "must specify a handler type"),
        [_] => {}
        [_, rest @ ..] => {
            for h in rest {
                errors.forbidden(
                    &format!("{at}.{h}"),
                    "may not specify more than 1 handler type",
                );
            }
        }
    }
    for field in [
        "initialDelaySeconds",
        "timeoutSeconds",
        "periodSeconds",
        "successThreshold",
        "failureThreshold",
    ] {
        if let Some(n) = probe[field].as_i64().filter(|n| *n < 0) {
            errors.invalid(&format!("{at}.{field}"), &json!(n), NON_NEGATIVE);
        }
    }
    if let Some(n) = probe["successThreshold"]
        .as_i64()
        .filter(|n| success_must_be_one && *n != 1 && *n >= 0)
    {
        errors.invalid(&format!("{at}.successThreshold"), &json!(n), "must be 1");
    }
    if let Some(port) = probe["httpGet"]["port"]
        .as_i64()
        .or(probe["tcpSocket"]["port"].as_i64())
        && !(1..=65535).contains(&port)
    {
        let handler = if probe["httpGet"].is_object() {
            "httpGet"
        } else {
            "tcpSocket"
        };
        errors.invalid(&format!("{at}.{handler}.port"), &json!(port), PORT_RANGE);
    }
}

/// IANA service names: every rule that fails is its own error, in kube-apiserver's order.
pub fn check_port_name(name: &str, field: &str, errors: &mut Errors) {
    let value = json!(name);
    if name.len() > 15 {
        errors.invalid(field, &value, "must be no more than 15 characters");
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        errors.invalid(
            field,
            &value,
            "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)",
        );
    }
    if !name.chars().any(|c| c.is_ascii_lowercase()) {
        errors.invalid(field, &value, "must contain at least one letter (a-z)");
    }
    if name.contains("--") {
        errors.invalid(field, &value, "must not contain consecutive hyphens");
    }
    if name.starts_with('-') || name.ends_with('-') {
        errors.invalid(field, &value, "must not begin or end with a hyphen");
    }
}

//! Pod Security admission: the level a namespace enforces
//! (`pod-security.kubernetes.io/enforce: baseline|restricted`) is checked on every Pod,
//! and a violation is refused with the checks kube-apiserver names. Workload objects are
//! not refused (their Pods are, when a controller creates them), as on a real cluster.

use super::attributes::Attributes;
use crate::status::ApiError;
use crate::store::{Key, Store};
use serde_json::Value;

const BASELINE_CAPABILITIES: &[&str] = &[
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
];
const RESTRICTED_VOLUMES: &[&str] = &[
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "persistentVolumeClaim",
    "projected",
    "secret",
];

fn containers(pod: &Value) -> Vec<&Value> {
    ["initContainers", "containers", "ephemeralContainers"]
        .iter()
        .flat_map(|f| pod["spec"][*f].as_array().into_iter().flatten())
        .collect()
}

fn names(list: &[&Value]) -> String {
    let quoted: Vec<String> = list
        .iter()
        .map(|c| format!("\"{}\"", c["name"].as_str().unwrap_or_default()))
        .collect();
    let noun = if quoted.len() == 1 {
        "container"
    } else {
        "containers"
    };
    format!("{noun} {}", quoted.join(", "))
}

/// The violations of `level` ("baseline" or "restricted"), in kube-apiserver's order.
pub fn violations(level: &str, pod: &Value) -> Vec<String> {
    let spec = &pod["spec"];
    let all = containers(pod);
    let mut out = Vec::new();
    let host: Vec<&str> = [
        ("hostNetwork", "hostNetwork=true"),
        ("hostPID", "hostPID=true"),
        ("hostIPC", "hostIPC=true"),
    ]
    .iter()
    .filter(|(f, _)| spec[*f] == true)
    .map(|(_, t)| *t)
    .collect();
    if !host.is_empty() {
        out.push(format!("host namespaces ({})", host.join(", ")));
    }
    let privileged: Vec<&Value> = all
        .iter()
        .copied()
        .filter(|c| c["securityContext"]["privileged"] == true)
        .collect();
    if !privileged.is_empty() {
        out.push(format!(
            "privileged ({} must not set securityContext.privileged=true)",
            names(&privileged)
        ));
    }
    let added: Vec<(&Value, Vec<&str>)> = all
        .iter()
        .map(|c| {
            (
                *c,
                c["securityContext"]["capabilities"]["add"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .filter(|cap| !BASELINE_CAPABILITIES.contains(cap))
                    .collect::<Vec<_>>(),
            )
        })
        .filter(|(_, caps)| !caps.is_empty())
        .collect();
    if !added.is_empty() {
        let list: Vec<String> = added
            .iter()
            .map(|(c, caps)| {
                format!(
                    "container \"{}\" must not include {} in securityContext.capabilities.add",
                    c["name"].as_str().unwrap_or_default(),
                    caps.iter()
                        .map(|c| format!("\"{c}\""))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })
            .collect();
        out.push(format!("non-default capabilities ({})", list.join("; ")));
    }
    let host_path: Vec<String> = spec["volumes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|v| v["hostPath"].is_object())
        .map(|v| format!("\"{}\"", v["name"].as_str().unwrap_or_default()))
        .collect();
    if !host_path.is_empty() {
        let noun = if host_path.len() == 1 {
            "volume"
        } else {
            "volumes"
        };
        out.push(format!(
            "hostPath volumes ({noun} {})",
            host_path.join(", ")
        ));
    }
    let host_ports: Vec<String> = all
        .iter()
        .flat_map(|c| {
            c["ports"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|p| p["hostPort"].as_i64().filter(|h| *h != 0))
                .map(move |h| {
                    format!(
                        "container \"{}\" uses hostPort {h}",
                        c["name"].as_str().unwrap_or_default()
                    )
                })
        })
        .collect();
    if !host_ports.is_empty() {
        out.push(format!("hostPort ({})", host_ports.join(", ")));
    }
    if level != "restricted" {
        return out;
    }
    let bad_volumes: Vec<String> = spec["volumes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|v| {
            !v.as_object()
                .is_some_and(|m| m.keys().any(|k| RESTRICTED_VOLUMES.contains(&k.as_str())))
                && !v["hostPath"].is_object()
        })
        .map(|v| format!("\"{}\"", v["name"].as_str().unwrap_or_default()))
        .collect();
    if !bad_volumes.is_empty() {
        out.push(format!(
            "restricted volume types (volumes {} use restricted volume types)",
            bad_volumes.join(", ")
        ));
    }
    let escalation: Vec<&Value> = all
        .iter()
        .copied()
        .filter(|c| c["securityContext"]["allowPrivilegeEscalation"] != false)
        .collect();
    if !escalation.is_empty() {
        out.push(format!("allowPrivilegeEscalation != false ({} must set securityContext.allowPrivilegeEscalation=false)", names(&escalation)));
    }
    let no_drop: Vec<&Value> = all
        .iter()
        .copied()
        .filter(|c| {
            !c["securityContext"]["capabilities"]["drop"]
                .as_array()
                .is_some_and(|d| d.iter().any(|x| x == "ALL"))
        })
        .collect();
    if !no_drop.is_empty() {
        out.push(format!(
            "unrestricted capabilities ({} must set securityContext.capabilities.drop=[\"ALL\"])",
            names(&no_drop)
        ));
    }
    let pod_non_root = spec["securityContext"]["runAsNonRoot"] == true;
    let not_non_root: Vec<&Value> = all
        .iter()
        .copied()
        .filter(|c| {
            !(c["securityContext"]["runAsNonRoot"] == true
                || (pod_non_root && c["securityContext"]["runAsNonRoot"] != false))
        })
        .collect();
    if !not_non_root.is_empty() {
        out.push(format!(
            "runAsNonRoot != true (pod or {} must set securityContext.runAsNonRoot=true)",
            names(&not_non_root)
        ));
    }
    let seccomp_ok = |v: &Value| {
        matches!(
            v["seccompProfile"]["type"].as_str(),
            Some("RuntimeDefault" | "Localhost")
        )
    };
    let pod_seccomp = seccomp_ok(&spec["securityContext"]);
    let no_seccomp: Vec<&Value> = all
        .iter()
        .copied()
        .filter(|c| {
            !(seccomp_ok(&c["securityContext"])
                || (pod_seccomp && c["securityContext"]["seccompProfile"].is_null()))
        })
        .collect();
    if !no_seccomp.is_empty() {
        out.push(format!("seccompProfile (pod or {} must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\")", names(&no_seccomp)));
    }
    out
}

/// The enforced level and version of a namespace, when it enforces one.
fn enforced(store: &Store, namespace: &str) -> Option<(String, String)> {
    let ns = store.get(&Key::new("", "namespaces", "", namespace)).ok()?;
    let labels = &ns["metadata"]["labels"];
    let level = labels["pod-security.kubernetes.io/enforce"]
        .as_str()
        .filter(|l| *l == "baseline" || *l == "restricted")?;
    let version = labels["pod-security.kubernetes.io/enforce-version"]
        .as_str()
        .unwrap_or("latest");
    Some((level.to_string(), version.to_string()))
}

/// The warning kube-apiserver gives for a workload whose pod template would be refused.
pub fn warn_template(store: &Store, namespace: &str, template: &Value) -> Option<String> {
    let (level, version) = enforced(store, namespace)?;
    let found = violations(&level, template);
    (!found.is_empty()).then(|| {
        format!(
            "would violate PodSecurity \"{level}:{version}\": {}",
            found.join(", ")
        )
    })
}

/// Refuses a Pod that violates its namespace's enforced level.
pub fn check(attrs: &Attributes, pod: &Value) -> Result<(), ApiError> {
    let Some((level, version)) = enforced(attrs.store, attrs.namespace) else {
        return Ok(());
    };
    let found = violations(&level, pod);
    if found.is_empty() {
        return Ok(());
    }
    Err(attrs.forbidden(&format!(
        "violates PodSecurity \"{level}:{version}\": {}",
        found.join(", ")
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn restricted_names_every_missing_setting() {
        let pod = json!({"spec": {"containers": [{"name": "app", "image": "x"}]}});
        assert_eq!(
            violations("restricted", &pod).join(", "),
            "allowPrivilegeEscalation != false (container \"app\" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container \"app\" must set securityContext.capabilities.drop=[\"ALL\"]), runAsNonRoot != true (pod or container \"app\" must set securityContext.runAsNonRoot=true), seccompProfile (pod or container \"app\" must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\")"
        );
        let good = json!({"spec": {"securityContext": {"runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}},
            "containers": [{"name": "app", "securityContext": {"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}}}]}});
        assert!(violations("restricted", &good).is_empty());
        assert!(violations("baseline", &pod).is_empty());
        let privileged = json!({"spec": {"hostNetwork": true, "containers": [{"name": "app", "securityContext": {"privileged": true}}]}});
        assert_eq!(
            violations("baseline", &privileged),
            [
                "host namespaces (hostNetwork=true)",
                "privileged (container \"app\" must not set securityContext.privileged=true)"
            ]
        );
    }
}

//! The `baseline` controls: what lets a pod take over its node — host namespaces,
//! privileged containers, added capabilities, hostPath volumes, host ports, probes and
//! lifecycle hooks aimed at other hosts, AppArmor, SELinux, `/proc` masking, seccomp,
//! unsafe sysctls and Windows HostProcess.

use super::control::{
    Check, PodView, Profiles, Violation, added_capabilities, annotation_allowed, containers_named,
    join_quote, name, pluralize, security, setters, sorted_set, who_sets,
};
use super::values::{
    APPARMOR_ANNOTATIONS, APPARMOR_TYPES, BASELINE_CAPABILITIES, PROC_MOUNTS, SECCOMP_ANNOTATIONS,
    SECCOMP_TYPES, SELINUX_TYPES, SYSCTLS,
};
use crate::admission::pod_security::policy::Level;
use serde_json::Value;

const fn baseline(
    id: &'static str,
    since: u32,
    run: fn(&PodView, u32) -> Option<Violation>,
) -> Check {
    Check {
        id,
        level: Level::Baseline,
        since,
        overrides: None,
        run,
    }
}

/// AppArmor profiles other than the runtime's default or a local one.
pub const APPARMOR: Check = baseline("appArmorProfile", 0, app_armor);
/// Capabilities beyond the default set.
pub const CAPABILITIES: Check = baseline("capabilities_baseline", 0, capabilities);
/// hostNetwork, hostPID, hostIPC.
pub const HOST_NAMESPACES: Check = baseline("hostNamespaces", 0, host_namespaces);
/// hostPath volumes.
pub const HOST_PATH_VOLUMES: Check = baseline("hostPathVolumes", 0, host_path_volumes);
/// Host ports.
pub const HOST_PORTS: Check = baseline("hostPorts", 0, host_ports);
/// Probes and lifecycle handlers naming a host (from 1.34).
pub const HOST_PROBES: Check = baseline("hostProbesAndHostLifecycle", 34, host_probes);
/// Privileged containers.
pub const PRIVILEGED: Check = baseline("privileged", 0, privileged);
/// Unmasked `/proc`.
pub const PROC_MOUNT: Check = baseline("procMount", 0, proc_mount);
/// SELinux types outside the container ones, and any user or role.
pub const SELINUX: Check = baseline("seLinuxOptions", 0, se_linux);
/// Seccomp `Unconfined` (annotations before 1.19, fields from then).
pub const SECCOMP: Check = baseline("seccompProfile_baseline", 0, seccomp);
/// Sysctls outside the safe set.
pub const UNSAFE_SYSCTLS: Check = baseline("sysctls", 0, sysctls);
/// Windows HostProcess containers.
pub const HOST_PROCESS: Check = baseline("windowsHostProcess", 0, host_process);

fn app_armor(pod: &PodView, _: u32) -> Option<Violation> {
    let profiles = Profiles::of(pod, "appArmorProfile", APPARMOR_TYPES);
    let mut who = profiles.setters();
    let mut values = profiles.values;
    let mut annotations: Vec<String> = pod.metadata["annotations"]
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(k, _)| k.starts_with("container.apparmor.security.beta.kubernetes.io/"))
        .filter_map(|(k, v)| {
            let v = v.as_str().unwrap_or_default();
            let ok = v.is_empty() || annotation_allowed(v, APPARMOR_ANNOTATIONS);
            (!ok).then(|| format!("{k}={}", Value::from(v)))
        })
        .collect();
    if !annotations.is_empty() {
        annotations.sort();
        who.push(pluralize("annotation", "annotations", annotations.len()).to_string());
        values.extend(annotations);
    }
    (!who.is_empty()).then(|| {
        Violation::new(
            pluralize(
                "forbidden AppArmor profile",
                "forbidden AppArmor profiles",
                values.len(),
            ),
            format!(
                "{} must not set AppArmor profile type to {}",
                who.join(" and "),
                join_quote(&values)
            ),
        )
    })
}

fn capabilities(pod: &PodView, _: u32) -> Option<Violation> {
    let mut bad = Vec::new();
    let mut caps = Vec::new();
    for c in pod.containers() {
        let added = added_capabilities(c, BASELINE_CAPABILITIES);
        if !added.is_empty() {
            bad.push(name(c));
            caps.extend(added);
        }
    }
    (!bad.is_empty()).then(|| {
        Violation::new(
            "non-default capabilities",
            format!(
                "{} must not include {} in securityContext.capabilities.add",
                containers_named(&bad),
                join_quote(&sorted_set(caps))
            ),
        )
    })
}

fn host_namespaces(pod: &PodView, _: u32) -> Option<Violation> {
    let shared: Vec<String> = ["hostNetwork", "hostPID", "hostIPC"]
        .into_iter()
        .filter(|f| pod.spec[*f] == true)
        .map(|f| format!("{f}=true"))
        .collect();
    (!shared.is_empty()).then(|| Violation::new("host namespaces", shared.join(", ")))
}

fn host_path_volumes(pod: &PodView, _: u32) -> Option<Violation> {
    let volumes: Vec<String> = pod.spec["volumes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|v| !v["hostPath"].is_null())
        .map(name)
        .collect();
    (!volumes.is_empty()).then(|| {
        Violation::new(
            "hostPath volumes",
            format!(
                "{} {}",
                pluralize("volume", "volumes", volumes.len()),
                join_quote(&volumes)
            ),
        )
    })
}

fn host_ports(pod: &PodView, _: u32) -> Option<Violation> {
    let mut bad = Vec::new();
    let mut ports = Vec::new();
    for c in pod.containers() {
        let used: Vec<String> = c["ports"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|p| p["hostPort"].as_i64().filter(|h| *h != 0))
            .map(|h| h.to_string())
            .collect();
        if !used.is_empty() {
            bad.push(name(c));
            ports.extend(used);
        }
    }
    // A Go string set: sorted as text ("10000" before "8080").
    let ports = sorted_set(ports);
    (!bad.is_empty()).then(|| {
        Violation::new(
            "hostPort",
            format!(
                "{} {} {} {}",
                containers_named(&bad),
                pluralize("uses", "use", bad.len()),
                pluralize("hostPort", "hostPorts", ports.len()),
                ports.join(", ")
            ),
        )
    })
}

fn host_probes(pod: &PodView, _: u32) -> Option<Violation> {
    let mut bad = Vec::new();
    let mut hosts = Vec::new();
    for c in pod.containers() {
        let handlers = ["livenessProbe", "readinessProbe", "startupProbe"]
            .map(|p| &c[p])
            .into_iter()
            .chain(["postStart", "preStop"].map(|h| &c["lifecycle"][h]));
        let named: Vec<String> = handlers
            .flat_map(|h| [&h["httpGet"]["host"], &h["tcpSocket"]["host"]])
            .filter_map(Value::as_str)
            .filter(|h| !h.is_empty())
            .map(str::to_string)
            .collect();
        if !named.is_empty() {
            bad.push(name(c));
            hosts.extend(named);
        }
    }
    let (bad, hosts) = (sorted_set(bad), sorted_set(hosts));
    (!bad.is_empty()).then(|| {
        Violation::new(
            "probe or lifecycle host",
            format!(
                "{} {} {} {}",
                containers_named(&bad),
                pluralize("uses", "use", bad.len()),
                pluralize(
                    "probe or lifecycle host",
                    "probe or lifecycle hosts",
                    hosts.len()
                ),
                join_quote(&hosts)
            ),
        )
    })
}

fn privileged(pod: &PodView, _: u32) -> Option<Violation> {
    let bad: Vec<String> = pod
        .containers()
        .filter(|c| security(c)["privileged"] == true)
        .map(name)
        .collect();
    (!bad.is_empty()).then(|| {
        Violation::new(
            "privileged",
            format!(
                "{} must not set securityContext.privileged=true",
                containers_named(&bad)
            ),
        )
    })
}

fn proc_mount(pod: &PodView, _: u32) -> Option<Violation> {
    let mut bad = Vec::new();
    let mut kinds = Vec::new();
    for c in pod.containers() {
        if let Some(mount) = security(c)["procMount"].as_str()
            && !PROC_MOUNTS.contains(&mount)
        {
            bad.push(name(c));
            kinds.push(mount.to_string());
        }
    }
    (!bad.is_empty()).then(|| {
        Violation::new(
            "procMount",
            format!(
                "{} must not set securityContext.procMount to {}",
                containers_named(&bad),
                join_quote(&sorted_set(kinds))
            ),
        )
    })
}

fn se_linux(pod: &PodView, minor: u32) -> Option<Violation> {
    let (mut types, mut user, mut role) = (Vec::new(), false, false);
    let mut valid = |options: &Value| {
        if !options.is_object() {
            return true;
        }
        let kind = options["type"].as_str().unwrap_or_default();
        let type_ok = SELINUX_TYPES.iter().any(|(v, t)| *v <= minor && *t == kind);
        if !type_ok {
            types.push(kind.to_string());
        }
        let has = |f: &str| options[f].as_str().is_some_and(|s| !s.is_empty());
        user |= has("user");
        role |= has("role");
        type_ok && !has("user") && !has("role")
    };
    let pod_bad = !valid(&pod.spec["securityContext"]["seLinuxOptions"]);
    let bad: Vec<String> = pod
        .containers()
        .filter(|c| !valid(&security(c)["seLinuxOptions"]))
        .map(name)
        .collect();
    let who = setters(pod_bad, &bad);
    if who.is_empty() {
        return None;
    }
    let types = sorted_set(types);
    let mut what = Vec::new();
    if !types.is_empty() {
        what.push(format!(
            "{} {}",
            pluralize("type", "types", types.len()),
            join_quote(&types)
        ));
    }
    if user {
        what.push("user may not be set".to_string());
    }
    if role {
        what.push("role may not be set".to_string());
    }
    Some(Violation::new(
        "seLinuxOptions",
        format!(
            "{} set forbidden securityContext.seLinuxOptions: {}",
            who.join(" and "),
            what.join("; ")
        ),
    ))
}

fn seccomp(pod: &PodView, minor: u32) -> Option<Violation> {
    if minor < 19 {
        return seccomp_annotations(pod);
    }
    let profiles = Profiles::of(pod, "seccompProfile", SECCOMP_TYPES);
    let who = profiles.setters();
    (!who.is_empty()).then(|| seccomp_violation(&who, &profiles.values))
}

/// `seccompProfile (… must not set securityContext.seccompProfile.type to "Unconfined")`,
/// shared with `restricted`.
pub(super) fn seccomp_violation(who: &[String], values: &[String]) -> Violation {
    Violation::new(
        "seccompProfile",
        format!(
            "{} must not set securityContext.seccompProfile.type to {}",
            who.join(" and "),
            join_quote(&sorted_set(values.to_vec()))
        ),
    )
}

fn seccomp_annotations(pod: &PodView) -> Option<Violation> {
    let annotations = &pod.metadata["annotations"];
    let keys = std::iter::once("seccomp.security.alpha.kubernetes.io/pod".to_string()).chain(
        pod.containers()
            .map(|c| format!("container.seccomp.security.alpha.kubernetes.io/{}", name(c))),
    );
    let forbidden: Vec<String> = keys
        .filter_map(|k| {
            let v = annotations[&k].as_str()?;
            let ok = annotation_allowed(v, SECCOMP_ANNOTATIONS);
            (!ok).then(|| format!("{k}={}", Value::from(v)))
        })
        .collect();
    let forbidden = sorted_set(forbidden);
    (!forbidden.is_empty()).then(|| {
        Violation::new(
            "seccompProfile",
            format!(
                "forbidden {} {}",
                pluralize("annotation", "annotations", forbidden.len()),
                forbidden.join(", ")
            ),
        )
    })
}

fn sysctls(pod: &PodView, minor: u32) -> Option<Violation> {
    let forbidden: Vec<String> = pod.spec["securityContext"]["sysctls"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s["name"].as_str())
        .filter(|n| !SYSCTLS.iter().any(|(v, safe)| *v <= minor && safe == n))
        .map(str::to_string)
        .collect();
    (!forbidden.is_empty()).then(|| Violation::new("forbidden sysctls", forbidden.join(", ")))
}

fn host_process(pod: &PodView, _: u32) -> Option<Violation> {
    let who = who_sets(pod, |sc| sc["windowsOptions"]["hostProcess"] == true);
    (!who.is_empty()).then(|| {
        Violation::new(
            "hostProcess",
            format!(
                "{} must not set securityContext.windowsOptions.hostProcess=true",
                who.join(" and ")
            ),
        )
    })
}

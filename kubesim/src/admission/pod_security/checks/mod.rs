//! The controls of the Pod Security Standards, as Pod Security admission (kube-apiserver
//! 1.34) checks them: one row per control in [`CHECKS`] — its level, the version it starts
//! at, the baseline control it replaces in `restricted` — and the values each allows as
//! tables below. A level at a version runs its controls in the admission's order
//! (baseline ids sorted, then restricted ids sorted), and a violation is worded with the
//! admission's reason and detail, which its messages join as `reason (detail)`.

mod baseline;
mod restricted;

use super::policy::{Level, LevelVersion, Version};
use serde_json::Value;

/// The newest version the checks know (kube-apiserver 1.34's): `latest`, and any newer
/// version a label names, mean this one.
pub const LATEST: u32 = 34;

/// Capabilities `baseline` lets a container add.
pub const BASELINE_CAPABILITIES: &[&str] = &[
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
/// Capabilities `restricted` lets a container add (after dropping `ALL`).
pub const RESTRICTED_CAPABILITIES: &[&str] = &["NET_BIND_SERVICE"];
/// AppArmor profile types allowed (pod and containers).
pub const APPARMOR_TYPES: &[&str] = &["RuntimeDefault", "Localhost"];
/// Seccomp profile types allowed (1.19+; `restricted` requires one of them).
pub const SECCOMP_TYPES: &[&str] = &["RuntimeDefault", "Localhost"];
/// `procMount` values allowed.
pub const PROC_MOUNTS: &[&str] = &["Default"];
/// SELinux types allowed, each from the version that allowed it.
pub const SELINUX_TYPES: &[(u32, &str)] = &[
    (0, ""),
    (0, "container_t"),
    (0, "container_init_t"),
    (0, "container_kvm_t"),
    (31, "container_engine_t"),
];
/// The "safe" sysctls, each from the version that allowed it.
pub const SYSCTLS: &[(u32, &str)] = &[
    (0, "kernel.shm_rmid_forced"),
    (0, "net.ipv4.ip_local_port_range"),
    (0, "net.ipv4.tcp_syncookies"),
    (0, "net.ipv4.ping_group_range"),
    (0, "net.ipv4.ip_unprivileged_port_start"),
    (27, "net.ipv4.ip_local_reserved_ports"),
    (29, "net.ipv4.tcp_keepalive_time"),
    (29, "net.ipv4.tcp_fin_timeout"),
    (29, "net.ipv4.tcp_keepalive_intvl"),
    (29, "net.ipv4.tcp_keepalive_probes"),
    (32, "net.ipv4.tcp_rmem"),
    (32, "net.ipv4.tcp_wmem"),
];
/// Volume sources `restricted` allows.
pub const RESTRICTED_VOLUMES: &[&str] = &[
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "image",
    "persistentVolumeClaim",
    "projected",
    "secret",
];
/// The volume sources `restricted` names when it refuses one (anything else is
/// `unknown`).
pub const NAMED_VOLUME_TYPES: &[&str] = &[
    "hostPath",
    "gcePersistentDisk",
    "awsElasticBlockStore",
    "gitRepo",
    "nfs",
    "iscsi",
    "glusterfs",
    "rbd",
    "flexVolume",
    "cinder",
    "cephfs",
    "flocker",
    "fc",
    "azureFile",
    "vsphereVolume",
    "quobyte",
    "azureDisk",
    "photonPersistentDisk",
    "portworxVolume",
    "scaleIO",
    "storageos",
];
/// Seccomp annotation values `baseline` allows before 1.19 (exactly, or as a prefix).
pub const SECCOMP_ANNOTATIONS: &[&str] = &["runtime/default", "docker/default", "localhost/"];
/// AppArmor annotation values allowed (exactly, or as a prefix); empty is allowed too.
pub const APPARMOR_ANNOTATIONS: &[&str] = &["runtime/default", "localhost/"];

/// What a pod (or a workload's pod template) is checked on.
#[derive(Debug, Clone, Copy)]
pub struct PodView<'a> {
    /// Its metadata (annotations matter to AppArmor and old seccomp checks).
    pub metadata: &'a Value,
    /// Its spec.
    pub spec: &'a Value,
}

impl<'a> PodView<'a> {
    /// A Pod, or a pod template (`metadata` + `spec`).
    pub fn of(pod: &'a Value) -> PodView<'a> {
        PodView {
            metadata: &pod["metadata"],
            spec: &pod["spec"],
        }
    }

    /// Init, regular and ephemeral containers, in that order.
    fn containers(&self) -> impl Iterator<Item = &'a Value> {
        let spec = self.spec;
        ["initContainers", "containers", "ephemeralContainers"]
            .into_iter()
            .flat_map(move |f| spec[f].as_array().into_iter().flatten())
    }

    /// Whether the pod declares it runs on Windows (some restricted checks skip it
    /// from 1.25).
    fn windows(&self) -> bool {
        self.spec["os"]["name"] == "windows"
    }
}

/// Why a pod fails one control, as the admission words it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// The control's reason (`privileged`, `host namespaces`).
    pub reason: String,
    /// What exactly (`container "app" must not set securityContext.privileged=true`).
    pub detail: String,
}

impl Violation {
    fn new(reason: impl Into<String>, detail: impl Into<String>) -> Violation {
        Violation {
            reason: reason.into(),
            detail: detail.into(),
        }
    }
}

/// One control of the standard.
pub struct Check {
    /// The admission's id (its order is the evaluation order).
    pub id: &'static str,
    /// The level it belongs to.
    pub level: Level,
    /// The minor version it starts at.
    pub since: u32,
    /// The baseline control it replaces when `restricted` is evaluated.
    pub overrides: Option<&'static str>,
    /// The check itself, at a minor version.
    pub run: fn(&PodView, u32) -> Option<Violation>,
}

/// Every control: baseline ones sorted by id, then restricted ones sorted by id.
pub const CHECKS: &[Check] = &[
    baseline::APPARMOR,
    baseline::CAPABILITIES,
    baseline::HOST_NAMESPACES,
    baseline::HOST_PATH_VOLUMES,
    baseline::HOST_PORTS,
    baseline::HOST_PROBES,
    baseline::PRIVILEGED,
    baseline::PROC_MOUNT,
    baseline::SELINUX,
    baseline::SECCOMP,
    baseline::UNSAFE_SYSCTLS,
    baseline::HOST_PROCESS,
    restricted::PRIVILEGE_ESCALATION,
    restricted::CAPABILITIES,
    restricted::VOLUMES,
    restricted::RUN_AS_NON_ROOT,
    restricted::RUN_AS_USER,
    restricted::SECCOMP,
];

/// The violations of `pod` against a level at a version, in the admission's order.
pub fn evaluate(lv: LevelVersion, pod: &PodView) -> Vec<Violation> {
    if lv.level == Level::Privileged {
        return Vec::new();
    }
    let minor = match lv.version {
        Version::Latest => LATEST,
        Version::Minor(minor) => minor.min(LATEST),
    };
    let active: Vec<&Check> = CHECKS
        .iter()
        .filter(|c| c.since <= minor && c.level <= lv.level)
        .collect();
    let replaced: Vec<&str> = active.iter().filter_map(|c| c.overrides).collect();
    active
        .iter()
        .filter(|c| !replaced.contains(&c.id))
        .filter_map(|c| (c.run)(pod, minor))
        .collect()
}

/// `reason (detail), reason (detail)`: how the admission's messages list violations.
pub fn describe(violations: &[Violation]) -> String {
    violations
        .iter()
        .map(|v| {
            if v.detail.is_empty() {
                v.reason.clone()
            } else {
                format!("{} ({})", v.reason, v.detail)
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// `"a", "b"`.
fn join_quote<S: AsRef<str>>(items: &[S]) -> String {
    items
        .iter()
        .map(|s| format!("\"{}\"", s.as_ref()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn pluralize<'s>(singular: &'s str, plural: &'s str, count: usize) -> &'s str {
    if count == 1 { singular } else { plural }
}

/// `container "a"` or `containers "a", "b"`.
fn containers_named<S: AsRef<str>>(names: &[S]) -> String {
    format!(
        "{} {}",
        pluralize("container", "containers", names.len()),
        join_quote(names)
    )
}

/// A container's name.
fn name(container: &Value) -> String {
    container["name"].as_str().unwrap_or_default().to_string()
}

/// Sorted and without repeats, as a Go string set lists them.
fn sorted_set(mut items: Vec<String>) -> Vec<String> {
    items.sort();
    items.dedup();
    items
}

/// `pod and containers "a", "b"`: who set something forbidden.
fn setters(pod: bool, containers: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    if pod {
        out.push("pod".to_string());
    }
    if !containers.is_empty() {
        out.push(containers_named(containers));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn at(level: Level, pod: &Value) -> Vec<String> {
        let lv = LevelVersion {
            level,
            version: Version::Latest,
        };
        evaluate(lv, &PodView::of(pod))
            .into_iter()
            .map(|v| format!("{} ({})", v.reason, v.detail))
            .collect()
    }

    #[test]
    fn controls_run_in_the_admissions_order() {
        let ids: Vec<&str> = CHECKS.iter().map(|c| c.id).collect();
        let (baseline, restricted) = ids.split_at(12);
        for half in [baseline, restricted] {
            let mut sorted = half.to_vec();
            sorted.sort_unstable();
            assert_eq!(half, sorted.as_slice());
        }
    }

    #[test]
    fn restricted_names_every_missing_setting() {
        let pod = json!({"spec": {"containers": [{"name": "app", "image": "x"}]}});
        assert_eq!(
            at(Level::Restricted, &pod).join(", "),
            "allowPrivilegeEscalation != false (container \"app\" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container \"app\" must set securityContext.capabilities.drop=[\"ALL\"]), runAsNonRoot != true (pod or container \"app\" must set securityContext.runAsNonRoot=true), seccompProfile (pod or container \"app\" must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\")"
        );
        let good = json!({"spec": {"securityContext": {"runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}},
            "containers": [{"name": "app", "securityContext": {"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"], "add": ["NET_BIND_SERVICE"]}}}]}});
        assert!(at(Level::Restricted, &good).is_empty());
        assert!(at(Level::Baseline, &pod).is_empty());
    }

    #[test]
    fn restricted_does_not_reuse_baselines_capabilities() {
        // CHOWN is in baseline's default set; restricted allows only NET_BIND_SERVICE.
        let pod = json!({"spec": {"securityContext": {"runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}},
            "containers": [{"name": "app", "securityContext": {"allowPrivilegeEscalation": false,
                "capabilities": {"drop": ["ALL"], "add": ["CHOWN", "SYS_ADMIN"]}}}]}});
        assert_eq!(
            at(Level::Restricted, &pod),
            ["unrestricted capabilities (container \"app\" must not include \"CHOWN\", \"SYS_ADMIN\" in securityContext.capabilities.add)"]
        );
        assert_eq!(
            at(Level::Baseline, &pod),
            ["non-default capabilities (container \"app\" must not include \"SYS_ADMIN\" in securityContext.capabilities.add)"]
        );
    }

    #[test]
    fn versions_change_what_is_allowed() {
        let pod = json!({"spec": {"securityContext": {"sysctls": [{"name": "net.ipv4.tcp_rmem", "value": "1"}]},
            "containers": [{"name": "app"}]}});
        let lv = |minor| LevelVersion {
            level: Level::Baseline,
            version: Version::Minor(minor),
        };
        assert_eq!(
            evaluate(lv(31), &PodView::of(&pod)),
            [Violation::new("forbidden sysctls", "net.ipv4.tcp_rmem")]
        );
        assert!(evaluate(lv(32), &PodView::of(&pod)).is_empty());
        assert!(evaluate(lv(99), &PodView::of(&pod)).is_empty(), "newer than known: latest");
    }
}

//! The controls of the Pod Security Standards, as Pod Security admission (kube-apiserver
//! 1.34) checks them: one row per control in [`CHECKS`] — its level, the version it starts
//! at, the baseline control it replaces in `restricted` — and the values each allows as
//! tables below. A level at a version runs its controls in the admission's order
//! (baseline ids sorted, then restricted ids sorted), and a violation is worded with the
//! admission's reason and detail, which its messages join as `reason (detail)`.

mod baseline;
mod control;
mod restricted;
mod values;

use super::policy::{Level, LevelVersion, Version};
pub use control::{Check, PodView, Violation};

/// The newest version the checks know (kube-apiserver 1.34's): `latest`, and any newer
/// version a label names, mean this one.
pub const LATEST: u32 = 34;

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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

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
            [
                "unrestricted capabilities (container \"app\" must not include \"CHOWN\", \"SYS_ADMIN\" in securityContext.capabilities.add)"
            ]
        );
        assert_eq!(
            at(Level::Baseline, &pod),
            [
                "non-default capabilities (container \"app\" must not include \"SYS_ADMIN\" in securityContext.capabilities.add)"
            ]
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
        assert!(
            evaluate(lv(99), &PodView::of(&pod)).is_empty(),
            "newer than known: latest"
        );
    }
}

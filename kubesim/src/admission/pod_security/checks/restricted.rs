//! The `restricted` controls, on top of `baseline`'s: only the listed volume types, no
//! privilege escalation, running as non-root and never as uid 0, a seccomp profile, and
//! every capability dropped but `NET_BIND_SERVICE`. Three of them replace a baseline
//! control (hostPath volumes, capabilities, seccomp) rather than add to it, and from
//! 1.25 some skip pods that declare Windows.

use super::baseline::seccomp_violation;
use super::control::{
    Check, PodView, Profiles, Violation, added_capabilities, containers_named, join_quote, name,
    pluralize, security, setters, sorted_set, who_sets,
};
use super::values::{
    NAMED_VOLUME_TYPES, RESTRICTED_CAPABILITIES, RESTRICTED_VOLUMES, SECCOMP_TYPES,
};
use crate::admission::pod_security::policy::Level;

const fn restricted(
    id: &'static str,
    since: u32,
    overrides: Option<&'static str>,
    run: fn(&PodView, u32) -> Option<Violation>,
) -> Check {
    Check {
        id,
        level: Level::Restricted,
        since,
        overrides,
        run,
    }
}

/// `allowPrivilegeEscalation: false` on every container (from 1.8).
pub const PRIVILEGE_ESCALATION: Check =
    restricted("allowPrivilegeEscalation", 8, None, privilege_escalation);
/// Drop `ALL`, add only `NET_BIND_SERVICE` (from 1.22, in place of baseline's list).
pub const CAPABILITIES: Check = restricted(
    "capabilities_restricted",
    22,
    Some("capabilities_baseline"),
    capabilities,
);
/// Only the allowed volume types (in place of baseline's hostPath check).
pub const VOLUMES: Check = restricted("restrictedVolumes", 0, Some("hostPathVolumes"), volumes);
/// `runAsNonRoot: true`, on the pod or every container.
pub const RUN_AS_NON_ROOT: Check = restricted("runAsNonRoot", 0, None, run_as_non_root);
/// Never `runAsUser: 0` (from 1.23).
pub const RUN_AS_USER: Check = restricted("runAsUser", 23, None, run_as_user);
/// A RuntimeDefault or Localhost seccomp profile (from 1.19, in place of baseline's).
pub const SECCOMP: Check = restricted(
    "seccompProfile_restricted",
    19,
    Some("seccompProfile_baseline"),
    seccomp,
);

/// From 1.25, pods that declare Windows skip the Linux-only controls.
fn skips_windows(pod: &PodView, minor: u32) -> bool {
    minor >= 25 && pod.windows()
}

fn privilege_escalation(pod: &PodView, minor: u32) -> Option<Violation> {
    if skips_windows(pod, minor) {
        return None;
    }
    let bad: Vec<String> = pod
        .containers()
        .filter(|c| security(c)["allowPrivilegeEscalation"] != false)
        .map(name)
        .collect();
    (!bad.is_empty()).then(|| {
        Violation::new(
            "allowPrivilegeEscalation != false",
            format!(
                "{} must set securityContext.allowPrivilegeEscalation=false",
                containers_named(&bad)
            ),
        )
    })
}

fn capabilities(pod: &PodView, minor: u32) -> Option<Violation> {
    if skips_windows(pod, minor) {
        return None;
    }
    let (mut no_drop, mut adding, mut caps) = (Vec::new(), Vec::new(), Vec::new());
    for c in pod.containers() {
        let dropped_all = security(c)["capabilities"]["drop"]
            .as_array()
            .is_some_and(|d| d.iter().any(|x| x == "ALL"));
        if !dropped_all {
            no_drop.push(name(c));
        }
        let added = added_capabilities(c, RESTRICTED_CAPABILITIES);
        if !added.is_empty() {
            adding.push(name(c));
            caps.extend(added);
        }
    }
    let mut details = Vec::new();
    if !no_drop.is_empty() {
        details.push(format!(
            "{} must set securityContext.capabilities.drop=[\"ALL\"]",
            containers_named(&no_drop)
        ));
    }
    if !adding.is_empty() {
        details.push(format!(
            "{} must not include {} in securityContext.capabilities.add",
            containers_named(&adding),
            join_quote(&sorted_set(caps))
        ));
    }
    (!details.is_empty()).then(|| Violation::new("unrestricted capabilities", details.join("; ")))
}

fn volumes(pod: &PodView, _: u32) -> Option<Violation> {
    let mut bad = Vec::new();
    let mut kinds = Vec::new();
    for volume in pod.spec["volumes"].as_array().into_iter().flatten() {
        let has = |source: &&str| !volume[*source].is_null();
        if RESTRICTED_VOLUMES.iter().any(has) {
            continue;
        }
        bad.push(name(volume));
        kinds.push(
            NAMED_VOLUME_TYPES
                .iter()
                .find(|s| has(s))
                .copied()
                .unwrap_or("unknown")
                .to_string(),
        );
    }
    let kinds = sorted_set(kinds);
    (!bad.is_empty()).then(|| {
        Violation::new(
            "restricted volume types",
            format!(
                "{} {} {} {} {}",
                pluralize("volume", "volumes", bad.len()),
                join_quote(&bad),
                pluralize("uses", "use", bad.len()),
                pluralize(
                    "restricted volume type",
                    "restricted volume types",
                    kinds.len()
                ),
                join_quote(&kinds)
            ),
        )
    })
}

fn run_as_non_root(pod: &PodView, _: u32) -> Option<Violation> {
    let pod_setting = &pod.spec["securityContext"]["runAsNonRoot"];
    let pod_bad = *pod_setting == false;
    let pod_non_root = *pod_setting == true;
    let (mut explicit, mut implicit) = (Vec::new(), Vec::new());
    for c in pod.containers() {
        match security(c)["runAsNonRoot"].as_bool() {
            Some(false) => explicit.push(name(c)),
            Some(true) => {}
            None if !pod_non_root => implicit.push(name(c)),
            None => {}
        }
    }
    let who = setters(pod_bad, &explicit);
    if !who.is_empty() {
        return Some(Violation::new(
            "runAsNonRoot != true",
            format!(
                "{} must not set securityContext.runAsNonRoot=false",
                who.join(" and ")
            ),
        ));
    }
    (!implicit.is_empty()).then(|| {
        Violation::new(
            "runAsNonRoot != true",
            format!(
                "pod or {} must set securityContext.runAsNonRoot=true",
                containers_named(&implicit)
            ),
        )
    })
}

fn run_as_user(pod: &PodView, _: u32) -> Option<Violation> {
    let who = who_sets(pod, |sc| sc["runAsUser"].as_i64() == Some(0));
    (!who.is_empty()).then(|| {
        Violation::new(
            "runAsUser=0",
            format!("{} must not set runAsUser=0", who.join(" and ")),
        )
    })
}

fn seccomp(pod: &PodView, minor: u32) -> Option<Violation> {
    if skips_windows(pod, minor) {
        return None;
    }
    let profiles = Profiles::of(pod, "seccompProfile", SECCOMP_TYPES);
    let who = profiles.setters();
    if !who.is_empty() {
        return Some(seccomp_violation(&who, &profiles.values));
    }
    let implicit = profiles.unset;
    (!implicit.is_empty()).then(|| {
        Violation::new(
            "seccompProfile",
            format!(
                "pod or {} must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\"",
                containers_named(&implicit)
            ),
        )
    })
}

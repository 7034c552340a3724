//! What a control is and sees — a pod's metadata and spec, its containers — and how its
//! violations are worded: the admission's `pluralize`, `joinQuote` and "who set it"
//! lists, and the readings several controls share (profiles, added capabilities).

use crate::admission::pod_security::policy::Level;
use serde_json::Value;

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
    pub(super) fn containers(&self) -> impl Iterator<Item = &'a Value> {
        let spec = self.spec;
        ["initContainers", "containers", "ephemeralContainers"]
            .into_iter()
            .flat_map(move |f| spec[f].as_array().into_iter().flatten())
    }

    /// Whether the pod declares it runs on Windows (some restricted checks skip it
    /// from 1.25).
    pub(super) fn windows(&self) -> bool {
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
    pub(super) fn new(reason: impl Into<String>, detail: impl Into<String>) -> Violation {
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

/// `"a", "b"`.
pub(super) fn join_quote<S: AsRef<str>>(items: &[S]) -> String {
    items
        .iter()
        .map(|s| format!("\"{}\"", s.as_ref()))
        .collect::<Vec<_>>()
        .join(", ")
}

pub(super) fn pluralize<'s>(singular: &'s str, plural: &'s str, count: usize) -> &'s str {
    if count == 1 { singular } else { plural }
}

/// `container "a"` or `containers "a", "b"`.
pub(super) fn containers_named<S: AsRef<str>>(names: &[S]) -> String {
    format!(
        "{} {}",
        pluralize("container", "containers", names.len()),
        join_quote(names)
    )
}

/// A container's name.
pub(super) fn name(container: &Value) -> String {
    container["name"].as_str().unwrap_or_default().to_string()
}

/// Sorted and without repeats, as a Go string set lists them.
pub(super) fn sorted_set(mut items: Vec<String>) -> Vec<String> {
    items.sort();
    items.dedup();
    items
}

/// `pod and containers "a", "b"`: who set something forbidden.
pub(super) fn setters(pod: bool, containers: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    if pod {
        out.push("pod".to_string());
    }
    if !containers.is_empty() {
        out.push(containers_named(containers));
    }
    out
}

/// A container's security context.
pub(super) fn security(container: &Value) -> &Value {
    &container["securityContext"]
}

/// `pod and containers "a", "b"`: whose security context (the pod's, the containers')
/// sets what `forbidden` looks for.
pub(super) fn who_sets(pod: &PodView, forbidden: impl Fn(&Value) -> bool) -> Vec<String> {
    let bad: Vec<String> = pod
        .containers()
        .filter(|c| forbidden(security(c)))
        .map(name)
        .collect();
    setters(forbidden(&pod.spec["securityContext"]), &bad)
}

/// Whether an annotation's value is one of `allowed`: equal to one, or starting with one
/// that ends in `/` (`localhost/…`).
pub(super) fn annotation_allowed(value: &str, allowed: &[&str]) -> bool {
    allowed
        .iter()
        .any(|a| value == *a || (a.ends_with('/') && value.starts_with(a)))
}

/// The capabilities a container adds beyond `allowed`.
pub(super) fn added_capabilities(container: &Value, allowed: &[&str]) -> Vec<String> {
    security(container)["capabilities"]["add"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .filter(|cap| !allowed.contains(cap))
        .map(str::to_string)
        .collect()
}

/// Who sets a profile (`seccompProfile`, `appArmorProfile`) of a type outside the
/// allowed ones, and which types; and the containers that set none while the pod sets
/// no allowed one either.
pub(super) struct Profiles {
    /// The pod-level profile is of a forbidden type.
    pub pod_bad: bool,
    /// Containers whose profile is of a forbidden type.
    pub bad: Vec<String>,
    /// Containers with no profile, and none allowed on the pod to inherit.
    pub unset: Vec<String>,
    /// The forbidden types set.
    pub values: Vec<String>,
}

impl Profiles {
    /// Reads the profiles under `field` of the pod's and its containers' security
    /// contexts.
    pub(super) fn of(pod: &PodView, field: &str, allowed: &[&str]) -> Profiles {
        let ok = |t: &Value| t.as_str().is_some_and(|t| allowed.contains(&t));
        let kind = |p: &Value| p["type"].as_str().unwrap_or_default().to_string();
        let mut values = Vec::new();
        let pod_profile = &pod.spec["securityContext"][field];
        let pod_bad = pod_profile.is_object() && !ok(&pod_profile["type"]);
        let pod_set = pod_profile.is_object() && !pod_bad;
        if pod_bad {
            values.push(kind(pod_profile));
        }
        let (mut bad, mut unset) = (Vec::new(), Vec::new());
        for c in pod.containers() {
            let profile = &security(c)[field];
            if !profile.is_object() {
                if !pod_set {
                    unset.push(name(c));
                }
            } else if !ok(&profile["type"]) {
                bad.push(name(c));
                values.push(kind(profile));
            }
        }
        Profiles {
            pod_bad,
            bad,
            unset,
            values: sorted_set(values),
        }
    }

    /// `pod and container "a"`: who set a forbidden profile.
    pub(super) fn setters(&self) -> Vec<String> {
        setters(self.pod_bad, &self.bad)
    }
}

//! Pod Security admission, as kube-apiserver 1.34 runs it. A namespace's labels
//! ([`policy`]) choose a level and version for each mode: `enforce` refuses Pods that
//! violate it, `audit` records the violation in the audit log
//! (`pod-security.kubernetes.io/audit-violations`), `warn` answers with a `Warning`.
//! Workload objects (Deployments, ReplicaSets, StatefulSets, DaemonSets, Jobs,
//! CronJobs) are never refused — their Pods are, when a controller creates them — but
//! their pod templates are audited and warned about. Updates are evaluated too: a Pod
//! update that changes an image (the only container field a Pod update may change), and
//! every workload update. A namespace's labels must be valid, and tightening its enforce
//! level warns about the pods already there. The controls themselves are in [`checks`].

mod checks;
mod policy;

use super::attributes::{Attributes, Notes, Operation};
use crate::status::{ApiError, Cause};
use crate::store::Key;
use checks::{PodView, Violation, describe, evaluate};
use policy::{Level, LevelVersion, PREFIX, Policy};
use serde_json::Value;

/// The pod template of a workload object, if `kind` has one.
pub fn template_of<'v>(kind: &str, object: &'v Value) -> Option<&'v Value> {
    match kind {
        "Deployment" | "ReplicaSet" | "StatefulSet" | "DaemonSet" | "Job" => {
            Some(&object["spec"]["template"])
        }
        "CronJob" => Some(&object["spec"]["jobTemplate"]["spec"]["template"]),
        _ => None,
    }
}

/// The policy of the namespace of the request, and its labels' errors.
fn namespace_policy(attrs: &Attributes) -> (Policy, Vec<Cause>) {
    let namespace = attrs
        .store
        .get(&Key::new("", "namespaces", "", attrs.namespace))
        .ok();
    Policy::from_labels(
        namespace
            .as_ref()
            .map_or(&Value::Null, |n| &n["metadata"]["labels"]),
    )
}

/// Checks a Pod: refused when it violates the enforced level.
pub fn check_pod(attrs: &Attributes, pod: &Value, notes: &mut Notes) -> Result<(), ApiError> {
    if let (Operation::Update, Some(old)) = (attrs.operation, attrs.old)
        && !significant_update(pod, old)
    {
        return Ok(());
    }
    let (policy, errors) = namespace_policy(attrs);
    if errors.is_empty() && policy.fully_privileged() {
        annotate(notes, "enforce-policy", policy.enforce.to_string());
        return Ok(());
    }
    judge(attrs, &policy, &errors, &PodView::of(pod), true, notes)
}

/// Checks a workload's pod template: never refused, audited and warned about.
pub fn check_template(attrs: &Attributes, template: &Value, notes: &mut Notes) {
    let (policy, errors) = namespace_policy(attrs);
    let quiet = policy.warn.level == Level::Privileged && policy.audit.level == Level::Privileged;
    if (errors.is_empty() && quiet) || template.is_null() {
        return;
    }
    // Without enforcing, nothing is refused.
    let _ = judge(
        attrs,
        &policy,
        &errors,
        &PodView::of(template),
        false,
        notes,
    );
}

/// Evaluates a pod (or template) against every mode: the refusal under `enforce`, the
/// audit annotation, the warning.
fn judge(
    attrs: &Attributes,
    policy: &Policy,
    errors: &[Cause],
    pod: &PodView,
    enforce: bool,
    notes: &mut Notes,
) -> Result<(), ApiError> {
    if !errors.is_empty() {
        let listed: Vec<String> = errors
            .iter()
            .map(|c| format!("{}: {}", c.field, c.message))
            .collect();
        let aggregate = match listed.as_slice() {
            [one] => one.clone(),
            many => format!("[{}]", many.join(", ")),
        };
        annotate(
            notes,
            "error",
            format!("Failed to parse policy: {aggregate}"),
        );
    }
    let mut refusal = None;
    if enforce {
        annotate(notes, "enforce-policy", policy.enforce.to_string());
        let found = evaluate(policy.enforce, pod);
        if !found.is_empty() {
            refusal = Some(attrs.forbidden(&violation_text("violates", policy.enforce, &found)));
        }
    }
    let audit = evaluate(policy.audit, pod);
    if !audit.is_empty() {
        annotate(
            notes,
            "audit-violations",
            violation_text("would violate", policy.audit, &audit),
        );
    }
    if let Some(refusal) = refusal {
        return Err(refusal);
    }
    let warn = evaluate(policy.warn, pod);
    if !warn.is_empty() {
        notes
            .warnings
            .push(violation_text("would violate", policy.warn, &warn));
    }
    Ok(())
}

/// `violates PodSecurity "restricted:latest": reason (detail), …`.
fn violation_text(verb: &str, lv: LevelVersion, found: &[Violation]) -> String {
    format!("{verb} PodSecurity \"{lv}\": {}", describe(found))
}

fn annotate(notes: &mut Notes, key: &str, value: String) {
    notes.annotations.insert(format!("{PREFIX}{key}"), value);
}

/// Whether a Pod update changes what Pod Security looks at: the containers (their
/// number, or an image — the only container field an update may change) or an
/// ephemeral container. Metadata-only updates of a pod admitted earlier pass, even if
/// its namespace's level was raised since.
fn significant_update(pod: &Value, old: &Value) -> bool {
    let list = |p: &Value, f: &str| p["spec"][f].as_array().cloned().unwrap_or_default();
    for field in ["containers", "initContainers"] {
        let (new, old) = (list(pod, field), list(old, field));
        if new.len() != old.len() || new.iter().zip(&old).any(|(a, b)| a["image"] != b["image"]) {
            return true;
        }
    }
    let old_ephemeral = list(old, "ephemeralContainers");
    list(pod, "ephemeralContainers").iter().any(|c| {
        old_ephemeral
            .iter()
            .find(|o| o["name"] == c["name"])
            .is_none_or(|o| o["image"] != c["image"])
    })
}

/// Checks a Namespace: its Pod Security labels must be valid, and raising its enforce
/// level warns about the pods already running there that the new level would refuse.
pub fn check_namespace(
    attrs: &Attributes,
    namespace: &Value,
    notes: &mut Notes,
) -> Result<(), ApiError> {
    let (policy, errors) = Policy::from_labels(&namespace["metadata"]["labels"]);
    let old = attrs
        .old
        .map(|o| Policy::from_labels(&o["metadata"]["labels"]));
    if !errors.is_empty()
        && old
            .as_ref()
            .is_none_or(|(_, old_errors)| *old_errors != errors)
    {
        return Err(ApiError::invalid(attrs.resource, attrs.name, errors));
    }
    let Some((old, _)) = old else {
        return Ok(());
    };
    let (new, before) = (policy.enforce, old.enforce);
    let looser_or_same =
        new == before || (new.version == before.version && new.level <= before.level);
    if new.level == Level::Privileged || looser_or_same {
        return Ok(());
    }
    notes.warnings.extend(existing_pod_warnings(attrs, new));
    Ok(())
}

/// Kube-apiserver's warnings for a namespace whose enforce level was raised: one line
/// saying so, then one per distinct set of violations, naming the first pod (by name)
/// and how many others share it.
fn existing_pod_warnings(attrs: &Attributes, enforce: LevelVersion) -> Vec<String> {
    let mut groups: Vec<(String, String, usize)> = Vec::new();
    for (key, pod) in attrs.store.list("", "pods", Some(attrs.name), None).0 {
        let found = evaluate(enforce, &PodView::of(&pod));
        if found.is_empty() {
            continue;
        }
        let reasons: Vec<&str> = found.iter().map(|v| v.reason.as_str()).collect();
        let reasons = reasons.join(", ");
        match groups.iter_mut().find(|(r, _, _)| *r == reasons) {
            Some((_, first, count)) => {
                *count += 1;
                if key.name < *first {
                    first.clone_from(&key.name);
                }
            }
            None => groups.push((reasons, key.name.clone(), 1)),
        }
    }
    if groups.is_empty() {
        return Vec::new();
    }
    let mut lines: Vec<String> = groups
        .into_iter()
        .map(|(reasons, first, count)| match count {
            1 => format!("{first}: {reasons}"),
            2 => format!("{first} (and 1 other pod): {reasons}"),
            n => format!("{first} (and {} other pods): {reasons}", n - 1),
        })
        .collect();
    lines.sort();
    let mut warnings = vec![format!(
        "existing pods in namespace \"{}\" violate the new PodSecurity enforce level \"{enforce}\"",
        attrs.name
    )];
    warnings.extend(lines);
    warnings
}

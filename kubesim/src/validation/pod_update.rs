//! A Pod update, as kube-apiserver's `ValidatePodUpdate` judges it: a running Pod's spec
//! is fixed except for the containers' images, a shorter `activeDeadlineSeconds`,
//! added tolerations (and existing ones' `tolerationSeconds`), removed scheduling gates,
//! and `terminationGracePeriodSeconds` set to 1 after a negative value. Anything else —
//! a privileged flag, hostNetwork, a hostPath volume, an environment variable, the
//! ServiceAccount, resources — is refused with the list of what may change and a diff,
//! so a re-applied manifest cannot turn a harmless pod into one admission would refuse.
//! Specs are compared as the API server compares them (semantically: absent, null and
//! empty are the same, quantities by value).

use super::errors::Errors;
use serde_json::{Map, Value, json};

/// What a Pod update may change, as kube-apiserver lists it.
const UPDATABLE: &[&str] = &[
    "`spec.containers[*].image`",
    "`spec.initContainers[*].image`",
    "`spec.activeDeadlineSeconds`",
    "`spec.tolerations` (only additions to existing tolerations)",
    "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)",
];

/// Fields of the Go PodSpec that are plain values, not pointers: `false` and `0` there
/// are the same as absent.
const PLAIN_FIELDS: &[&str] = &[
    "hostNetwork",
    "hostPID",
    "hostIPC",
    "stdin",
    "stdinOnce",
    "tty",
    "hostPort",
];

/// Validates the update of Pod `old` to `new` (their `spec`s).
pub fn validate_pod_update(new: &Value, old: &Value, errors: &mut Errors) {
    let (new, old) = (&new["spec"], &old["spec"]);
    for field in ["containers", "initContainers"] {
        let count = |spec: &Value| spec[field].as_array().map_or(0, Vec::len);
        if count(new) != count(old) {
            errors.forbidden(
                &format!("spec.{field}"),
                "pod updates may not add or remove containers",
            );
            return;
        }
    }
    if !deadline_allowed(new, old, errors) {
        return;
    }
    tolerations_only_added(new, old, errors);
    gates_only_removed(new, old, errors);
    let munged = munge(new, old);
    let (a, b) = (normalize(old), normalize(&munged));
    if a != b {
        errors.forbidden(
            "spec",
            &format!(
                "pod updates may not change fields other than {}\n{}",
                UPDATABLE.join(","),
                diff(&a, &b)
            ),
        );
    }
}

/// `activeDeadlineSeconds` may be set, or lowered, never raised or removed. Whether the
/// other checks go on.
fn deadline_allowed(new: &Value, old: &Value, errors: &mut Errors) -> bool {
    let field = "spec.activeDeadlineSeconds";
    match (
        new["activeDeadlineSeconds"].as_i64(),
        old["activeDeadlineSeconds"].as_i64(),
    ) {
        (Some(n), _) if !(0..=i64::from(i32::MAX)).contains(&n) => {
            errors.invalid(
                field,
                &json!(n),
                &format!("must be between 0 and {}, inclusive", i32::MAX),
            );
            false
        }
        (Some(n), Some(o)) if o < n => {
            errors.invalid(
                field,
                &json!(n),
                "must be less than or equal to previous value",
            );
            false
        }
        (None, Some(_)) => {
            errors.invalid(
                field,
                &Value::Null,
                "must not update from a positive integer to nil value",
            );
            true
        }
        _ => true,
    }
}

fn list<'v>(spec: &'v Value, field: &str) -> &'v [Value] {
    spec[field].as_array().map_or(&[], Vec::as_slice)
}

/// Every existing toleration must stay, but for its `tolerationSeconds`.
fn tolerations_only_added(new: &Value, old: &Value, errors: &mut Errors) {
    let without_seconds = |t: &Value| {
        let mut t = normalize(t);
        if let Some(m) = t.as_object_mut() {
            m.remove("tolerationSeconds");
        }
        t
    };
    let kept = list(old, "tolerations").iter().all(|o| {
        list(new, "tolerations")
            .iter()
            .any(|n| without_seconds(n) == without_seconds(o))
    });
    if !kept {
        errors.forbidden(
            "spec.tolerations",
            "existing toleration can not be modified except its tolerationSeconds",
        );
    }
}

/// Scheduling gates may only be removed.
fn gates_only_removed(new: &Value, old: &Value, errors: &mut Errors) {
    let old_gates = list(old, "schedulingGates");
    for (i, gate) in list(new, "schedulingGates").iter().enumerate() {
        if !old_gates.iter().any(|g| g["name"] == gate["name"]) {
            errors.forbidden(
                &format!("spec.schedulingGates[{i}].name"),
                &format!(
                    "only deletion is allowed, but found new scheduling gate '{}'",
                    gate["name"].as_str().unwrap_or_default()
                ),
            );
        }
    }
}

/// `new` with what an update may change taken from `old`: what is left to compare.
fn munge(new: &Value, old: &Value) -> Value {
    let mut munged = new.clone();
    for field in ["containers", "initContainers"] {
        if let Some(containers) = munged[field].as_array_mut() {
            for (c, o) in containers.iter_mut().zip(list(old, field)) {
                c["image"] = o["image"].clone();
            }
        }
    }
    for field in ["activeDeadlineSeconds", "tolerations", "schedulingGates"] {
        munged[field] = old[field].clone();
    }
    let was_negative = old["terminationGracePeriodSeconds"]
        .as_i64()
        .is_some_and(|g| g < 0);
    if was_negative && munged["terminationGracePeriodSeconds"] == 1 {
        munged["terminationGracePeriodSeconds"] = old["terminationGracePeriodSeconds"].clone();
    }
    munged
}

/// A spec as the API server compares specs: without absent, null, empty or zero-valued
/// plain fields, quantities by value, and the deprecated `serviceAccount` read as
/// `serviceAccountName`.
fn normalize(value: &Value) -> Value {
    fn walk(key: &str, value: &Value) -> Option<Value> {
        match value {
            Value::Null => None,
            Value::String(s) if s.is_empty() => None,
            Value::Bool(false) | Value::Number(_)
                if PLAIN_FIELDS.contains(&key) && (value == false || value == 0) =>
            {
                None
            }
            Value::Array(items) if items.is_empty() => None,
            Value::Array(items) => Some(Value::Array(
                items
                    .iter()
                    .map(|i| walk("", i).unwrap_or(Value::Null))
                    .collect(),
            )),
            Value::Object(map) => {
                let quantities = matches!(key, "limits" | "requests");
                let out: Map<String, Value> = map
                    .iter()
                    .filter_map(|(k, v)| {
                        let v = match (quantities, v.as_str().and_then(crate::quantity::parse)) {
                            (true, Some(milli)) => Some(json!(milli.to_string())),
                            _ => walk(k, v),
                        }?;
                        Some((k.clone(), v))
                    })
                    .collect();
                (!out.is_empty()).then_some(Value::Object(out))
            }
            other => Some(other.clone()),
        }
    }
    let mut spec = value.clone();
    if let Some(m) = spec.as_object_mut()
        && let Some(alias) = m.remove("serviceAccount")
    {
        m.entry("serviceAccountName").or_insert(alias);
    }
    walk("", &spec).unwrap_or(Value::Null)
}

/// A diff of two specs, in the shape of the `cmp.Diff` kube-apiserver appends: the
/// fields that differ, old value `-`, new value `+`.
fn diff(old: &Value, new: &Value) -> String {
    let empty = Map::new();
    let (o, n) = (
        old.as_object().unwrap_or(&empty),
        new.as_object().unwrap_or(&empty),
    );
    let mut keys: Vec<&String> = o.keys().collect();
    keys.extend(n.keys().filter(|k| !o.contains_key(*k)));
    let mut lines = vec!["  core.PodSpec{".to_string()];
    let mut same = 0;
    for key in keys {
        let (a, b) = (o.get(key), n.get(key));
        if a == b {
            same += 1;
            continue;
        }
        if same > 0 {
            lines.push(format!("  \t... // {same} identical fields"));
            same = 0;
        }
        let name = go_name(key);
        for (sign, value) in [("-", a), ("+", b)] {
            if let Some(value) = value {
                lines.push(format!("{sign} \t{name}: {value},"));
            }
        }
    }
    if same > 0 {
        lines.push(format!("  \t... // {same} identical fields"));
    }
    lines.push("  }".to_string());
    lines.join("\n")
}

/// The Go field name of a JSON key (`hostNetwork` → `HostNetwork`, `dnsPolicy` →
/// `DNSPolicy`).
fn go_name(key: &str) -> String {
    for (prefix, go) in [("dns", "DNS"), ("os", "OS")] {
        if let Some(rest) = key.strip_prefix(prefix)
            && (rest.is_empty() || rest.starts_with(char::is_uppercase))
        {
            return format!("{go}{rest}");
        }
    }
    let mut name: String = key.chars().take(1).flat_map(char::to_uppercase).collect();
    name.push_str(&key[key.chars().next().map_or(0, char::len_utf8)..]);
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(new: Value, old: Value) -> Vec<String> {
        let mut errors = Errors::default();
        validate_pod_update(&json!({"spec": new}), &json!({"spec": old}), &mut errors);
        errors
            .0
            .into_iter()
            .map(|c| format!("{}: {}", c.field, c.message))
            .collect()
    }

    #[test]
    fn only_the_updatable_fields_change() {
        let old = json!({"containers": [{"name": "a", "image": "nginx:1", "resources": {"limits": {"cpu": "1"}}}],
            "serviceAccountName": "default", "serviceAccount": "default", "tolerations": [{"key": "k", "operator": "Exists"}]});
        let mut new = old.clone();
        new["containers"][0]["image"] = json!("nginx:2");
        new["containers"][0]["resources"]["limits"]["cpu"] = json!("1000m");
        new["tolerations"] =
            json!([{"key": "k", "operator": "Exists"}, {"key": "x", "operator": "Exists"}]);
        new["activeDeadlineSeconds"] = json!(30);
        new.as_object_mut().map(|m| m.remove("serviceAccount"));
        new["hostNetwork"] = json!(false);
        assert!(errors(new.clone(), old.clone()).is_empty());
        new["hostNetwork"] = json!(true);
        let found = errors(new, old.clone());
        assert_eq!(found.len(), 1);
        assert!(found[0].starts_with("spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)\n  core.PodSpec{\n"), "{}", found[0]);
        assert!(
            found[0].contains("\n+ \tHostNetwork: true,\n"),
            "{}",
            found[0]
        );
        let fewer = json!({"containers": [], "serviceAccountName": "default"});
        assert_eq!(
            errors(fewer, old.clone()),
            ["spec.containers: Forbidden: pod updates may not add or remove containers"]
        );
        let mut changed = old.clone();
        changed["tolerations"][0]["operator"] = json!("Equal");
        assert!(errors(changed, old).iter().any(|e| e == "spec.tolerations: Forbidden: existing toleration can not be modified except its tolerationSeconds"));
    }
}

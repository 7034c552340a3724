//! Label and field selectors, with the syntax and errors of `labels.Parse` and
//! `fields.ParseSelector`.

use crate::status::{ApiError, Result};
use serde_json::Value;

/// One requirement of a label selector.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Requirement {
    Equals(String, String),
    NotEquals(String, String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    DoesNotExist(String),
}

/// A parsed `labelSelector`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LabelSelector(Vec<Requirement>);

impl LabelSelector {
    /// Parses `app=web,tier!=db,env in (a,b),!legacy`.
    pub fn parse(text: &str) -> Result<LabelSelector> {
        let mut requirements = Vec::new();
        for part in split_top_level(text) {
            let part = part.trim();
            if part.is_empty() {
                continue;
            }
            requirements.push(parse_requirement(part).ok_or_else(|| {
                ApiError::bad_request(format!("unable to parse requirement: found '{part}', expected: in, notin, =, ==, !=, gt, lt"))
            })?);
        }
        Ok(LabelSelector(requirements))
    }

    /// Whether `object`'s labels satisfy every requirement.
    pub fn matches(&self, object: &Value) -> bool {
        let labels = &object["metadata"]["labels"];
        let get = |k: &str| labels.get(k).and_then(Value::as_str);
        self.0.iter().all(|r| match r {
            Requirement::Equals(k, v) => get(k) == Some(v.as_str()),
            Requirement::NotEquals(k, v) => get(k) != Some(v.as_str()),
            Requirement::In(k, vs) => get(k).is_some_and(|x| vs.iter().any(|v| v == x)),
            Requirement::NotIn(k, vs) => get(k).is_none_or(|x| vs.iter().all(|v| v != x)),
            Requirement::Exists(k) => get(k).is_some(),
            Requirement::DoesNotExist(k) => get(k).is_none(),
        })
    }
}

/// Splits on commas that are not inside `( … )`.
fn split_top_level(text: &str) -> Vec<&str> {
    let (mut parts, mut depth, mut start) = (Vec::new(), 0, 0);
    for (i, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts
}

fn parse_requirement(part: &str) -> Option<Requirement> {
    let valid_key = |k: &str| {
        !k.is_empty()
            && k.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c))
    };
    if let Some(key) = part.strip_prefix('!') {
        return valid_key(key.trim()).then(|| Requirement::DoesNotExist(key.trim().into()));
    }
    for (op, make) in [
        (
            "!=",
            Requirement::NotEquals as fn(String, String) -> Requirement,
        ),
        ("==", Requirement::Equals),
        ("=", Requirement::Equals),
    ] {
        if let Some((k, v)) = part.split_once(op) {
            return valid_key(k.trim()).then(|| make(k.trim().into(), v.trim().into()));
        }
    }
    let words: Vec<&str> = part.splitn(2, char::is_whitespace).collect();
    if let [key, rest] = words.as_slice() {
        let rest = rest.trim();
        let (op, values) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
        let values = values.trim().strip_prefix('(')?.strip_suffix(')')?;
        let values: Vec<String> = values.split(',').map(|v| v.trim().to_string()).collect();
        return match op {
            "in" if valid_key(key) => Some(Requirement::In((*key).into(), values)),
            "notin" if valid_key(key) => Some(Requirement::NotIn((*key).into(), values)),
            _ => None,
        };
    }
    valid_key(part).then(|| Requirement::Exists(part.into()))
}

/// A parsed `fieldSelector`: `metadata.name=web,status.phase!=Running`, on objects of
/// one kind.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldSelector {
    kind: String,
    /// Each term: the field it reads (after the kind's label conversion), whether it
    /// must equal or differ, and the value.
    terms: Vec<(String, bool, String)>,
}

/// How kube-apiserver words a field label a kind does not accept.
#[derive(Debug, Clone, Copy)]
enum Refusal {
    /// The default conversion: `"x" is not a known field selector: only …`.
    Default,
    /// A conversion of the kind's own: `field label not supported: x`.
    NotSupported,
    /// batch/v1 Job's: `field label "x" not supported for Job`.
    NotSupportedFor(&'static str),
}

/// The labels a kind's field label conversion accepts, each with the field it reads
/// (kube-apiserver's `AddFieldLabelConversionFunc`s), and its refusal's words.
fn selectable(group: &str, kind: &str) -> (&'static [(&'static str, &'static str)], Refusal) {
    const META: [(&str, &str); 2] = [
        ("metadata.name", "metadata.name"),
        ("metadata.namespace", "metadata.namespace"),
    ];
    match (group, kind) {
        ("", "Pod") => (
            &[
                META[0],
                META[1],
                ("spec.nodeName", "spec.nodeName"),
                ("spec.restartPolicy", "spec.restartPolicy"),
                ("spec.schedulerName", "spec.schedulerName"),
                ("spec.serviceAccountName", "spec.serviceAccountName"),
                ("spec.hostNetwork", "spec.hostNetwork"),
                ("status.phase", "status.phase"),
                ("status.podIP", "status.podIP"),
                ("status.podIPs", "status.podIPs"),
                ("status.nominatedNodeName", "status.nominatedNodeName"),
                ("spec.host", "spec.nodeName"),
            ],
            Refusal::NotSupported,
        ),
        ("", "Node") => (
            &[META[0], ("spec.unschedulable", "spec.unschedulable")],
            Refusal::NotSupported,
        ),
        ("", "ReplicationController") => (
            &[META[0], META[1], ("status.replicas", "status.replicas")],
            Refusal::NotSupported,
        ),
        ("", "Event") => (
            &[
                ("involvedObject.kind", "involvedObject.kind"),
                ("involvedObject.namespace", "involvedObject.namespace"),
                ("involvedObject.name", "involvedObject.name"),
                ("involvedObject.uid", "involvedObject.uid"),
                ("involvedObject.apiVersion", "involvedObject.apiVersion"),
                (
                    "involvedObject.resourceVersion",
                    "involvedObject.resourceVersion",
                ),
                ("involvedObject.fieldPath", "involvedObject.fieldPath"),
                ("reason", "reason"),
                ("reportingComponent", "reportingComponent"),
                ("source", "source"),
                ("type", "type"),
                META[1],
                META[0],
            ],
            Refusal::NotSupported,
        ),
        ("events.k8s.io", "Event") => (
            &[
                ("reason", "reason"),
                ("regarding.kind", "involvedObject.kind"),
                ("regarding.namespace", "involvedObject.namespace"),
                ("regarding.name", "involvedObject.name"),
                ("regarding.uid", "involvedObject.uid"),
                ("regarding.apiVersion", "involvedObject.apiVersion"),
                (
                    "regarding.resourceVersion",
                    "involvedObject.resourceVersion",
                ),
                ("regarding.fieldPath", "involvedObject.fieldPath"),
                ("reportingController", "reportingComponent"),
                ("type", "type"),
                META[1],
                META[0],
            ],
            Refusal::NotSupported,
        ),
        ("", "Namespace") => (
            &[("status.phase", "status.phase"), META[0]],
            Refusal::NotSupported,
        ),
        ("", "Secret") => (&[("type", "type"), META[1], META[0]], Refusal::NotSupported),
        ("", "Service") => (
            &[
                META[1],
                META[0],
                ("spec.clusterIP", "spec.clusterIP"),
                ("spec.type", "spec.type"),
            ],
            Refusal::NotSupported,
        ),
        ("batch", "Job") => (
            &[META[0], META[1], ("status.successful", "status.successful")],
            Refusal::NotSupportedFor("Job"),
        ),
        _ => (&META, Refusal::Default),
    }
}

impl FieldSelector {
    /// Parses a field selector on objects of `kind` in API `group`, with the labels its
    /// conversion accepts and kube-apiserver's words for one it does not. As
    /// `fields.ParseSelector`, the terms are read in sorted order, so an error names the
    /// first of them that way.
    pub fn parse_for(text: &str, group: &str, kind: &str) -> Result<FieldSelector> {
        let (labels, refusal) = selectable(group, kind);
        let mut parts: Vec<&str> = text.split(',').collect();
        parts.sort_unstable();
        let mut terms = Vec::new();
        for part in parts.into_iter().filter(|p| !p.is_empty()) {
            let (label, equal, value) = if let Some((f, v)) = part.split_once("!=") {
                (f, false, v)
            } else if let Some((f, v)) = part.split_once("==").or_else(|| part.split_once('=')) {
                (f, true, v)
            } else {
                return Err(ApiError::bad_request(format!(
                    "invalid selector: '{text}'; can't understand '{part}'"
                )));
            };
            let Some((_, field)) = labels.iter().find(|(l, _)| *l == label) else {
                return Err(ApiError::bad_request(match refusal {
                    Refusal::Default => format!(
                        "\"{label}\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\""
                    ),
                    Refusal::NotSupported => format!("field label not supported: {label}"),
                    Refusal::NotSupportedFor(kind) => {
                        format!("field label \"{label}\" not supported for {kind}")
                    }
                }));
            };
            terms.push((field.to_string(), equal, value.to_string()));
        }
        Ok(FieldSelector {
            kind: kind.to_string(),
            terms,
        })
    }

    /// Whether `object` satisfies every term.
    pub fn matches(&self, object: &Value) -> bool {
        self.terms.iter().all(|(field, equal, value)| {
            (field_value(&self.kind, object, field) == *value) == *equal
        })
    }
}

/// A field as kube-apiserver's registries compute it for selection
/// (`ToSelectableFields`): booleans and counts as Go prints them, unset as their zero
/// value, an Event's `source` falling back to its reporting component; `""` when unset.
fn field_value(kind: &str, object: &Value, field: &str) -> String {
    let text = |v: &Value| match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    };
    let at = |path: &str| text(path.split('.').fold(object, |v, k| &v[k]));
    match (kind, field) {
        ("Pod", "spec.hostNetwork") => (object["spec"]["hostNetwork"] == true).to_string(),
        ("Pod", "status.podIP") => text(&object["status"]["podIPs"][0]["ip"]),
        ("Pod", "status.podIPs") => String::new(),
        ("Node", "spec.unschedulable") => (object["spec"]["unschedulable"] == true).to_string(),
        ("Job", "status.successful") => object["status"]["succeeded"]
            .as_i64()
            .unwrap_or(0)
            .to_string(),
        ("ReplicationController", "status.replicas") => object["status"]["replicas"]
            .as_i64()
            .unwrap_or(0)
            .to_string(),
        ("Event", "source") => {
            let component = at("source.component");
            if component.is_empty() {
                at("reportingComponent")
            } else {
                component
            }
        }
        _ => at(field),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pod(labels: Value) -> Value {
        json!({"metadata": {"name": "p", "labels": labels}, "status": {"phase": "Running"}})
    }

    #[test]
    fn label_selectors() {
        let p = pod(json!({"app": "web", "tier": "front"}));
        for (selector, expected) in [
            ("app=web", true),
            ("app==web,tier=front", true),
            ("app!=web", false),
            ("app in (web, api)", true),
            ("app notin (web)", false),
            ("tier", true),
            ("!tier", false),
            ("!legacy,app", true),
            ("", true),
        ] {
            assert_eq!(
                LabelSelector::parse(selector).expect(selector).matches(&p),
                expected,
                "{selector}"
            );
        }
        assert_eq!(
            LabelSelector::parse("app in web").err().map(|e| e.code),
            Some(400)
        );
    }

    #[test]
    fn field_selectors() {
        let p = json!({"metadata": {"name": "p"}, "status": {"phase": "Running"}, "spec": {}});
        let selects = |text: &str| {
            FieldSelector::parse_for(text, "", "Pod")
                .expect(text)
                .matches(&p)
        };
        assert!(selects("status.phase=Running"));
        assert!(!selects("metadata.name!=p"));
        // Unset, hostNetwork is Go's false; `spec.host` is the old name of spec.nodeName.
        assert!(selects("spec.hostNetwork=false,spec.host="));
        let refusal = |text: &str, group: &str, kind: &str| {
            FieldSelector::parse_for(text, group, kind)
                .expect_err(text)
                .message
        };
        assert_eq!(
            refusal("spec.replicas=1", "apps", "Deployment"),
            "\"spec.replicas\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\""
        );
        assert_eq!(
            refusal("spec.replicas=1", "", "Pod"),
            "field label not supported: spec.replicas"
        );
        assert_eq!(
            refusal("status.active=1", "batch", "Job"),
            "field label \"status.active\" not supported for Job"
        );
        // The terms are read sorted, as fields.ParseSelector reads them.
        assert_eq!(
            refusal("metadata.name in (a,b)", "", "Pod"),
            "invalid selector: 'metadata.name in (a,b)'; can't understand 'b)'"
        );
        // events.k8s.io's labels stand for core Event fields; `source` falls back.
        let event =
            json!({"involvedObject": {"name": "cfg1"}, "reportingComponent": "differential"});
        for (text, group) in [
            ("regarding.name=cfg1", "events.k8s.io"),
            ("source=differential", ""),
        ] {
            let selector = FieldSelector::parse_for(text, group, "Event").expect(text);
            assert!(selector.matches(&event), "{text}");
        }
    }
}

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

/// A parsed `fieldSelector`: `metadata.name=web,status.phase!=Running`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldSelector(Vec<(Vec<String>, bool, String)>);

impl FieldSelector {
    /// Parses a field selector. `supported` lists the fields this resource can be
    /// selected by, beyond `metadata.name` and `metadata.namespace`.
    pub fn parse(text: &str, supported: &[&str]) -> Result<FieldSelector> {
        FieldSelector::parse_with(text, supported, false)
    }

    /// Parses a field selector on objects of `kind`: the fields of
    /// [`selectable_fields`], and kube-apiserver's wording for an unsupported one (the
    /// kinds with a field label conversion of their own say `field label not supported:
    /// x`).
    pub fn parse_for(text: &str, kind: &str) -> Result<FieldSelector> {
        let converted = matches!(kind, "Pod" | "Event");
        FieldSelector::parse_with(text, selectable_fields(kind), converted)
    }

    fn parse_with(text: &str, supported: &[&str], converted: bool) -> Result<FieldSelector> {
        let mut terms = Vec::new();
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (field, equal, value) = if let Some((f, v)) = part.split_once("!=") {
                (f, false, v)
            } else if let Some((f, v)) = part.split_once("==").or_else(|| part.split_once('=')) {
                (f, true, v)
            } else {
                return Err(ApiError::bad_request(format!(
                    "invalid selector: '{text}'; can't understand '{part}'"
                )));
            };
            let field = field.trim();
            if !matches!(field, "metadata.name" | "metadata.namespace")
                && !supported.contains(&field)
            {
                if converted {
                    return Err(ApiError::bad_request(format!(
                        "field label not supported: {field}"
                    )));
                }
                return Err(ApiError::bad_request(format!(
                    "\"{field}\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\"{}",
                    supported_list(supported)
                )));
            }
            terms.push((
                field.split('.').map(str::to_string).collect(),
                equal,
                value.trim().to_string(),
            ));
        }
        Ok(FieldSelector(terms))
    }

    /// Whether `object` satisfies every term (a missing field reads as "").
    pub fn matches(&self, object: &Value) -> bool {
        self.0.iter().all(|(path, equal, value)| {
            let found = path
                .iter()
                .try_fold(object, |v, k| v.get(k))
                .map(|v| match v {
                    Value::String(s) => s.clone(),
                    Value::Null => String::new(),
                    other => other.to_string(),
                });
            (found.unwrap_or_default() == *value) == *equal
        })
    }
}

fn supported_list(supported: &[&str]) -> String {
    supported.iter().map(|f| format!(", \"{f}\"")).collect()
}

/// The extra fields kube-apiserver lets clients select each kind by.
pub fn selectable_fields(kind: &str) -> &'static [&'static str] {
    match kind {
        "Pod" => &[
            "spec.nodeName",
            "spec.restartPolicy",
            "spec.schedulerName",
            "spec.serviceAccountName",
            "spec.hostNetwork",
            "status.phase",
            "status.podIP",
            "status.nominatedNodeName",
        ],
        "Event" => &[
            "involvedObject.kind",
            "involvedObject.namespace",
            "involvedObject.name",
            "involvedObject.uid",
            "involvedObject.apiVersion",
            "involvedObject.resourceVersion",
            "involvedObject.fieldPath",
            "reason",
            "reportingComponent",
            "source",
            "type",
        ],
        "Secret" => &["type"],
        "Namespace" => &["status.phase"],
        "Node" => &["spec.unschedulable"],
        "ReplicaSet" | "Job" => &["status.replicas", "status.successful"],
        "PersistentVolumeClaim" | "PersistentVolume" => &["name"],
        _ => &[],
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
        let p = pod(json!({}));
        let fields = selectable_fields("Pod");
        assert!(
            FieldSelector::parse("status.phase=Running", fields)
                .expect("parse")
                .matches(&p)
        );
        assert!(
            !FieldSelector::parse("metadata.name!=p", fields)
                .expect("parse")
                .matches(&p)
        );
        let err = FieldSelector::parse("spec.replicas=1", &[]).expect_err("unsupported");
        assert_eq!(
            err.message,
            "\"spec.replicas\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\""
        );
    }
}

//! Evaluating a [`Check`] on live objects: the same function serves the checks panel and
//! the tests that play lessons out against kubesim. `content/README.md` describes the
//! semantics to authors.

use super::check::{Check, Op, PathSegment, Target, Value};
use serde_json::Value as Json;
use std::borrow::Borrow;

impl Check {
    /// Whether the check holds, given every object of its kind in its namespace (owned
    /// values, or references into a watch's store).
    pub fn holds<O: Borrow<Json>>(&self, objects: &[O]) -> bool {
        let objects = objects.iter().map(Borrow::borrow);
        match &self.target {
            Target::Named(name) => {
                let mut objects = objects;
                let object = objects.find(|o| o["metadata"]["name"].as_str() == Some(name));
                match object {
                    Some(object) => self.compare(resolve(object, &self.path)),
                    None => self.op == Op::Absent,
                }
            }
            Target::Selector(labels) => {
                let selected: Vec<&Json> = objects
                    .filter(|o| {
                        labels
                            .iter()
                            .all(|(k, v)| o["metadata"]["labels"][k].as_str() == Some(v))
                    })
                    .collect();
                if self.path == [PathSegment::Count] {
                    return self.compare(Some(&Json::from(selected.len())));
                }
                !selected.is_empty()
                    && selected
                        .iter()
                        .all(|o| self.compare(resolve(o, &self.path)))
            }
        }
    }

    /// Compares the value found at the path (None: missing) with the check's value.
    fn compare(&self, found: Option<&Json>) -> bool {
        let found = found.filter(|v| !v.is_null());
        match (self.op, found, &self.value) {
            (Op::Exists, found, _) => found.is_some(),
            (Op::Absent, found, _) => found.is_none(),
            (_, None, _) | (_, _, None) => false,
            (op, Some(actual), Some(wanted)) => match (number(actual), wanted) {
                (Some(a), Value::Number(w)) => ordered(op, a.partial_cmp(w)),
                _ => ordered(op, Some(text(actual).as_str().cmp(&wanted_text(wanted)))),
            },
        }
    }
}

fn ordered(op: Op, ordering: Option<std::cmp::Ordering>) -> bool {
    use std::cmp::Ordering::{Equal, Greater, Less};
    match (op, ordering) {
        (_, None) => false,
        (Op::Eq, Some(o)) => o == Equal,
        (Op::Ne, Some(o)) => o != Equal,
        (Op::Ge, Some(o)) => o != Less,
        (Op::Le, Some(o)) => o != Greater,
        (Op::Gt, Some(o)) => o == Greater,
        (Op::Lt, Some(o)) => o == Less,
        (Op::Exists | Op::Absent, _) => false,
    }
}

/// A JSON number (or numeric text) as a number.
fn number(value: &Json) -> Option<f64> {
    value
        .as_f64()
        .or_else(|| value.as_str().and_then(|s| s.parse().ok()))
}

fn text(value: &Json) -> String {
    match value {
        Json::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn wanted_text(value: &Value) -> String {
    match value {
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Text(t) => t.clone(),
    }
}

/// The value at a path, if every step exists.
fn resolve<'a>(object: &'a Json, path: &[PathSegment]) -> Option<&'a Json> {
    let mut current = object;
    for segment in path {
        current = match segment {
            PathSegment::Field(key) => current.get(key)?,
            PathSegment::Index(i) => current.get(*i)?,
            PathSegment::Filter { key, value } => current
                .as_array()?
                .iter()
                .find(|item| item.get(key).map(text).as_deref() == Some(value))?,
            PathSegment::Count => return None,
        };
    }
    Some(current)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn check(line: &str) -> Check {
        Check::parse(line, &["server".to_string()]).expect("check")
    }

    fn objects() -> Vec<Json> {
        vec![
            json!({"metadata": {"name": "web", "labels": {"app": "web"}}, "status": {"readyReplicas": 2,
                "conditions": [{"type": "Available", "status": "True"}]}, "spec": {"type": "NodePort"}}),
            json!({"metadata": {"name": "web-2", "labels": {"app": "web"}}, "status": {"readyReplicas": 3}}),
        ]
    }

    #[test]
    fn named_checks_compare_numbers_and_text() {
        let all = objects();
        assert!(check("deployment/web in server: status.readyReplicas >= 2").holds(&all));
        assert!(!check("deployment/web in server: status.readyReplicas > 2").holds(&all));
        assert!(
            check("deployment/web in server: status.conditions[type=Available].status == \"True\"")
                .holds(&all)
        );
        assert!(
            check("deployment/web in server: status.conditions[type=Available].status == True")
                .holds(&all)
        );
        assert!(check("service/web in server: spec.type == NodePort").holds(&all));
        assert!(check("deployment/gone in server: metadata.name absent").holds(&all));
        assert!(!check("deployment/gone in server: status.readyReplicas >= 0").holds(&all));
        assert!(check("deployment/web in server: status.missing absent").holds(&all));
    }

    #[test]
    fn selector_checks_need_a_match_and_every_match() {
        let all = objects();
        assert!(check("pods -l app=web in server: count == 2").holds(&all));
        assert!(check("pods -l app=web in server: status.readyReplicas >= 2").holds(&all));
        assert!(!check("pods -l app=web in server: status.readyReplicas >= 3").holds(&all));
        assert!(!check("pods -l app=none in server: status.readyReplicas >= 0").holds(&all));
        assert!(check("pods -l app=none in server: count == 0").holds(&all));
    }
}

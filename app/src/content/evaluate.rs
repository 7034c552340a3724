//! Evaluating a [`Check`] on live objects: the same function serves the checks panel and
//! the tests that play lessons out against kubesim. `content/README.md` describes the
//! semantics to authors.

use super::check::{Check, Op, PathSegment, Subject, Target, Value};
use super::outcome::Answer;
use serde_json::Value as Json;
use std::borrow::Borrow;

impl Check {
    /// Whether a check on an outcome holds, given the attendee's answers, oldest first.
    /// (A check on objects never holds here.)
    pub fn holds_outcome(&self, answers: &[Answer]) -> bool {
        let Subject::Outcome(outcome) = &self.subject else {
            return false;
        };
        match outcome.newest(answers) {
            Some(seen) => self.compare(resolve(&seen, &self.path)),
            None => self.op == Op::Absent,
        }
    }

    /// Whether a check on objects holds, given every object of its kind in its
    /// namespace (owned values, or references into a watch's store). (A check on an
    /// outcome never holds here.)
    pub fn holds<O: Borrow<Json>>(&self, objects: &[O]) -> bool {
        let objects = objects.iter().map(Borrow::borrow);
        let Subject::Objects { target, .. } = &self.subject else {
            return false;
        };
        match target {
            Target::Named(name) => {
                let mut objects = objects;
                let object = objects.find(|o| o["metadata"]["name"].as_str() == Some(name));
                match object {
                    Some(object) => self.compare(resolve(object, &self.path)),
                    None => self.op == Op::Absent,
                }
            }
            Target::Selector(pairs) | Target::Fields(pairs) => {
                let fields = matches!(target, Target::Fields(_));
                let selected: Vec<&Json> = objects
                    .filter(|o| {
                        pairs.iter().all(|(k, v)| {
                            let found = if fields {
                                k.split('.').try_fold(*o, |at, key| match key.parse() {
                                    Ok(i) if at.is_array() => at.get::<usize>(i),
                                    _ => at.get(key),
                                })
                            } else {
                                o["metadata"]["labels"].get(k)
                            };
                            found.map(text).as_deref() == Some(v.as_str())
                        })
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
            (Op::Contains, Some(actual), Some(wanted)) => {
                text(actual).contains(&wanted_text(wanted))
            }
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
        (Op::Contains | Op::Exists | Op::Absent, _) => false,
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
        assert!(
            check("pods --field-selector spec.type=NodePort in server: count == 1").holds(&all)
        );
        assert!(
            check("deploy --field-selector metadata.name=web-2,status.readyReplicas=3 in server: count == 1")
                .holds(&all)
        );
        assert!(
            !check("deploy --field-selector metadata.labels.app=db in server: count >= 1")
                .holds(&all)
        );
        assert!(
            check(
                "deploy --field-selector status.conditions.0.type=Available in server: count == 1"
            )
            .holds(&all)
        );
    }
}

/// Checks on answers: parsed, then judged on what the attendee saw.
#[cfg(test)]
mod answer_tests {
    use super::super::check::{Check, Subject};
    use super::super::outcome::{Answer, Outcome, Source};

    fn ns() -> Vec<String> {
        vec!["server".into()]
    }

    fn console(line: &str, code: i64, text: &str) -> Answer {
        Answer {
            source: Source::Console,
            subject: line.into(),
            code,
            text: text.into(),
        }
    }

    #[test]
    fn console_checks_judge_the_newest_line_that_starts_with_their_words() {
        let check = Check::parse(
            r#"console "kubectl auth can-i delete pods": output contains no # Denied"#,
            &ns(),
        )
        .expect("parses");
        assert!(matches!(
            check.subject,
            Subject::Outcome(Outcome::Console { .. })
        ));
        assert!(!check.holds_outcome(&[]), "never ran");
        let yes = console("kubectl auth can-i delete pods -n server", 0, "yes\n");
        let no = console("kubectl  auth can-i delete pods --as x", 1, "no\n");
        let other = console("kubectl auth can-i get pods", 0, "no\n");
        assert!(!check.holds_outcome(std::slice::from_ref(&yes)));
        assert!(check.holds_outcome(&[yes.clone(), no.clone()]));
        assert!(check.holds_outcome(&[yes.clone(), no.clone(), other.clone()]));
        assert!(!check.holds_outcome(&[no, yes]), "the newest counts");
        let exit = Check::parse(
            r#"console "kubectl get -o jsonpath={.a}": exit == 0"#,
            &ns(),
        )
        .expect("a quoted line may hold `:`");
        assert!(exit.holds_outcome(&[console("kubectl get -o jsonpath={.a} pods", 0, "")]));
    }

    #[test]
    fn try_checks_judge_the_newest_answer_from_the_service_and_path() {
        let check = Check::parse(
            "try go-http-app/configmap in server: body contains warn",
            &ns(),
        )
        .expect("parses");
        let answer = |subject: &str, status, body: &str| Answer {
            source: Source::Try,
            subject: subject.into(),
            code: status,
            text: body.into(),
        };
        assert!(!check.holds_outcome(&[answer("server/go-http-app/", 200, "warn")]));
        assert!(check.holds_outcome(&[answer("server/go-http-app/configmap", 200, "level=warn")]));
        assert!(!check.holds_outcome(&[answer("server/other/configmap", 200, "warn")]));
        let status = Check::parse("try go-http-app in server: status == 200", &ns()).expect("ok");
        assert!(status.holds_outcome(&[answer("server/go-http-app/healthz", 200, "")]));
    }

    #[test]
    fn mistakes_are_named() {
        for (line, want) in [
            (
                "console kubectl get pods: exit == 0",
                "`console kubectl get pods`: quote the command, as in console \"kubectl get pods\"",
            ),
            (
                r#"console "kubectl get pods": status == 0"#,
                "`status`: a console line has output, exit, line",
            ),
            (
                "try go-http-app: status == 200",
                "`try go-http-app`: expected try SERVICE[/PATH] in NAMESPACE",
            ),
            (
                "try go-http-app in prod: status == 200",
                "namespace `prod` is not among the lesson's namespaces (server)",
            ),
            (
                "try go-http-app in server: output == x",
                "`output`: Try the app's answer has body, status, path",
            ),
        ] {
            assert_eq!(
                Check::parse(line, &ns()).unwrap_err().to_string(),
                want,
                "{line}"
            );
        }
    }
}

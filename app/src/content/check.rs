//! The check grammar: one line of a ```` ```check ```` block, parsed into a [`Check`].
//! `content/README.md` is the user-facing description; keep the two in step.
//!
//! ```text
//! [still] TARGET [in NAMESPACE]: PATH OP [VALUE] [within DURATION] [# LABEL]
//! ```
//!
//! A target is live objects, or what the attendee saw from a console line or from Try
//! the app ([`super::outcome`]).

use super::outcome::{self, Outcome};
use crate::model::kinds::{self, KindInfo};
use serde::Serialize;
use std::fmt;

/// One declarative condition on live objects, or on what a command or the app answered.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Check {
    /// What the check looks at.
    pub subject: Subject,
    /// Where in the object to look.
    pub path: Vec<PathSegment>,
    /// How to compare.
    pub op: Op,
    /// What to compare with (`None` for `exists` / `absent`).
    pub value: Option<Value>,
    /// Seconds a learner should wait before the check counts as failed.
    pub within_seconds: Option<u32>,
    /// A `still` check: something the step must keep (the app stayed available), which
    /// holds before the step as after it; every other check holds only once the step is
    /// done.
    pub kept: bool,
    /// Text shown in the checks panel.
    pub label: String,
}

/// What a check looks at.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Subject {
    /// Live objects of the workspace.
    Objects {
        kind: KindInfo,
        target: Target,
        /// Short namespace name (as the lesson writes it); `None` for cluster-scoped kinds.
        namespace: Option<String>,
    },
    /// What the attendee saw last from a console line or from Try the app.
    Outcome(Outcome),
}

/// Which objects a check looks at.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Target {
    /// One object by name.
    Named(String),
    /// Every object matching an equality label selector.
    Selector(Vec<(String, String)>),
    /// Every object whose fields (dotted paths) equal the values, as kubectl's
    /// `--field-selector` picks them (`reason=SuccessfulDelete`).
    Fields(Vec<(String, String)>),
}

/// One step of a field path.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum PathSegment {
    /// A map key.
    Field(String),
    /// A list position.
    Index(usize),
    /// The list item whose `key` field equals `value` (`conditions[type=Ready]`).
    Filter { key: String, value: String },
    /// The number of objects a selector matched (only as the whole path).
    Count,
}

/// A comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Op {
    Eq,
    Ne,
    Ge,
    Le,
    Gt,
    Lt,
    /// Text that holds the value's text (a command's output, an app's body).
    Contains,
    Exists,
    Absent,
}

/// A literal a path's value is compared with.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Value {
    Number(f64),
    Bool(bool),
    Text(String),
}

/// Why a check line does not parse. The message names what is wrong in the learner's
/// (author's) terms; the caller adds the file and line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct CheckError(String);

fn err<T>(msg: impl Into<String>) -> Result<T, CheckError> {
    Err(CheckError(msg.into()))
}

impl Check {
    /// Parses one line. `namespaces` are the short names the lesson declared.
    pub fn parse(line: &str, namespaces: &[String]) -> Result<Check, CheckError> {
        let (body, label) = match line.split_once(" # ") {
            Some((body, label)) => (body.trim(), Some(label.trim())),
            None => (line.trim(), None),
        };
        let (kept, body) = match body.strip_prefix("still ") {
            Some(rest) => (true, rest.trim_start()),
            None => (false, body),
        };
        let Some((head, expr)) = outcome::split_head(body) else {
            return err("expected `TARGET [in NAMESPACE]: PATH OP VALUE` (no `:` found)");
        };
        let subject = match outcome::parse_head(head.trim(), namespaces) {
            Some(outcome) => Subject::Outcome(outcome.map_err(CheckError)?),
            None => parse_head(head.trim(), namespaces)?,
        };
        let (path, op, value, within_seconds) = parse_expr(expr.trim(), &subject)?;
        let label = label
            .map(str::to_string)
            .unwrap_or_else(|| body.to_string());
        Ok(Check {
            subject,
            path,
            op,
            value,
            within_seconds,
            kept,
            label,
        })
    }
}

fn parse_head(head: &str, namespaces: &[String]) -> Result<Subject, CheckError> {
    let words: Vec<&str> = head.split_whitespace().collect();
    let (target_words, namespace) = match words.iter().position(|w| *w == "in") {
        Some(i) if i + 2 == words.len() => (&words[..i], Some(words[i + 1].to_string())),
        Some(_) => return err("`in` must be followed by exactly one namespace name"),
        None => (&words[..], None),
    };
    let (kind_name, target) = match target_words {
        [one] => match one.split_once('/') {
            Some((kind, name)) if !name.is_empty() => (kind, Target::Named(name.to_string())),
            _ => {
                return err(format!(
                    "`{one}`: expected KIND/NAME, KIND -l SELECTOR or KIND --field-selector SELECTOR"
                ));
            }
        },
        [kind, "-l", selector] => (*kind, Target::Selector(parse_selector(selector)?)),
        [kind, "--field-selector", selector] => (*kind, Target::Fields(parse_selector(selector)?)),
        _ => {
            return err(format!(
                "`{head}`: expected KIND/NAME, KIND -l SELECTOR or KIND --field-selector SELECTOR"
            ));
        }
    };
    let Some(kind) = kinds::lookup(kind_name) else {
        return err(format!("unknown kind `{kind_name}`"));
    };
    match (&namespace, kind.namespaced()) {
        (None, true) => err(format!("{} is namespaced: add `in NAMESPACE`", kind.kind)),
        (Some(ns), false) => err(format!("{} is cluster-scoped: remove `in {ns}`", kind.kind)),
        (Some(ns), _) => match outcome::unknown_namespace(ns, namespaces) {
            Some(refusal) => Err(CheckError(refusal)),
            None => Ok(Subject::Objects {
                kind: *kind,
                target,
                namespace,
            }),
        },
        (None, false) => Ok(Subject::Objects {
            kind: *kind,
            target,
            namespace,
        }),
    }
}

fn parse_selector(selector: &str) -> Result<Vec<(String, String)>, CheckError> {
    selector
        .split(',')
        .map(|pair| match pair.split_once('=') {
            Some((k, v)) if !k.is_empty() && !v.is_empty() => Ok((k.to_string(), v.to_string())),
            _ => err(format!(
                "selector `{selector}`: expected key=value[,key=value]"
            )),
        })
        .collect()
}

type Expr = (Vec<PathSegment>, Op, Option<Value>, Option<u32>);

fn parse_expr(expr: &str, subject: &Subject) -> Result<Expr, CheckError> {
    let (expr, within_seconds) = match expr.rsplit_once(" within ") {
        Some((rest, duration)) => (rest.trim(), Some(parse_duration(duration.trim())?)),
        None => (expr, None),
    };
    let Some((path, rest)) = expr.split_once(char::is_whitespace) else {
        return err(format!("`{expr}`: expected PATH OP [VALUE]"));
    };
    let path = match subject {
        Subject::Objects { target, .. } => parse_path(path, target)?,
        Subject::Outcome(outcome) => {
            vec![PathSegment::Field(outcome.field(path).map_err(CheckError)?)]
        }
    };
    let rest = rest.trim();
    let (op_text, value_text) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
    let op = match op_text {
        "==" => Op::Eq,
        "!=" => Op::Ne,
        ">=" => Op::Ge,
        "<=" => Op::Le,
        ">" => Op::Gt,
        "<" => Op::Lt,
        "exists" => Op::Exists,
        "absent" => Op::Absent,
        "contains" => Op::Contains,
        other => {
            return err(format!(
                "unknown comparison `{other}` (use == != >= <= > < contains exists absent)"
            ));
        }
    };
    let value_text = value_text.trim();
    let value = match (op, value_text.is_empty()) {
        (Op::Exists | Op::Absent, true) => None,
        (Op::Exists | Op::Absent, false) => return err(format!("`{op_text}` takes no value")),
        (_, true) => return err(format!("`{op_text}` needs a value")),
        (_, false) => Some(parse_value(value_text)?),
    };
    if matches!(op, Op::Ge | Op::Le | Op::Gt | Op::Lt) && !matches!(value, Some(Value::Number(_))) {
        return err(format!(
            "`{op_text}` compares numbers; `{value_text}` is not a number"
        ));
    }
    Ok((path, op, value, within_seconds))
}

fn parse_path(path: &str, target: &Target) -> Result<Vec<PathSegment>, CheckError> {
    if path == "count" {
        return match target {
            Target::Selector(_) | Target::Fields(_) => Ok(vec![PathSegment::Count]),
            Target::Named(_) => err("`count` needs a selector target (KIND -l key=value)"),
        };
    }
    let mut segments = Vec::new();
    for part in parts(path)? {
        // A key with dots in it is quoted: `annotations."cert-manager.io/cluster-issuer"`.
        let (field, mut brackets) = match part.strip_prefix('"') {
            Some(rest) => match rest.find('"') {
                Some(end) => (&rest[..end], &rest[end + 1..]),
                None => return err(format!("path `{path}`: a `\"` is not closed")),
            },
            None => match part.find('[') {
                Some(i) => (&part[..i], &part[i..]),
                None => (part, ""),
            },
        };
        if field.is_empty() {
            return err(format!("path `{path}`: empty field name"));
        }
        segments.push(PathSegment::Field(field.to_string()));
        while !brackets.is_empty() {
            let Some(end) = brackets.find(']').filter(|_| brackets.starts_with('[')) else {
                return err(format!("path `{path}`: unbalanced `[`"));
            };
            let inner = &brackets[1..end];
            let quoted = inner
                .strip_prefix('"')
                .and_then(|key| key.strip_suffix('"'));
            segments.push(match (quoted, inner.split_once('=')) {
                // `labels["app.kubernetes.io/name"]`: a key, as a quoted part is.
                (Some(key), _) if !key.is_empty() => PathSegment::Field(key.to_string()),
                (Some(_), _) => return err(format!("path `{path}`: `[\"\"]` needs a key")),
                (None, Some((key, value))) if !key.is_empty() => PathSegment::Filter {
                    key: key.to_string(),
                    value: value.trim_matches('"').to_string(),
                },
                (None, Some(_)) => return err(format!("path `{path}`: `[=…]` needs a key")),
                (None, None) => match inner.parse() {
                    Ok(i) => PathSegment::Index(i),
                    Err(_) => {
                        return err(format!(
                            "path `{path}`: `[{inner}]` is neither an index nor key=value"
                        ));
                    }
                },
            });
            brackets = &brackets[end + 1..];
        }
    }
    Ok(segments)
}

/// The path's parts between the dots that are neither quoted nor in brackets
/// (`conditions[type=Ready].status`, `annotations."example.com/x"`).
fn parts(path: &str) -> Result<Vec<&str>, CheckError> {
    let (mut parts, mut start, mut quoted, mut depth) = (Vec::new(), 0, false, 0usize);
    for (at, c) in path.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '[' if !quoted => depth += 1,
            ']' if !quoted => depth = depth.saturating_sub(1),
            '.' if !quoted && depth == 0 => {
                parts.push(&path[start..at]);
                start = at + 1;
            }
            _ => {}
        }
    }
    if quoted {
        return err(format!("path `{path}`: a `\"` is not closed"));
    }
    parts.push(&path[start..]);
    Ok(parts)
}

fn parse_value(text: &str) -> Result<Value, CheckError> {
    if let Some(inner) = text.strip_prefix('"') {
        return match inner.strip_suffix('"') {
            Some(s) => Ok(Value::Text(s.to_string())),
            None => err(format!("unterminated string {text}")),
        };
    }
    if text.contains(char::is_whitespace) {
        return err(format!("`{text}`: quote values that contain spaces"));
    }
    Ok(match text {
        "true" => Value::Bool(true),
        "false" => Value::Bool(false),
        _ => text
            .parse()
            .map(Value::Number)
            .unwrap_or_else(|_| Value::Text(text.to_string())),
    })
}

fn parse_duration(text: &str) -> Result<u32, CheckError> {
    let (number, unit) = text.split_at(
        text.find(|c: char| !c.is_ascii_digit())
            .unwrap_or(text.len()),
    );
    let n: u32 = number
        .parse()
        .map_err(|_| CheckError(format!("duration `{text}`: expected e.g. 30s or 2m")))?;
    match unit {
        "s" => Ok(n),
        "m" => Ok(n * 60),
        _ => err(format!("duration `{text}`: the unit must be s or m")),
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Op::Eq => "==",
            Op::Ne => "!=",
            Op::Ge => ">=",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Lt => "<",
            Op::Contains => "contains",
            Op::Exists => "exists",
            Op::Absent => "absent",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ns() -> Vec<String> {
        vec!["server".into(), "database".into()]
    }

    #[test]
    fn a_named_check_with_timeout_and_label() {
        let c = Check::parse(
            "deploy/go-http-app in server: status.readyReplicas >= 2 within 2m # Two replicas",
            &ns(),
        )
        .expect("parses");
        let Subject::Objects {
            kind,
            target,
            namespace,
        } = &c.subject
        else {
            panic!("objects: {c:?}")
        };
        assert_eq!(kind.kind, "Deployment");
        assert_eq!(target, &Target::Named("go-http-app".into()));
        assert_eq!(namespace.as_deref(), Some("server"));
        assert_eq!(
            c.path,
            vec![
                PathSegment::Field("status".into()),
                PathSegment::Field("readyReplicas".into())
            ]
        );
        assert_eq!(
            (c.op, c.value, c.within_seconds),
            (Op::Ge, Some(Value::Number(2.0)), Some(120))
        );
        assert_eq!(c.label, "Two replicas");
        assert!(!c.kept);
        let kept = Check::parse(
            "still deploy/web in server: status.availableReplicas >= 2",
            &ns(),
        )
        .expect("parses");
        assert!(kept.kept);
        assert_eq!(
            kept.label,
            "deploy/web in server: status.availableReplicas >= 2"
        );
    }

    #[test]
    fn keys_with_dots_are_quoted_and_filters_may_hold_dots() {
        let field = |f: &str| PathSegment::Field(f.to_string());
        for line in [
            r#"ingress/web in server: metadata.annotations."cert-manager.io/cluster-issuer" == selfsigned"#,
            r#"ingress/web in server: metadata.annotations["cert-manager.io/cluster-issuer"] == selfsigned"#,
        ] {
            let c = Check::parse(line, &ns()).expect("parses");
            assert_eq!(
                c.path,
                [
                    field("metadata"),
                    field("annotations"),
                    field("cert-manager.io/cluster-issuer")
                ],
                "{line}"
            );
        }
        let c = Check::parse(
            "deploy/web in server: spec.template.spec.containers[name=web.v1].image == x",
            &ns(),
        )
        .expect("parses");
        assert_eq!(
            c.path[4],
            PathSegment::Filter {
                key: "name".into(),
                value: "web.v1".into()
            }
        );
        let open = Check::parse(r#"deploy/web in server: metadata.labels."a.b == x"#, &ns());
        assert!(open.is_err_and(|e| e.to_string().contains("not closed")));
    }

    #[test]
    fn selectors_filters_and_quoted_values() {
        let c = Check::parse(
            r#"pods -l app=web,tier=backend in server: status.conditions[type=Ready].status == "True""#,
            &ns(),
        )
        .expect("parses");
        let Subject::Objects { target, .. } = &c.subject else {
            panic!("objects: {c:?}")
        };
        assert_eq!(
            target,
            &Target::Selector(vec![
                ("app".into(), "web".into()),
                ("tier".into(), "backend".into())
            ])
        );
        assert_eq!(
            c.path[2],
            PathSegment::Filter {
                key: "type".into(),
                value: "Ready".into()
            }
        );
        assert_eq!(c.value, Some(Value::Text("True".into())));
        let c = Check::parse(
            "po -l app=web in server: status.containerStatuses[0].restartCount >= 1",
            &ns(),
        )
        .expect("parses");
        assert_eq!(c.path[2], PathSegment::Index(0));
    }

    #[test]
    fn cluster_scoped_kinds_take_no_namespace() {
        assert!(Check::parse("clusterissuer/selfsigned: metadata.name exists", &ns()).is_ok());
        let e = Check::parse(
            "clusterissuer/selfsigned in server: metadata.name exists",
            &ns(),
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "ClusterIssuer is cluster-scoped: remove `in server`"
        );
    }

    #[test]
    fn mistakes_are_named() {
        let cases = [
            (
                "deploy/x: status.replicas == 1",
                "Deployment is namespaced: add `in NAMESPACE`",
            ),
            (
                "deploy/x in prod: status.replicas == 1",
                "namespace `prod` is not among the lesson's namespaces (server, database)",
            ),
            ("deplyment/x in server: a == 1", "unknown kind `deplyment`"),
            (
                "deploy/x in server: status.replicas ~ 1",
                "unknown comparison `~` (use == != >= <= > < contains exists absent)",
            ),
            (
                "deploy/x in server: status.phase >= Running",
                "`>=` compares numbers; `Running` is not a number",
            ),
            (
                "deploy/x in server: count == 1",
                "`count` needs a selector target (KIND -l key=value)",
            ),
            (
                "deploy/x in server: a == 1 within 2h",
                "duration `2h`: the unit must be s or m",
            ),
            (
                "deploy/x in server: a.b[x == 1",
                "path `a.b[x`: unbalanced `[`",
            ),
            ("deploy/x in server: a exists 3", "`exists` takes no value"),
            (
                "deploy/x in server",
                "expected `TARGET [in NAMESPACE]: PATH OP VALUE` (no `:` found)",
            ),
        ];
        for (line, want) in cases {
            assert_eq!(
                Check::parse(line, &ns()).unwrap_err().to_string(),
                want,
                "{line}"
            );
        }
    }
}

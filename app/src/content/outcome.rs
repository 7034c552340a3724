//! Checks on what the attendee saw rather than on objects: the newest console line they
//! ran that starts with given words, or the newest answer Try the app gave from a
//! Service. Some steps are about an answer (the RBAC lesson's allowed and denied calls,
//! a ConfigMap's value as the app reads it), and no object records it; the server keeps
//! each attendee's newest answers ([`Answer`]) and judges these checks on them.
//!
//! ```text
//! console "kubectl auth can-i delete pods": output == no
//! try go-http-app/configmap in server: body contains "warn"
//! ```

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// Which answers a check looks at.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Outcome {
    /// The newest console line whose words start with these.
    Console { words: Vec<String> },
    /// The newest Try the app answer from a Service, on a path that starts with the
    /// target's.
    Try(TryTarget),
}

/// A path of a Service, as Try the app asks it: the Service's short namespace, its name,
/// the path with its leading `/`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TryTarget {
    pub namespace: String,
    pub service: String,
    pub path: String,
}

/// Where an answer came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    Console,
    Try,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Console => "console",
            Source::Try => "try",
        }
    }
}

/// One answer the attendee saw, as the server keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Answer {
    pub source: Source,
    /// The console line as run; for Try the app, `NAMESPACE/SERVICE/PATH` (short
    /// namespace, the path with its leading `/`).
    pub subject: String,
    /// The exit code, or the app's HTTP status.
    pub code: i64,
    /// What was printed, or the app's body.
    pub text: String,
}

/// The fields a check on each source may name.
const CONSOLE_FIELDS: &[&str] = &["output", "exit", "line"];
const TRY_FIELDS: &[&str] = &["body", "status", "path"];

/// Why a check's short namespace is refused, if it is not among the lesson's.
pub(super) fn unknown_namespace(namespace: &str, namespaces: &[String]) -> Option<String> {
    (!namespaces.iter().any(|n| n == namespace)).then(|| {
        format!(
            "namespace `{namespace}` is not among the lesson's namespaces ({})",
            namespaces.join(", ")
        )
    })
}

/// `body` split at its first `: ` outside double quotes (a console line, or a field
/// selector's `image=demo-app:1.0`, may hold a `:` of its own).
pub(super) fn split_head(body: &str) -> Option<(&str, &str)> {
    let mut quoted = false;
    for (at, c) in body.char_indices() {
        let ends = body[at + 1..]
            .chars()
            .next()
            .is_none_or(char::is_whitespace);
        match c {
            '"' => quoted = !quoted,
            ':' if !quoted && ends => return Some((&body[..at], &body[at + 1..])),
            _ => {}
        }
    }
    None
}

/// The outcome a check's head names, if it names one (`console "…"`, `try …`).
pub(super) fn parse_head(head: &str, namespaces: &[String]) -> Option<Result<Outcome, String>> {
    if let Some(rest) = head.strip_prefix("console ") {
        return Some(console(rest.trim()));
    }
    let rest = head.strip_prefix("try ")?;
    Some(try_target(rest.trim(), namespaces).map(Outcome::Try))
}

fn console(quoted: &str) -> Result<Outcome, String> {
    let line = quoted
        .strip_prefix('"')
        .and_then(|q| q.strip_suffix('"'))
        .ok_or_else(|| {
            format!("`console {quoted}`: quote the command, as in console \"kubectl get pods\"")
        })?;
    let words: Vec<String> = line.split_whitespace().map(str::to_string).collect();
    if words.is_empty() {
        return Err("`console \"\"` needs the command's first words".into());
    }
    Ok(Outcome::Console { words })
}

/// `SERVICE[/PATH] in NAMESPACE`: what a `try` check or a `try` block of a lesson names.
pub(super) fn try_target(rest: &str, namespaces: &[String]) -> Result<TryTarget, String> {
    let shape = || format!("`try {rest}`: expected try SERVICE[/PATH] in NAMESPACE");
    let (target, namespace) = rest.split_once(" in ").ok_or_else(shape)?;
    let namespace = namespace.trim();
    if namespace.is_empty() || namespace.contains(char::is_whitespace) {
        return Err(shape());
    }
    if let Some(refusal) = unknown_namespace(namespace, namespaces) {
        return Err(refusal);
    }
    let (service, path) = match target.trim().split_once('/') {
        Some((service, path)) => (service, format!("/{path}")),
        None => (target.trim(), "/".to_string()),
    };
    if service.is_empty() || service.contains(char::is_whitespace) {
        return Err(shape());
    }
    Ok(TryTarget {
        namespace: namespace.to_string(),
        service: service.to_string(),
        path,
    })
}

impl Outcome {
    /// The field a check names, if this outcome has it.
    pub(super) fn field(&self, path: &str) -> Result<String, String> {
        let (fields, what) = match self {
            Outcome::Console { .. } => (CONSOLE_FIELDS, "a console line"),
            Outcome::Try(_) => (TRY_FIELDS, "Try the app's answer"),
        };
        if fields.contains(&path) {
            Ok(path.to_string())
        } else {
            Err(format!("`{path}`: {what} has {}", fields.join(", ")))
        }
    }

    /// Whether this is a check on console `line` (its words start with the check's).
    pub fn names_line(&self, line: &str) -> bool {
        let Outcome::Console { words } = self else {
            return false;
        };
        let mut ran = line.split_whitespace();
        words.iter().all(|w| ran.next() == Some(w))
    }

    /// Whether this is a check on what Try the app answers for `asked`.
    pub fn names_target(&self, asked: &TryTarget) -> bool {
        let Outcome::Try(target) = self else {
            return false;
        };
        target.namespace == asked.namespace
            && target.service == asked.service
            && asked.path.starts_with(target.path.as_str())
    }

    /// The newest of `answers` (oldest first) this outcome names, as the object its
    /// check's path reads (`{"line", "exit", "output"}` or `{"path", "status", "body"}`).
    pub fn newest(&self, answers: &[Answer]) -> Option<Value> {
        answers.iter().rev().find_map(|answer| match self {
            Outcome::Console { .. } if answer.source == Source::Console => {
                self.names_line(&answer.subject).then(
                    || json!({"line": answer.subject, "exit": answer.code, "output": answer.text}),
                )
            }
            Outcome::Try(_) if answer.source == Source::Try => {
                let (namespace, rest) = answer.subject.split_once('/')?;
                let (service, path) = rest.split_once('/')?;
                let asked = TryTarget {
                    namespace: namespace.into(),
                    service: service.into(),
                    path: format!("/{path}"),
                };
                self.names_target(&asked).then(
                    || json!({"path": asked.path, "status": answer.code, "body": answer.text}),
                )
            }
            _ => None,
        })
    }
}

/// What the server keeps of a Try the app answer: which Service and path.
pub fn try_subject(namespace: &str, service: &str, path: &str) -> String {
    format!("{namespace}/{service}/{}", path.trim_start_matches('/'))
}

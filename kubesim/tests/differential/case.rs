//! The cases as data: one YAML file per area under `cases/`, each a list of requests sent
//! to both servers, with the setup they need and what of the answers to compare.
//!
//! ```yaml
//! vars: {label: "a lowercase RFC 1123 label …"}   # texts used as ${label} below
//! namespaces: [{name: "${ns}-b", labels: {pod-security.kubernetes.io/enforce: baseline}}]
//! setup: [...]                                     # requests run once, before the cases
//! cases:
//!   - id: N-05                                     # the catalogue's id where there is one
//!     setup: [...]                                 # requests that must succeed on both
//!     request: {method: POST, path: /api/v1/namespaces, body: {…}}
//!     compare: [/code, /body/message]              # default: /code, /warnings, /body
//!     ignore: [/body/rows/*/cells/2]               # values that may differ (an AGE)
//!     expect: {code: 422, reason: Invalid, message: "…"}  # the catalogue's answer
//! ```
//!
//! Cases of a file run in order, in the area's namespace `${ns}` (unique per run), so a
//! case may read what an earlier one wrote.

use crate::request::Request;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// One area's file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseFile {
    #[serde(default)]
    pub vars: BTreeMap<String, String>,
    /// Namespaces besides `${ns}`, made (and waited for) before the setup.
    #[serde(default)]
    pub namespaces: Vec<NamespaceSpec>,
    #[serde(default)]
    pub setup: Vec<Step>,
    #[serde(default)]
    pub cases: Vec<Case>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NamespaceSpec {
    pub name: String,
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
}

/// A setup or teardown step: a request, or waiting for something a controller does.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Step {
    Wait(WaitFor),
    Send(Request),
}

/// Polls `wait` (a path) until it answers 2xx — and, with `until`, until the body has a
/// value there (equal to `equals` when given): for what a real controller does a moment
/// later (a namespace's `default` ServiceAccount, a quota's status, a namespace's
/// `Terminating` phase). With `body`, each poll POSTs it: a SubjectAccessReview that is
/// allowed once kube-apiserver's authorizer has seen a new binding (its RBAC cache lags
/// the write by a moment). kubesim is polled the same way.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WaitFor {
    pub wait: String,
    #[serde(default)]
    pub body: Option<serde_json::Value>,
    #[serde(default)]
    pub until: Option<String>,
    #[serde(default)]
    pub equals: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    pub id: String,
    #[serde(default)]
    pub setup: Vec<Step>,
    pub request: Request,
    #[serde(default)]
    pub compare: Option<Vec<String>>,
    #[serde(default)]
    pub ignore: Vec<String>,
    #[serde(default)]
    pub expect: Option<Expect>,
    /// Steps after the comparison, on both sides, whatever their answers (undoing what
    /// would get in a later case's way).
    #[serde(default)]
    pub teardown: Vec<Step>,
}

/// The answer the catalogue (`kubesim/docs/validation-catalogue.md`) gives for a case;
/// the differential harness holds kube-apiserver to it, kubesim's own tests hold
/// kubesim to it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    pub code: u16,
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
}

/// What the comparison looks at when a case does not say.
pub const DEFAULT_COMPARE: &[&str] = &["/code", "/warnings", "/body"];

/// The folder of the case files.
pub fn cases_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/differential/cases")
}

/// Reads `cases/<name>.yaml` (YAML anchors and `<<` merge keys allowed).
pub fn load<T: serde::de::DeserializeOwned>(name: &str) -> T {
    let path = cases_dir().join(format!("{name}.yaml"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut value: serde_yaml::Value =
        serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    value
        .apply_merge()
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_yaml::from_value(value).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

impl Expect {
    /// This expectation with `vars` filled in.
    pub fn filled(&self, vars: &crate::vars::Vars) -> Expect {
        Expect {
            code: self.code,
            reason: self.reason.as_ref().map(|r| vars.fill(r)),
            message: self.message.as_ref().map(|m| vars.fill(m)),
        }
    }

    /// Where `code`, `reason` and `message` of an answer depart from this, if anywhere.
    pub fn mismatch(&self, code: u16, body: &serde_json::Value) -> Option<String> {
        let reason = body["reason"].as_str().unwrap_or_default();
        let message = body["message"].as_str().unwrap_or_default();
        let mut wrong = Vec::new();
        if code != self.code {
            wrong.push(format!("code {code}, expected {}", self.code));
        }
        if let Some(r) = &self.reason
            && r != reason
        {
            wrong.push(format!("reason {reason:?}, expected {r:?}"));
        }
        if let Some(m) = &self.message
            && m != message
        {
            wrong.push(format!(
                "message\n          {message:?}\n        expected\n          {m:?}"
            ));
        }
        (!wrong.is_empty()).then(|| wrong.join("; "))
    }
}

//! RBAC decisions: after the same Roles and bindings on both servers (`cases/rbac.yaml`'s
//! setup), a SelfSubjectAccessReview per subject × verb × resource, sent as the admin
//! impersonating the subject (`Impersonate-User`, `Impersonate-Group`), so that the
//! impersonation itself is exercised as well; `allowed`, `denied` and `reason` compared.
//! The matrix is data; this file only multiplies it out.

use crate::area::{Area, Outcome};
use crate::case::{Case, CaseFile, NamespaceSpec, Step, load};
use crate::request::{OneOrMany, Request};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// `cases/rbac.yaml`: a case file's setup (the Roles and bindings), and the matrix.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RbacFile {
    #[serde(default)]
    namespaces: Vec<NamespaceSpec>,
    #[serde(default)]
    setup: Vec<Step>,
    matrix: Matrix,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Matrix {
    subjects: Vec<Subject>,
    verbs: Vec<String>,
    resources: Vec<Attributes>,
    /// Checks outside the product (bind, escalate, impersonate; named objects;
    /// non-resource URLs), for every subject.
    #[serde(default)]
    extra: Vec<Extra>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Subject {
    id: String,
    user: String,
    #[serde(default)]
    groups: Vec<String>,
}

/// `resourceAttributes` without the verb (namespace `${ns}` unless given).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Attributes {
    #[serde(default)]
    group: String,
    resource: String,
    #[serde(default)]
    subresource: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    namespace: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Extra {
    verb: String,
    #[serde(default)]
    resource: Option<Attributes>,
    /// A non-resource URL instead of a resource.
    #[serde(default)]
    path: Option<String>,
}

impl Attributes {
    fn label(&self) -> String {
        let mut out = if self.group.is_empty() {
            self.resource.clone()
        } else {
            format!("{}.{}", self.resource, self.group)
        };
        if !self.subresource.is_empty() {
            out = format!("{out}/{}", self.subresource);
        }
        if !self.name.is_empty() {
            out = format!("{out}:{}", self.name);
        }
        if self.namespace.as_deref() == Some("") {
            out = format!("{out}@cluster");
        }
        out
    }

    fn json(&self, verb: &str) -> Value {
        json!({"namespace": self.namespace.clone().unwrap_or_else(|| "${ns}".into()),
            "verb": verb, "group": self.group, "resource": self.resource,
            "subresource": self.subresource, "name": self.name})
    }
}

/// `spec` is reviewed, and `status.allowed`, `denied` and `reason` compared — except the
/// reason of a non-resource URL: several bootstrap ClusterRoleBindings allow `/healthz`
/// and the like, and kube-apiserver names the first in its cache's order, which varies
/// from run to run.
fn review(subject: &Subject, id: String, spec: Value) -> Case {
    let ignore = if spec.get("nonResourceAttributes").is_some() {
        vec!["/body/status/reason".to_string()]
    } else {
        Vec::new()
    };
    let mut headers = BTreeMap::new();
    headers.insert(
        "Impersonate-User".to_string(),
        OneOrMany::One(subject.user.clone()),
    );
    if !subject.groups.is_empty() {
        headers.insert(
            "Impersonate-Group".to_string(),
            OneOrMany::Many(subject.groups.clone()),
        );
    }
    let body = json!({"apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview",
        "spec": spec});
    Case {
        id,
        setup: Vec::new(),
        request: Request {
            headers,
            ..Request::with_body(
                "POST",
                "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
                body,
            )
        },
        compare: Some(vec!["/code".into(), "/body/status".into()]),
        ignore,
        expect: None,
        teardown: Vec::new(),
    }
}

/// Every review the matrix asks for, as cases `rbac/<subject>/<verb>/<resource>`.
fn expand(matrix: &Matrix) -> Vec<Case> {
    let mut cases = Vec::new();
    for subject in &matrix.subjects {
        for resource in &matrix.resources {
            for verb in &matrix.verbs {
                let id = format!("rbac/{}/{verb}/{}", subject.id, resource.label());
                cases.push(review(
                    subject,
                    id,
                    json!({"resourceAttributes": resource.json(verb)}),
                ));
            }
        }
        for extra in &matrix.extra {
            let (what, spec) = match (&extra.path, &extra.resource) {
                (Some(path), _) => (
                    path.clone(),
                    json!({"nonResourceAttributes": {"path": path, "verb": extra.verb}}),
                ),
                (None, Some(a)) => (
                    a.label(),
                    json!({"resourceAttributes": a.json(&extra.verb)}),
                ),
                (None, None) => panic!("rbac.yaml: an extra check needs a path or a resource"),
            };
            let id = format!("rbac/{}/{}/{what}", subject.id, extra.verb);
            cases.push(review(subject, id, spec));
        }
    }
    cases
}

/// How many reviews the matrix makes (parsing `cases/rbac.yaml`).
pub fn checks() -> usize {
    let file: RbacFile = load("rbac");
    expand(&file.matrix).len()
}

pub async fn run() -> Vec<Outcome> {
    let file: RbacFile = load("rbac");
    let setup = CaseFile {
        vars: Default::default(),
        namespaces: file.namespaces,
        setup: file.setup,
        cases: Vec::new(),
    };
    let area = Area::with_file("rbac", &setup).await;
    let mut outcomes = Vec::new();
    for case in expand(&file.matrix) {
        outcomes.push(area.run(&case).await);
    }
    area.finish().await;
    outcomes
}

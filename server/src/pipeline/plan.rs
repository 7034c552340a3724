//! The pipeline's second stage: each parsed document becomes a [`Planned`] object — its
//! kind resolved through discovery, its short namespace mapped to the workspace's real
//! one, the references the server knows mapped too — or a refusal that says why. The
//! workspace's namespaces are read once, here, for the whole request.

use super::context::Context;
use super::parse::Document;
use crate::workspace::{SHORT_NAME, WORKSPACE_LABEL, Workspace};
use app::model::kinds::{self, Scope};
use app::model::live::Outcome;
use kube::api::GroupVersionKind;
use kube::discovery::{ApiResource, Scope as ApiScope};
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// One document ready to send.
#[derive(Debug, Clone)]
pub struct Planned {
    /// The result so far (index, line, kind, name, short namespace).
    pub outcome: Outcome,
    pub resource: ApiResource,
    /// The real namespace, for namespaced kinds.
    pub namespace: Option<String>,
    /// The name in the cluster (renamed for cluster-scoped kinds).
    pub name: String,
    pub object: Value,
    /// Install rank (registry order).
    pub rank: u8,
    /// Sent as kubeclass (a cluster-scoped object the workspace holds under its own
    /// name), not as the attendee.
    pub platform: bool,
}

/// What the request would do, before anything is sent.
#[derive(Debug, Default)]
pub struct Plan {
    /// The documents that may go, in install order.
    pub planned: Vec<Planned>,
    /// The documents refused, with why.
    pub refused: Vec<Outcome>,
    /// The workspace's namespaces as listed at planning: (short, real).
    pub existing: Vec<(String, String)>,
    /// The short namespaces the request may use: existing, the lesson's, and those the
    /// manifests create.
    pub allowed: BTreeSet<String>,
}

impl Plan {
    /// The real namespaces that exist (listed at planning).
    pub fn present(&self) -> BTreeSet<String> {
        self.existing.iter().map(|(_, real)| real.clone()).collect()
    }
}

/// Plans `documents` for the workspace. `lesson_namespaces` are the short names the
/// lesson declares (always allowed; created on first use).
pub async fn plan(ctx: &Context<'_>, documents: &[Document], lesson_namespaces: &[String]) -> Plan {
    // Unreadable, they count as none: the calls that follow then say what is wrong.
    let existing = ctx
        .workspace
        .namespaces(ctx.platform)
        .await
        .unwrap_or_default();
    let mut allowed: BTreeSet<String> = existing.iter().map(|(short, _)| short.clone()).collect();
    allowed.extend(lesson_namespaces.iter().cloned());
    allowed.extend(
        documents
            .iter()
            .filter(|d| d.value["kind"] == "Namespace")
            .filter_map(|d| d.value["metadata"]["name"].as_str().map(str::to_string)),
    );
    let mut plan = Plan {
        existing,
        allowed,
        ..Plan::default()
    };
    for doc in documents {
        match plan_one(ctx, doc, &plan.allowed).await {
            Ok(planned) => plan.planned.push(planned),
            Err(outcome) => plan.refused.push(*outcome),
        }
    }
    plan.planned.sort_by_key(|p| (p.rank, p.outcome.index));
    plan
}

/// Turns one document into a plan, or says why it cannot be applied: its kind resolved
/// through discovery, then [`place`]d.
async fn plan_one(
    ctx: &Context<'_>,
    doc: &Document,
    allowed: &BTreeSet<String>,
) -> Result<Planned, Box<Outcome>> {
    let outcome = outcome_of(doc);
    let value = &doc.value;
    let api_version = value["apiVersion"].as_str().unwrap_or_default();
    if !value.is_object() || api_version.is_empty() || outcome.kind.is_empty() {
        return Err(refuse(&outcome, "apiVersion and kind are required".into()));
    }
    let (group, version) = api_version.rsplit_once('/').unwrap_or(("", api_version));
    let gvk = GroupVersionKind::gvk(group, version, &outcome.kind);
    let Some((resource, caps)) = ctx.discovery.resolve(ctx.platform, &gvk).await else {
        return Err(refuse(
            &outcome,
            format!(
                "no matches for kind \"{}\" in version \"{api_version}\"",
                outcome.kind
            ),
        ));
    };
    let namespaced = caps.scope == ApiScope::Namespaced;
    let unnamed = doc.value["metadata"]["namespace"].is_null();
    if namespaced && unnamed && ctx.namespace != "default" {
        let mut doc = doc.clone();
        doc.value["metadata"]["namespace"] = Value::from(ctx.namespace);
        return place(ctx.workspace, &doc, resource, namespaced, allowed);
    }
    place(ctx.workspace, doc, resource, namespaced, allowed)
}

/// The result of a document before anything is done with it.
fn outcome_of(doc: &Document) -> Outcome {
    let text = |v: &Value| v.as_str().unwrap_or_default().to_string();
    Outcome {
        index: doc.index,
        line: doc.line,
        kind: text(&doc.value["kind"]),
        name: text(&doc.value["metadata"]["name"]),
        namespace: None,
        action: None,
        error: None,
        changes: None,
        notes: Vec::new(),
    }
}

fn refuse(outcome: &Outcome, message: String) -> Box<Outcome> {
    Box::new(Outcome {
        error: Some(message),
        ..outcome.clone()
    })
}

/// Places a document of a known resource in the workspace: the pipeline's filter
/// ([`super::policy`]), its namespace (or its workspace name, for a cluster-scoped kind)
/// and the references the server maps. Needs no cluster: the fuzz target drives it.
pub fn place(
    workspace: &Workspace,
    doc: &Document,
    resource: ApiResource,
    namespaced: bool,
    allowed: &BTreeSet<String>,
) -> Result<Planned, Box<Outcome>> {
    let outcome = outcome_of(doc);
    let (kind, name) = (outcome.kind.clone(), outcome.name.clone());
    if name.is_empty() {
        return Err(refuse(&outcome, "metadata.name is required".into()));
    }
    let mut object = doc.value.clone();
    let notes = super::policy::check(&kind, &name, &mut object).map_err(|m| refuse(&outcome, m))?;
    object["metadata"]["labels"][WORKSPACE_LABEL] = json!(workspace.id);
    let placed = if namespaced {
        in_namespace(workspace, &mut object, allowed)
    } else {
        cluster_scoped(workspace, &kind, &name, &mut object)
    };
    let (namespace, short, real_name) = placed.map_err(|m| refuse(&outcome, m))?;
    let mut outcome = Outcome {
        namespace: short,
        notes,
        ..outcome
    };
    let mapped =
        map_references(workspace, &kind, &mut object, allowed).map_err(|m| refuse(&outcome, m))?;
    outcome.notes.extend(mapped);
    Ok(Planned {
        platform: namespace.is_none(),
        rank: kinds::rank(&kind),
        outcome,
        resource,
        namespace,
        name: real_name,
        object,
    })
}

/// (real namespace, short namespace, name in the cluster)
type Placement = (Option<String>, Option<String>, String);

/// A namespaced object goes to the real namespace behind its short one.
fn in_namespace(
    workspace: &Workspace,
    object: &mut Value,
    allowed: &BTreeSet<String>,
) -> Result<Placement, String> {
    let short = object["metadata"]["namespace"]
        .as_str()
        .unwrap_or("default")
        .to_string();
    if !allowed.contains(&short) {
        let yours: Vec<&str> = allowed.iter().map(String::as_str).collect();
        return Err(format!(
            "namespace \"{short}\" is not in your workspace (yours: {})",
            yours.join(", ")
        ));
    }
    let real = workspace.namespace(&short);
    object["metadata"]["namespace"] = json!(real);
    let name = object["metadata"]["name"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    Ok((Some(real), Some(short), name))
}

/// A cluster-scoped object is renamed into the workspace, if the registry lets a
/// workspace hold its kind.
fn cluster_scoped(
    workspace: &Workspace,
    kind: &str,
    name: &str,
    object: &mut Value,
) -> Result<Placement, String> {
    if kinds::by_kind(kind).map(|k| k.scope) != Some(Scope::WorkspaceNamed) {
        let held: Vec<&str> = kinds::KINDS
            .iter()
            .filter(|k| k.scope == Scope::WorkspaceNamed)
            .map(|k| k.kind)
            .collect();
        return Err(format!(
            "{kind} is cluster-scoped; besides your namespaces the workshop allows only {}",
            held.join(" and ")
        ));
    }
    let renamed = if kind == "Namespace" {
        let labels = object["metadata"]["labels"].as_object();
        if labels.is_some_and(|l| {
            l.keys()
                .any(|k| k.starts_with("pod-security.kubernetes.io/"))
        }) {
            return Err(
                "Pod Security labels of workspace namespaces are set by the workshop".into(),
            );
        }
        object["metadata"]["annotations"][SHORT_NAME] = json!(name);
        workspace.namespace(name)
    } else {
        workspace.cluster_name(name)
    };
    if let Some(meta) = object["metadata"].as_object_mut() {
        meta.remove("namespace");
    }
    object["metadata"]["name"] = json!(renamed);
    Ok((None, None, renamed))
}

/// An Ingress's hosts, in its rules and its TLS section, become the workspace's. Returns
/// a note per rule host saying the name it is served as, which the page shows by the
/// Apply result: the one place the attendee reads the name to send.
fn map_hosts(object: &mut Value, workspace: &Workspace) -> Vec<String> {
    let spec = &mut object["spec"];
    let mut notes = Vec::new();
    for rule in spec["rules"].as_array_mut().into_iter().flatten() {
        if let Some(written) = rule["host"].as_str().map(str::to_string) {
            let host = workspace.host(&written);
            if host != written {
                let note = format!(
                    "host {written} is served as {host}: on the shared ingress controller each workspace's hosts are its own"
                );
                if !notes.contains(&note) {
                    notes.push(note);
                }
            }
            rule["host"] = json!(host);
        }
    }
    for tls in spec["tls"].as_array_mut().into_iter().flatten() {
        for host in tls["hosts"].as_array_mut().into_iter().flatten() {
            if let Some(mapped) = host.as_str().map(|h| workspace.host(h)) {
                *host = json!(mapped);
            }
        }
    }
    notes
}

/// Rewrites the references to workspace names the server knows about: ServiceAccount
/// subjects' namespaces, ClusterIssuer names in Ingress annotations and Certificates,
/// Ingress hosts and certificates' DNS names. Returns notes for the attendee (the hosts
/// an Ingress is served as).
fn map_references(
    workspace: &Workspace,
    kind: &str,
    object: &mut Value,
    allowed: &BTreeSet<String>,
) -> Result<Vec<String>, String> {
    let mut notes = Vec::new();
    match kind {
        "RoleBinding" | "ClusterRoleBinding" => {
            for subject in object["subjects"].as_array_mut().into_iter().flatten() {
                if let Some(short) = subject["namespace"].as_str().map(str::to_string) {
                    if !allowed.contains(&short) {
                        return Err(format!(
                            "subject namespace \"{short}\" is not in your workspace"
                        ));
                    }
                    subject["namespace"] = json!(workspace.namespace(&short));
                }
            }
        }
        "Ingress" => {
            notes = map_hosts(object, workspace);
            let key = "cert-manager.io/cluster-issuer";
            if let Some(issuer) = object["metadata"]["annotations"][key]
                .as_str()
                .map(str::to_string)
            {
                object["metadata"]["annotations"][key] = json!(workspace.cluster_name(&issuer));
            }
        }
        "Certificate" | "CertificateRequest" => {
            if let Some(names) = object["spec"]["dnsNames"].as_array_mut() {
                for name in names.iter_mut() {
                    if let Some(host) = name.as_str() {
                        *name = json!(workspace.host(host));
                    }
                }
            }
            if object["spec"]["issuerRef"]["kind"] == "ClusterIssuer"
                && let Some(issuer) = object["spec"]["issuerRef"]["name"]
                    .as_str()
                    .map(str::to_string)
            {
                object["spec"]["issuerRef"]["name"] = json!(workspace.cluster_name(&issuer));
            }
        }
        _ => {}
    }
    Ok(notes)
}

//! The apply pipeline: manifests → documents (within budgets) → one plan per document
//! (its kind through discovery, its short namespace mapped to the workspace's real one,
//! the references the server knows mapped too, or a refusal) → ordered like kubectl and
//! helm (namespaces and definitions, accounts and config, then workloads) → every
//! document dry-run → only if all pass, server-side apply with field manager `kubeclass`.
//! Nothing is applied when anything is refused; every error names its document, its line
//! and, in the API server's own words, what is wrong.

use super::documents::{self, Budgets, Document, DocumentError};
use super::{WORKSPACE_LABEL, Workspace};
pub use app::model::live::{Action, Outcome, Report};
use kube::api::{Api, DynamicObject, GroupVersionKind, Patch, PatchParams};
use kube::discovery::{ApiCapabilities, ApiResource, Discovery, Scope};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use tokio::sync::RwLock;

/// The field manager attendees' manifests are applied as.
pub const FIELD_MANAGER: &str = "kubeclass";

/// Cluster-scoped kinds a workspace may hold (each renamed into the workspace).
const CLUSTER_KINDS: &[&str] = &["Namespace", "ClusterIssuer"];

/// A document ready to send.
#[derive(Debug, Clone)]
struct Plan {
    outcome: Outcome,
    resource: ApiResource,
    /// The real namespace, for namespaced kinds.
    namespace: Option<String>,
    /// The name in the cluster (renamed for cluster-scoped kinds).
    name: String,
    object: Value,
    rank: u8,
}

/// Discovery, refreshed when a kind is not found (a CRD may have arrived) at most every
/// ten seconds.
pub struct Kinds {
    discovery: RwLock<(Option<Discovery>, Option<tokio::time::Instant>)>,
}

impl Default for Kinds {
    fn default() -> Self {
        Kinds {
            discovery: RwLock::new((None, None)),
        }
    }
}

impl Kinds {
    /// The resource and capabilities of a group/version/kind.
    pub async fn resolve(
        &self,
        client: &kube::Client,
        gvk: &GroupVersionKind,
    ) -> Option<(ApiResource, ApiCapabilities)> {
        {
            let cached = self.discovery.read().await;
            if let Some(found) = cached.0.as_ref().and_then(|d| d.resolve_gvk(gvk)) {
                return Some(found);
            }
        }
        let mut cached = self.discovery.write().await;
        let stale = cached
            .1
            .is_none_or(|t| t.elapsed() > std::time::Duration::from_secs(10));
        if stale && let Ok(fresh) = Discovery::new(client.clone()).run().await {
            *cached = (Some(fresh), Some(tokio::time::Instant::now()));
        }
        cached.0.as_ref().and_then(|d| d.resolve_gvk(gvk))
    }
}

/// Install order: what others refer to first.
fn rank(kind: &str) -> u8 {
    match kind {
        "Namespace" => 0,
        "CustomResourceDefinition" => 1,
        "ClusterIssuer" | "Issuer" => 2,
        "ServiceAccount" => 3,
        "Role" | "ClusterRole" => 4,
        "RoleBinding" | "ClusterRoleBinding" => 5,
        "ResourceQuota" | "LimitRange" | "NetworkPolicy" => 6,
        "ConfigMap" | "Secret" => 7,
        "PersistentVolumeClaim" => 8,
        "Service" => 9,
        "Pod" | "ReplicaSet" | "Deployment" | "StatefulSet" | "DaemonSet" | "Job" | "CronJob" => 10,
        "HorizontalPodAutoscaler" | "PodDisruptionBudget" => 11,
        "Ingress" | "Certificate" => 12,
        _ => 13,
    }
}

/// Applies (or dry-runs) `text` in the workspace. `lesson_namespaces` are the short names
/// the lesson declares (always allowed; created on first use).
pub async fn apply(
    workspace: &Workspace,
    client: &kube::Client,
    kinds: &Kinds,
    text: &str,
    lesson_namespaces: &[String],
    dry_run: bool,
) -> Result<Report, DocumentError> {
    let documents = documents::parse(text, &Budgets::default())?;
    let existing = workspace.namespaces(client).await.unwrap_or_default();
    let mut allowed: BTreeSet<String> = existing.iter().map(|(short, _)| short.clone()).collect();
    allowed.extend(lesson_namespaces.iter().cloned());
    for doc in &documents {
        if doc.value["kind"] == "Namespace"
            && let Some(name) = doc.value["metadata"]["name"].as_str()
        {
            allowed.insert(name.to_string());
        }
    }
    let mut plans = Vec::new();
    let mut refused = Vec::new();
    for doc in &documents {
        match plan(workspace, client, kinds, doc, &allowed).await {
            Ok(plan) => plans.push(plan),
            Err(outcome) => refused.push(*outcome),
        }
    }
    plans.sort_by_key(|p| (p.rank, p.outcome.index));
    if refused.is_empty() && !dry_run {
        let wanted: Vec<String> = allowed.iter().cloned().collect();
        if let Err(e) = workspace.ensure(client, &wanted).await {
            refused.push(Outcome {
                index: 0,
                line: 1,
                kind: "Namespace".into(),
                name: String::new(),
                namespace: None,
                action: None,
                error: Some(e.to_string()),
                changes: None,
            });
        }
    }
    // Every document is dry-run first; a namespace that does not exist yet (only on a dry
    // run of a new one) cannot hold a dry run, so its objects are checked when applied.
    let present: BTreeSet<String> = workspace
        .namespaces(client)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|(_, real)| real)
        .collect();
    let mut checked = Vec::new();
    for plan in plans {
        let skip = plan
            .namespace
            .as_ref()
            .is_some_and(|ns| !present.contains(ns));
        if skip {
            let mut outcome = plan.outcome.clone();
            outcome.action = Some(Action::Created);
            checked.push((plan, Ok(outcome)));
            continue;
        }
        let result = send(client, &plan, true).await;
        checked.push((plan, result));
    }
    let failed = !refused.is_empty() || checked.iter().any(|(_, r)| r.is_err());
    if failed || dry_run {
        let mut results = refused;
        for (plan, result) in checked {
            results.push(match result {
                Ok(outcome) if failed => Outcome {
                    action: None,
                    changes: None,
                    ..outcome
                },
                Ok(outcome) => outcome,
                Err(error) => Outcome {
                    error: Some(error),
                    ..plan.outcome
                },
            });
        }
        results.sort_by_key(|o| o.index);
        return Ok(Report {
            applied: false,
            dry_run,
            results,
        });
    }
    let mut results = Vec::new();
    for (plan, _) in checked {
        results.push(match send(client, &plan, false).await {
            Ok(outcome) => outcome,
            Err(error) => Outcome {
                error: Some(error),
                ..plan.outcome
            },
        });
    }
    results.sort_by_key(|o| o.index);
    Ok(Report {
        applied: true,
        dry_run: false,
        results,
    })
}

/// Turns one document into a plan, or says why it cannot be applied.
async fn plan(
    workspace: &Workspace,
    client: &kube::Client,
    kinds: &Kinds,
    doc: &Document,
    allowed: &BTreeSet<String>,
) -> Result<Plan, Box<Outcome>> {
    let value = &doc.value;
    let kind = value["kind"].as_str().unwrap_or_default().to_string();
    let name = value["metadata"]["name"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let mut outcome = Outcome {
        index: doc.index,
        line: doc.line,
        kind: kind.clone(),
        name: name.clone(),
        namespace: None,
        action: None,
        error: None,
        changes: None,
    };
    let refuse = |mut outcome: Outcome, message: String| {
        outcome.error = Some(message);
        Err(Box::new(outcome))
    };
    let api_version = value["apiVersion"].as_str().unwrap_or_default().to_string();
    if !value.is_object() || api_version.is_empty() || kind.is_empty() {
        return refuse(outcome, "apiVersion and kind are required".into());
    }
    if name.is_empty() {
        return refuse(outcome, "metadata.name is required".into());
    }
    let (group, version) = api_version.rsplit_once('/').unwrap_or(("", &api_version));
    let gvk = GroupVersionKind::gvk(group, version, &kind);
    let Some((resource, caps)) = kinds.resolve(client, &gvk).await else {
        return refuse(
            outcome,
            format!("no matches for kind \"{kind}\" in version \"{api_version}\""),
        );
    };
    let mut object = value.clone();
    object["metadata"]["labels"][WORKSPACE_LABEL] = json!(workspace.id);
    let (namespace, real_name) = if caps.scope == Scope::Namespaced {
        let short = value["metadata"]["namespace"]
            .as_str()
            .unwrap_or("default")
            .to_string();
        if !allowed.contains(&short) {
            let yours: Vec<&str> = allowed.iter().map(String::as_str).collect();
            return refuse(
                outcome,
                format!(
                    "namespace \"{short}\" is not in your workspace (yours: {})",
                    yours.join(", ")
                ),
            );
        }
        outcome.namespace = Some(short.clone());
        let real = workspace.namespace(&short);
        object["metadata"]["namespace"] = json!(real);
        (Some(real), name.clone())
    } else if CLUSTER_KINDS.contains(&kind.as_str()) {
        let renamed = if kind == "Namespace" {
            workspace.namespace(&name)
        } else {
            workspace.cluster_name(&name)
        };
        if kind == "Namespace" {
            let labels = object["metadata"]["labels"]
                .as_object()
                .cloned()
                .unwrap_or_default();
            if labels
                .keys()
                .any(|k| k.starts_with("pod-security.kubernetes.io/"))
            {
                return refuse(
                    outcome,
                    "Pod Security labels of workspace namespaces are set by the workshop".into(),
                );
            }
            object["metadata"]["annotations"][super::SHORT_NAME] = json!(name);
        }
        if let Some(meta) = object["metadata"].as_object_mut() {
            meta.remove("namespace");
        }
        object["metadata"]["name"] = json!(renamed);
        (None, renamed)
    } else {
        return refuse(
            outcome,
            format!(
                "{kind} is cluster-scoped; besides your namespaces the workshop allows only {}",
                CLUSTER_KINDS.join(" and ")
            ),
        );
    };
    map_references(workspace, &kind, &mut object, allowed).map_err(|message| {
        Box::new(Outcome {
            error: Some(message),
            ..outcome.clone()
        })
    })?;
    Ok(Plan {
        rank: rank(&kind),
        outcome,
        resource,
        namespace,
        name: real_name,
        object,
    })
}

/// Rewrites the references to workspace names the server knows about: ServiceAccount
/// subjects' namespaces, ClusterIssuer names in Ingress annotations and Certificates.
fn map_references(
    workspace: &Workspace,
    kind: &str,
    object: &mut Value,
    allowed: &BTreeSet<String>,
) -> Result<(), String> {
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
            let key = "cert-manager.io/cluster-issuer";
            if let Some(issuer) = object["metadata"]["annotations"][key]
                .as_str()
                .map(str::to_string)
            {
                object["metadata"]["annotations"][key] = json!(workspace.cluster_name(&issuer));
            }
        }
        "Certificate" | "CertificateRequest" => {
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
    Ok(())
}

/// The parts of an object that say whether an apply changed it.
fn comparable(object: &Value) -> Value {
    let mut copy = object.clone();
    if let Some(meta) = copy["metadata"].as_object_mut() {
        for field in [
            "resourceVersion",
            "managedFields",
            "generation",
            "creationTimestamp",
            "uid",
        ] {
            meta.remove(field);
        }
    }
    if let Some(map) = copy.as_object_mut() {
        map.remove("status");
    }
    copy
}

/// Deletes what `text` describes from the workspace, through the same planning (so the
/// same refusals apply): every document is checked first, and nothing is deleted unless
/// all are acceptable. Objects already gone count as deleted. Reverse install order, so
/// workloads go before what they use.
pub async fn delete(
    workspace: &Workspace,
    client: &kube::Client,
    kinds: &Kinds,
    text: &str,
    lesson_namespaces: &[String],
) -> Result<Report, DocumentError> {
    let documents = documents::parse(text, &Budgets::default())?;
    let mut allowed: BTreeSet<String> = workspace
        .namespaces(client)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|(short, _)| short)
        .collect();
    allowed.extend(lesson_namespaces.iter().cloned());
    let mut plans = Vec::new();
    let mut refused = Vec::new();
    for doc in &documents {
        match plan(workspace, client, kinds, doc, &allowed).await {
            Ok(plan) => plans.push(plan),
            Err(outcome) => refused.push(*outcome),
        }
    }
    if !refused.is_empty() {
        refused.extend(plans.into_iter().map(|p| p.outcome));
        refused.sort_by_key(|o| o.index);
        return Ok(Report {
            applied: false,
            dry_run: false,
            results: refused,
        });
    }
    plans.sort_by_key(|p| std::cmp::Reverse((p.rank, p.outcome.index)));
    let mut results = Vec::new();
    for plan in plans {
        let api: Api<DynamicObject> = match &plan.namespace {
            Some(ns) => Api::namespaced_with(client.clone(), ns, &plan.resource),
            None => Api::all_with(client.clone(), &plan.resource),
        };
        let gone = |e: &kube::Error| matches!(e, kube::Error::Api(status) if status.code == 404);
        let outcome = match api
            .delete(&plan.name, &kube::api::DeleteParams::background())
            .await
        {
            Err(e) if !gone(&e) => Outcome {
                error: Some(api_message(e)),
                ..plan.outcome
            },
            _ => Outcome {
                action: Some(Action::Deleted),
                ..plan.outcome
            },
        };
        results.push(outcome);
    }
    results.sort_by_key(|o| o.index);
    Ok(Report {
        applied: true,
        dry_run: false,
        results,
    })
}

/// Server-side applies one plan (or dry-runs it) and says what it did.
async fn send(client: &kube::Client, plan: &Plan, dry_run: bool) -> Result<Outcome, String> {
    let api: Api<DynamicObject> = match &plan.namespace {
        Some(ns) => Api::namespaced_with(client.clone(), ns, &plan.resource),
        None => Api::all_with(client.clone(), &plan.resource),
    };
    let live = api.get_opt(&plan.name).await.map_err(api_message)?;
    let mut params = PatchParams::apply(FIELD_MANAGER).force();
    params.dry_run = dry_run;
    let result = api
        .patch(&plan.name, &params, &Patch::Apply(&plan.object))
        .await
        .map_err(api_message)?;
    let (action, changes) = match live {
        None => (Action::Created, None),
        Some(before) => {
            let before = comparable(&serde_json::to_value(&before).unwrap_or_default());
            let after = comparable(&serde_json::to_value(&result).unwrap_or_default());
            let action = if before == after {
                Action::Unchanged
            } else {
                Action::Configured
            };
            // A dry run says which fields would change: the Diff button's answer.
            (
                action,
                dry_run.then(|| super::diff::changes(&before, &after)),
            )
        }
    };
    Ok(Outcome {
        action: Some(action),
        changes,
        ..plan.outcome.clone()
    })
}

/// The API server's own words for a failed call.
fn api_message(error: kube::Error) -> String {
    match error {
        kube::Error::Api(status) => status.message,
        other => other.to_string(),
    }
}

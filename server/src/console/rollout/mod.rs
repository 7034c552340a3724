//! `kubectl rollout restart|pause|resume|status|history|undo` on Deployments (restart
//! also on StatefulSets and DaemonSets), as the attendee, in kubectl's words. A
//! Deployment's history is its ReplicaSets, each with its revision number.

mod status;

use super::command::Invocation;
use super::context::{Console, Ran, from_server};
use super::table;
use super::targets::{self, Said, Target};
use kube::api::{Api, DynamicObject, ListParams, Patch, PatchParams};
use serde_json::{Value, json};

const REVISION: &str = "deployment.kubernetes.io/revision";
const CHANGE_CAUSE: &str = "kubernetes.io/change-cause";

pub async fn rollout(console: &Console<'_>, invocation: &Invocation) -> Ran {
    let (sub, args) = match super::command::subcommand(invocation) {
        Ok(chosen) => chosen,
        Err(refusal) => return Ran::error(refusal),
    };
    let (short, targets) = match targets::chosen(console, invocation, args).await {
        Ok(chosen) => chosen,
        Err(ran) => return ran,
    };
    let mut said = Said::default();
    for target in targets {
        let api = target.api(console, &short);
        said.push(match sub {
            "restart" => restart(&api, &target).await,
            "pause" => pause(&api, &target, true).await,
            "resume" => pause(&api, &target, false).await,
            "status" => status::status(console, &api, &target, invocation).await,
            "history" => history(console, &short, &target, invocation).await,
            _ => undo(console, &short, &target, invocation).await,
        });
    }
    said.ran()
}

/// Only `kinds` can do `what`: kubectl's refusal for the others.
fn only(target: &Target, kinds: &[&str], what: &str) -> Result<(), String> {
    if target.resource.group == "apps" && kinds.contains(&target.resource.kind.as_str()) {
        Ok(())
    } else {
        Err(format!(
            "error: {} {what} is not supported",
            target.quoted()
        ))
    }
}

pub(super) async fn get(
    api: &Api<DynamicObject>,
    target: &Target,
) -> Result<DynamicObject, String> {
    api.get(&target.name).await.map_err(|e| from_server(&e))
}

async fn patch(api: &Api<DynamicObject>, target: &Target, body: &Value) -> Result<(), String> {
    api.patch(&target.name, &PatchParams::default(), &Patch::Merge(body))
        .await
        .map(|_| ())
        .map_err(|e| from_server(&e))
}

/// A new pod template annotation, as kubectl marks a restart, makes new pods.
async fn restart(api: &Api<DynamicObject>, target: &Target) -> Result<String, String> {
    let object = get(api, target).await?;
    only(
        target,
        &["Deployment", "StatefulSet", "DaemonSet"],
        "restarting",
    )?;
    if object.data["spec"]["paused"] == true {
        return Err(format!(
            "error: {} can't restart paused {} (run rollout resume first)",
            target.quoted(),
            target.resource.kind.to_lowercase()
        ));
    }
    let now = jiff::Timestamp::now()
        .round(jiff::Unit::Second)
        .map_err(|e| format!("error: {e}"))?;
    let body = json!({"spec": {"template": {"metadata": {"annotations": {
        "kubectl.kubernetes.io/restartedAt": now.to_string()
    }}}}});
    patch(api, target, &body).await?;
    Ok(format!("{} restarted\n", target.slash()))
}

async fn pause(api: &Api<DynamicObject>, target: &Target, paused: bool) -> Result<String, String> {
    let object = get(api, target).await?;
    only(
        target,
        &["Deployment"],
        if paused { "pausing" } else { "resuming" },
    )?;
    let now = object.data["spec"]["paused"] == true;
    if now == paused {
        let state = if paused {
            "already paused"
        } else {
            "not paused"
        };
        return Err(format!("error: {} is {state}", target.quoted()));
    }
    let body = json!({"spec": {"paused": if paused { json!(true) } else { Value::Null }}});
    patch(api, target, &body).await?;
    let done = if paused { "paused" } else { "resumed" };
    Ok(format!("{} {done}\n", target.slash()))
}

/// The Deployment's ReplicaSets with their revisions, oldest first.
async fn revisions(
    console: &Console<'_>,
    short: &str,
    deployment: &DynamicObject,
) -> Result<Vec<(i64, DynamicObject)>, String> {
    let resource = crate::kinds::api_resource(
        app::model::kinds::by_kind("ReplicaSet").ok_or("error: no ReplicaSet kind")?,
    );
    let api: Api<DynamicObject> = Api::namespaced_with(
        console.tenant.clone(),
        &console.workspace.namespace(short),
        &resource,
    );
    let uid = deployment.metadata.uid.clone();
    let mut owned: Vec<(i64, DynamicObject)> = api
        .list(&ListParams::default())
        .await
        .map_err(|e| from_server(&e))?
        .items
        .into_iter()
        .filter(|rs| {
            rs.metadata
                .owner_references
                .iter()
                .flatten()
                .any(|o| Some(&o.uid) == uid.as_ref())
        })
        .filter_map(|rs| {
            let revision = rs
                .metadata
                .annotations
                .as_ref()?
                .get(REVISION)?
                .parse()
                .ok()?;
            Some((revision, rs))
        })
        .collect();
    owned.sort_by_key(|(revision, _)| *revision);
    Ok(owned)
}

async fn history(
    console: &Console<'_>,
    short: &str,
    target: &Target,
    invocation: &Invocation,
) -> Result<String, String> {
    only(target, &["Deployment"], "history")?;
    if invocation.flag("revision").is_some_and(|r| r != "0") {
        return Err("error: the console does not print one revision's template yet (--revision); kubectl get rs -o yaml shows them".into());
    }
    let deployment = get(&target.api(console, short), target).await?;
    let revisions = revisions(console, short, &deployment).await?;
    if revisions.is_empty() {
        return Ok("No rollout history found.\n".into());
    }
    let mut lines = vec![vec!["REVISION".to_string(), "CHANGE-CAUSE".to_string()]];
    for (revision, rs) in &revisions {
        let cause = rs
            .metadata
            .annotations
            .as_ref()
            .and_then(|a| a.get(CHANGE_CAUSE))
            .cloned()
            .unwrap_or_else(|| "<none>".into());
        lines.push(vec![revision.to_string(), cause]);
    }
    Ok(format!(
        "{} \n{}\n",
        target.slash(),
        table::padded(&lines, 2)
    ))
}

/// Puts the pod template of an earlier revision (the one before the current, or
/// `--to-revision`) back into the Deployment: the controller makes it the newest
/// revision.
async fn undo(
    console: &Console<'_>,
    short: &str,
    target: &Target,
    invocation: &Invocation,
) -> Result<String, String> {
    only(target, &["Deployment"], "rollback")?;
    let to: i64 = match invocation.flag("to-revision").map(str::parse) {
        None => 0,
        Some(Ok(n)) => n,
        Some(Err(_)) => return Err("error: --to-revision must be a number".into()),
    };
    let api = target.api(console, short);
    let deployment = get(&api, target).await?;
    let current: i64 = deployment
        .metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get(REVISION))
        .and_then(|r| r.parse().ok())
        .unwrap_or(0);
    let revisions = revisions(console, short, &deployment).await?;
    let chosen = if to == 0 {
        revisions.iter().rev().find(|(r, _)| *r < current)
    } else {
        revisions.iter().find(|(r, _)| *r == to)
    };
    let Some((revision, rs)) = chosen else {
        return Err(if to == 0 {
            format!(
                "error: no rollout history found for deployment \"{}\"",
                target.name
            )
        } else {
            format!("error: unable to find specified revision {to} in history")
        });
    };
    let mut template = rs.data["spec"]["template"].clone();
    if let Some(labels) = template["metadata"]["labels"].as_object_mut() {
        labels.remove("pod-template-hash");
    }
    if template == deployment.data["spec"]["template"] {
        return Ok(format!(
            "{} skipped rollback (current template already matches revision {revision})\n",
            target.slash()
        ));
    }
    // The earlier template as a merge patch (fields it lacks removed), as kubectl patches
    // it back: a controller writing the status meanwhile is no conflict.
    let patch = super::merge_patch::between(&deployment.data["spec"]["template"], &template);
    let patch = json!({"spec": {"template": patch}});
    api.patch(&target.name, &PatchParams::default(), &Patch::Merge(patch))
        .await
        .map_err(|e| from_server(&e))?;
    Ok(format!("{} rolled back\n", target.slash()))
}

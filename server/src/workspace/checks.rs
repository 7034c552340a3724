//! Lesson checks on a workspace: a check names short namespaces and the names the lesson
//! uses; here they are looked up where the workspace keeps them — the real namespace, and
//! cluster-scoped objects under their workspace names — and shown back under the lesson's
//! names, so [`Check::holds`] judges what the attendee made.

use super::Workspace;
use app::content::check::Check;
use kube::api::{Api, DynamicObject, ListParams};
use kube::discovery::ApiResource;
use serde_json::{Value, json};

/// The objects of the check's kind the check looks at, under the lesson's names.
pub async fn observe(workspace: &Workspace, client: &kube::Client, check: &Check) -> Vec<Value> {
    let kind = &check.kind;
    let resource = ApiResource {
        group: kind.group.into(),
        version: kind.version.into(),
        api_version: if kind.group.is_empty() {
            kind.version.to_string()
        } else {
            format!("{}/{}", kind.group, kind.version)
        },
        kind: kind.kind.into(),
        plural: kind.plural.into(),
    };
    let api: Api<DynamicObject> = match &check.namespace {
        Some(short) => Api::namespaced_with(client.clone(), &workspace.namespace(short), &resource),
        None => Api::all_with(client.clone(), &resource),
    };
    let Ok(list) = api.list(&ListParams::default()).await else {
        return Vec::new();
    };
    let prefix = workspace.cluster_name("");
    list.items
        .into_iter()
        .filter_map(|object| {
            let mut value = serde_json::to_value(object).ok()?;
            if check.namespace.is_none() {
                // Only this workspace's cluster-scoped objects, under their short names.
                let name = value["metadata"]["name"]
                    .as_str()?
                    .strip_prefix(&prefix)?
                    .to_string();
                value["metadata"]["name"] = json!(name);
            }
            Some(value)
        })
        .collect()
}

/// Whether the check holds in the workspace now.
pub async fn holds(workspace: &Workspace, client: &kube::Client, check: &Check) -> bool {
    check.holds(&observe(workspace, client, check).await)
}

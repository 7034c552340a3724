//! The pipeline's last stages: every planned object dry-run (one GET of the live object
//! each, kept for what follows), then — only if all pass — server-side applied with field
//! manager `kubeclass`; or deleted, in reverse install order.

use super::plan::Planned;
use app::model::live::{Action, Outcome};
use kube::Resource;
use kube::api::{Api, DeleteParams, DynamicObject, Patch, PatchParams};
use serde_json::Value;

/// The field manager attendees' manifests are applied as.
pub const FIELD_MANAGER: &str = "kubeclass";

/// A planned object after its dry run: the live object it would change (if any), what
/// the dry run made of it (defaults and admission applied), and what it said.
pub struct Checked {
    pub planned: Planned,
    pub live: Option<Value>,
    pub after: Option<Value>,
    pub result: Result<Outcome, String>,
}

fn api(client: &kube::Client, planned: &Planned) -> Api<DynamicObject> {
    match &planned.namespace {
        Some(ns) => Api::namespaced_with(client.clone(), ns, &planned.resource),
        None => Api::all_with(client.clone(), &planned.resource),
    }
}

/// Dry-runs one object: reads the live one (the request's only GET of it) and asks the
/// API server what applying would make of it.
pub async fn dry_run(client: &kube::Client, planned: Planned) -> Checked {
    let live = match api(client, &planned).get_opt(&planned.name).await {
        Ok(live) => live.map(|o| serde_json::to_value(o).unwrap_or_default()),
        Err(e) => {
            return Checked {
                planned,
                live: None,
                after: None,
                result: Err(api_message(e)),
            };
        }
    };
    let (after, result) = match patch(client, &planned, true).await {
        Ok(after) => {
            let outcome = outcome(&planned, live.as_ref(), &after, true);
            (Some(after), Ok(outcome))
        }
        Err(e) => (None, Err(e)),
    };
    Checked {
        planned,
        live,
        after,
        result,
    }
}

/// A planned object whose namespace does not exist yet (a dry run of a new one) cannot
/// be dry-run: it would be created, and is checked when applied.
pub fn unchecked(planned: Planned) -> Checked {
    let result = Ok(Outcome {
        action: Some(Action::Created),
        ..planned.outcome.clone()
    });
    Checked {
        planned,
        live: None,
        after: None,
        result,
    }
}

/// Applies one object that passed its dry run.
pub async fn apply(client: &kube::Client, checked: &Checked) -> Outcome {
    let planned = &checked.planned;
    match patch(client, planned, false).await {
        Ok(after) => outcome(planned, checked.live.as_ref(), &after, false),
        Err(error) => Outcome {
            error: Some(error),
            ..planned.outcome.clone()
        },
    }
}

/// Deletes one object; one already gone counts as deleted, and so does one whose
/// namespace is gone or going (deleting a Namespace takes the attendee's rights in it
/// along, so the API server answers 403 for what the namespace is deleting anyway).
pub async fn delete(client: &kube::Client, platform: &kube::Client, planned: Planned) -> Outcome {
    let gone = |e: &kube::Error| matches!(e, kube::Error::Api(status) if status.code == 404);
    match api(client, &planned)
        .delete(&planned.name, &DeleteParams::background())
        .await
    {
        Err(e) if !gone(&e) && !namespace_going(platform, &planned).await => Outcome {
            error: Some(api_message(e)),
            ..planned.outcome
        },
        _ => Outcome {
            action: Some(Action::Deleted),
            ..planned.outcome
        },
    }
}

/// Whether the object's namespace no longer exists or is being deleted.
async fn namespace_going(platform: &kube::Client, planned: &Planned) -> bool {
    let Some(namespace) = &planned.namespace else {
        return false;
    };
    let namespaces: Api<k8s_openapi::api::core::v1::Namespace> = Api::all(platform.clone());
    match namespaces.get_opt(namespace).await {
        Ok(None) => true,
        Ok(Some(ns)) => {
            ns.metadata.deletion_timestamp.is_some()
                || ns.status.and_then(|s| s.phase).as_deref() == Some("Terminating")
        }
        Err(_) => false,
    }
}

/// Server-side applies (or dry-runs) one object. A workload whose pods the namespace's
/// Pod Security level would refuse is accepted by the API server with only a warning —
/// and then no pod is ever made from it; it is refused here, in the API server's words.
async fn patch(client: &kube::Client, planned: &Planned, dry_run: bool) -> Result<Value, String> {
    // Never forced: a field another manager owns (a controller, or kubectl in the
    // console) is a conflict the attendee is told about in the API server's words.
    let mut params = PatchParams::apply(FIELD_MANAGER);
    params.dry_run = dry_run;
    let url = DynamicObject::url_path(&planned.resource, planned.namespace.as_deref());
    let request = kube::core::Request::new(url)
        .patch(&planned.name, &params, &Patch::Apply(&planned.object))
        .map_err(|e| format!("the request could not be made: {e}"))?;
    let response = client
        .send(request.map(kube::client::Body::from))
        .await
        .map_err(api_message)?;
    let status = response.status();
    let warnings: Vec<String> = response
        .headers()
        .get_all(http::header::WARNING)
        .iter()
        .filter_map(|w| w.to_str().ok())
        .map(warning_text)
        .collect();
    let bytes = http_body_util::BodyExt::collect(response.into_body())
        .await
        .map_err(|e| api_message(kube::Error::Service(Box::new(e))))?
        .to_bytes();
    let body: Value = serde_json::from_slice(&bytes).unwrap_or_default();
    if !status.is_success() {
        return Err(body["message"].as_str().map_or_else(
            || format!("the API server answered {status}"),
            str::to_string,
        ));
    }
    if let Some(violation) = warnings
        .iter()
        .find(|w| w.contains("would violate PodSecurity"))
    {
        return Err(format!(
            "no pod could be started from this {}: {violation}",
            planned.outcome.kind
        ));
    }
    Ok(body)
}

/// The text of a `Warning` header (`299 - "text"`).
fn warning_text(header: &str) -> String {
    let text = header.splitn(3, ' ').nth(2).unwrap_or(header).trim();
    text.strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .unwrap_or(text)
        .replace("\\\"", "\"")
}

/// What applying did (or would do), judged against the live object; a dry run also says
/// which fields would change (the Diff button's answer).
fn outcome(planned: &Planned, live: Option<&Value>, after: &Value, dry_run: bool) -> Outcome {
    let (action, changes) = match live {
        None => (Action::Created, None),
        Some(before) => {
            let (before, after) = (comparable(before), comparable(after));
            let action = if before == after {
                Action::Unchanged
            } else {
                Action::Configured
            };
            (
                action,
                dry_run.then(|| crate::workspace::diff::changes(&before, &after)),
            )
        }
    };
    Outcome {
        action: Some(action),
        changes,
        ..planned.outcome.clone()
    }
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

/// The API server's own words for a failed call; a failure to reach it is logged, and
/// said without internals.
pub fn api_message(error: kube::Error) -> String {
    match error {
        kube::Error::Api(status) => status.message,
        other => {
            tracing::error!("talking to the cluster: {other}");
            "the cluster could not be reached; try again in a moment".into()
        }
    }
}

//! The pipeline's last stages: every planned object dry-run (one GET of the live object
//! each, kept for what follows), then — only if all pass — server-side applied with field
//! manager `kubeclass`; or deleted, in reverse install order.

use super::plan::Planned;
use app::model::live::{Action, Outcome};
use kube::api::{Api, DeleteParams, DynamicObject, Patch, PatchParams};
use serde_json::Value;

/// The field manager attendees' manifests are applied as.
pub const FIELD_MANAGER: &str = "kubeclass";

/// A planned object after its dry run: the live object it would change (if any) and
/// what the dry run said.
pub struct Checked {
    pub planned: Planned,
    pub live: Option<Value>,
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
    let api = api(client, &planned);
    let live = match api.get_opt(&planned.name).await {
        Ok(live) => live.map(|o| serde_json::to_value(o).unwrap_or_default()),
        Err(e) => {
            return Checked {
                planned,
                live: None,
                result: Err(api_message(e)),
            };
        }
    };
    let result = patch(&api, &planned, true)
        .await
        .map(|after| outcome(&planned, live.as_ref(), &after, true));
    Checked {
        planned,
        live,
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
        result,
    }
}

/// Applies one object that passed its dry run.
pub async fn apply(client: &kube::Client, checked: &Checked) -> Outcome {
    let planned = &checked.planned;
    match patch(&api(client, planned), planned, false).await {
        Ok(after) => outcome(planned, checked.live.as_ref(), &after, false),
        Err(error) => Outcome {
            error: Some(error),
            ..planned.outcome.clone()
        },
    }
}

/// Deletes one object; one already gone counts as deleted.
pub async fn delete(client: &kube::Client, planned: Planned) -> Outcome {
    let gone = |e: &kube::Error| matches!(e, kube::Error::Api(status) if status.code == 404);
    match api(client, &planned)
        .delete(&planned.name, &DeleteParams::background())
        .await
    {
        Err(e) if !gone(&e) => Outcome {
            error: Some(api_message(e)),
            ..planned.outcome
        },
        _ => Outcome {
            action: Some(Action::Deleted),
            ..planned.outcome
        },
    }
}

async fn patch(
    api: &Api<DynamicObject>,
    planned: &Planned,
    dry_run: bool,
) -> Result<Value, String> {
    // Never forced: a field another manager owns (a controller, or kubectl in the
    // console) is a conflict the attendee is told about in the API server's words.
    let mut params = PatchParams::apply(FIELD_MANAGER);
    params.dry_run = dry_run;
    let after = api
        .patch(&planned.name, &params, &Patch::Apply(&planned.object))
        .await
        .map_err(api_message)?;
    Ok(serde_json::to_value(after).unwrap_or_default())
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

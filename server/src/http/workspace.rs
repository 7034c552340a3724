//! The workspace API: apply, dry run and delete through the pipeline, the objects view,
//! one object's YAML, and reset (`docs/api.md`).

use super::error::AppError;
use super::manifests::Manifests;
use crate::observe::{self, Observed};
use crate::sessions::{Attendee, Working};
use crate::state::AppState;
use crate::workspace::Workspace;
use app::model::api::{ObjectYaml, Objects, PipelineQuery, ResetAnswer};
use app::model::kinds;
use app::model::live::{EventView, ObjectView, Report};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use kube::api::{Api, DynamicObject};
use std::collections::BTreeMap;
use std::time::Duration;

/// A pipeline's answer: 200 when every document went through, 422 when one was refused.
/// (A refused text is an [`AppError::Manifests`]: 400, with its document and line.)
fn answer(report: Report) -> (StatusCode, Json<Report>) {
    let refused = report.results.iter().any(|r| r.error.is_some());
    let status = if refused {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    (status, Json(report))
}

/// `POST /api/workspace/apply[?dryRun=true][&lesson=COURSE/SLUG]` — body: YAML or JSON
/// manifests → one result per document.
pub async fn apply(
    State(state): State<AppState>,
    Working(attendee): Working,
    Query(query): Query<PipelineQuery>,
    Manifests(body): Manifests,
) -> Result<(StatusCode, Json<Report>), AppError> {
    state.db.touch(&attendee).await?;
    let workspace = state.workspace(&attendee);
    let namespaces = state.lesson_namespaces(query.lesson.as_deref());
    let outcome = state
        .pipeline(&workspace)
        .apply(&body, &namespaces, query.dry_run)
        .await
        .map_err(AppError::from);
    // Namespaces it made are now readable by the attendee's watches.
    state.watchers.wake(&workspace.namespace(""));
    // In a room, what was refused goes to the room's report.
    let refused: Vec<String> = match &outcome {
        Ok(report) => report
            .results
            .iter()
            .filter_map(|r| r.error.clone())
            .collect(),
        Err(AppError::Manifests(e)) => vec![e.to_string()],
        Err(_) => Vec::new(),
    };
    crate::trainer::trouble::refusals(&state, &attendee, query.lesson.as_deref(), &refused).await;
    Ok(answer(outcome?))
}

/// `POST /api/workspace/delete[?lesson=COURSE/SLUG]` — body: the manifests whose objects
/// to delete.
pub async fn delete(
    State(state): State<AppState>,
    Working(attendee): Working,
    Query(query): Query<PipelineQuery>,
    Manifests(body): Manifests,
) -> Result<(StatusCode, Json<Report>), AppError> {
    let workspace = state.workspace(&attendee);
    let namespaces = state.lesson_namespaces(query.lesson.as_deref());
    let report = state
        .pipeline(&workspace)
        .delete(&body, &namespaces)
        .await?;
    Ok(answer(report))
}

/// `GET /api/workspace/objects`: what the attendee made, by short namespace, with status,
/// read from the shared watches (started for the request if no tab holds them).
pub async fn objects(
    State(state): State<AppState>,
    Attendee(attendee): Attendee,
) -> Result<Json<Objects>, AppError> {
    let (namespaces, _events) = look(&state, &state.workspace(&attendee)).await?;
    Ok(Json(Objects { namespaces }))
}

/// The workspace's objects by short namespace (each of its namespaces, empty ones too)
/// and its events, as the attendee's panels show them: read as the attendee from the
/// shared watches, started for the call if no tab holds them.
pub(super) async fn look(
    state: &AppState,
    workspace: &Workspace,
) -> Result<(BTreeMap<String, Vec<ObjectView>>, Vec<EventView>), AppError> {
    let shorts: Vec<String> = workspace
        .namespaces(state.platform())
        .await?
        .into_iter()
        .map(|(short, _)| short)
        .collect();
    let observed = Observed::start(
        &state.watchers,
        &state.identities,
        workspace,
        &shorts,
        &observe::kinds_for(None),
    );
    observed.listed(Duration::from_secs(10)).await;
    let mut namespaces: BTreeMap<String, Vec<ObjectView>> = shorts
        .into_iter()
        .map(|short| (short, Vec::new()))
        .collect();
    let (objects, events) = observed.snapshot();
    for object in objects {
        namespaces
            .entry(object.namespace.clone())
            .or_default()
            .push(object);
    }
    Ok((namespaces, events))
}

/// `GET /api/workspace/object/{namespace}/{kind}/{name}`: one object of the workspace as
/// `kubectl get -o yaml` shows it (without managedFields), for the objects panel.
pub async fn object_yaml(
    State(state): State<AppState>,
    Attendee(attendee): Attendee,
    Path((short, kind, name)): Path<(String, String, String)>,
) -> Result<Json<ObjectYaml>, AppError> {
    let Some(info) = kinds::by_kind(&kind).filter(|k| k.panel.is_some()) else {
        return Err(AppError::NotFound(format!(
            "the objects panel does not show {kind}"
        )));
    };
    let workspace = state.workspace(&attendee);
    let api: Api<DynamicObject> = Api::namespaced_with(
        state.tenant(&workspace),
        &workspace.namespace(&short),
        &crate::kinds::api_resource(info),
    );
    let Some(mut object) = api.get_opt(&name).await? else {
        return Err(AppError::NotFound(format!(
            "{kind} \"{name}\" is not in your namespace \"{short}\""
        )));
    };
    object.metadata.managed_fields = None;
    let yaml = serde_yaml::to_string(&object)
        .map_err(|e| AppError::internal("writing the object as YAML", e))?;
    Ok(Json(ObjectYaml { yaml }))
}

/// `DELETE /api/workspace`: deletes the workspace's namespaces (and so everything in
/// them); they come back empty on next use.
pub async fn reset(
    State(state): State<AppState>,
    Attendee(attendee): Attendee,
) -> Result<Json<ResetAnswer>, AppError> {
    let deleted_namespaces = state.workspace(&attendee).reset(state.platform()).await?;
    Ok(Json(ResetAnswer { deleted_namespaces }))
}

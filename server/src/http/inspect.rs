//! A trainer's read-only look into one attendee's workspace (`docs/trainer-api.md`):
//! what the attendee's own panels show (objects, events, a pod's log), read with the
//! attendee's identity so the trainer sees exactly their workspace and nothing else, plus
//! their panes beside the lesson's text and their console history from the database.
//! Nothing here writes to the cluster or the database.

use super::error::AppError;
use super::room_actions::own_member;
use crate::db::rooms::Member;
use crate::state::AppState;
use crate::trainer::{Trainer, inspect};
use app::model::inspection::{Inspection, LogLines, LogQuery};
use axum::Json;
use axum::extract::{Path, Query, State};
use futures::{AsyncBufReadExt, StreamExt};
use k8s_openapi::api::core::v1::Pod;

/// Lines of a pod's log the trainer is shown: its end, as `kubectl logs --tail` would.
const LOG_TAIL: i64 = 200;

/// The attendee the path names, if the trainer may look at their workspace now: the
/// room is the trainer's, it is the room the attendee is in (they may have joined
/// another since), and their time in it is not over — as the join page told them: the
/// trainer sees their workspace while the room runs.
async fn watchable_member(
    state: &AppState,
    trainer: &str,
    (room, attendee): (&str, &str),
) -> Result<Member, AppError> {
    let (room, member) = own_member(state, trainer, (room, attendee)).await?;
    if state.db.room_of(&member.attendee).await?.as_deref() != Some(room.id.as_str()) {
        return Err(AppError::NotFound(format!(
            "{} has joined another room since",
            member.name
        )));
    }
    if super::rooms::ends_at(&room, &member).is_some_and(|t| t <= state.db.now()) {
        return Err(AppError::Conflict(format!(
            "{}'s time in the room is over: their workspace is no longer theirs to show (the report keeps their results)",
            member.name
        )));
    }
    Ok(member)
}

/// `GET /api/trainer/rooms/{id}/attendees/{attendee}/workspace`.
pub async fn workspace(
    State(state): State<AppState>,
    Trainer(trainer): Trainer,
    Path((id, attendee)): Path<(String, String)>,
) -> Result<Json<Inspection>, AppError> {
    let member = watchable_member(&state, &trainer, (&id, &attendee)).await?;
    let room = super::rooms::own_room(&state, &trainer, &id).await?;
    let workspace = state.workspace(&member.attendee);
    let (namespaces, mut events) = super::workspace::look(&state, &workspace).await?;
    events.sort_by(|a, b| a.last_timestamp.cmp(&b.last_timestamp));
    let mut panes = Vec::new();
    for id in &room.lessons {
        let Some(lesson) = state.lesson(id) else {
            continue;
        };
        let drafts = state.db.drafts(&member.attendee, id).await?;
        panes.extend(inspect::panes(lesson, drafts));
    }
    // What they ran since they joined this room: not what came before it.
    let console = state
        .db
        .history_since(&member.attendee, member.joined_at)
        .await?;
    Ok(Json(Inspection {
        name: member.name,
        namespaces,
        events,
        panes,
        console,
    }))
}

/// `GET /api/trainer/rooms/{id}/attendees/{attendee}/logs/{namespace}/{pod}`: the last
/// lines of a pod's log (`?container=C`, `?previous=true` for the one before a restart),
/// read as the attendee.
pub async fn logs(
    State(state): State<AppState>,
    Trainer(trainer): Trainer,
    Path((id, attendee, namespace, pod)): Path<(String, String, String, String)>,
    Query(query): Query<LogQuery>,
) -> Result<Json<LogLines>, AppError> {
    let member = watchable_member(&state, &trainer, (&id, &attendee)).await?;
    let workspace = state.workspace(&member.attendee);
    let api: kube::Api<Pod> =
        kube::Api::namespaced(state.tenant(&workspace), &workspace.namespace(&namespace));
    let params = kube::api::LogParams {
        container: query.container,
        previous: query.previous,
        tail_lines: Some(LOG_TAIL),
        ..Default::default()
    };
    let note = |note: String| LogLines {
        lines: Vec::new(),
        note: Some(note),
    };
    match api.log_stream(&pod, &params).await {
        Ok(stream) => {
            let mut lines = Vec::new();
            let mut read = stream.lines();
            while let Some(Ok(line)) = read.next().await {
                lines.push(crate::limits::cut_log_line(line));
            }
            Ok(Json(LogLines { lines, note: None }))
        }
        // Read as the attendee: another namespace is forbidden to them, so it is the
        // same "not theirs" as a pod that does not exist.
        Err(kube::Error::Api(e)) if e.code == 404 || e.code == 403 => Err(AppError::NotFound(
            format!("pod \"{pod}\" is not in their namespace \"{namespace}\""),
        )),
        Err(_) if !state.runs_containers().await => {
            Ok(Json(note(crate::cluster::NO_CONTAINERS.to_string())))
        }
        Err(e) => Ok(Json(note(crate::pipeline::send::api_message(e)))),
    }
}

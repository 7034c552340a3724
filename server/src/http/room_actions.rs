//! A trainer's actions on one attendee of their room (`docs/trainer-api.md`): reset to a
//! step (`trainer::rewind`), extend their time, end it, let them rejoin from a new
//! browser with their roster code. Each is written to the audit log;
//! an attendee who is not in the trainer's room gets the same 404 as a room that is not
//! theirs.

use super::error::AppError;
use super::rooms::{ends_at, own_room};
use crate::clock::rfc3339;
use crate::db::rooms::{Member, Room};
use crate::state::AppState;
use crate::trainer::Trainer;
use app::model::rooms::{Extend, ResetStatus, ResetTo, TimeEnds};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::de::DeserializeOwned;

/// Minutes an extension adds when the trainer gives none, and the most one may add.
const EXTEND_DEFAULT: u32 = 15;
const EXTEND_MAX: u32 = 24 * 60;

/// The room and the member the path names, if both are the trainer's.
pub(super) async fn own_member(
    state: &AppState,
    trainer: &str,
    (room, attendee): (&str, &str),
) -> Result<(Room, Member), AppError> {
    let room = own_room(state, trainer, room).await?;
    let member = state.db.member(&room.id, attendee).await?.ok_or_else(|| {
        AppError::NotFound(format!("room {:?} has no attendee {attendee:?}", room.id))
    })?;
    Ok((room, member))
}

/// A JSON body, an empty one being the type's default.
fn body<T: DeserializeOwned + Default>(bytes: &Bytes) -> Result<T, AppError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    serde_json::from_slice(bytes).map_err(|e| AppError::BadRequest(format!("the body: {e}")))
}

pub(super) async fn audit(
    state: &AppState,
    trainer: &str,
    action: &str,
    detail: serde_json::Value,
) -> Result<(), AppError> {
    Ok(state.db.audit(trainer, action, &detail.to_string()).await?)
}

/// `POST /api/trainer/rooms/{id}/attendees/{attendee}/reset` with `{"step": N}`: starts
/// bringing the attendee's workspace to the start of step N (from 1) of the lesson;
/// `202` at once, and the room view says when it is done (seconds on kubesim, longer on
/// a cluster whose Pods take time to start).
pub async fn reset(
    State(state): State<AppState>,
    Trainer(trainer): Trainer,
    Path((id, attendee)): Path<(String, String)>,
    bytes: Bytes,
) -> Result<(StatusCode, Json<ResetStatus>), AppError> {
    let asked: ResetTo = serde_json::from_slice(&bytes)
        .map_err(|e| AppError::BadRequest(format!("the body: {e} (send {{\"step\": N}})")))?;
    let (room, member) = own_member(&state, &trainer, (&id, &attendee)).await?;
    let lesson_id = match asked.lesson {
        Some(lesson) if room.lessons.contains(&lesson) => lesson,
        Some(lesson) => {
            return Err(AppError::BadRequest(format!(
                "lesson: {lesson:?} is not one of the room's ({})",
                room.lessons.join(", ")
            )));
        }
        None => current_lesson(&state, &room, &member).await?,
    };
    let lesson = state
        .lesson(&lesson_id)
        .ok_or_else(|| AppError::NotFound(format!("no lesson {lesson_id:?}")))?;
    let steps = lesson.steps.len();
    if asked.step == 0 || asked.step > steps {
        return Err(AppError::BadRequest(format!(
            "step: 1 to {steps} (the steps of {lesson_id})"
        )));
    }
    let detail = serde_json::json!({"room": room.id, "attendee": attendee, "lesson": lesson_id, "step": asked.step});
    let started = crate::trainer::rewind::start(&state, &attendee, lesson, asked.step)?;
    audit(&state, &trainer, "attendee reset", detail).await?;
    Ok((StatusCode::ACCEPTED, Json(started)))
}

/// The room's lesson in which the attendee last passed a step, or its first.
async fn current_lesson(
    state: &AppState,
    room: &Room,
    member: &Member,
) -> Result<String, AppError> {
    let times = state.db.progress_times(&member.attendee).await?;
    let latest = times
        .iter()
        .filter(|(lesson, _, _)| room.lessons.contains(lesson))
        .max_by_key(|(_, _, at)| *at)
        .map(|(lesson, _, _)| lesson.clone());
    Ok(latest.unwrap_or_else(|| room.lessons.first().cloned().unwrap_or_default()))
}

/// `POST …/attendees/{attendee}/extend` with `{"minutes": M}` (15 if left out): their
/// time ends M minutes later (from now, if it has already ended), never past the room's
/// deadline.
pub async fn extend(
    State(state): State<AppState>,
    Trainer(trainer): Trainer,
    Path((id, attendee)): Path<(String, String)>,
    bytes: Bytes,
) -> Result<Json<TimeEnds>, AppError> {
    let asked: Extend = body(&bytes)?;
    let minutes = asked.minutes.unwrap_or(EXTEND_DEFAULT);
    if minutes == 0 || minutes > EXTEND_MAX {
        return Err(AppError::BadRequest(format!("minutes: 1 to {EXTEND_MAX}")));
    }
    let (room, member) = own_member(&state, &trainer, (&id, &attendee)).await?;
    let Some(own) = member.ends_at else {
        return Err(AppError::BadRequest(format!(
            "{} has no time limit to extend",
            member.name
        )));
    };
    let now = state.db.now();
    let mut ends = own.max(now) + i64::from(minutes) * 60;
    if let Some(deadline) = room.deadline {
        ends = ends.min(deadline);
    }
    state
        .db
        .set_ends_at(&room.id, &attendee, Some(ends))
        .await?;
    let detail = serde_json::json!({"room": room.id, "attendee": attendee, "minutes": minutes});
    audit(&state, &trainer, "attendee extended", detail).await?;
    let member = Member {
        ends_at: Some(ends),
        ..member
    };
    Ok(Json(TimeEnds {
        ends: ends_at(&room, &member).map(rfc3339).unwrap_or_default(),
    }))
}

/// `POST …/attendees/{attendee}/end`: their time ends now; their workspace is deleted
/// (in the background) and their results stay in the room's report.
pub async fn end(
    State(state): State<AppState>,
    Trainer(trainer): Trainer,
    Path((id, attendee)): Path<(String, String)>,
) -> Result<Json<TimeEnds>, AppError> {
    let (room, _) = own_member(&state, &trainer, (&id, &attendee)).await?;
    let now = state.db.now();
    state.db.set_ends_at(&room.id, &attendee, Some(now)).await?;
    let detail = serde_json::json!({"room": room.id, "attendee": attendee});
    audit(&state, &trainer, "attendee ended", detail).await?;
    let workspace = state.workspace(&attendee);
    let (platform, db) = (state.platform().clone(), state.db.clone());
    tokio::spawn(async move {
        match workspace.reset(&platform).await {
            Ok(_) => {
                if let Err(e) = db.workspace_reclaimed(&workspace.id).await {
                    tracing::warn!(attendee = %workspace.id, "marking an ended workspace: {e}");
                }
            }
            Err(e) => tracing::warn!(attendee = %workspace.id, "deleting an ended workspace: {e}"),
        }
    });
    Ok(Json(TimeEnds { ends: rfc3339(now) }))
}

/// `POST /api/trainer/rooms/{id}/roster/{code}/reseat`: the next new browser that joins
/// with the code becomes the attendee who joined with it (their workspace, progress and
/// time), for someone who changed machines or lost their cookie. Once.
pub async fn reseat(
    State(state): State<AppState>,
    Trainer(trainer): Trainer,
    Path((id, code)): Path<(String, String)>,
) -> Result<Json<serde_json::Value>, AppError> {
    let room = own_room(&state, &trainer, &id).await?;
    if !state.db.set_reseat(&room.id, &code, true).await? {
        return Err(AppError::NotFound(format!(
            "room {:?} has no personal code {code:?}",
            room.id
        )));
    }
    let detail = serde_json::json!({"room": room.id, "code": code});
    audit(&state, &trainer, "roster code reopened", detail).await?;
    Ok(Json(serde_json::json!({"code": code, "reseat": true})))
}

//! Pacing a room (`docs/trainer-api.md`): the trainer of a room they pace opens its
//! steps as the room gets there (`app::model::pacing`). The attendees' pages read what is
//! open from `GET /api/room` and the lesson's server functions send nothing past it
//! (asking [`super::gate`]).

use super::error::AppError;
use super::room_actions::audit;
use super::rooms::own_room;
use crate::state::AppState;
use crate::trainer::Trainer;
use app::model::pacing::Unlocked;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};

/// `POST /api/trainer/rooms/{id}/unlock` with `{"lesson", "step"}`: opens the room up to
/// that step (and closes what lies after it); answers with what is open.
pub async fn unlock(
    State(state): State<AppState>,
    Trainer(trainer): Trainer,
    Path(id): Path<String>,
    bytes: Bytes,
) -> Result<Json<Unlocked>, AppError> {
    let asked: Unlocked = serde_json::from_slice(&bytes).map_err(|e| {
        AppError::BadRequest(format!(
            "the body: {e} (send {{\"lesson\": \"COURSE/SLUG\", \"step\": N}})"
        ))
    })?;
    let room = own_room(&state, &trainer, &id).await?;
    if room.unlocked.is_none() {
        return Err(AppError::Conflict(format!(
            "room {:?} is self-paced: every step is open",
            room.id
        )));
    }
    if !room.lessons.contains(&asked.lesson) {
        return Err(AppError::BadRequest(format!(
            "lesson: {:?} is not one of the room's ({})",
            asked.lesson,
            room.lessons.join(", ")
        )));
    }
    let steps = state.lesson(&asked.lesson).map_or(0, |l| l.steps.len());
    if asked.step == 0 || asked.step > steps {
        return Err(AppError::BadRequest(format!(
            "step: 1 to {steps} (the steps of {})",
            asked.lesson
        )));
    }
    state.db.unlock(&room.id, &asked).await?;
    audit(
        &state,
        &trainer,
        "steps opened",
        serde_json::json!({"room": room.id, "lesson": asked.lesson, "step": asked.step}),
    )
    .await?;
    Ok(Json(asked))
}

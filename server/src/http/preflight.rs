//! `POST /api/trainer/rooms/{id}/preflight` starts the room's preflight
//! (`trainer::preflight`: every step of every lesson of the room on a fresh workspace) and
//! answers `202`; `GET` the same path says where it stands and, once done, each check
//! green or red.

use super::error::AppError;
use super::rooms::own_room;
use crate::state::AppState;
use crate::trainer::{Trainer, preflight};
use app::model::rooms::PreflightStatus;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;

pub async fn start(
    State(state): State<AppState>,
    Trainer(trainer): Trainer,
    Path(id): Path<String>,
) -> Result<(StatusCode, Json<PreflightStatus>), AppError> {
    let room = own_room(&state, &trainer, &id).await?;
    let started = preflight::start(&state, &room.id, &room.lessons)?;
    let detail = serde_json::json!({"room": room.id});
    state
        .db
        .audit(&trainer, "preflight started", &detail.to_string())
        .await?;
    Ok((StatusCode::ACCEPTED, Json(started)))
}

/// `GET`: the room's last preflight, or `204` when none ran since the server started.
pub async fn status(
    State(state): State<AppState>,
    Trainer(trainer): Trainer,
    Path(id): Path<String>,
) -> Result<axum::response::Response, AppError> {
    use axum::response::IntoResponse;
    let room = own_room(&state, &trainer, &id).await?;
    Ok(match state.preflights.of(&room.id) {
        Some(status) => Json(status).into_response(),
        None => StatusCode::NO_CONTENT.into_response(),
    })
}

//! Progress: the lesson steps the attendee completed.

use super::error::AppError;
use crate::sessions::Attendee;
use crate::state::AppState;
use app::model::api::Progress;
use axum::Json;
use axum::extract::State;

/// `GET /api/progress`: the steps the attendee completed, by lesson. The page's first
/// request: it starts the session.
pub async fn get(
    State(state): State<AppState>,
    Attendee(attendee): Attendee,
) -> Result<Json<Progress>, AppError> {
    let mut progress = Progress::default();
    for (lesson, step) in state.db.progress(&attendee).await? {
        progress.lessons.entry(lesson).or_default().push(step);
    }
    Ok(Json(progress))
}

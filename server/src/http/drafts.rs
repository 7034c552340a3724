//! Drafts: the attendee's edits of a lesson's panes, kept on the server so a reload
//! brings them back.

use super::error::AppError;
use crate::sessions::Attendee;
use crate::state::AppState;
use app::model::api::{DraftQuery, Drafts};
use axum::Json;
use axum::extract::{Query, State};
use axum::http::{Method, StatusCode};

/// The most one pane's draft may hold.
const MAX_DRAFT: usize = 512 * 1024;

/// `GET /api/drafts?lesson=COURSE/SLUG`: the attendee's edited panes.
pub async fn list(
    State(state): State<AppState>,
    Attendee(attendee): Attendee,
    Query(query): Query<DraftQuery>,
) -> Result<Json<Drafts>, AppError> {
    let panes = state.db.drafts(&attendee, &query.lesson).await?;
    Ok(Json(Drafts {
        panes: panes.into_iter().collect(),
    }))
}

/// `PUT /api/drafts?lesson=…&pane=…` (body: the text) saves a pane; `DELETE` forgets it.
pub async fn save(
    State(state): State<AppState>,
    Attendee(attendee): Attendee,
    Query(query): Query<DraftQuery>,
    method: Method,
    body: String,
) -> Result<StatusCode, AppError> {
    let Some(pane) = query.pane.filter(|p| !p.is_empty()) else {
        return Err(AppError::BadRequest(
            "the pane parameter names the pane".into(),
        ));
    };
    if body.len() > MAX_DRAFT {
        return Err(AppError::TooLarge(format!(
            "a pane holds at most {} KiB",
            MAX_DRAFT / 1024
        )));
    }
    let text = (method == Method::PUT).then_some(body.as_str());
    let most = state.limits.config.max_drafts_per_attendee;
    if text.is_some()
        && state
            .db
            .draft_count(&attendee, (&query.lesson, &pane))
            .await?
            >= most
    {
        return Err(AppError::TooMany(format!(
            "you keep {most} edited panes already; reset some panes to save more"
        )));
    }
    state
        .db
        .save_draft(&attendee, &query.lesson, &pane, text)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

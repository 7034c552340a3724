//! `GET /api/stream`: upgrades to the live stream's websocket ([`crate::stream`]).

use super::error::AppError;
use crate::sessions::Attendee;
use crate::state::AppState;
use axum::extract::State;
use axum::extract::ws::WebSocketUpgrade;
use axum::response::Response;

/// Upgrades the attendee's connection, if they have a stream left (each tab holds one).
pub async fn upgrade(
    ws: WebSocketUpgrade,
    State(state): State<AppState>,
    Attendee(attendee): Attendee,
) -> Result<Response, AppError> {
    let Some(slot) = state.limits.open_stream(&attendee) else {
        return Err(AppError::TooMany(format!(
            "you have {} live tabs open already; close one to open another",
            state.limits.config.max_streams_per_attendee
        )));
    };
    Ok(ws.on_upgrade(move |socket| async move {
        crate::stream::serve(socket, state, attendee).await;
        drop(slot);
    }))
}

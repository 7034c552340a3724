//! `GET /api/stream`: upgrades to the live stream's websocket ([`crate::stream`]).

use crate::sessions::Attendee;
use crate::state::AppState;
use axum::extract::State;
use axum::extract::ws::WebSocketUpgrade;
use axum::response::Response;

/// Upgrades the attendee's connection.
pub async fn upgrade(
    ws: WebSocketUpgrade,
    State(state): State<AppState>,
    Attendee(attendee): Attendee,
) -> Response {
    ws.on_upgrade(move |socket| crate::stream::serve(socket, state, attendee))
}

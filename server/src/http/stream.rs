//! `GET /api/stream`: upgrades to the live stream's websocket ([`crate::stream`]).

use super::error::AppError;
use crate::sessions::Attendee;
use crate::state::AppState;
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::response::Response;

/// The largest message a tab may send: most of its requests (watch a lesson's step,
/// follow a pod's logs) are a few hundred bytes; a console line that applies panes
/// carries their text.
const MAX_REQUEST: usize = app::model::live::MAX_CLIENT_MESSAGE;

/// What each socket reads into at a time. tungstenite's default (128 KiB, allocated up
/// front) was the largest cost of an attendee in the server's memory (`make bench`,
/// attendees), for requests this small.
const READ_BUFFER: usize = 4 * 1024;

/// The query of the upgrade.
#[derive(Debug, serde::Deserialize)]
struct Upgrade {
    ticket: Option<String>,
}

/// Who opens a live stream: an embed's sandbox with its single-use ticket
/// ([`crate::embed::tokens`]: a browser cannot put a header on a websocket), anyone else
/// with their session's cookie.
pub struct StreamAttendee {
    attendee: String,
    embed: bool,
}

impl FromRequestParts<AppState> for StreamAttendee {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let ticket = Query::<Upgrade>::try_from_uri(&parts.uri)
            .ok()
            .and_then(|q| q.0.ticket);
        let Some(ticket) = ticket else {
            let Attendee(attendee) = Attendee::from_request_parts(parts, state).await?;
            return Ok(StreamAttendee {
                attendee,
                embed: false,
            });
        };
        let attendee = crate::embed::tokens::use_ticket(state, &ticket)
            .await?
            .ok_or_else(|| {
                AppError::Unauthorized("the live stream's ticket is used up or too old".into())
            })?;
        Ok(StreamAttendee {
            attendee,
            embed: true,
        })
    }
}

/// Upgrades the attendee's connection, if they have a stream left (each tab holds one).
pub async fn upgrade(
    ws: WebSocketUpgrade,
    State(state): State<AppState>,
    StreamAttendee { attendee, embed }: StreamAttendee,
) -> Result<Response, AppError> {
    let Some(slot) = state.limits.open_stream(&attendee) else {
        return Err(AppError::TooMany(format!(
            "you have {} live tabs open already; close one to open another",
            state.limits.config.max_streams_per_attendee
        )));
    };
    let ws = ws
        .read_buffer_size(READ_BUFFER)
        .max_message_size(MAX_REQUEST)
        .max_frame_size(MAX_REQUEST);
    Ok(ws.on_upgrade(move |socket| async move {
        let stream = crate::stream::serve(socket, state.clone(), attendee.clone());
        if embed {
            // An embed's stream lasts as long as its sandbox (and keeps it from idling).
            tokio::select! {
                () = stream => {}
                () = crate::embed::tokens::while_live(&state, &attendee, crate::embed::tokens::STREAM_CHECK) => {}
            }
        } else {
            stream.await;
        }
        drop(slot);
    }))
}

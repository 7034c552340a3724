//! The server's answers to what pages ask about rooms while they render
//! (`app::pages::RoomGate`): the open steps of a lesson for the request's attendee in a
//! paced room, and a join link's room.

use crate::state::AppState;
use app::model::rooms::JoinRoom;
use app::pages::{Answer, RoomGate, SharedGate};
use std::sync::Arc;

/// The gate over the server's state.
pub fn gate(state: AppState) -> SharedGate {
    Arc::new(Gate(state))
}

struct Gate(AppState);

impl RoomGate for Gate {
    fn open_steps(&self, request: http::request::Parts, lesson: String) -> Answer<Option<usize>> {
        let state = self.0.clone();
        Box::pin(async move {
            let mut request = request;
            let attendee = crate::sessions::known_attendee(&mut request, &state).await?;
            crate::trainer::pacing::open_steps(&state, &attendee, &lesson).await
        })
    }

    fn join_room(&self, id: String) -> Answer<Option<JoinRoom>> {
        let state = self.0.clone();
        Box::pin(async move {
            let room = state.db.room(&id).await.ok()??;
            let roster = state.db.has_roster(&room.id).await.ok()?;
            Some(JoinRoom {
                title: room.title,
                roster,
            })
        })
    }
}

//! Writing down what troubles an attendee who is in a room, for the room's report
//! (`db::trouble`): the checks the live judgement says troubled them
//! ([`super::presence::Presence::saw`]), a raised hand's failing checks, and the
//! pipeline's refusals of their manifests. Outside a room nothing is written. A failed
//! write is logged and forgotten: the report is a summary, never a reason to fail the
//! attendee's request.

use crate::state::AppState;

/// Notes that `labels` of `lesson`'s `step` (from 0) troubled `attendee`.
pub async fn checks(
    state: &AppState,
    attendee: &str,
    (lesson, step): (&str, usize),
    labels: &[String],
) {
    if labels.is_empty() {
        return;
    }
    let Some(room) = room_with(state, attendee, lesson).await else {
        return;
    };
    if let Err(e) = state
        .db
        .troubled(&room, attendee, (lesson, step), labels)
        .await
    {
        tracing::warn!("noting the checks that troubled an attendee: {e}");
    }
}

/// Notes the pipeline's refusals of `attendee`'s manifests (for `lesson`, if the page
/// said which).
pub async fn refusals(state: &AppState, attendee: &str, lesson: Option<&str>, messages: &[String]) {
    if messages.is_empty() {
        return;
    }
    let lesson = lesson.unwrap_or_default();
    let Some(room) = room_with(state, attendee, lesson).await else {
        return;
    };
    for message in messages {
        if let Err(e) = state.db.refused(&room, attendee, lesson, message).await {
            tracing::warn!("noting a refusal: {e}");
            return;
        }
    }
}

/// The attendee's room, if they are in one and `lesson` is one of its lessons (or not
/// said: "").
async fn room_with(state: &AppState, attendee: &str, lesson: &str) -> Option<String> {
    let room = state.db.room_of(attendee).await.ok()??;
    if lesson.is_empty() {
        return Some(room);
    }
    let lessons = state.db.room(&room).await.ok()??.lessons;
    lessons.iter().any(|l| l == lesson).then_some(room)
}

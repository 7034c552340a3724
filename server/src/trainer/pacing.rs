//! What a paced room has open for one attendee (`app::model::pacing`), for everything
//! that must not show a step before the trainer opens it: the lesson's server functions
//! (through `http::gate`) and the live stream's checks.

use crate::state::AppState;

/// How many steps of `lesson` are open to `attendee`; `None`: all of them (no room, a
/// self-paced room, a lesson outside the room). A failed read of the database counts as
/// no room: pacing paces a class, it guards no secret.
pub async fn open_steps(state: &AppState, attendee: &str, lesson: &str) -> Option<usize> {
    let room = state.db.room_of(attendee).await.ok()??;
    let room = state.db.room(&room).await.ok()??;
    let unlocked = room.unlocked.as_ref()?;
    let steps = state.lesson(lesson)?.steps.len();
    app::model::pacing::open_steps(&room.lessons, unlocked, lesson, steps)
}

/// The step a tab may watch (0-based): the one it asks for, within what is open; when
/// nothing of the lesson is open, `steps` (past its end: no step's checks are evaluated
/// or sent).
pub fn watchable(asked: usize, open: Option<usize>, steps: usize) -> usize {
    match open {
        Some(0) => steps,
        Some(open) => asked.min(open - 1),
        None => asked,
    }
}

#[cfg(test)]
mod tests {
    use super::watchable;

    #[test]
    fn a_tab_watches_no_step_past_what_is_open() {
        assert_eq!(watchable(4, None, 7), 4);
        assert_eq!(watchable(4, Some(2), 7), 1);
        assert_eq!(watchable(0, Some(2), 7), 0);
        assert_eq!(watchable(3, Some(0), 7), 7);
    }
}

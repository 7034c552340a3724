//! A trainer's reset of one attendee to the start of a lesson step: the workspace wiped
//! (namespaces and the lesson's cluster-wide objects), what the attendee did from that
//! step on forgotten, then the steps before it played again from the lesson's reference
//! panes and Run commands, each waited for until its checks hold — the rehearsal's own
//! code ([`crate::rehearsal::play_until`]), so the workspace is what the lesson expects.
//! It runs in the background (a rollout replayed on a real cluster outlasts a request);
//! [`Resets`] holds where each one stands for the room view.

use crate::http::error::AppError;
use crate::rehearsal::{self, Stage};
use crate::state::AppState;
use app::content::Lesson;
use app::model::rooms::ResetStatus;
use std::time::Duration;

/// How long a wiped workspace's namespaces get to go (their Pods' grace periods).
const WIPE_WITHIN: Duration = Duration::from_secs(120);

/// Starts resetting `attendee`'s workspace to the start of `lesson`'s step `step` (from
/// 1) in the background; refused while one of theirs is under way.
pub fn start(
    state: &AppState,
    attendee: &str,
    lesson: &Lesson,
    step: usize,
) -> Result<ResetStatus, AppError> {
    let status = ResetStatus {
        lesson: lesson.id.clone(),
        step,
        running: true,
        failures: Vec::new(),
    };
    {
        let mut resets = state.resets.lock();
        if resets.get(attendee).is_some_and(|r| r.running) {
            return Err(AppError::Conflict(format!(
                "a reset of {attendee}'s workspace is under way; wait for it to finish"
            )));
        }
        resets.insert(attendee.to_string(), status.clone());
    }
    let (state, attendee, lesson) = (state.clone(), attendee.to_string(), lesson.clone());
    tokio::spawn(async move {
        let failures = match rewind(&state, &attendee, &lesson, step - 1).await {
            Ok(failures) => failures,
            Err(e) => vec![e.to_string()],
        };
        let done = ResetStatus {
            lesson: lesson.id.clone(),
            step,
            running: false,
            failures,
        };
        state.resets.lock().insert(attendee, done);
    });
    Ok(status)
}

/// Brings `attendee`'s workspace to the start of `lesson`'s step `step` (from 0); what
/// went wrong replaying the steps before it (empty when every check held).
pub async fn rewind(
    state: &AppState,
    attendee: &str,
    lesson: &Lesson,
    step: usize,
) -> Result<Vec<String>, AppError> {
    let workspace = state.workspace(attendee);
    let namespaces = &lesson.front.namespaces;
    // Cluster-wide objects do not go with the namespaces: delete the lesson's own.
    let last = lesson.steps.len().saturating_sub(1);
    for text in lesson.panes.iter().filter_map(|p| p.at_step(last)) {
        if let Err(e) = state.pipeline(&workspace).delete(text, namespaces).await {
            tracing::warn!(%attendee, "rewind: deleting the lesson's objects: {e}");
        }
    }
    workspace.wipe(state.platform(), WIPE_WITHIN).await?;
    state.db.rewind(attendee, &lesson.id, step).await?;
    let stage = Stage {
        state,
        admin: state.platform(),
        attendees: vec![attendee.to_string()],
        judged: |_| true,
        discriminating: false,
        settle: Duration::from_millis(200),
        tick: Duration::from_millis(250),
        longest: Duration::from_secs(60),
    };
    Ok(rehearsal::play_until(lesson, step, &stage).await.failures)
}

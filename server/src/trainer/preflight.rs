//! A room's preflight: before attendees come, every step of every lesson of the room is
//! played on a fresh workspace — the lesson's reference panes applied, its Run commands
//! run, each step waited for until its checks hold — by the rehearsal's own code, so a
//! trainer sees each check green or red on this cluster (ingress, metrics, cert-manager,
//! images) from the same judgement attendees get. All checks are judged: a cluster that
//! cannot run a step is what the preflight is for. One click in the room page, or
//! `kubeclass preflight LESSON…` on the server's machine.

use crate::http::error::AppError;
use crate::rehearsal::{self, Stage};
use crate::state::AppState;
use app::content::Lesson;
use app::model::rooms::{PreflightCheck, PreflightLesson, PreflightStatus, PreflightStep};
use rand::Rng;
use std::time::Duration;

/// Starts the preflight of `room` (its `lessons`) in the background; refused while one
/// runs.
pub fn start(
    state: &AppState,
    room: &str,
    lessons: &[String],
) -> Result<PreflightStatus, AppError> {
    let first = status(state, lessons.len());
    {
        let mut all = state.preflights.lock();
        if all.get(room).is_some_and(|p| p.running) {
            return Err(AppError::Conflict(
                "a preflight of this room is under way; wait for it to finish".into(),
            ));
        }
        all.insert(room.to_string(), first.clone());
    }
    let (state, room, lessons) = (state.clone(), room.to_string(), lessons.to_vec());
    tokio::spawn(async move {
        let report = |now: &PreflightStatus| {
            state.preflights.lock().insert(room.clone(), now.clone());
        };
        run(&state, &lessons, report).await;
    });
    Ok(first)
}

fn status(state: &AppState, lessons_total: usize) -> PreflightStatus {
    PreflightStatus {
        running: true,
        started: crate::clock::rfc3339(state.db.now()),
        finished: None,
        lessons_total,
        playing: None,
        lessons: Vec::new(),
    }
}

/// Plays `lessons` one after another, each on a workspace of its own that is deleted
/// afterwards; `report` hears the status after each lesson starts and ends.
pub async fn run(
    state: &AppState,
    lessons: &[String],
    mut report: impl FnMut(&PreflightStatus),
) -> PreflightStatus {
    let mut now = status(state, lessons.len());
    for id in lessons {
        now.playing = Some(id.clone());
        report(&now);
        let played = match state.lesson(id) {
            Some(lesson) => play(state, lesson).await,
            None => PreflightLesson {
                id: id.clone(),
                title: id.clone(),
                steps: Vec::new(),
                failures: vec![format!("no lesson {id:?} on this server")],
            },
        };
        now.lessons.push(played);
    }
    now.running = false;
    now.playing = None;
    now.finished = Some(crate::clock::rfc3339(state.db.now()));
    report(&now);
    now
}

/// One lesson on a fresh workspace.
async fn play(state: &AppState, lesson: &Lesson) -> PreflightLesson {
    let attendee = fresh_id();
    let stage = Stage {
        state,
        admin: state.platform(),
        attendees: vec![attendee.clone()],
        judged: |_| true,
        discriminating: false,
        settle: Duration::from_secs(1),
        tick: Duration::from_secs(1),
        longest: Duration::from_secs(120),
    };
    let rehearsal = rehearsal::play(lesson, &stage).await;
    let workspace = state.workspace(&attendee);
    if let Err(e) = workspace.reset(state.platform()).await {
        tracing::warn!(%attendee, "deleting a preflight's workspace: {e}");
    }
    let steps = lesson
        .steps
        .iter()
        .enumerate()
        .map(|(index, step)| {
            let failing = rehearsal.failing.get(index);
            PreflightStep {
                title: step.title.clone(),
                seconds: rehearsal.steps.get(index).map_or(0, Duration::as_secs),
                checks: step
                    .checks
                    .iter()
                    .map(|check| PreflightCheck {
                        label: check.label.clone(),
                        passed: failing.is_some_and(|f| !f.contains(&check.label)),
                    })
                    .collect(),
            }
        })
        .collect();
    PreflightLesson {
        id: lesson.id.clone(),
        title: lesson.front.title.clone(),
        steps,
        failures: rehearsal.failures,
    }
}

/// A preflight as the command line prints it: per lesson, per step, each check ✓ or ✗,
/// then what went wrong.
pub fn printed(status: &PreflightStatus) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    for lesson in &status.lessons {
        let _ = writeln!(out, "{} ({})", lesson.title, lesson.id);
        for (index, step) in lesson.steps.iter().enumerate() {
            let _ = writeln!(
                out,
                "  step {} {} ({} s)",
                index + 1,
                step.title,
                step.seconds
            );
            for check in &step.checks {
                let mark = if check.passed { "✓" } else { "✗" };
                let _ = writeln!(out, "    {mark} {}", check.label);
            }
        }
        for failure in &lesson.failures {
            let _ = writeln!(out, "  ! {failure}");
        }
    }
    let verdict = if status.all_green() {
        "every check held: the cluster is ready"
    } else {
        "some checks failed: see above"
    };
    let _ = writeln!(out, "{verdict}");
    out
}

/// A workspace id no attendee has: `pf` and six random letters and digits (attendees'
/// are eight).
fn fresh_id() -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::rng();
    let tail: String = (0..6)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect();
    format!("pf{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_printout_marks_each_check_and_gives_a_verdict() {
        let check = |label: &str, passed| PreflightCheck {
            label: label.into(),
            passed,
        };
        let mut status = PreflightStatus {
            running: false,
            started: "2026-12-08T08:30:00Z".into(),
            finished: None,
            lessons_total: 1,
            playing: None,
            lessons: vec![PreflightLesson {
                id: "c/l".into(),
                title: "L".into(),
                steps: vec![PreflightStep {
                    title: "S".into(),
                    seconds: 3,
                    checks: vec![check("up", true), check("through the Ingress", false)],
                }],
                failures: vec!["step 1: check failed".into()],
            }],
        };
        let out = printed(&status);
        assert!(
            out.contains("  step 1 S (3 s)\n    ✓ up\n    ✗ through the Ingress\n"),
            "{out}"
        );
        assert!(out.ends_with("some checks failed: see above\n"), "{out}");
        status.lessons[0].steps[0].checks[1].passed = true;
        status.lessons[0].failures.clear();
        assert!(printed(&status).ends_with("the cluster is ready\n"));
    }
}

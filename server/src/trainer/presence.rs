//! Where each attendee's lesson tab is and what its step's checks say, as the live
//! stream last judged them (`stream::check`): the live room view's working, failing and
//! stuck ([`super::live`]) and a raised hand's failing checks come from here, so they
//! are what the attendee's own page shows. Held in memory: after a restart the tabs
//! reconnect at once and say again.

use app::model::live::CheckResult;
use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};

/// What an attendee's tab last showed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    /// `COURSE/SLUG`, and the step from 0.
    pub lesson: String,
    pub step: usize,
    /// When the tab came to this step (seconds since the epoch).
    pub since: i64,
    /// The labels of the step's checks that do not hold.
    pub failing: Vec<String>,
    /// Whether the checks' results changed since the tab came to the step: the attendee
    /// has done something the checks see.
    pub moved: bool,
}

#[derive(Debug, Default)]
pub struct Presence(Mutex<HashMap<String, Seen>>);

impl Presence {
    /// Notes the results of the checks of `lesson`'s `step` for `attendee`'s tab.
    pub fn saw(
        &self,
        attendee: &str,
        (lesson, step): (&str, usize),
        results: &[CheckResult],
        now: i64,
    ) {
        let failing: Vec<String> = results
            .iter()
            .filter(|r| !r.passed)
            .map(|r| r.label.clone())
            .collect();
        let mut all = self.lock();
        match all.get_mut(attendee) {
            Some(seen) if seen.lesson == lesson && seen.step == step => {
                seen.moved |= seen.failing != failing;
                seen.failing = failing;
            }
            _ => {
                all.insert(
                    attendee.to_string(),
                    Seen {
                        lesson: lesson.to_string(),
                        step,
                        since: now,
                        failing,
                        moved: false,
                    },
                );
            }
        }
    }

    /// The attendees whose tab is on `lesson`'s `step` (from 0).
    pub fn on_step(&self, lesson: &str, step: usize) -> Vec<String> {
        self.lock()
            .iter()
            .filter(|(_, seen)| seen.lesson == lesson && seen.step == step)
            .map(|(attendee, _)| attendee.clone())
            .collect()
    }

    pub fn of(&self, attendee: &str) -> Option<Seen> {
        self.lock().get(attendee).cloned()
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<String, Seen>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn results(failing: &[&str]) -> Vec<CheckResult> {
        ["a", "b"]
            .iter()
            .map(|label| CheckResult {
                label: (*label).to_string(),
                passed: !failing.contains(label),
            })
            .collect()
    }

    #[test]
    fn a_step_is_timed_from_arrival_and_moves_when_its_results_change() {
        let presence = Presence::default();
        presence.saw("ada", ("c/l", 1), &results(&["a", "b"]), 100);
        presence.saw("ada", ("c/l", 1), &results(&["a", "b"]), 130);
        let seen = presence.of("ada").expect("seen");
        assert_eq!((seen.since, seen.moved), (100, false));
        presence.saw("ada", ("c/l", 1), &results(&["b"]), 160);
        let seen = presence.of("ada").expect("seen");
        assert_eq!(
            (seen.since, seen.moved, seen.failing),
            (100, true, vec!["b".to_string()])
        );
        presence.saw("ada", ("c/l", 2), &results(&["a", "b"]), 200);
        let seen = presence.of("ada").expect("seen");
        assert_eq!((seen.step, seen.since, seen.moved), (2, 200, false));
        assert!(presence.of("bob").is_none());
        assert_eq!(presence.on_step("c/l", 2), ["ada"]);
        assert!(presence.on_step("c/l", 1).is_empty());
    }
}

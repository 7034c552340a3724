//! Where each attendee is in their lesson and what that step's checks say: the live
//! room view's working, failing and stuck ([`super::live`]) and a raised hand's failing
//! checks come from here. Two judges write it, from the same watch stores and the same
//! checks: the attendee's own tab (`stream::check`), and the room's watch
//! ([`super::room_watch`]) while a trainer looks at the room, which also covers those
//! whose tab is closed. Where an open tab is, the attendee is: a judgement of another
//! step is ignored. Held in memory: after a restart the tabs reconnect at once and say
//! again.

use app::model::live::CheckResult;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

/// What an attendee's step last showed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    /// `COURSE/SLUG`, and the step from 0.
    pub lesson: String,
    pub step: usize,
    /// When the attendee came to this step (seconds since the epoch).
    pub since: i64,
    /// The labels of the step's checks that do not hold.
    pub failing: Vec<String>,
    /// Whether the checks' results changed since the attendee came to the step: they
    /// have done something the checks see.
    pub moved: bool,
    /// When they first did (seconds since the epoch).
    pub tried: Option<i64>,
    /// The checks already said to have troubled them on this step.
    pub troubled: Vec<String>,
}

/// How long a check must still fail after an attendee started trying on its step to
/// count as having troubled them (the room's report): stuck's least time.
pub const TROUBLE_SECONDS: i64 = app::model::rooms::stuck::LEAST_SECONDS;

/// One attendee: what was last seen, and their open tabs.
#[derive(Debug, Default)]
struct Attendee {
    seen: Option<Seen>,
    /// Open lesson tabs, and the step the latest one to choose shows.
    tabs: usize,
    shown: Option<(String, usize)>,
}

#[derive(Debug, Default)]
pub struct Presence(Mutex<HashMap<String, Attendee>>);

/// An open lesson tab, counted while it lives.
pub struct Tab {
    presence: Arc<Presence>,
    attendee: String,
}

impl Tab {
    /// The tab now shows `lesson`'s `step` (from 0).
    pub fn at(&self, lesson: &str, step: usize) {
        let mut all = self.presence.lock();
        let entry = all.entry(self.attendee.clone()).or_default();
        entry.shown = Some((lesson.to_string(), step));
    }
}

impl Drop for Tab {
    fn drop(&mut self) {
        let mut all = self.presence.lock();
        if let Some(entry) = all.get_mut(&self.attendee) {
            entry.tabs = entry.tabs.saturating_sub(1);
            if entry.tabs == 0 {
                entry.shown = None;
            }
        }
    }
}

impl Presence {
    /// Counts an open tab of `attendee` until the returned guard is dropped.
    pub fn tab(self: &Arc<Self>, attendee: &str) -> Tab {
        self.lock().entry(attendee.to_string()).or_default().tabs += 1;
        Tab {
            presence: self.clone(),
            attendee: attendee.to_string(),
        }
    }

    /// The step an open tab of `attendee` shows, if one is open.
    pub fn shown(&self, attendee: &str) -> Option<(String, usize)> {
        self.lock().get(attendee).and_then(|a| a.shown.clone())
    }

    /// Notes the results of the checks of `lesson`'s `step` for `attendee`, unless an
    /// open tab of theirs shows another step. Gives the checks that have now troubled
    /// them (still failing [`TROUBLE_SECONDS`] after they started trying), each once.
    pub fn saw(
        &self,
        attendee: &str,
        (lesson, step): (&str, usize),
        results: &[CheckResult],
        now: i64,
    ) -> Vec<String> {
        let failing: Vec<String> = results
            .iter()
            .filter(|r| !r.passed)
            .map(|r| r.label.clone())
            .collect();
        let mut all = self.lock();
        let entry = all.entry(attendee.to_string()).or_default();
        if entry
            .shown
            .as_ref()
            .is_some_and(|(l, s)| (l.as_str(), *s) != (lesson, step))
        {
            return Vec::new();
        }
        match &mut entry.seen {
            Some(seen) if seen.lesson == lesson && seen.step == step => {
                if seen.failing != failing {
                    seen.moved = true;
                    seen.tried.get_or_insert(now);
                }
                seen.failing = failing;
                if seen.tried.is_some_and(|t| now - t >= TROUBLE_SECONDS) {
                    let new: Vec<String> = seen
                        .failing
                        .iter()
                        .filter(|label| !seen.troubled.contains(label))
                        .cloned()
                        .collect();
                    seen.troubled.extend(new.iter().cloned());
                    return new;
                }
                Vec::new()
            }
            _ => {
                entry.seen = Some(Seen {
                    lesson: lesson.to_string(),
                    step,
                    since: now,
                    failing,
                    moved: false,
                    tried: None,
                    troubled: Vec::new(),
                });
                Vec::new()
            }
        }
    }

    /// The attendees last seen on `lesson`'s `step` (from 0).
    pub fn on_step(&self, lesson: &str, step: usize) -> Vec<String> {
        self.lock()
            .iter()
            .filter(|(_, a)| {
                a.seen
                    .as_ref()
                    .is_some_and(|seen| seen.lesson == lesson && seen.step == step)
            })
            .map(|(attendee, _)| attendee.clone())
            .collect()
    }

    pub fn of(&self, attendee: &str) -> Option<Seen> {
        self.lock().get(attendee).and_then(|a| a.seen.clone())
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<String, Attendee>> {
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
        // Tried at 230; "a" and "b" still fail two minutes on: they troubled her, once.
        assert!(
            presence
                .saw("ada", ("c/l", 2), &results(&["b"]), 230)
                .is_empty()
        );
        let later = 230 + TROUBLE_SECONDS;
        assert!(
            presence
                .saw("ada", ("c/l", 2), &results(&["a", "b"]), later - 1)
                .is_empty()
        );
        assert_eq!(
            presence.saw("ada", ("c/l", 2), &results(&["a", "b"]), later),
            ["a", "b"]
        );
        assert!(
            presence
                .saw("ada", ("c/l", 2), &results(&["a"]), later + 5)
                .is_empty()
        );
        assert!(presence.of("bob").is_none());
        assert_eq!(presence.on_step("c/l", 2), ["ada"]);
        assert!(presence.on_step("c/l", 1).is_empty());
    }

    #[test]
    fn an_open_tab_says_which_step_is_judged() {
        let presence = Arc::new(Presence::default());
        let tab = presence.tab("ada");
        tab.at("c/l", 2);
        assert_eq!(presence.shown("ada"), Some(("c/l".to_string(), 2)));
        // The room's watch judged the step it thought she was on: the tab says otherwise.
        presence.saw("ada", ("c/l", 1), &results(&["a"]), 100);
        assert!(presence.of("ada").is_none());
        presence.saw("ada", ("c/l", 2), &results(&["a"]), 100);
        assert_eq!(presence.of("ada").map(|s| s.step), Some(2));
        let second = presence.tab("ada");
        drop(tab);
        assert!(presence.shown("ada").is_some(), "one tab is still open");
        drop(second);
        assert_eq!(presence.shown("ada"), None);
        // With no tab open, whoever judges says where she is.
        presence.saw("ada", ("c/l", 3), &results(&["a"]), 200);
        assert_eq!(
            presence.of("ada").map(|s| (s.step, s.since)),
            Some((3, 200))
        );
    }
}

//! Where an attendee stands on each step of the room, as the live room view shows it:
//! passed (the database), asked for help (an open hand), and, on the step their tab is on
//! ([`super::presence`]), working, failing or stuck. The rule for stuck is the UI's
//! legend's: on the step longer than three in four of those who passed it took (the 75th
//! percentile; a default until a few have passed, never under a least time: the numbers
//! are `app::model::rooms::stuck`, which the legend states), with a check still failing.

use super::presence::Seen;
use app::model::rooms::StepState;
use app::model::rooms::stuck::{
    DEFAULT_SECONDS as DEFAULT_STUCK, LEAST_SECONDS as LEAST_STUCK, SAMPLES,
};

/// The seconds after which an attendee on a step is stuck, from the times those who
/// passed it took.
pub fn stuck_after(took: &[i64]) -> i64 {
    if took.len() < SAMPLES {
        return DEFAULT_STUCK;
    }
    let mut sorted = took.to_vec();
    sorted.sort_unstable();
    let p75 = sorted[(sorted.len() * 3).div_ceil(4) - 1];
    p75.max(LEAST_STUCK)
}

/// One step of the room for one attendee.
pub struct Cell<'a> {
    pub lesson: &'a str,
    /// From 0.
    pub step: usize,
    pub passed: bool,
    /// The times those who passed the step took (seconds).
    pub took: &'a [i64],
}

/// The state of `cell` for an attendee whose tab was last `seen`, with an open hand on
/// `help` (lesson, step), at `now`.
pub fn state(
    cell: &Cell<'_>,
    seen: Option<&Seen>,
    help: Option<(&str, usize)>,
    now: i64,
) -> StepState {
    if help == Some((cell.lesson, cell.step)) {
        return StepState::Help;
    }
    if cell.passed {
        return StepState::Passed;
    }
    let Some(seen) = seen.filter(|s| s.lesson == cell.lesson && s.step == cell.step) else {
        return StepState::NotStarted;
    };
    if seen.failing.is_empty() {
        // Every check holds: passed a moment from now, when the progress is written.
        return StepState::Working;
    }
    if now - seen.since > stuck_after(cell.took) {
        StepState::Stuck
    } else if seen.moved {
        StepState::Failing
    } else {
        StepState::Working
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seen(since: i64, moved: bool, failing: &[&str]) -> Seen {
        Seen {
            lesson: "c/l".into(),
            step: 1,
            since,
            failing: failing.iter().map(|s| (*s).to_string()).collect(),
            moved,
            tried: moved.then_some(since),
            troubled: Vec::new(),
        }
    }

    #[test]
    fn stuck_is_past_three_in_four_of_those_who_passed() {
        assert_eq!(stuck_after(&[]), DEFAULT_STUCK);
        assert_eq!(stuck_after(&[300, 400]), DEFAULT_STUCK, "too few to say");
        assert_eq!(stuck_after(&[100, 200, 300, 400]), 300);
        assert_eq!(
            stuck_after(&[400, 300, 200]),
            400,
            "nearest rank: the third of three"
        );
        assert_eq!(stuck_after(&[10, 20, 30, 40]), LEAST_STUCK);
    }

    #[test]
    fn a_cell_is_help_passed_or_what_the_tab_shows() {
        let took = [100, 200, 300, 400];
        let cell = |step, passed| Cell {
            lesson: "c/l",
            step,
            passed,
            took: &took,
        };
        let now = 1000;
        let on_it = seen(now - 60, false, &["a"]);
        assert_eq!(state(&cell(1, true), None, None, now), StepState::Passed);
        assert_eq!(
            state(&cell(1, true), None, Some(("c/l", 1)), now),
            StepState::Help
        );
        assert_eq!(
            state(&cell(2, false), Some(&on_it), None, now),
            StepState::NotStarted
        );
        assert_eq!(
            state(&cell(1, false), Some(&on_it), None, now),
            StepState::Working
        );
        let tried = seen(now - 60, true, &["a"]);
        assert_eq!(
            state(&cell(1, false), Some(&tried), None, now),
            StepState::Failing
        );
        let long = seen(now - 301, false, &["a"]);
        assert_eq!(
            state(&cell(1, false), Some(&long), None, now),
            StepState::Stuck
        );
        let done = seen(now - 301, true, &[]);
        assert_eq!(
            state(&cell(1, false), Some(&done), None, now),
            StepState::Working
        );
    }
}

//! Pacing: a room is self-paced (every step of its lessons open), or its trainer opens the
//! steps as the room gets there. What is open is one position in the room's lessons:
//! every lesson before it, and its lesson's steps up to it. A step not yet open is not
//! sent to the attendee's page at all — not its prose, its title, its checks, nor the
//! panes' text it writes — so reading ahead is not a matter of hiding.

use super::{LessonPage, StepView};
use serde::{Deserialize, Serialize};

/// How a room moves through its lessons.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Pacing {
    /// Every attendee goes at their own pace: everything is open.
    #[default]
    #[serde(rename = "self")]
    SelfPaced,
    /// The trainer opens the steps ([`Unlocked`]).
    Trainer,
}

/// `POST /api/trainer/rooms/{id}/unlock` and the open position of a room the trainer
/// paces: `lesson`'s steps 1 to `step`, and every lesson of the room before it, are open.
/// Moving it back closes steps again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Unlocked {
    /// `COURSE/SLUG`, one of the room's lessons.
    pub lesson: String,
    /// From 1.
    pub step: usize,
}

/// How many steps of `lesson` (which has `steps`) are open in a room of `lessons` open up
/// to `unlocked`; `None` when the lesson is not the room's (the rest of the catalog stays
/// open to its attendees).
pub fn open_steps(
    lessons: &[String],
    unlocked: &Unlocked,
    lesson: &str,
    steps: usize,
) -> Option<usize> {
    let here = lessons.iter().position(|l| l == lesson)?;
    let open = lessons
        .iter()
        .position(|l| *l == unlocked.lesson)
        .unwrap_or(0);
    Some(match here.cmp(&open) {
        std::cmp::Ordering::Less => steps,
        std::cmp::Ordering::Equal => unlocked.step.min(steps),
        std::cmp::Ordering::Greater => 0,
    })
}

/// What a step not yet open shows in the outline.
pub const CLOSED_TITLE: &str = "Opens when your trainer gets there";

impl LessonPage {
    /// The page with only its first `open` steps: the others keep their place in the
    /// outline under [`CLOSED_TITLE`], without checks; the panes keep only the text the
    /// open steps write (a pane no open step writes is left out).
    pub fn paced(mut self, open: usize) -> LessonPage {
        for step in self.steps.iter_mut().skip(open) {
            *step = StepView {
                title: CLOSED_TITLE.into(),
                checks: Vec::new(),
            };
        }
        for pane in &mut self.panes {
            pane.versions.retain(|(step, _)| *step < open);
        }
        self.panes.retain(|p| !p.versions.is_empty());
        self.open_steps = Some(open);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn room() -> Vec<String> {
        [
            "fundamentals/pods",
            "fundamentals/deployments",
            "fundamentals/services",
        ]
        .map(String::from)
        .to_vec()
    }

    #[test]
    fn lessons_before_the_position_are_open_after_it_closed_and_others_free() {
        let at = Unlocked {
            lesson: "fundamentals/deployments".into(),
            step: 2,
        };
        let open = |lesson: &str| open_steps(&room(), &at, lesson, 5);
        assert_eq!(open("fundamentals/pods"), Some(5));
        assert_eq!(open("fundamentals/deployments"), Some(2));
        assert_eq!(open("fundamentals/services"), Some(0));
        assert_eq!(open("fundamentals/storage"), None, "not the room's");
        let past_the_end = Unlocked {
            lesson: "fundamentals/pods".into(),
            step: 9,
        };
        assert_eq!(
            open_steps(&room(), &past_the_end, "fundamentals/pods", 5),
            Some(5)
        );
    }
}

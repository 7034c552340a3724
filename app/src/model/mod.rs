//! What pages receive from the server: plain serialisable views of courses and lessons.
//! Parsing and rendering live in `content` (server only); these types cross to the browser.

pub mod api;
pub mod console;
pub mod embed;
pub mod inspection;
pub mod kinds;
pub mod live;
pub mod pacing;
pub mod rooms;

use serde::{Deserialize, Serialize};

/// The catalog page: every course with its lessons in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Catalog {
    pub courses: Vec<CourseSummary>,
}

/// A course as the catalog lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CourseSummary {
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub lessons: Vec<LessonSummary>,
}

/// A lesson as the catalog and the lesson navigation list it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LessonSummary {
    pub course: String,
    pub slug: String,
    pub order: u32,
    pub title: String,
    pub summary: String,
    /// Minutes.
    pub duration: u32,
    /// How many steps the lesson has (the catalog shows progress against it).
    pub steps: usize,
}

impl LessonSummary {
    /// The lesson page's path.
    pub fn href(&self) -> String {
        format!("/learn/{}/{}", self.course, self.slug)
    }
}

/// Everything the lesson page shows but the prose, which comes a step at a time
/// ([`StepProse`]): the page's hydration data then carries one step's HTML, not every
/// step's, which halves what each page view serialises.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LessonPage {
    pub summary: LessonSummary,
    pub course_title: String,
    pub objectives: Vec<String>,
    pub namespaces: Vec<String>,
    pub steps: Vec<StepView>,
    pub panes: Vec<PaneView>,
    pub previous: Option<LessonSummary>,
    pub next: Option<LessonSummary>,
    /// How many steps are open, in a room whose trainer paces it ([`pacing`]); `None`:
    /// all of them.
    #[serde(default)]
    pub open_steps: Option<usize>,
}

/// One step of a lesson, as the outline and the checks list show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepView {
    pub title: String,
    /// Labels of the step's checks, in order.
    pub checks: Vec<String>,
}

/// One step's prose.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepProse {
    /// The step shown (0-based): the one asked for, or the last when it was past the end.
    pub step: usize,
    /// Rendered, sanitised HTML of the text before the first step; empty after step 0.
    pub intro_html: String,
    /// Rendered, sanitised HTML of the step's prose.
    pub html: String,
}

/// An editable manifest file and its text at each step that wrote it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PaneView {
    pub name: String,
    /// `(step index, text)`, ascending by step.
    pub versions: Vec<(usize, String)>,
}

impl PaneView {
    /// The pane's text as of `step` (the latest version written at or before it), or
    /// `None` when no step up to `step` has written this pane yet.
    pub fn at_step(&self, step: usize) -> Option<&str> {
        self.versions
            .iter()
            .rev()
            .find(|(s, _)| *s <= step)
            .map(|(_, text)| text.as_str())
    }

    /// The step that wrote the text shown at `step` (what a draft of it is kept under).
    pub fn version_at(&self, step: usize) -> Option<usize> {
        self.versions
            .iter()
            .rev()
            .find(|(s, _)| *s <= step)
            .map(|(s, _)| *s)
    }

    /// Whether `step` writes a new version of this pane.
    pub fn changes_at(&self, step: usize) -> bool {
        self.versions.iter().any(|(s, _)| *s == step)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pane_shows_its_latest_version_up_to_the_step() {
        let pane = PaneView {
            name: "d.yaml".into(),
            versions: vec![(1, "a".into()), (3, "b".into())],
        };
        assert_eq!(pane.at_step(0), None);
        assert_eq!(pane.at_step(1), Some("a"));
        assert_eq!(pane.at_step(2), Some("a"));
        assert_eq!(pane.at_step(5), Some("b"));
        assert_eq!((pane.version_at(0), pane.version_at(4)), (None, Some(3)));
        assert!(pane.changes_at(3) && !pane.changes_at(2));
    }
}

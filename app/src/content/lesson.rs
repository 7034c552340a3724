//! One lesson file: front matter, then markdown split into an introduction and steps,
//! with panes and checks pulled out of their fenced blocks.

use super::check::Check;
use super::error::ContentError;
use super::highlight::Highlighter;
use super::markdown::{self, Action, Section};
use crate::model::{LessonPage, LessonSummary, PaneView, StepProse, StepView};
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The YAML between the opening `---` lines.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FrontMatter {
    pub title: String,
    pub summary: String,
    /// Minutes.
    pub duration: u32,
    pub order: u32,
    pub objectives: Vec<String>,
    #[serde(default = "default_namespaces")]
    pub namespaces: Vec<String>,
    /// A name for this edition of the lesson that a docs page may pin instead of its
    /// content hash (`pods@2`): authors change it when a change would break the pages
    /// written for the edition before.
    #[serde(default)]
    pub tag: Option<String>,
}

fn default_namespaces() -> Vec<String> {
    vec!["default".into()]
}

/// A step: its title, rendered prose and checks.
#[derive(Debug, Clone)]
pub struct Step {
    pub title: String,
    pub html: String,
    pub checks: Vec<Check>,
    /// What the step asks the attendee to do in the page (apply the panes it writes,
    /// run its Run buttons' commands), in the order its text asks it.
    pub actions: Vec<Action>,
}

/// A loaded, validated, rendered lesson.
#[derive(Debug, Clone)]
pub struct Lesson {
    pub path: PathBuf,
    pub slug: String,
    /// `course/slug`: how the page, the stream and the database name the lesson.
    pub id: String,
    pub front: FrontMatter,
    pub intro_html: String,
    pub steps: Vec<Step>,
    pub panes: Vec<PaneView>,
    /// Which edition this text is: the first 12 hex digits of its SHA-256. A docs page
    /// pins it (`pods@3f2a1b9c0d12`) to keep the lesson it was written for
    /// ([`super::Library::lesson`]).
    pub version: String,
    /// The text as read, which the server keeps so that the edition outlives the file.
    pub source: String,
}

impl Lesson {
    /// Reads, parses, validates and renders `path` (`NN-slug.md`) of `course`.
    pub fn load(
        path: &Path,
        course: &str,
        highlighter: &Highlighter,
    ) -> Result<Lesson, ContentError> {
        let text = std::fs::read_to_string(path).map_err(|e| ContentError {
            file: path.into(),
            line: None,
            message: format!("cannot read: {e}"),
        })?;
        Lesson::parse(path, course, &text, highlighter)
    }

    /// Parses a lesson from its text; `path` names it in errors and gives its slug.
    pub fn parse(
        path: &Path,
        course: &str,
        text: &str,
        highlighter: &Highlighter,
    ) -> Result<Lesson, ContentError> {
        let at = |line: Option<usize>, message: String| ContentError {
            file: path.into(),
            line,
            message,
        };
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default();
        let Some((number, slug)) = stem
            .split_once('-')
            .filter(|(n, s)| n.parse::<u32>().is_ok() && !s.is_empty())
        else {
            return Err(at(
                None,
                "the file name must be NN-slug.md (e.g. 04-deployments.md)".into(),
            ));
        };
        let (front_text, body, body_line) = split_front_matter(text).ok_or_else(|| {
            at(
                Some(1),
                "the file must start with front matter between `---` lines".into(),
            )
        })?;
        let front: FrontMatter = serde_yaml::from_str(front_text).map_err(|e| {
            at(
                e.location().map(|l| l.line() + 1),
                format!("front matter: {e}"),
            )
        })?;
        validate_front(&front, number).map_err(|m| at(Some(2), m))?;
        let doc = markdown::render(body, course, &front.namespaces, highlighter)
            .map_err(|(line, m)| at(Some(body_line + line - 1), m))?;
        let mut sections = doc.sections.into_iter();
        let intro = sections.next().unwrap_or_default();
        let steps: Vec<Step> = sections
            .map(
                |Section {
                     title,
                     html,
                     checks,
                     actions,
                 }| Step {
                    title,
                    html,
                    checks,
                    actions,
                },
            )
            .collect();
        if steps.is_empty() {
            return Err(at(
                None,
                "a lesson needs at least one step (a `## ` heading)".into(),
            ));
        }
        if let Some((i, step)) = steps
            .iter()
            .enumerate()
            .find(|(_, s)| !s.checks.is_empty() && s.checks.iter().all(|c| c.kept))
        {
            return Err(at(
                None,
                format!(
                    "step {} \"{}\": every check is a `still` check, so it holds before the step is done; add one that only the step makes true",
                    i + 1,
                    step.title
                ),
            ));
        }
        let panes = doc
            .panes
            .into_iter()
            .map(|p| PaneView {
                name: p.name,
                versions: p.versions.into_iter().map(|(s, t)| (s - 1, t)).collect(),
            })
            .collect();
        Ok(Lesson {
            path: path.into(),
            slug: slug.into(),
            id: format!("{course}/{slug}"),
            front,
            intro_html: intro.html,
            steps,
            panes,
            version: version_of(text),
            source: text.into(),
        })
    }

    /// Whether `pinned` (a docs page's `@…`) names this edition: its hash or its tag.
    pub fn is_edition(&self, pinned: &str) -> bool {
        self.version == pinned || self.front.tag.as_deref() == Some(pinned)
    }

    /// This lesson as an earlier edition of itself: addressed (slug and id) with its
    /// version, so that drafts, progress and the live stream of a page pinned to it never
    /// mix with the current edition's.
    pub fn as_earlier(mut self, course: &str) -> Lesson {
        self.slug = format!("{}@{}", self.slug, self.version);
        self.id = format!("{course}/{}", self.slug);
        self
    }

    /// The catalog entry.
    pub fn summary(&self, course: &str) -> LessonSummary {
        LessonSummary {
            course: course.into(),
            slug: self.slug.clone(),
            order: self.front.order,
            title: self.front.title.clone(),
            summary: self.front.summary.clone(),
            duration: self.front.duration,
            steps: self.steps.len(),
        }
    }

    /// The lesson page view.
    pub fn page(
        &self,
        course: &str,
        course_title: &str,
        previous: Option<LessonSummary>,
        next: Option<LessonSummary>,
    ) -> LessonPage {
        LessonPage {
            summary: self.summary(course),
            course_title: course_title.into(),
            objectives: self.front.objectives.clone(),
            namespaces: self.front.namespaces.clone(),
            steps: self
                .steps
                .iter()
                .map(|s| StepView {
                    title: s.title.clone(),
                    checks: s.checks.iter().map(|c| c.label.clone()).collect(),
                })
                .collect(),
            panes: self.panes.clone(),
            previous,
            next,
            open_steps: None,
        }
    }

    /// Step `step`'s prose (0-based; past the end means the last step, as the page's
    /// address does), with the introduction before the first.
    pub fn prose(&self, step: usize) -> StepProse {
        let step = step.min(self.steps.len().saturating_sub(1));
        StepProse {
            step,
            intro_html: if step == 0 {
                self.intro_html.clone()
            } else {
                String::new()
            },
            html: self
                .steps
                .get(step)
                .map(|s| s.html.clone())
                .unwrap_or_default(),
        }
    }
}

/// Splits `---\nYAML\n---\nBODY` into (YAML, BODY, 1-based line where BODY starts).
fn split_front_matter(text: &str) -> Option<(&str, &str, usize)> {
    let rest = text
        .strip_prefix("---\n")
        .or_else(|| text.strip_prefix("---\r\n"))?;
    let mut offset = 0;
    for (i, line) in rest.split_inclusive('\n').enumerate() {
        if line.trim_end() == "---" {
            return Some((&rest[..offset], &rest[offset + line.len()..], i + 3));
        }
        offset += line.len();
    }
    None
}

/// The first 12 hex digits of `text`'s SHA-256: short enough for a snippet, long enough
/// that two editions of one lesson never share it.
fn version_of(text: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(text.as_bytes())
        .iter()
        .take(6)
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn validate_front(front: &FrontMatter, file_number: &str) -> Result<(), String> {
    if front.title.trim().is_empty() || front.summary.trim().is_empty() {
        return Err("front matter: title and summary must not be empty".into());
    }
    if file_number.parse::<u32>().ok() != Some(front.order) {
        return Err(format!(
            "front matter: order {} does not match the file number {file_number}",
            front.order
        ));
    }
    if !(2..=6).contains(&front.objectives.len()) {
        return Err(format!(
            "front matter: objectives lists {} items; write 2 to 6",
            front.objectives.len()
        ));
    }
    if front.duration == 0 {
        return Err("front matter: duration must be a positive number of minutes".into());
    }
    if front.namespaces.is_empty() {
        return Err("front matter: namespaces must name at least one namespace".into());
    }
    if let Some(tag) = &front.tag {
        let fits = (1..=32).contains(&tag.len())
            && tag.starts_with(|c: char| c.is_ascii_alphanumeric())
            && tag
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-');
        if !fits {
            return Err(format!(
                "front matter: tag {tag:?} must be 1 to 32 lowercase letters, digits, dots or dashes, starting with a letter or digit"
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "---\ntitle: T\nsummary: S\nduration: 5\norder: 2\nobjectives: [a, b]\nnamespaces: [server]\n---\nIntro *text*.\n\n## First\n\n```yaml pane=pod.yaml\napiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: server\nspec:\n  containers: [{name: c, image: nginx}]\n```\n\n```check\npod/p in server: status.phase == Running # Running\n```\n\n## Second\n\nMore.\n";

    fn parse(text: &str) -> Result<Lesson, ContentError> {
        Lesson::parse(Path::new("c/02-pods.md"), "c", text, &Highlighter::new())
    }

    #[test]
    fn a_lesson_splits_into_intro_steps_panes_and_checks() {
        let l = parse(GOOD).expect("parses");
        assert_eq!(l.slug, "pods");
        assert!(l.intro_html.contains("<em>text</em>"));
        assert_eq!(l.steps.len(), 2);
        assert_eq!(l.steps[0].title, "First");
        assert_eq!(l.steps[0].checks[0].label, "Running");
        assert_eq!(l.panes[0].name, "pod.yaml");
        assert_eq!(l.panes[0].versions[0].0, 0);
        assert!(l.panes[0].versions[0].1.starts_with("apiVersion: v1\n"));
    }

    #[test]
    fn errors_name_the_line() {
        let bad_check = GOOD.replace("status.phase == Running", "status.phase ~ Running");
        let e = parse(&bad_check).unwrap_err();
        assert_eq!(e.line, Some(24), "{e}");
        assert!(
            e.to_string()
                .starts_with("c/02-pods.md:24: check: unknown comparison"),
            "{e}"
        );

        let bad_front = GOOD.replace("duration: 5", "duration: 5\nobjective: x");
        let e = parse(&bad_front).unwrap_err();
        assert_eq!(e.line, Some(5), "{e}");
        assert!(e.message.contains("unknown field `objective`"), "{e}");

        let e = parse(&GOOD.replace("order: 2", "order: 3")).unwrap_err();
        assert_eq!(
            e.message,
            "front matter: order 3 does not match the file number 02"
        );
    }

    #[test]
    fn an_edition_is_its_content_hash_or_its_tag() {
        let first = parse(GOOD).expect("parses");
        assert_eq!(first.version.len(), 12);
        assert!(first.version.chars().all(|c| c.is_ascii_hexdigit()));
        let edited = parse(&GOOD.replace("More.", "More, and then some.")).expect("parses");
        assert_ne!(edited.version, first.version);
        assert!(first.is_edition(&first.version) && !first.is_edition(&edited.version));
        let tagged = parse(&GOOD.replace("order: 2", "order: 2\ntag: v1.2")).expect("parses");
        assert!(tagged.is_edition("v1.2") && tagged.is_edition(&tagged.version));
        let earlier = tagged.as_earlier("c");
        assert_eq!(earlier.id, format!("c/pods@{}", earlier.version));

        let e = parse(&GOOD.replace("order: 2", "order: 2\ntag: V 1")).unwrap_err();
        assert!(
            e.message.starts_with("front matter: tag \"V 1\" must be"),
            "{e}"
        );
    }
}

//! What a trainer reads of an attendee's panes: each draft the attendee saved, beside the
//! lesson's text it replaces, with the lines between them. Read-only: the trainer's look
//! at a workspace never writes (its routes are `http/inspect.rs`).

use app::content::Lesson;
use app::model::inspection::{Change, DiffLine, PaneInspection};
use similar::{ChangeTag, TextDiff};
use std::time::Duration;

/// Longest a pane's diff may take: past it the diff is coarser, never slower (a pane is
/// at most the draft budget, but a hostile one could be shaped to make diffing slow).
const DIFF_DEADLINE: Duration = Duration::from_millis(200);

/// The lines from `reference` to `text`, as `diff -u` orders them.
pub fn lines(reference: &str, text: &str) -> Vec<DiffLine> {
    // An editor may drop the last newline: that is no change the trainer should see.
    let ended = |t: &str| {
        if t.is_empty() || t.ends_with('\n') {
            t.to_string()
        } else {
            format!("{t}\n")
        }
    };
    let (reference, text) = (ended(reference), ended(text));
    let diff = TextDiff::configure()
        .timeout(DIFF_DEADLINE)
        .diff_lines(&reference, &text);
    diff.iter_all_changes()
        .map(|change| DiffLine {
            change: match change.tag() {
                ChangeTag::Equal => Change::Same,
                ChangeTag::Delete => Change::Removed,
                ChangeTag::Insert => Change::Added,
            },
            text: change.value().trim_end_matches(['\n', '\r']).to_string(),
        })
        .collect()
}

/// The attendee's drafts of `lesson`'s panes (`(key, text)`, the key being
/// `PANE@STEP`, as the page saves them) beside the lesson's text. A draft whose pane or
/// step the lesson no longer has (the lesson changed since) is shown against nothing.
pub fn panes(lesson: &Lesson, drafts: Vec<(String, String)>) -> Vec<PaneInspection> {
    drafts
        .into_iter()
        .filter_map(|(key, text)| {
            let (pane, step) = key.rsplit_once('@')?;
            let step: usize = step.parse().ok()?;
            let reference = lesson
                .panes
                .iter()
                .find(|p| p.name == pane)
                .and_then(|p| p.versions.iter().find(|(s, _)| *s == step))
                .map(|(_, text)| text.clone())
                .unwrap_or_default();
            Some(PaneInspection {
                lesson: lesson.id.clone(),
                pane: pane.to_string(),
                step: step + 1,
                diff: lines(&reference, &text),
                text,
                reference,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marked(reference: &str, text: &str) -> Vec<String> {
        lines(reference, text)
            .into_iter()
            .map(|l| format!("{}{}", l.change.mark(), l.text))
            .collect()
    }

    #[test]
    fn a_changed_line_is_the_lessons_removed_then_theirs_added() {
        let reference = "kind: Deployment\nspec:\n  replicas: 3\n";
        let theirs = "kind: Deployment\nspec:\n  replicas: 5\n";
        assert_eq!(
            marked(reference, theirs),
            [
                " kind: Deployment",
                " spec:",
                "-  replicas: 3",
                "+  replicas: 5"
            ]
        );
    }

    #[test]
    fn the_same_text_has_no_change_and_a_missing_last_newline_is_not_one() {
        assert!(
            lines("a\nb\n", "a\nb")
                .iter()
                .all(|l| l.change == Change::Same)
        );
    }

    #[test]
    fn a_pane_against_nothing_is_all_added() {
        assert_eq!(marked("", "a\nb\n"), ["+a", "+b"]);
    }
}

//! Every command a lesson's Run button hands the console is one the console reads: none
//! is refused as shell syntax, an unknown command or an unknown flag. (What it then
//! answers depends on the workspace; this asserts the lessons and the console speak the
//! same kubectl.)

use super::super::support::content_dir;
use super::setup;
use app::content::{Action, Library};

/// What the console says when it cannot read a line at all.
const UNREAD: &[&str] = &[
    "is shell syntax",
    "unknown command",
    "unknown flag",
    "unknown shorthand flag",
    "the console runs kubectl commands",
    "is not in the console yet",
    "line may not end",
    "is not closed",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_command_a_lesson_runs_is_one_the_console_reads() {
    let (library, problems) = Library::load(&content_dir());
    assert!(problems.is_empty(), "{problems:?}");
    let setup = setup("lessons").await;
    let commands: Vec<(String, String)> = library
        .courses
        .iter()
        .flat_map(|c| &c.lessons)
        .flat_map(|l| l.steps.iter().map(move |s| (l, s)))
        .flat_map(|(l, s)| {
            s.actions.iter().filter_map(|a| match a {
                Action::Run(command) => Some((l.slug.clone(), command.clone())),
                Action::Apply(_) | Action::Try(_) => None,
            })
        })
        .collect();
    assert!(
        commands.len() > 40,
        "the lessons' Run buttons hold {} commands",
        commands.len()
    );
    let mut unread = Vec::new();
    for (lesson, command) in &commands {
        let (output, _) = setup.console(command).await;
        if UNREAD.iter().any(|u| output.contains(u)) {
            unread.push(format!("{lesson}: {command}\n  {output}"));
        }
    }
    assert!(
        unread.is_empty(),
        "{} of {} commands:\n{}",
        unread.len(),
        commands.len(),
        unread.join("\n")
    );
}

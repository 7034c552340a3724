//! What the rehearsal does in the page besides Apply: a Run button's command in the
//! console, Try the app, and asking again when a check on the answer fails.

use crate::console::{Console, Panes};
use crate::state::AppState;
use crate::workspace::Workspace;
use app::content::check::{Check, Subject};
use app::content::outcome::TryTarget;
use app::content::{Action, Lesson, Step};
use kube::api::Api;
use std::collections::BTreeMap;
use std::time::Duration;

/// How long a Run button's command that follows (`get -w`) is read before the rehearsal
/// stops reading it, as an attendee would press Ctrl-C. (Not a timeout on the command: on
/// paused time a timer can run ahead of the database's worker thread.)
const COMMAND_LIMIT: Duration = Duration::from_secs(30);

/// Runs a Run button's command in the console, or asks Try the app, as the attendee:
/// what it answered, to show when a check fails.
pub(super) async fn ask(
    state: &AppState,
    (workspace, lesson): (&Workspace, &Lesson),
    files: &BTreeMap<String, String>,
    action: &Action,
) -> String {
    match action {
        Action::Run(command) => {
            let panes = Panes {
                files: files.clone(),
                namespaces: lesson.front.namespaces.clone(),
            };
            let at = (workspace, lesson.id.as_str());
            let (exit_code, output) = run_command(state, at, command, panes).await;
            format!("$ {command} (exit {exit_code})\n{output}")
        }
        Action::Try(target) => {
            let asked = try_app(state, (workspace, &lesson.id), target).await;
            format!("Try the app {}{}: {asked}", target.service, target.path)
        }
        Action::Apply(pane) => format!("apply {pane}"),
    }
}

/// The step's commands and Try the app requests whose answers `failing` checks judge.
pub(super) fn again<'a>(step: &'a Step, failing: &[&Check]) -> Vec<&'a Action> {
    step.actions
        .iter()
        .filter(|action| {
            failing.iter().any(|c| match (&c.subject, action) {
                (Subject::Outcome(outcome), Action::Run(command)) => outcome.names_line(command),
                (Subject::Outcome(outcome), Action::Try(target)) => outcome.names_target(target),
                _ => false,
            })
        })
        .collect()
}

/// The attendee's kept answers in the lesson, if `checks` judge any (none if the
/// database cannot say).
pub(super) async fn answers(
    state: &AppState,
    workspace: &Workspace,
    (lesson, checks): (&Lesson, &[&Check]),
) -> Vec<app::content::outcome::Answer> {
    if !checks
        .iter()
        .any(|c| matches!(c.subject, Subject::Outcome(_)))
    {
        return Vec::new();
    }
    state
        .db
        .answers(&workspace.id, &lesson.id)
        .await
        .unwrap_or_default()
}

/// Runs a Run button's command as the live stream runs it (printing as it goes, its
/// answer kept), stopped after [`COMMAND_LIMIT`]: its exit code and what it printed.
async fn run_command(
    state: &AppState,
    (workspace, lesson): (&Workspace, &str),
    command: &str,
    panes: Panes,
) -> (i32, String) {
    let (pieces, mut printed) = tokio::sync::mpsc::channel::<String>(16);
    let mut console = Console {
        follow: Some(pieces),
        panes,
        lesson: Some(lesson.to_string()),
        ..state.console(workspace)
    };
    let run = async {
        let ran = crate::console::run(&console, command).await;
        // Nothing more to print: the collector below may finish.
        console.follow = None;
        ran
    };
    let mut copy = String::new();
    let collect = async {
        let stop = tokio::time::sleep(COMMAND_LIMIT);
        tokio::pin!(stop);
        loop {
            tokio::select! {
                text = printed.recv() => match text {
                    Some(text) => copy.push_str(&text),
                    None => break,
                },
                // Stop reading, as Ctrl-C would: a command that follows ends.
                () = &mut stop => break,
            }
        }
        drop(printed);
    };
    let (ran, ()) = tokio::join!(run, collect);
    copy.push_str(&ran.output);
    let exit_code = ran.exit_code;
    crate::console::keep_answer(&console, command, exit_code, copy.clone()).await;
    (exit_code, copy)
}

/// Asks Try the app for the target as the attendee would (the Service's first port, as
/// the panel offers it first): the status and body, or why it could not ask.
async fn try_app(
    state: &AppState,
    (workspace, lesson): (&Workspace, &str),
    target: &TryTarget,
) -> String {
    let services: Api<k8s_openapi::api::core::v1::Service> = Api::namespaced(
        state.tenant(workspace),
        &workspace.namespace(&target.namespace),
    );
    let port = match services.get(&target.service).await {
        Ok(service) => service
            .spec
            .and_then(|s| s.ports)
            .and_then(|p| p.first().map(|p| p.port.to_string())),
        Err(e) => return format!("no Service: {e}"),
    };
    let Some(port) = port else {
        return "the Service has no port".into();
    };
    let asked = crate::http::try_app::Target {
        namespace: target.namespace.clone(),
        service: target.service.clone(),
        port,
    };
    match crate::http::try_app::ask(state, (&workspace.id, lesson), &asked, &target.path, None)
        .await
    {
        Ok(answer) => format!("{} {}", answer.status, answer.body),
        Err(e) => format!("refused: {e}"),
    }
}

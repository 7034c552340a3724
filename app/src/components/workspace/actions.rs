//! The buttons under a manifest pane — Apply, Dry run, Diff, Delete, Reset pane — and what
//! the server said: one line per document, refused lines marked in the editor.

use crate::components::editor::{Drafts, goto_line, mark_lines, pane_text};
use crate::live::api::{self, PipelineAnswer};
use crate::live::locate::{field_line, field_path};
use crate::live::{Live, confirm};
use crate::model::api::Run;
use crate::model::live::{Outcome, Report};
use leptos::prelude::*;

/// What a button asks of the pipeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Request {
    Apply,
    DryRun,
    Diff,
    Delete,
}

impl Request {
    /// What the pipeline runs for the button (a diff is a dry run's answer).
    fn run(self) -> Run {
        match self {
            Request::Apply => Run::Apply,
            Request::DryRun | Request::Diff => Run::DryRun,
            Request::Delete => Run::Delete,
        }
    }

    fn heading(self, report: &Report) -> &'static str {
        let refused = report.results.iter().any(|r| r.error.is_some());
        match (self, refused) {
            (Request::Apply, true) => "Refused: nothing was applied",
            (Request::Delete, true) => "Refused: nothing was deleted",
            (_, true) => "These would be refused",
            (Request::Apply, false) => "Applied",
            (Request::DryRun, false) => "Dry run: the cluster would accept these (nothing changed)",
            (Request::Diff, false) => "Diff against what is running",
            (Request::Delete, false) => "Deleted",
        }
    }
}

/// What the last button press came to.
#[derive(Debug, Clone, PartialEq)]
enum Reply {
    Report(Request, Report),
    /// The text itself was refused (syntax, budgets), at this document and line.
    Refused {
        message: String,
        line: Option<usize>,
    },
    Failed(String),
}

/// The action bar and results of the pane called `pane`, whose draft key is `key`.
#[component]
pub fn PaneActions(pane: Signal<Option<String>>, key: Signal<Option<String>>) -> impl IntoView {
    let live = expect_context::<Live>();
    let drafts = expect_context::<Drafts>();
    let reply = RwSignal::new(None::<(String, Reply)>);
    let busy = RwSignal::new(false);
    let run = move |request: Request| {
        let Some(name) = pane.get_untracked() else {
            return;
        };
        if request == Request::Delete
            && !confirm(&format!(
                "Delete the objects {name} describes from your namespaces?"
            ))
        {
            return;
        }
        let Some(text) = pane_text(&name) else {
            reply.set(Some((
                name,
                Reply::Failed("The editor is still loading; try again in a moment.".into()),
            )));
            return;
        };
        busy.set(true);
        let lesson = live.lesson.get_value();
        leptos::task::spawn_local(async move {
            let result = match api::pipeline(request.run(), &lesson, &text).await {
                Ok(PipelineAnswer::Refused(refused)) => Reply::Refused {
                    message: refused.error,
                    line: refused.line,
                },
                Ok(PipelineAnswer::Report(report)) => {
                    Reply::Report(request, pointed(report, &text))
                }
                Err(e) => Reply::Failed(e),
            };
            mark_lines(&name, &marks(&result));
            reply.set(Some((name, result)));
            busy.set(false);
        });
    };
    let reset_pane = move |_| {
        if let Some(k) = key.get_untracked() {
            drafts.forget(k);
        }
        if let Some(name) = pane.get_untracked() {
            mark_lines(&name, &[]);
        }
        reply.set(None);
    };
    let edited = move || key.get().is_some_and(|k| drafts.has(&k));
    view! {
        <div class="pane-actions" role="toolbar" aria-label="Send this manifest to your cluster">
            <button type="button" class="button primary" disabled=move || busy.get() || !live.ready.get() on:click=move |_| run(Request::Apply)>"Apply"</button>
            <button type="button" class="button" disabled=move || busy.get() || !live.ready.get() on:click=move |_| run(Request::DryRun)>"Dry run"</button>
            <button type="button" class="button" disabled=move || busy.get() || !live.ready.get() on:click=move |_| run(Request::Diff)>"Diff"</button>
            <button type="button" class="button" disabled=move || busy.get() || !live.ready.get() on:click=move |_| run(Request::Delete)>"Delete"</button>
            <button type="button" class="button quiet" disabled=move || !edited() on:click=reset_pane title="Forget your edits of this pane and show the lesson's text">"Reset pane"</button>
        </div>
        <div class="pane-result" aria-live="polite">
            {move || {
                let current = pane.get();
                reply.get().filter(|(name, _)| Some(name) == current.as_ref()).map(|(name, a)| view! { <ReplyView name reply=a /> })
            }}
        </div>
    }
}

/// Each refused document's line moved to the field its error names, where the pane
/// writes that field (the API server says `spec.replicas`, the attendee sees line 11).
fn pointed(mut report: Report, text: &str) -> Report {
    for outcome in &mut report.results {
        if let Some(line) = outcome
            .error
            .as_deref()
            .and_then(field_path)
            .and_then(|path| field_line(text, outcome.line, path))
        {
            outcome.line = line;
        }
    }
    report
}

/// The lines to mark in the editor: each refused document's line with its message.
fn marks(reply: &Reply) -> Vec<(usize, String)> {
    match reply {
        Reply::Report(_, report) => report
            .results
            .iter()
            .filter_map(|o| o.error.clone().map(|e| (o.line, e)))
            .collect(),
        Reply::Refused {
            message,
            line: Some(line),
        } => vec![(*line, message.clone())],
        _ => Vec::new(),
    }
}

#[component]
fn ReplyView(name: String, reply: Reply) -> impl IntoView {
    match reply {
        Reply::Failed(message) => {
            view! { <p class="result-error" role="alert">{message}</p> }.into_any()
        }
        Reply::Refused { message, line } => {
            let at = line.map(|l| format!("line {l}: ")).unwrap_or_default();
            view! {
                <p class="result-heading refused">"Refused: nothing was applied"</p>
                <p class="result-error" role="alert">{at}{message}</p>
            }
            .into_any()
        }
        Reply::Report(request, report) => {
            let heading = request.heading(&report);
            let refused = report.results.iter().any(|r| r.error.is_some());
            view! {
                <p class="result-heading" class:refused=refused>{heading}</p>
                <ul class="results">
                    {report.results.into_iter().map(|o| view! { <OutcomeLine name=name.clone() outcome=o diff=request == Request::Diff /> }).collect_view()}
                </ul>
            }
            .into_any()
        }
    }
}

#[component]
fn OutcomeLine(name: String, outcome: Outcome, diff: bool) -> impl IntoView {
    let what = match &outcome.namespace {
        Some(ns) => format!("{} {} in {ns}", outcome.kind, outcome.name),
        None => format!("{} {}", outcome.kind, outcome.name),
    };
    let line = outcome.line;
    let state = match (&outcome.error, outcome.action) {
        (Some(_), _) => "refused",
        (None, Some(a)) => a.as_str(),
        (None, None) => "not sent",
    };
    let changes = outcome.changes.clone().filter(|_| diff).unwrap_or_default();
    view! {
        <li class=format!("result {state}") data-kind=outcome.kind.clone() data-name=outcome.name.clone()>
            <button type="button" class="result-line" title="Show in the editor" on:click=move |_| goto_line(&name, line)>
                {format!("line {line}")}
            </button>
            <span class="result-what">{what}</span>
            <span class="result-state">{state}</span>
            {outcome.error.map(|e| view! { <p class="result-error">{e}</p> })}
            {(!outcome.notes.is_empty()).then(|| view! {
                <ul class="result-notes">
                    {outcome.notes.into_iter().map(|n| view! { <li>{n}</li> }).collect_view()}
                </ul>
            })}
            {(!changes.is_empty()).then(|| view! {
                <table class="diff">
                    <thead><tr><th>"field"</th><th>"running"</th><th>"after apply"</th></tr></thead>
                    <tbody>
                        {changes.into_iter().map(|c| {
                            let show = |v: Option<serde_json::Value>| v.map_or_else(|| "—".to_string(), |v| v.to_string());
                            view! { <tr><td><code>{c.path}</code></td><td class="live">{show(c.live)}</td><td class="applied">{show(c.applied)}</td></tr> }
                        }).collect_view()}
                    </tbody>
                </table>
            })}
        </li>
    }
}

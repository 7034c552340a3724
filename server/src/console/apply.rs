//! `kubectl apply -f PANE` and `kubectl delete -f PANE`: a lesson pane's text, as the
//! page's editor holds it (sent with the line: the console reads no files), through the
//! apply pipeline as the attendee, the same judge as the pane's Apply and Delete
//! buttons, and printed as kubectl prints what it did. As the buttons do, the pipeline
//! takes a pane whole or not at all: where kubectl would apply the documents it can and
//! report the rest, the console applies nothing and says so.

use super::command::Invocation;
use super::context::{Console, Ran};
use super::dry_run::DryRun;
use super::targets::{self, Said};
use app::model::live::{Outcome, Report};

pub async fn apply(console: &Console<'_>, invocation: &Invocation) -> Ran {
    let dry_run = match invocation.dry_run() {
        Ok(dry_run) => dry_run,
        Err(refusal) => return Ran::error(refusal),
    };
    let suffix = dry_run.suffix();
    let by_name = match invocation.flag("output") {
        None => false,
        Some("name") => true,
        Some(other) => {
            return Ran::error(format!(
                "error: the console prints -o name for apply, not -o {other}"
            ));
        }
    };
    // A client dry run is judged by the server too: what it prints is the same.
    let dry_run = dry_run != DryRun::None;
    each_pane(console, invocation, Some(dry_run), |o, action| {
        let object = format!("{}/{}", kind_group(&o.kind), o.name);
        if by_name {
            format!("{object}\n")
        } else {
            format!("{object} {action}{suffix}\n")
        }
    })
    .await
}

/// `delete -f PANE…`: what the panes describe, deleted (one already gone counts as
/// deleted, as the pane's Delete counts it).
pub async fn delete(console: &Console<'_>, invocation: &Invocation) -> Ran {
    if !invocation.args.is_empty() || invocation.flag("selector").is_some() {
        return Ran::error(
            "error: the console deletes either the objects a pane describes (-f PANE) or objects by TYPE and name, not both"
                .into(),
        );
    }
    each_pane(console, invocation, None, |o, action| {
        format!("{} \"{}\" {action}\n", kind_group(&o.kind), o.name)
    })
    .await
}

/// Runs each pane `-f` names through the pipeline in the namespace the line acts in:
/// applied (`Some(dry_run)`) or deleted (`None`), each object printed by `line`.
async fn each_pane(
    console: &Console<'_>,
    invocation: &Invocation,
    apply: Option<bool>,
    line: impl Fn(&Outcome, &str) -> String,
) -> Ran {
    let files = match files(console, invocation) {
        Ok(files) => files,
        Err(ran) => return ran,
    };
    let short = match targets::namespace(invocation) {
        Ok(short) => short,
        Err(ran) => return ran,
    };
    let pipeline = crate::pipeline::Context {
        namespace: &short,
        ..console.pipeline.clone()
    };
    let namespaces = &console.panes.namespaces;
    let mut said = Said::default();
    for (name, text) in files {
        let report = match apply {
            Some(dry_run) => pipeline.apply(text, namespaces, dry_run).await,
            None => pipeline.delete(text, namespaces).await,
        };
        told(&mut said, name, report, &line);
    }
    said.ran()
}

/// The panes `-f` names, with their text; kubectl's words for what it cannot read.
fn files<'p>(
    console: &'p Console<'_>,
    invocation: &'p Invocation,
) -> Result<Vec<(&'p str, &'p str)>, Ran> {
    let names = invocation.values("filename");
    if names.is_empty() {
        return Err(Ran::error("error: must specify one of -f and -k".into()));
    }
    if invocation.command == "apply" && !invocation.args.is_empty() {
        return Err(Ran::error(format!(
            "error: Unexpected args: [{}]\nSee 'kubectl apply -h' for help and examples",
            invocation.args.join(" ")
        )));
    }
    let mut files = Vec::new();
    for name in names {
        if name == "-" || name.contains("://") || name.contains('/') {
            return Err(Ran::error(format!(
                "error: the console reads the lesson's panes by name (-f {}), not \"{name}\"",
                pane_example(console)
            )));
        }
        match console.panes.files.get(name) {
            Some(text) => files.push((name.as_str(), text.as_str())),
            None => {
                return Err(Ran::error(format!(
                    "error: the path \"{name}\" does not exist"
                )));
            }
        }
    }
    Ok(files)
}

/// A pane name to show in a refusal: one the page sent, else a lesson's usual one.
fn pane_example(console: &Console<'_>) -> String {
    console
        .panes
        .files
        .keys()
        .next()
        .cloned()
        .unwrap_or_else(|| "deployment.yaml".into())
}

/// Adds what the pipeline did with one pane: a line per object (`line(outcome, action)`),
/// or where and why it refused, and that it then did nothing.
fn told(
    said: &mut Said,
    file: &str,
    report: Result<Report, crate::pipeline::TextError>,
    line: impl Fn(&Outcome, &str) -> String,
) {
    let report = match report {
        Ok(report) => report,
        Err(e) => {
            said.push(Err(format!("error: {file}: {e}")));
            return;
        }
    };
    let mut refused = false;
    for outcome in &report.results {
        match (&outcome.error, outcome.action) {
            (Some(error), _) => {
                refused = true;
                said.push(Err(format!("error: {file}:{}: {error}", outcome.line)));
            }
            (None, Some(action)) => {
                said.push(Ok(line(outcome, action.as_str())));
            }
            (None, None) => {}
        }
    }
    if refused && report.results.len() > 1 {
        said.push(Err(format!(
            "error: nothing in {file} was done: a pane is taken whole or not at all"
        )));
    }
}

/// How kubectl names a kind in what it did: `deployment.apps`, `service`.
fn kind_group(kind: &str) -> String {
    let lower = kind.to_lowercase();
    match app::model::kinds::by_kind(kind) {
        Some(info) if !info.group.is_empty() => format!("{lower}.{}", info.group),
        _ => lower,
    }
}

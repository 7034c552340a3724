//! The kubectl console: a line the attendee typed, run on the server with kube-rs as the
//! attendee (the identity and namespace mapping apply uses), printed as kubectl prints
//! it. The line is split as a shell would quote it but never given to one
//! ([`words`]); the flags are kubectl's ([`command`]); the names of resources come from
//! the cluster's discovery ([`resources`]). Output names the workspace's namespaces by
//! their short names, as the attendee wrote them.

mod access_list;
mod apply;
mod attach;
mod auth;
mod cluster_info;
pub mod command;
mod config;
mod context;
mod create;
mod curl;
mod delete;
mod describe;
mod dns;
mod dry_run;
mod edit;
mod exec;
mod explain;
mod expose;
pub mod forwards;
mod get;
mod jsonpath;
mod logs;
mod merge_patch;
mod metadata;
mod pods;
mod port_forward;
mod print;
pub mod resources;
mod rollout;
mod run;
mod scale;
mod set;
pub mod table;
mod tabwriter;
mod targets;
mod top;
mod version;
mod watch;
pub mod words;
mod yaml;

use app::content::outcome::{Answer, Source};
use command::Invocation;

/// The longest command line taken.
const MAX_LINE: usize = 4096;

/// Why `line` is refused before it is read, if it is too long.
pub fn too_long(line: &str) -> Option<String> {
    (line.len() > MAX_LINE).then(|| {
        format!(
            "a console line holds at most {MAX_LINE} bytes; this one holds {}",
            line.len()
        )
    })
}
use context::from_server;
pub use context::{Console, Panes, Ran, Terminal};

/// Runs one line, and keeps it in the attendee's history (for ↑ in any tab) meanwhile.
/// A line that does not print as it goes also keeps what it answered, for the lesson
/// checks on console lines (the live stream keeps what the others printed).
pub async fn run(console: &Console<'_>, line: &str) -> Ran {
    let attendee = &console.workspace.id;
    if let Ok(Some(room)) = console.db.time_over(attendee).await {
        return Ran::error(format!("error: {}", crate::workspace::closed(&room)));
    }
    let (kept, ran) = tokio::join!(
        console.db.remember(attendee, line.trim()),
        run_line(console, line)
    );
    if let Err(e) = kept {
        tracing::warn!("keeping a console line in the history: {e}");
    }
    if console.follow.is_none() {
        let printed = ran.output.clone();
        keep_answer(console, line, ran.exit_code, printed).await;
    }
    ran
}

/// Keeps what `line` printed, all of it, and its exit code, for the checks of the lesson
/// it was run in.
pub async fn keep_answer(console: &Console<'_>, line: &str, exit_code: i32, printed: String) {
    let answer = Answer {
        source: Source::Console,
        subject: line.trim().to_string(),
        code: exit_code.into(),
        text: printed,
    };
    let lesson = console.lesson.as_deref().unwrap_or_default();
    if let Err(e) = console
        .db
        .keep_answer(&console.workspace.id, lesson, &answer)
        .await
    {
        tracing::warn!("keeping a console line's answer: {e}");
    }
}

async fn run_line(console: &Console<'_>, line: &str) -> Ran {
    let words = match words::split(line) {
        Ok(words) => words,
        Err(refusal) => return Ran::error(refusal),
    };
    let Some((program, rest)) = words.split_first() else {
        return Ran::ok(String::new());
    };
    if program == "curl" {
        let ran = curl::curl(console, rest).await;
        return Ran {
            output: console.shorten(&ran.output),
            ..ran
        };
    }
    if program != "kubectl" {
        return Ran {
            output: format!(
                "{program}: the console runs kubectl commands (\"kubectl get pods\") and curl to the workspace's apps, not \"{program}\"\n"
            ),
            exit_code: 127,
        };
    }
    let ran = match command::parse(rest) {
        Ok(mut invocation) => {
            // Without -n, the namespace of the attendee's current context (`kubectl
            // config`; its own --namespace is the context's).
            if invocation.command != "config" && invocation.flag("namespace").is_none() {
                invocation.context_namespace = Some(config::namespace(console).await);
            }
            dispatch(console, &invocation).await
        }
        Err(refusal) => Ran::error(refusal),
    };
    Ran {
        output: console.shorten(&ran.output),
        ..ran
    }
}

async fn dispatch(console: &Console<'_>, invocation: &Invocation) -> Ran {
    match invocation.command.as_str() {
        "get" => get::get(console, invocation).await,
        "apply" => apply::apply(console, invocation).await,
        "api-resources" => api_resources(console, invocation).await,
        "auth" => auth::auth(console, invocation).await,
        "delete" => delete::delete(console, invocation).await,
        "label" => metadata::label(console, invocation).await,
        "annotate" => metadata::annotate(console, invocation).await,
        "scale" => scale::scale(console, invocation).await,
        "rollout" => rollout::rollout(console, invocation).await,
        "logs" => logs::logs(console, invocation).await,
        "describe" => describe::describe(console, invocation).await,
        "create" => create::create(console, invocation).await,
        "set" => set::set(console, invocation).await,
        "top" => top::top(console, invocation).await,
        "port-forward" => port_forward::port_forward(console, invocation).await,
        "config" => config::config(console, invocation).await,
        "run" => run::run(console, invocation).await,
        "version" => version::version(console, invocation).await,
        "cluster-info" => cluster_info::cluster_info(console, invocation).await,
        "exec" => exec::exec(console, invocation).await,
        "expose" => expose::expose(console, invocation).await,
        "explain" => explain::explain(console, invocation).await,
        "edit" => edit::edit(console, invocation).await,
        "attach" => attach::attach(console, invocation).await,
        other => Ran::error(format!(
            "error: \"kubectl {other}\" is not in the console yet"
        )),
    }
}

/// `kubectl api-resources`: what the cluster serves, by group then name.
async fn api_resources(console: &Console<'_>, invocation: &Invocation) -> Ran {
    let all = match console.catalog.all(console.platform).await {
        Ok(all) => all,
        Err(e) => return Ran::error(from_server(&e)),
    };
    let namespaced = invocation.flag("namespaced").map(|v| v != "false");
    let group = invocation.flag("api-group");
    let chosen = all
        .iter()
        .filter(|r| namespaced.is_none_or(|n| r.namespaced == n))
        .filter(|r| group.is_none_or(|g| r.group == g));
    if invocation.flag("output") == Some("name") {
        let output = chosen
            .map(|r| {
                if r.group.is_empty() {
                    format!("{}\n", r.plural)
                } else {
                    format!("{}.{}\n", r.plural, r.group)
                }
            })
            .collect();
        return Ran::ok(output);
    }
    let mut lines = Vec::new();
    if !invocation.is_set("no-headers") {
        lines.push(
            ["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"]
                .map(String::from)
                .to_vec(),
        );
    }
    for r in chosen {
        lines.push(vec![
            r.plural.clone(),
            r.short_names.join(","),
            r.api_version(),
            r.namespaced.to_string(),
            r.kind.clone(),
        ]);
    }
    Ran::ok(table::aligned(&lines))
}

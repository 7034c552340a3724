//! `kubectl config get-contexts|current-context|use-context|set-context`: the console's
//! own kubeconfig. It has one cluster and one user, both `kind-kubeclass` (as the lessons
//! name the kind cluster), and the attendee's contexts, kept in the database. The current
//! context's namespace is where commands without `-n` act.

use super::command::Invocation;
use super::context::{Console, Ran};
use super::jsonpath::Template;
use super::table;
use super::targets::checked_namespace;
use crate::db::contexts::Context;
use serde_json::json;

/// The console's one cluster, user and first context.
pub const CLUSTER: &str = "kind-kubeclass";
/// The console's cluster's address: the API server's name inside every cluster.
pub(super) const SERVER: &str = "https://kubernetes.default.svc";
/// Contexts an attendee may keep.
const CONTEXTS: usize = 20;

pub async fn config(console: &Console<'_>, invocation: &Invocation) -> Ran {
    let (sub, args) = match super::command::subcommand(invocation) {
        Ok(chosen) => chosen,
        Err(refusal) => return Ran::error(refusal),
    };
    let mut contexts = match contexts(console).await {
        Ok(contexts) => contexts,
        Err(ran) => return ran,
    };
    match sub {
        "get-contexts" => get_contexts(&contexts, invocation, args),
        "current-context" => match contexts.iter().find(|c| c.current) {
            Some(current) => Ran::ok(format!("{}\n", current.name)),
            None => Ran::error("error: current-context is not set".into()),
        },
        "use-context" | "use" => {
            let [name] = args else {
                return Ran::error(format!("error: Unexpected args: {args:?}"));
            };
            if !contexts.iter().any(|c| &c.name == name) {
                return Ran::error(format!(
                    "error: no context exists with the name: \"{name}\""
                ));
            }
            for context in &mut contexts {
                context.current = &context.name == name;
            }
            save(
                console,
                &contexts,
                format!("Switched to context \"{name}\".\n"),
            )
            .await
        }
        "view" => view(&contexts, invocation),
        _ => set_context(console, invocation, args, contexts).await,
    }
}

/// The namespace commands without `-n` act in: the current context's, else `default`.
pub async fn namespace(console: &Console<'_>) -> String {
    let current = contexts(console)
        .await
        .ok()
        .and_then(|c| c.into_iter().find(|c| c.current));
    current
        .map(|c| c.namespace)
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "default".into())
}

/// The attendee's contexts, or the one every console starts with.
async fn contexts(console: &Console<'_>) -> Result<Vec<Context>, Ran> {
    let stored = console
        .db
        .contexts(&console.workspace.id)
        .await
        .map_err(|e| {
            tracing::warn!("reading console contexts: {e}");
            Ran::error("error: the console's contexts cannot be read just now".into())
        })?;
    if !stored.is_empty() {
        return Ok(stored);
    }
    Ok(vec![Context {
        name: CLUSTER.into(),
        namespace: String::new(),
        current: true,
    }])
}

async fn save(console: &Console<'_>, contexts: &[Context], said_then: String) -> Ran {
    match console
        .db
        .save_contexts(&console.workspace.id, contexts)
        .await
    {
        Ok(()) => Ran::ok(said_then),
        Err(e) => {
            tracing::warn!("saving console contexts: {e}");
            Ran::error("error: the console's contexts cannot be saved just now".into())
        }
    }
}

/// `kubectl config view [--minify] [-o yaml|jsonpath=…]`: the console's kubeconfig. Its
/// cluster is the API server by the name every cluster gives it; it holds no
/// credentials (the console acts as the attendee through kubeclass).
fn view(contexts: &[Context], invocation: &Invocation) -> Ran {
    let minify = invocation.is_set("minify");
    let shown: Vec<&Context> = contexts.iter().filter(|c| !minify || c.current).collect();
    let current = contexts.iter().find(|c| c.current).map(|c| c.name.as_str());
    let document = json!({
        "apiVersion": "v1",
        "kind": "Config",
        "preferences": {},
        "clusters": [{"name": CLUSTER, "cluster": {"server": SERVER}}],
        "users": [{"name": CLUSTER, "user": {}}],
        "contexts": shown.iter().map(|c| {
            let mut context = json!({"cluster": CLUSTER, "user": CLUSTER});
            if !c.namespace.is_empty() {
                context["namespace"] = json!(c.namespace);
            }
            json!({"name": c.name, "context": context})
        }).collect::<Vec<_>>(),
        "current-context": current.unwrap_or_default(),
    });
    let output = invocation.flag("output").unwrap_or("yaml");
    match output.split_once('=') {
        Some(("jsonpath", template)) => match Template::parse(template) {
            Ok(template) => Ran::ok(template.render(&document)),
            Err(e) => Ran::error(format!("error: error parsing jsonpath {template}, {e}")),
        },
        _ if output == "yaml" => Ran::ok(super::print::object(document, "yaml")),
        _ => Ran::error(format!(
            "error: the console prints its kubeconfig as -o yaml or -o jsonpath=…, not -o {output}"
        )),
    }
}

fn get_contexts(contexts: &[Context], invocation: &Invocation, names: &[String]) -> Ran {
    let shown: Vec<&Context> = contexts
        .iter()
        .filter(|c| names.is_empty() || names.contains(&c.name))
        .collect();
    let mut output = if invocation.flag("output") == Some("name") {
        shown.iter().map(|c| format!("{}\n", c.name)).collect()
    } else {
        let mut lines = Vec::new();
        if !invocation.is_set("no-headers") {
            lines.push(
                ["CURRENT", "NAME", "CLUSTER", "AUTHINFO", "NAMESPACE"]
                    .map(String::from)
                    .to_vec(),
            );
        }
        for context in &shown {
            let current = if context.current { "*" } else { "" };
            lines.push(vec![
                current.into(),
                context.name.clone(),
                CLUSTER.into(),
                CLUSTER.into(),
                context.namespace.clone(),
            ]);
        }
        table::aligned(&lines)
    };
    let missing = names
        .iter()
        .find(|n| !contexts.iter().any(|c| &c.name == *n));
    match missing {
        Some(name) => {
            output.push_str(&format!("error: context {name} not found\n"));
            Ran {
                output,
                exit_code: 1,
            }
        }
        None => Ran::ok(output),
    }
}

async fn set_context(
    console: &Console<'_>,
    invocation: &Invocation,
    args: &[String],
    mut contexts: Vec<Context>,
) -> Ran {
    let current = invocation.is_set("current");
    let name = match (args, current) {
        ([_, ..], true) => {
            return Ran::error(
                "error: you cannot specify both a context name and --current".into(),
            );
        }
        ([], false) => {
            return Ran::error(
                "error: you must specify a non-empty context name or --current".into(),
            );
        }
        ([name], false) => name.clone(),
        ([], true) => match contexts.iter().find(|c| c.current) {
            Some(context) => context.name.clone(),
            None => return Ran::error("error: no current context is set".into()),
        },
        (more, false) => return Ran::error(format!("error: Unexpected args: {:?}", &more[1..])),
    };
    for (flag, what) in [("cluster", "cluster"), ("user", "user")] {
        if let Some(other) = invocation.flag(flag).filter(|v| *v != CLUSTER) {
            return Ran::error(format!(
                "error: the console has one {what}, \"{CLUSTER}\", not \"{other}\""
            ));
        }
    }
    if name.is_empty() || name.len() > 253 || name.chars().any(char::is_control) {
        return Ran::error(format!("error: \"{name}\" is not a context name"));
    }
    let namespace = match invocation.flag("namespace") {
        Some(namespace) => match checked_namespace(namespace) {
            Ok(namespace) => Some(namespace.to_string()),
            Err(ran) => return ran,
        },
        None => None,
    };
    let said_then = if let Some(context) = contexts.iter_mut().find(|c| c.name == name) {
        if let Some(namespace) = namespace {
            context.namespace = namespace;
        }
        format!("Context \"{name}\" modified.\n")
    } else {
        if contexts.len() >= CONTEXTS {
            return Ran::error(format!(
                "error: the console keeps {CONTEXTS} contexts at most"
            ));
        }
        contexts.push(Context {
            name: name.clone(),
            namespace: namespace.unwrap_or_default(),
            current: false,
        });
        contexts.sort_by(|a, b| a.name.cmp(&b.name));
        format!("Context \"{name}\" created.\n")
    };
    save(console, &contexts, said_then).await
}

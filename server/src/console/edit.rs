//! `kubectl edit TYPE NAME`: the object opened in the page's editor as kubectl opens it
//! in `$EDITOR` (YAML or `-o json`, kubectl's header, managed fields left out), and the
//! line waits as kubectl waits. Saved, the difference between what was shown and what was
//! saved is sent as a merge patch, as the attendee. Both texts first go through the apply
//! pipeline's planning, so the workspace's policy judges the edit as it judges an apply
//! (a privileged container is refused, `status` or `finalizers` are not the attendee's
//! to write) and the namespaces are mapped. An edit that cannot be saved opens again
//! with its errors as comments at the top, as kubectl reopens the file.

use super::command::Invocation;
use super::context::{Console, Ran, from_server};
use super::targets::{self, Target};
use crate::pipeline::parse::{Budgets, parse};
use crate::pipeline::plan::plan;
use kube::api::{Patch, PatchParams};
use serde_json::Value;

/// What kubectl writes at the top of the file it opens.
const HEADER: &str = "# Please edit the object below. Lines beginning with a '#' will be ignored,\n# and an empty file will abort the edit. If an error occurs while saving this file will be\n# reopened with the relevant failures.\n#\n";

const NO_CHANGES: &str = "Edit cancelled, no changes made.\n";

pub async fn edit(console: &Console<'_>, invocation: &Invocation) -> Ran {
    let Some(terminal) = &console.terminal else {
        return Ran::error(
            "error: \"kubectl edit\" opens the object in an editor: run it in the page's console (over GET /api/stream); this API answers commands that end".into(),
        );
    };
    let format = match invocation.flag("output") {
        None | Some("yaml") => "yaml",
        Some("json") => "json",
        Some(other) => {
            return Ran::error(format!(
                "error: the console edits YAML or JSON (-o yaml|json), not \"{other}\""
            ));
        }
    };
    let (short, targets) = match targets::chosen(console, invocation, &invocation.args).await {
        Ok(chosen) => chosen,
        Err(ran) => return ran,
    };
    let [target] = targets.as_slice() else {
        return Ran::error("error: the console edits one object at a time".into());
    };
    let mut object = match target.api(console, &short).get(&target.name).await {
        Ok(found) => serde_json::to_value(found).unwrap_or_default(),
        Err(e) => return Ran::error(from_server(&e)),
    };
    if let Some(metadata) = object["metadata"].as_object_mut() {
        metadata.remove("managedFields");
    }
    let live = object.clone();
    let shown = console.shorten(&super::print::object(object, format));
    let mut text = format!("{HEADER}{shown}");
    loop {
        let saved = match terminal.edit(&target.slash(), text).await {
            None => return Ran::stopped(),
            Some(None) => return Ran::ok(NO_CHANGES.into()),
            Some(Some(saved)) => saved,
        };
        let bare = without_comments(&saved);
        if bare.trim().is_empty() {
            return Ran::ok("Edit cancelled, saved file was empty.\n".into());
        }
        if bare == without_comments(&shown) {
            return Ran::ok(NO_CHANGES.into());
        }
        match save(console, &short, target, (&shown, &live), &saved).await {
            Ok(true) => return Ran::ok(format!("{} edited\n", target.slash())),
            Ok(false) => return Ran::ok(NO_CHANGES.into()),
            Err(problem) => {
                let problem = problem.replace('\n', "\n#   ");
                text = format!(
                    "{HEADER}# {} was not valid:\n# * {problem}\n#\n{bare}",
                    target.quoted()
                );
            }
        }
    }
}

/// The text without its comment lines, as kubectl compares and reopens the saved file
/// (what it sends is the YAML parsed, where comments are nothing anyway).
fn without_comments(text: &str) -> String {
    text.lines()
        .filter(|line| !line.trim_start().starts_with('#'))
        .map(|line| format!("{line}\n"))
        .collect()
}

/// Sends what changed between `shown` and `saved`: whether anything did, or why not.
async fn save(
    console: &Console<'_>,
    short: &str,
    target: &Target,
    (shown, live): (&str, &Value),
    saved: &str,
) -> Result<bool, String> {
    let budgets = Budgets::default();
    let before = parse(shown, &budgets).map_err(|e| e.to_string())?;
    let after = parse(saved, &budgets).map_err(|e| e.to_string())?;
    let [before, after] = [before, after].map(|mut documents| documents.pop());
    let (Some(mut before), Some(mut after)) = (before, after) else {
        return Err("the file holds no object".into());
    };
    // A bound claim's volume is the cluster's choice, which the policy refuses from an
    // attendee: left as it was, it is no edit of theirs.
    let volume = |d: &crate::pipeline::parse::Document| d.value["spec"]["volumeName"].clone();
    if !volume(&before).is_null() && volume(&before) == volume(&after) {
        for document in [&mut before, &mut after] {
            if let Some(spec) = document.value["spec"].as_object_mut() {
                spec.remove("volumeName");
            }
        }
    }
    let identity = |value: &Value| {
        [
            value["apiVersion"].clone(),
            value["kind"].clone(),
            value["metadata"]["name"].clone(),
        ]
    };
    if identity(&before.value) != identity(&after.value) {
        return Err("At least one of apiVersion, kind and name was changed".into());
    }
    let pipeline = crate::pipeline::Context {
        namespace: short,
        ..console.pipeline.clone()
    };
    let namespaces = &console.panes.namespaces;
    let mut planned = Vec::new();
    for document in [before, after] {
        let mut plan = plan(&pipeline, std::slice::from_ref(&document), namespaces).await;
        if let Some(refused) = plan.refused.pop() {
            return Err(refused.error.unwrap_or_default());
        }
        let Some(one) = plan.planned.pop() else {
            return Err("the file holds no object".into());
        };
        planned.push(one.object);
    }
    if planned[1]["metadata"]["namespace"] != planned[0]["metadata"]["namespace"] {
        return Err("the namespace of the object cannot be changed".into());
    }
    let Some(patch) = super::merge_patch::between_keeping(&planned[0], &planned[1], live) else {
        return Ok(false);
    };
    let params = PatchParams {
        field_manager: Some("kubectl-edit".into()),
        ..PatchParams::default()
    };
    target
        .api(console, short)
        .patch(&target.name, &params, &Patch::Merge(patch))
        .await
        .map(|_| true)
        .map_err(|e| {
            let said = from_server(&e);
            said.strip_prefix("Error from server ")
                .and_then(|s| s.split_once(": ").map(|(_, m)| m.to_string()))
                .unwrap_or(said)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comment_lines_are_left_out() {
        assert_eq!(
            without_comments("# a\nkind: D\n  # b\nspec: {}"),
            "kind: D\nspec: {}\n"
        );
    }
}

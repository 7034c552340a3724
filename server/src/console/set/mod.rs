//! `kubectl set image|env|resources`: a workload's (or pod's) containers changed as the attendee,
//! the whole object replaced under its resourceVersion (a change meanwhile is never
//! overwritten: the change is made again on the object as it is then), with kubectl's
//! words; nothing is written, and nothing said, when nothing changes.

mod resources;

use super::command::Invocation;
use super::context::{Console, Ran, from_server};
use super::targets::{self, Said, Target};
use kube::api::PostParams;
use resources::Wanted;
use serde_json::{Value, json};

pub async fn set(console: &Console<'_>, invocation: &Invocation) -> Ran {
    let what = match invocation.args.first().map(String::as_str) {
        Some(what @ ("image" | "env" | "resources")) => what,
        _ => {
            return Ran::error(
                "error: the console runs kubectl set image, set env and set resources".into(),
            );
        }
    };
    let wanted = match what {
        "resources" => match Wanted::from(invocation) {
            Ok(wanted) => Some(wanted),
            Err(error) => return Ran::error(error),
        },
        _ => None,
    };
    let (updates, resources): (Vec<String>, Vec<String>) = invocation.args[1..]
        .iter()
        .cloned()
        .partition(|a| a.contains('=') || (what == "env" && a.ends_with('-')));
    let listing = what == "env" && invocation.is_set("list");
    if updates.is_empty() && !listing && wanted.is_none() {
        let noun = if what == "image" {
            "image"
        } else {
            "environment"
        };
        return Ran::error(format!("error: at least one {noun} update is required"));
    }
    let (short, targets) = match targets::chosen(console, invocation, &resources).await {
        Ok(chosen) => chosen,
        Err(ran) => return ran,
    };
    let mut said = Said::default();
    for target in targets {
        // kubectl stops at the first object it cannot change.
        let change = match &wanted {
            Some(wanted) => Change::Resources(wanted),
            None => Change::Words(what, &updates),
        };
        if !said.push(one(console, &short, &target, change, invocation).await) {
            break;
        }
    }
    said.ran()
}

/// Where an object keeps its pod spec, if it has one.
fn pod_spec_path(kind: &str) -> Option<&'static str> {
    match kind {
        "Pod" => Some("/spec"),
        "CronJob" => Some("/spec/jobTemplate/spec/template/spec"),
        "Deployment"
        | "ReplicaSet"
        | "StatefulSet"
        | "DaemonSet"
        | "Job"
        | "ReplicationController" => Some("/spec/template/spec"),
        _ => None,
    }
}

/// What a `set` changes: images or variables given as words (`app=nginx`, `A=1`, `A-`),
/// or resources given as flags.
#[derive(Clone, Copy)]
enum Change<'a> {
    Words(&'a str, &'a [String]),
    Resources(&'a Wanted),
}

/// How often a change is tried afresh when the object changed between reading and
/// writing it (a controller writing its status, say).
const TRIES: usize = 5;

async fn one(
    console: &Console<'_>,
    short: &str,
    target: &Target,
    change: Change<'_>,
    invocation: &Invocation,
) -> Result<String, String> {
    let api = target.api(console, short);
    let kind = &target.resource.kind;
    let mut tries = 0;
    loop {
        tries += 1;
        let mut changed = api.get(&target.name).await.map_err(|e| from_server(&e))?;
        let Some(path) = pod_spec_path(kind) else {
            return Err(format!(
                "error: {}/{} the object is not a pod or does not have a pod template: *v1.{kind}",
                target.resource.plural, target.name
            ));
        };
        let Some(spec) = changed.data.pointer_mut(path) else {
            return Err(format!("error: {kind} \"{}\" has no pod spec", target.name));
        };
        let mut out = String::new();
        let only = invocation.flag("container").unwrap_or("*");
        let (modified, said) = match change {
            Change::Words("image", updates) => (images(spec, updates)?, "image updated"),
            Change::Words(_, _) if invocation.is_set("list") => {
                return Ok(listed(spec, kind, &target.name, only));
            }
            Change::Words(_, updates) => (
                env(spec, updates, only, kind, &target.name, &mut out),
                "env updated",
            ),
            Change::Resources(wanted) => (
                wanted.set(containers(spec), only)?,
                "resource requirements updated",
            ),
        };
        if modified {
            // Replaced under the resourceVersion read: a change meanwhile is never
            // overwritten; the change is made again on the object as it is now.
            match api
                .replace(&target.name, &PostParams::default(), &changed)
                .await
            {
                Ok(_) => {}
                Err(kube::Error::Api(s)) if s.code == 409 && tries < TRIES => continue,
                Err(e) => return Err(from_server(&e)),
            }
            out.push_str(&format!("{} {said}\n", target.slash()));
        }
        return Ok(out);
    }
}

/// The containers and init containers of a pod spec.
fn containers(spec: &mut Value) -> impl Iterator<Item = &mut Value> {
    let (init, main) = match spec.as_object_mut() {
        Some(map) => {
            let mut init = None;
            let mut main = None;
            for (key, value) in map.iter_mut() {
                match key.as_str() {
                    "initContainers" => init = value.as_array_mut(),
                    "containers" => main = value.as_array_mut(),
                    _ => {}
                }
            }
            (init, main)
        }
        None => (None, None),
    };
    init.into_iter().flatten().chain(main.into_iter().flatten())
}

/// `NAME=IMAGE` (`*` for every container); whether anything changed.
fn images(spec: &mut Value, updates: &[String]) -> Result<bool, String> {
    let mut modified = false;
    for update in updates {
        let (name, image) = update.split_once('=').unwrap_or((update, ""));
        let mut found = false;
        for container in containers(spec) {
            if name == "*" || container["name"] == name {
                found = true;
                if container["image"] != image {
                    container["image"] = json!(image);
                    modified = true;
                }
            }
        }
        if !found {
            return Err(format!("error: unable to find container named \"{name}\""));
        }
    }
    Ok(modified)
}

/// `KEY=VALUE` sets, `KEY-` removes, in the containers `only` names; whether anything
/// changed. A name that matches no container is kubectl's warning.
fn env(
    spec: &mut Value,
    updates: &[String],
    only: &str,
    kind: &str,
    name: &str,
    out: &mut String,
) -> bool {
    let mut modified = false;
    let mut matched = false;
    for container in containers(spec) {
        if only != "*" && container["name"] != only {
            continue;
        }
        matched = true;
        let mut list = container["env"].as_array().cloned().unwrap_or_default();
        let before = list.clone();
        for update in updates {
            match update.split_once('=') {
                Some((key, value)) => match list.iter_mut().find(|e| e["name"] == key) {
                    Some(existing) => *existing = json!({"name": key, "value": value}),
                    None => list.push(json!({"name": key, "value": value})),
                },
                None => {
                    let key = update.trim_end_matches('-');
                    list.retain(|e| e["name"] != key);
                }
            }
        }
        if list != before {
            modified = true;
            if list.is_empty() {
                if let Some(map) = container.as_object_mut() {
                    map.remove("env");
                }
            } else {
                container["env"] = Value::Array(list);
            }
        }
    }
    if !matched {
        out.push_str(&format!(
            "Warning: {kind}/{name} does not have any containers matching \"{only}\"\n"
        ));
    }
    modified
}

/// `set env --list`: each container's plain variables, as kubectl lists them.
fn listed(spec: &mut Value, kind: &str, name: &str, only: &str) -> String {
    let mut out = String::new();
    for container in containers(spec) {
        let container_name = container["name"].as_str().unwrap_or_default();
        if only != "*" && container_name != only {
            continue;
        }
        out.push_str(&format!("# {kind} {name}, container {container_name}\n"));
        for e in container["env"].as_array().into_iter().flatten() {
            if let Some(value) = e["value"].as_str() {
                out.push_str(&format!(
                    "{}={value}\n",
                    e["name"].as_str().unwrap_or_default()
                ));
            }
        }
    }
    out
}

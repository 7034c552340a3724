//! `kubectl logs POD [CONTAINER]`, `TYPE/NAME` (one pod its selector picks, as kubectl
//! picks it) and `-l SELECTOR` (every pod, 10 lines each unless `--tail`), with `-c`,
//! `--all-containers`, `--tail`, `--since`, `--previous`, `--timestamps` and `--prefix`,
//! read as the attendee. `-f` follows each log until it ends or Ctrl-C (over the live
//! stream; several at once, up to `--max-log-requests`, as kubectl follows them).

mod follow;

use super::command::Invocation;
use super::context::{Console, Ran, from_server};
use super::targets;
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, ListParams, LogParams};

const USAGE: &str = "error: expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\nPOD or TYPE/NAME is a required argument for the logs command\nSee 'kubectl logs -h' for help and examples";

/// The lines of each pod kubectl shows for `-l` without `--tail`.
const SELECTOR_TAIL: i64 = 10;

pub async fn logs(console: &Console<'_>, invocation: &Invocation) -> Ran {
    let follow = invocation.is_set("follow");
    if follow && let Err(refusal) = console.may_follow("logs --follow") {
        return refusal;
    }
    let selector = invocation.flag("selector").filter(|s| !s.is_empty());
    let args = &invocation.args;
    if (selector.is_none() && args.is_empty()) || args.len() > 2 {
        return Ran::error(USAGE.into());
    }
    let short = match targets::namespace(invocation) {
        Ok(short) => short,
        Err(ran) => return ran,
    };
    let since = match invocation.flag("since").map(super::command::seconds) {
        None => None,
        Some(Some(s)) => Some(s),
        Some(None) => {
            return Ran::error(format!(
                "error: invalid argument \"{0}\" for \"--since\" flag: time: invalid duration \"{0}\"\nSee 'kubectl logs --help' for usage.",
                invocation.flag("since").unwrap_or_default()
            ));
        }
    };
    let tail = match invocation.flag("tail").map(str::parse::<i64>) {
        None if selector.is_some() => Some(SELECTOR_TAIL),
        None => None,
        Some(Ok(n)) if n < 0 => None,
        Some(Ok(n)) => Some(n),
        Some(Err(_)) => {
            return Ran::error(format!(
                "error: invalid argument \"{0}\" for \"--tail\" flag: strconv.ParseInt: parsing \"{0}\": invalid syntax",
                invocation.flag("tail").unwrap_or_default()
            ));
        }
    };
    let pods_api: Api<Pod> =
        Api::namespaced(console.tenant.clone(), &console.workspace.namespace(&short));
    let mut out = String::new();
    let pods = match selector {
        Some(selector) => {
            let listed = match pods_api.list(&ListParams::default().labels(selector)).await {
                Ok(listed) => listed.items,
                Err(e) => return Ran::error(from_server(&e)),
            };
            if listed.is_empty() {
                return Ran {
                    output: format!("No resources found in {short} namespace.\n"),
                    exit_code: 0,
                };
            }
            listed
        }
        None => match super::pods::pod_of(
            console,
            &pods_api,
            &short,
            &args[0],
            &mut out,
            super::pods::Purpose::Logs,
        )
        .await
        {
            Ok(pod) => vec![pod],
            Err(ran) => return ran,
        },
    };
    let base = LogParams {
        previous: invocation.is_set("previous"),
        since_seconds: since,
        tail_lines: tail,
        timestamps: invocation.is_set("timestamps"),
        ..LogParams::default()
    };
    let chosen = invocation
        .flag("container")
        .or(args.get(1).map(String::as_str));
    // Each (pod, container) whose log is read, in order.
    let mut logs = Vec::new();
    for pod in &pods {
        let name = pod.metadata.name.clone().unwrap_or_default();
        match (chosen, invocation.is_set("all-containers")) {
            (Some(c), _) if !super::pods::names(pod).iter().any(|(n, _)| n == c) => {
                out.push_str(&format!(
                    "error: container {c} is not valid for pod {name}\n"
                ));
                return Ran {
                    output: out,
                    exit_code: 1,
                };
            }
            (Some(c), _) => logs.push((name, c.to_string())),
            (None, true) => logs.extend(
                super::pods::names(pod)
                    .into_iter()
                    .map(|(n, _)| (name.clone(), n)),
            ),
            (None, false) => {
                logs.push((name.clone(), super::pods::default_container(pod, &mut out)))
            }
        }
    }
    let prefix = invocation.is_set("prefix");
    if follow {
        return follow::follow(console, invocation, &pods_api, &base, logs, out).await;
    }
    for (name, container) in logs {
        let params = LogParams {
            container: Some(container.clone()),
            ..base.clone()
        };
        match pods_api.logs(&name, &params).await {
            Ok(text) if prefix => {
                for line in text.lines() {
                    out.push_str(&format!("[pod/{name}/{container}] {line}\n"));
                }
            }
            Ok(text) => out.push_str(&text),
            Err(e) => {
                out.push_str(&from_server(&e));
                out.push('\n');
                return Ran {
                    output: out,
                    exit_code: 1,
                };
            }
        }
    }
    Ran::ok(out)
}

//! `kubectl run NAME --image=IMAGE [-- ARGS…]`: the Pod kubectl's generator builds,
//! created through the apply pipeline as the attendee. With `-i`/`-t` and a command
//! (`--rm -it --restart=Never --image=busybox -- nslookup web`, as the lessons run
//! one-off clients in the cluster) it waits for the pod to finish, prints what it wrote,
//! and with `--rm` deletes it, as kubectl does once its attach ends; the console has no
//! terminal to attach an interactive shell to.

use super::command::Invocation;
use super::context::{Console, Ran, from_server};
use super::create::Refused;
use super::{print, targets};
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, DeleteParams, LogParams, PropagationPolicy};
use serde_json::{Value, json};
use std::time::Duration;

const HELP: &str = "See 'kubectl run -h' for help and examples";

/// The longest a run waits for its pod over the HTTP API (the stream waits until Ctrl-C).
const WAIT_LIMIT: Duration = Duration::from_secs(20);

pub async fn run(console: &Console<'_>, invocation: &Invocation) -> Ran {
    let Some((name, arguments)) = invocation.args.split_first() else {
        return Ran::error(format!("error: NAME is required for run\n{HELP}"));
    };
    let Some(image) = invocation.flag("image").filter(|i| !i.is_empty()) else {
        return Ran::error("error: required flag(s) \"image\" not set".into());
    };
    if let Err(ran) = targets::checked_name(name) {
        return ran;
    }
    let (stdin, tty) = (invocation.is_set("stdin"), invocation.is_set("tty"));
    let attach = stdin || tty || invocation.is_set("attach");
    let dry_run = invocation.flag("dry-run").unwrap_or("none");
    let refusal = if tty && !stdin {
        Some("error: -i/--stdin is required for containers with -t/--tty=true")
    } else if invocation.is_set("rm") && !attach {
        Some("error: --rm should only be used for attached containers")
    } else if attach && dry_run != "none" {
        Some(
            "error: --dry-run=[server|client] can't be used with attached containers options (--attach, --stdin, or --tty)",
        )
    } else if invocation
        .flag("port")
        .is_some_and(|p| p.parse::<u16>().is_err())
    {
        Some("error: --port must be a number")
    } else {
        None
    };
    if let Some(refusal) = refusal {
        return Ran::error(format!("{refusal}\n{HELP}"));
    }
    let restart = invocation.flag("restart").unwrap_or("Always");
    if attach && (arguments.is_empty() || restart == "Always") {
        return Ran::error(
            "error: the console runs one-off commands in a pod (kubectl run NAME -it --rm --restart=Never --image=busybox -- COMMAND…); it has no terminal for an interactive shell".into(),
        );
    }
    let short = match targets::namespace(invocation) {
        Ok(short) => short,
        Err(ran) => return ran,
    };
    // The container's arguments name Services as the lesson does; DNS knows real names.
    let arguments: Vec<String> = arguments
        .iter()
        .map(|a| console.real_dns_names(a))
        .collect();
    let pod = match generated(name, image, restart, &arguments, invocation) {
        Ok(pod) => pod,
        Err(ran) => return ran,
    };
    if dry_run == "client" {
        let mut shown = pod;
        if invocation.flag("namespace").is_some() {
            // kubectl writes the namespace only when -n names it (not the context's).
            shown["metadata"]["namespace"] = json!(short);
        }
        return match invocation.flag("output") {
            Some(format @ ("yaml" | "json")) => Ran::ok(print::object(shown, format)),
            Some("name") => Ran::ok(format!("pod/{name}\n")),
            _ => Ran::ok(format!("pod/{name} created (dry run)\n")),
        };
    }
    let pods: Api<Pod> =
        Api::namespaced(console.tenant.clone(), &console.workspace.namespace(&short));
    match pods.get_opt(name).await {
        Ok(None) => {}
        Ok(Some(_)) => {
            return Ran::error(format!(
                "Error from server (AlreadyExists): pods \"{name}\" already exists"
            ));
        }
        Err(e) => return Ran::error(from_server(&e)),
    }
    match super::create::through_pipeline(console, &pod, &short, dry_run == "server").await {
        Ok(()) => {}
        Err(Refused::Text(e) | Refused::Object(e)) => return Ran::error(format!("error: {e}")),
    }
    if !attach {
        let suffix = if dry_run == "server" {
            " (server dry run)"
        } else {
            ""
        };
        return Ran::ok(format!("pod/{name} created{suffix}\n"));
    }
    attached(
        console,
        &pods,
        name,
        &short,
        restart,
        invocation.is_set("rm"),
    )
    .await
}

/// What kubectl's generator builds for `kubectl run`.
fn generated(
    name: &str,
    image: &str,
    restart: &str,
    arguments: &[String],
    invocation: &Invocation,
) -> Result<Value, Ran> {
    if !["Always", "OnFailure", "Never"].contains(&restart) {
        return Err(Ran::error(format!(
            "error: invalid restart policy: {restart}"
        )));
    }
    let mut labels = serde_json::Map::new();
    for pair in invocation
        .values("labels")
        .iter()
        .flat_map(|l| l.split(','))
    {
        let Some((key, value)) = pair.split_once('=') else {
            return Err(Ran::error(format!("error: invalid label spec: {pair}")));
        };
        labels.insert(key.into(), json!(value));
    }
    if labels.is_empty() {
        labels.insert("run".into(), json!(name));
    }
    let mut container = json!({"name": name, "image": image, "resources": {}});
    if !arguments.is_empty() {
        let field = if invocation.is_set("command") {
            "command"
        } else {
            "args"
        };
        container[field] = json!(arguments);
    }
    let env: Vec<Value> = invocation
        .values("env")
        .iter()
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            json!({"name": key, "value": value})
        })
        .collect();
    if !env.is_empty() {
        container["env"] = json!(env);
    }
    if let Some(port) = invocation.flag("port").and_then(|p| p.parse::<u16>().ok()) {
        container["ports"] = json!([{"containerPort": port}]);
    }
    if invocation.is_set("stdin") {
        container["stdin"] = json!(true);
        container["stdinOnce"] = json!(true);
    }
    if invocation.is_set("tty") {
        container["tty"] = json!(true);
    }
    Ok(json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"creationTimestamp": null, "labels": labels, "name": name},
        "spec": {"containers": [container], "dnsPolicy": "ClusterFirst", "restartPolicy": restart},
        "status": {},
    }))
}

/// Waits for the pod to finish, prints what it wrote and, with `--rm`, deletes it; the
/// exit code is the container's, as kubectl's.
async fn attached(
    console: &Console<'_>,
    pods: &Api<Pod>,
    name: &str,
    short: &str,
    restart: &str,
    remove: bool,
) -> Ran {
    let deadline = console
        .follow
        .is_none()
        .then(|| tokio::time::Instant::now() + WAIT_LIMIT);
    let finished = loop {
        let pod = match pods.get(name).await {
            Ok(pod) => pod,
            Err(e) => return Ran::error(from_server(&e)),
        };
        let phase = pod
            .status
            .as_ref()
            .and_then(|s| s.phase.clone())
            .unwrap_or_default();
        if phase == "Succeeded" || (phase == "Failed" && restart == "Never") {
            break pod;
        }
        if deadline.is_some_and(|d| tokio::time::Instant::now() >= d) {
            return Ran::error(format!(
                "error: pod {short}/{name} did not finish within {}s; the console's page waits until it does",
                WAIT_LIMIT.as_secs()
            ));
        }
        if console.follow.as_ref().is_some_and(|f| f.is_closed()) {
            return Ran::stopped();
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    let mut output = pods
        .logs(name, &LogParams::default())
        .await
        .unwrap_or_default();
    if remove {
        let background = DeleteParams {
            propagation_policy: Some(PropagationPolicy::Background),
            ..DeleteParams::default()
        };
        match pods.delete(name, &background).await {
            Ok(_) => output.push_str(&format!("pod \"{name}\" deleted\n")),
            Err(e) => output.push_str(&format!("{}\n", from_server(&e))),
        }
    }
    let terminated = finished
        .status
        .as_ref()
        .and_then(|s| s.container_statuses.as_ref())
        .and_then(|c| c.first())
        .and_then(|c| c.state.as_ref())
        .and_then(|s| s.terminated.clone());
    let phase = finished.status.as_ref().and_then(|s| s.phase.clone());
    match (phase.as_deref(), terminated) {
        (Some("Succeeded"), _) => Ran::ok(output),
        (_, Some(t)) if t.exit_code != 0 => {
            output.push_str(&format!(
                "pod {short}/{name} terminated ({})\n{}",
                t.reason.unwrap_or_default(),
                t.message.unwrap_or_default()
            ));
            if !output.ends_with('\n') {
                output.push('\n');
            }
            Ran {
                output,
                exit_code: t.exit_code,
            }
        }
        _ => {
            output.push_str(&format!(
                "error: pod {short}/{name} failed with unknown exit code\n"
            ));
            Ran {
                output,
                exit_code: 1,
            }
        }
    }
}

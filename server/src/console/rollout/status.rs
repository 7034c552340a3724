//! `kubectl rollout status`: a Deployment's, DaemonSet's or StatefulSet's rollout state
//! in kubectl's words, printed on every change until the rollout is complete.

use super::super::command::{Invocation, seconds};
use super::super::context::{Console, from_server};
use super::super::targets::Target;
use futures::StreamExt;
use kube::api::{Api, DynamicObject, WatchEvent, WatchParams};
use serde_json::Value;
use std::time::Duration;

/// The longest `rollout status` waits over the HTTP API: within the request's own limit.
const STATUS_LIMIT: Duration = Duration::from_secs(20);

/// Prints the rollout's state on every change (as kubectl does, from a watch
/// of it) until the rollout is complete, or once with `--watch=false`; it gives up at
/// `--timeout`. Over the live stream it prints as it goes; over the HTTP API, which
/// needs an answer, it waits [`STATUS_LIMIT`] at most.
pub async fn status(
    console: &Console<'_>,
    api: &Api<DynamicObject>,
    target: &Target,
    invocation: &Invocation,
) -> Result<String, String> {
    let object = api.get(&target.name).await.map_err(|e| from_server(&e))?;
    let timeout = match invocation.flag("timeout") {
        None | Some("0") => None,
        Some(text) => Some(seconds(text).ok_or_else(|| {
            format!("error: invalid argument \"{text}\" for \"--timeout\" flag: time: invalid duration \"{text}\"")
        })?),
    };
    let following = console.follow.is_some();
    let limit = match (timeout, following) {
        (Some(seconds), _) => Some(Duration::from_secs(seconds.unsigned_abs())),
        (None, true) => None,
        (None, false) => Some(STATUS_LIMIT),
    };
    let deadline = limit.map(|l| tokio::time::Instant::now() + l);
    let once = invocation.flag("watch") == Some("false");
    let mut out = String::new();
    let mut version = object.metadata.resource_version.clone().unwrap_or_default();
    if report(console, &mut out, target, &object).await? || once {
        return Ok(out);
    }
    loop {
        let params = WatchParams::default().fields(&format!("metadata.name={}", target.name));
        let mut events = api
            .watch(&params, &version)
            .await
            .map_err(|e| from_server(&e))?
            .boxed();
        loop {
            let event = match deadline {
                Some(deadline) => match tokio::time::timeout_at(deadline, events.next()).await {
                    Ok(event) => event,
                    Err(_) if timeout.is_some() => {
                        return Err(format!("{out}error: timed out waiting for the condition"));
                    }
                    Err(_) => {
                        out.push_str(&format!(
                            "(the console stopped waiting after {}s; run it in the page's console to follow it to the end)\n",
                            STATUS_LIMIT.as_secs()
                        ));
                        return Ok(out);
                    }
                },
                None => events.next().await,
            };
            match event {
                // The API server ended the watch: watch again from where it was.
                None => break,
                Some(Ok(WatchEvent::Added(o) | WatchEvent::Modified(o))) => {
                    version = o.metadata.resource_version.clone().unwrap_or(version);
                    if report(console, &mut out, target, &o).await? {
                        return Ok(out);
                    }
                }
                Some(Ok(WatchEvent::Deleted(_))) => {
                    return Err(format!("{out}error: object has been deleted"));
                }
                Some(Ok(WatchEvent::Bookmark(b))) => version = b.metadata.resource_version,
                Some(Ok(WatchEvent::Error(status))) => {
                    return Err(out + &from_server(&kube::Error::Api(status.boxed())));
                }
                Some(Err(e)) => return Err(format!("{out}error: {e}")),
            }
        }
    }
}

/// Prints (or keeps, over the HTTP API) what kubectl prints for the Deployment's state
/// now; true when there is no more to wait for (the rollout is complete or failed, or
/// nobody reads on).
async fn report(
    console: &Console<'_>,
    out: &mut String,
    target: &Target,
    object: &DynamicObject,
) -> Result<bool, String> {
    let (line, done) = progress(target, &object.data).map_err(|e| format!("{out}{e}"))?;
    if console.follow.is_none() {
        out.push_str(&line);
        return Ok(done);
    }
    Ok(!console.print(&line).await || done)
}

/// What kubectl's status viewer of the object's kind prints for it, and whether the
/// rollout is complete; or kubectl's error (a failed rollout, a kind it has no viewer
/// for).
fn progress(target: &Target, object: &Value) -> Result<(String, bool), String> {
    let name = &target.name;
    let number = |v: &Value| v.as_i64().unwrap_or(0);
    let (spec, status) = (&object["spec"], &object["status"]);
    let observed =
        number(&object["metadata"]["generation"]) <= number(&status["observedGeneration"]);
    let rolling = || {
        if spec["updateStrategy"]["type"] == "RollingUpdate" {
            Ok(())
        } else {
            Err(
                "error: rollout status is only available for RollingUpdate strategy type"
                    .to_string(),
            )
        }
    };
    let line = |text: String, done: bool| Ok((text + "\n", done));
    match (
        target.resource.group.as_str(),
        target.resource.kind.as_str(),
    ) {
        ("apps", "Deployment") => {
            if !observed {
                return line(
                    "Waiting for deployment spec update to be observed...".into(),
                    false,
                );
            }
            let failed = status["conditions"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|c| c["type"] == "Progressing" && c["reason"] == "ProgressDeadlineExceeded");
            if failed {
                return Err(format!(
                    "error: deployment \"{name}\" exceeded its progress deadline"
                ));
            }
            let wanted = spec["replicas"].as_i64().unwrap_or(1);
            let updated = number(&status["updatedReplicas"]);
            let replicas = number(&status["replicas"]);
            let available = number(&status["availableReplicas"]);
            let waiting = "Waiting for deployment";
            if updated < wanted {
                line(
                    format!(
                        "{waiting} \"{name}\" rollout to finish: {updated} out of {wanted} new replicas have been updated..."
                    ),
                    false,
                )
            } else if replicas > updated {
                line(
                    format!(
                        "{waiting} \"{name}\" rollout to finish: {} old replicas are pending termination...",
                        replicas - updated
                    ),
                    false,
                )
            } else if available < updated {
                line(
                    format!(
                        "{waiting} \"{name}\" rollout to finish: {available} of {updated} updated replicas are available..."
                    ),
                    false,
                )
            } else {
                line(
                    format!("deployment \"{name}\" successfully rolled out"),
                    true,
                )
            }
        }
        ("apps", "DaemonSet") => {
            rolling()?;
            if !observed {
                return line(
                    "Waiting for daemon set spec update to be observed...".into(),
                    false,
                );
            }
            let desired = number(&status["desiredNumberScheduled"]);
            let updated = number(&status["updatedNumberScheduled"]);
            let available = number(&status["numberAvailable"]);
            let waiting = "Waiting for daemon set";
            if updated < desired {
                line(
                    format!(
                        "{waiting} \"{name}\" rollout to finish: {updated} out of {desired} new pods have been updated..."
                    ),
                    false,
                )
            } else if available < desired {
                line(
                    format!(
                        "{waiting} \"{name}\" rollout to finish: {available} of {desired} updated pods are available..."
                    ),
                    false,
                )
            } else {
                line(
                    format!("daemon set \"{name}\" successfully rolled out"),
                    true,
                )
            }
        }
        ("apps", "StatefulSet") => {
            rolling()?;
            if number(&status["observedGeneration"]) == 0 || !observed {
                return line(
                    "Waiting for statefulset spec update to be observed...".into(),
                    false,
                );
            }
            let ready = number(&status["readyReplicas"]);
            let updated = number(&status["updatedReplicas"]);
            if let Some(wanted) = spec["replicas"].as_i64()
                && ready < wanted
            {
                return line(
                    format!("Waiting for {} pods to be ready...", wanted - ready),
                    false,
                );
            }
            if spec["updateStrategy"]["rollingUpdate"].is_object() {
                let partition = &spec["updateStrategy"]["rollingUpdate"]["partition"];
                if let (Some(wanted), Some(partition)) =
                    (spec["replicas"].as_i64(), partition.as_i64())
                    && updated < wanted - partition
                {
                    return line(
                        format!(
                            "Waiting for partitioned roll out to finish: {updated} out of {} new pods have been updated...",
                            wanted - partition
                        ),
                        false,
                    );
                }
                return line(
                    format!(
                        "partitioned roll out complete: {updated} new pods have been updated..."
                    ),
                    true,
                );
            }
            let text = |v: &Value| v.as_str().unwrap_or_default().to_string();
            let (current, update) = (
                text(&status["currentRevision"]),
                text(&status["updateRevision"]),
            );
            if update != current {
                return line(
                    format!(
                        "waiting for statefulset rolling update to complete {updated} pods at revision {update}..."
                    ),
                    false,
                );
            }
            line(
                format!(
                    "statefulset rolling update complete {} pods at revision {current}...",
                    number(&status["currentReplicas"])
                ),
                true,
            )
        }
        (group, kind) => {
            let group_kind = if group.is_empty() {
                kind.to_string()
            } else {
                format!("{kind}.{group}")
            };
            Err(format!(
                "error: no status viewer has been implemented for {group_kind}"
            ))
        }
    }
}

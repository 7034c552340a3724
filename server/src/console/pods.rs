//! The pod a command's `POD`, `pod/NAME` or `TYPE/NAME` stands for, as kubectl picks it
//! (`logs`, `port-forward`): a pod by name, or the most active of the pods a workload's
//! or Service's selector finds.

use super::context::{Console, Ran, from_server};
use super::targets;
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, DynamicObject, ListParams};
use serde_json::Value;

/// Which kubectl command family asks for a pod: `logs`, or those that attach to one
/// (`exec`, `attach`, `port-forward`). kubectl words a missing target differently for
/// them (`logs` in words of its own, the others as the API server's error) and picks
/// among a selector's pods in a different order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Purpose {
    Logs,
    Attach,
}

/// The pod `exec` and `port-forward` act on (in the namespace `-n` names), the one
/// kubectl picks and says nothing of; with that namespace and its pods' API.
pub(super) async fn attachable(
    console: &Console<'_>,
    invocation: &super::command::Invocation,
    target: &str,
) -> Result<(String, Api<Pod>, Pod), Ran> {
    let short = targets::namespace(invocation)?;
    let pods: Api<Pod> =
        Api::namespaced(console.tenant.clone(), &console.workspace.namespace(&short));
    let pod = pod_of(
        console,
        &pods,
        &short,
        target,
        &mut String::new(),
        Purpose::Attach,
    )
    .await?;
    Ok((short, pods, pod))
}

/// The pod `arg` names: a pod's name, `pod/NAME`, or `TYPE/NAME` of something that
/// selects pods (the one kubectl would pick, said when there are several).
pub(super) async fn pod_of(
    console: &Console<'_>,
    pods: &Api<Pod>,
    short: &str,
    arg: &str,
    out: &mut String,
    purpose: Purpose,
) -> Result<Pod, Ran> {
    let not_found = |what: String| {
        Ran::error(match purpose {
            Purpose::Logs => format!(
                "error: error from server (NotFound): {what} not found in namespace \"{short}\""
            ),
            Purpose::Attach => format!("Error from server (NotFound): {what} not found"),
        })
    };
    let (resource, name) = match arg.split_once('/') {
        Some((kind, name)) => (Some(targets::resolve(console, kind).await?), name),
        None => (None, arg),
    };
    targets::checked_name(name)?;
    let Some(resource) = resource.filter(|r| !(r.group.is_empty() && r.kind == "Pod")) else {
        return match pods.get(name).await {
            Ok(pod) => Ok(pod),
            Err(kube::Error::Api(s)) if s.code == 404 => Err(not_found(format!("pods \"{name}\""))),
            Err(e) => Err(Ran::error(from_server(&e))),
        };
    };
    let api: Api<DynamicObject> = Api::namespaced_with(
        console.tenant.clone(),
        &console.workspace.namespace(short),
        &resource.api_resource(),
    );
    let owner = match api.get(name).await {
        Ok(owner) => owner,
        Err(kube::Error::Api(s)) if s.code == 404 => {
            return Err(not_found(format!("{} \"{name}\"", resource.qualified())));
        }
        Err(e) => return Err(Ran::error(from_server(&e))),
    };
    let Some(selector) = selector(&owner.data) else {
        return Err(Ran::error(format!(
            "error: cannot get the logs from {}: it selects no pods",
            resource.kind
        )));
    };
    let mut candidates = pods
        .list(&ListParams::default().labels(&selector))
        .await
        .map_err(|e| Ran::error(from_server(&e)))?
        .items;
    if candidates.is_empty() {
        return Err(Ran::error(format!(
            "error: timed out waiting for the condition: no pods of {}/{name}",
            resource.kind.to_lowercase()
        )));
    }
    // kubectl's choice: the most active pod (ready, running, scheduled; then the oldest).
    candidates.sort_by_key(|pod| kubectls_order(pod, purpose));
    if candidates.len() > 1 {
        out.push_str(&format!(
            "Found {} pods, using pod/{}\n",
            candidates.len(),
            candidates[0].metadata.name.as_deref().unwrap_or_default()
        ));
    }
    Ok(candidates.swap_remove(0))
}

/// kubectl's order for picking a pod. For `logs` (`podutils.ByLogging`): scheduled
/// first; Running (and finished), then Unknown, then Pending; ready; ready the longest;
/// the most restarts; the oldest. For attaching (`podutils.ActivePods`, reversed): the
/// same, except that Pending ranks with the finished, pods not being deleted come first
/// (a rollout's old pods, Terminating, are passed over), and the fewest restarts win.
/// Pods equal in all of these keep the API's order.
fn kubectls_order(pod: &Pod, purpose: Purpose) -> impl Ord + use<> {
    let status = pod.status.as_ref();
    let scheduled = pod
        .spec
        .as_ref()
        .and_then(|s| s.node_name.as_ref())
        .is_some_and(|n| !n.is_empty());
    let phase = status.and_then(|s| s.phase.as_deref());
    let phase_rank = match (purpose, phase) {
        (Purpose::Logs, Some("Unknown")) | (Purpose::Attach, Some("Unknown")) => 1,
        (Purpose::Logs, Some("Pending")) => 2,
        (Purpose::Logs, _) | (Purpose::Attach, Some("Running")) => 0,
        (Purpose::Attach, _) => 2,
    };
    let ready_since = status
        .and_then(|s| s.conditions.as_ref())
        .and_then(|c| c.iter().find(|c| c.type_ == "Ready" && c.status == "True"))
        .map(|c| c.last_transition_time.clone().map(|t| t.0));
    let restarts = status
        .and_then(|s| s.container_statuses.as_ref())
        .and_then(|c| c.iter().map(|c| c.restart_count).max())
        .unwrap_or(0);
    let deleting = match purpose {
        Purpose::Logs => None,
        Purpose::Attach => pod.metadata.deletion_timestamp.clone().map(|t| t.0),
    };
    (
        !scheduled,
        phase_rank,
        ready_since.is_none(),
        // Not being deleted first; of those being deleted, the latest deleted first.
        deleting.is_some(),
        deleting.map(std::cmp::Reverse),
        // Ready the longest first; a ready pod without a time last.
        ready_since.flatten().map_or((1, None), |t| (0, Some(t))),
        match purpose {
            Purpose::Logs => -i64::from(restarts),
            Purpose::Attach => i64::from(restarts),
        },
        pod.metadata
            .creation_timestamp
            .clone()
            .map_or((1, None), |t| (0, Some(t.0))),
    )
}

/// A workload's (or Service's) pod selector as a label selector.
fn selector(object: &Value) -> Option<String> {
    let spec = &object["spec"]["selector"];
    let labels = spec["matchLabels"].as_object().or(spec.as_object())?;
    let pairs: Vec<String> = labels
        .iter()
        .filter_map(|(k, v)| Some(format!("{k}={}", v.as_str()?)))
        .collect();
    (!pairs.is_empty()).then(|| pairs.join(","))
}

/// A pod's containers, init containers first, each with what kubectl calls it.
pub(super) fn names(pod: &Pod) -> Vec<(String, String)> {
    let Some(spec) = pod.spec.as_ref() else {
        return Vec::new();
    };
    let init = spec
        .init_containers
        .iter()
        .flatten()
        .map(|c| (c.name.clone(), format!("{} (init)", c.name)));
    let main = spec
        .containers
        .iter()
        .map(|c| (c.name.clone(), c.name.clone()));
    init.chain(main).collect()
}

/// The container `-c` names, or the default one (said in `out` as kubectl says it); a
/// name the pod lacks gives `unknown(container, pod)`, the command's own words for it.
pub(super) fn container(
    invocation: &super::command::Invocation,
    pod: &Pod,
    out: &mut String,
    unknown: impl Fn(&str, &str) -> String,
) -> Result<String, Ran> {
    match invocation.flag("container") {
        Some(c) if !names(pod).iter().any(|(n, _)| n == c) => {
            let name = pod.metadata.name.as_deref().unwrap_or_default();
            Err(Ran::error(unknown(c, name)))
        }
        Some(c) => Ok(c.to_string()),
        None => Ok(default_container(pod, out)),
    }
}

/// The container kubectl reads when none is named: the pod's
/// `kubectl.kubernetes.io/default-container`, else the first (said when there are more).
pub(super) fn default_container(pod: &Pod, out: &mut String) -> String {
    if let Some(named) = pod
        .metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get("kubectl.kubernetes.io/default-container"))
    {
        return named.clone();
    }
    let Some(spec) = pod.spec.as_ref() else {
        return String::new();
    };
    let first = spec
        .containers
        .first()
        .map(|c| c.name.clone())
        .unwrap_or_default();
    let all = names(pod);
    if all.len() > 1 {
        let listed: Vec<String> = spec
            .containers
            .iter()
            .map(|c| c.name.clone())
            .chain(
                spec.init_containers
                    .iter()
                    .flatten()
                    .map(|c| format!("{} (init)", c.name)),
            )
            .collect();
        out.push_str(&format!(
            "Defaulted container \"{first}\" out of: {}\n",
            listed.join(", ")
        ));
    }
    first
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pod(name: &str, created: &str, deleted: Option<&str>, restarts: i32) -> Pod {
        serde_json::from_value(serde_json::json!({
            "metadata": {"name": name, "creationTimestamp": created, "deletionTimestamp": deleted},
            "spec": {"nodeName": "kind-worker", "containers": [{"name": "app"}]},
            "status": {"phase": "Running",
                "conditions": [{"type": "Ready", "status": "True", "lastTransitionTime": created}],
                "containerStatuses": [{"name": "app", "image": "app", "imageID": "", "ready": true, "restartCount": restarts}]},
        }))
        .expect("pod")
    }

    fn first(mut pods: Vec<Pod>, purpose: Purpose) -> String {
        pods.sort_by_key(|p| kubectls_order(p, purpose));
        pods[0].metadata.name.clone().unwrap_or_default()
    }

    #[test]
    fn kubectl_attaches_to_a_pod_not_being_deleted_but_reads_the_oldest_logs() {
        // Right after a rollout: the old pod, ready the longest, is Terminating.
        let old = pod(
            "old",
            "2026-03-01T09:00:00Z",
            Some("2026-03-01T09:10:30Z"),
            0,
        );
        let new = pod("new", "2026-03-01T09:10:00Z", None, 0);
        assert_eq!(
            first(vec![old.clone(), new.clone()], Purpose::Attach),
            "new"
        );
        assert_eq!(first(vec![new, old], Purpose::Logs), "old");
        // Ready as long: `logs` takes the one restarted most, attaching the one restarted least.
        let calm = pod("calm", "2026-03-01T09:00:00Z", None, 0);
        let restarted = pod("restarted", "2026-03-01T09:00:00Z", None, 3);
        assert_eq!(
            first(vec![restarted.clone(), calm.clone()], Purpose::Attach),
            "calm"
        );
        assert_eq!(first(vec![calm, restarted], Purpose::Logs), "restarted");
    }
}

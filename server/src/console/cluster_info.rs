//! `kubectl cluster-info [dump]`: the cluster's own services in `kube-system`, asked as
//! the attendee, as kubectl asks. An attendee may not list that namespace, so kubectl's
//! answer here is its debugging hint and the API server's Forbidden; the console gives
//! the same (and says where the control plane is, as `config view` names it, where the
//! listing is allowed).

use super::command::Invocation;
use super::config::SERVER;
use super::context::{Console, Ran, from_server};
use k8s_openapi::api::core::v1::{Node, Service};
use kube::api::{Api, ListParams};

const HINT: &str =
    "\nTo further debug and diagnose cluster problems, use 'kubectl cluster-info dump'.\n";

pub async fn cluster_info(console: &Console<'_>, invocation: &Invocation) -> Ran {
    match invocation.args.as_slice() {
        [] => services(console).await,
        [dump] if dump == "dump" => dumped(console).await,
        [other, ..] => Ran::error(format!(
            "error: unknown command \"{other}\" for \"kubectl cluster-info\"\n\nDid you mean this?\n\tdump\n"
        )),
    }
}

async fn services(console: &Console<'_>) -> Ran {
    let api: Api<Service> = Api::namespaced(console.tenant.clone(), "kube-system");
    let params = ListParams::default().labels("kubernetes.io/cluster-service=true");
    match api.list(&params).await {
        Ok(list) => {
            let mut output = format!("Kubernetes control plane is running at {SERVER}\n");
            for service in list.items {
                let name = service.metadata.name.unwrap_or_default();
                let shown = service
                    .metadata
                    .labels
                    .and_then(|l| l.get("kubernetes.io/name").cloned())
                    .unwrap_or_else(|| name.clone());
                for port in service.spec.and_then(|s| s.ports).unwrap_or_default() {
                    let port = port.name.unwrap_or_else(|| port.port.to_string());
                    output.push_str(&format!(
                        "{shown} is running at {SERVER}/api/v1/namespaces/kube-system/services/{name}:{port}/proxy\n"
                    ));
                }
            }
            output.push_str(HINT);
            Ran::ok(output)
        }
        Err(e) => Ran::error(format!("{HINT}{}", from_server(&e))),
    }
}

/// `cluster-info dump` begins with the nodes; what it would write after them is the whole
/// cluster's state, which the console leaves to `get` and `describe`.
async fn dumped(console: &Console<'_>) -> Ran {
    let nodes: Api<Node> = Api::all(console.tenant.clone());
    match nodes.list(&ListParams::default().limit(1)).await {
        Ok(_) => Ran::error(
            "error: the console does not dump the cluster: kubectl get and describe show its parts"
                .into(),
        ),
        Err(e) => Ran::error(from_server(&e)),
    }
}

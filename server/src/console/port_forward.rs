//! `kubectl port-forward TYPE/NAME [LOCAL:]REMOTE…`: the pod kubectl would pick, the pod
//! port a Service's port leads to, and kubectl's "Forwarding from" lines. The console has
//! no machine to listen on: the forward is kept ([`super::forwards`]) for the console's
//! own `curl http://localhost:LOCAL/`, which says so, and the command ends at once
//! instead of blocking the prompt.

use super::command::Invocation;
use super::context::{Console, Ran, from_server};
use super::forwards::Forward;
use super::pods::attachable;
use k8s_openapi::api::core::v1::{Pod, Service};
use kube::api::Api;

const USAGE: &str = "error: TYPE/NAME and list of ports are required for port-forward\nSee 'kubectl port-forward -h' for help and examples";

pub async fn port_forward(console: &Console<'_>, invocation: &Invocation) -> Ran {
    let Some((target, ports)) = invocation.args.split_first().filter(|(_, p)| !p.is_empty()) else {
        return Ran::error(USAGE.into());
    };
    if let Some(address) = invocation.flag("address").filter(|a| {
        a.split(',')
            .any(|a| !["localhost", "127.0.0.1", "::1"].contains(&a))
    }) {
        return Ran::error(format!(
            "error: the console forwards to localhost only (for its curl), not to {address}"
        ));
    }
    let (short, _, pod) = match attachable(console, invocation, target).await {
        Ok(found) => found,
        Err(ran) => return ran,
    };
    let namespace = console.workspace.namespace(&short);
    let phase = pod.status.as_ref().and_then(|s| s.phase.clone());
    if phase.as_deref() != Some("Running") {
        return Ran::error(format!(
            "error: unable to forward port because pod is not running. Current status={}",
            phase.unwrap_or_default()
        ));
    }
    let service = match target.split_once('/') {
        Some((kind, name)) if ["svc", "service", "services"].contains(&kind) => {
            let services: Api<Service> = Api::namespaced(console.tenant.clone(), &namespace);
            match services.get(name).await {
                Ok(service) => Some(service),
                Err(e) => return Ran::error(from_server(&e)),
            }
        }
        _ => None,
    };
    let mut opened = Vec::new();
    for spec in ports {
        let (local, remote) = spec.split_once(':').unwrap_or((spec, spec));
        let Ok(local) = local.parse::<u16>() else {
            return Ran::error(format!(
                "error: the console forwards to a local port you name (as in 8000:80), not \"{spec}\""
            ));
        };
        let port = match &service {
            Some(service) => service_target(service, &pod, remote),
            None => pod_port(&pod, remote),
        };
        match port {
            Ok(port) => opened.push((local, port)),
            Err(error) => return Ran::error(error),
        }
    }
    let mut out = String::new();
    for &(local, port) in &opened {
        console.forwards.open(
            &console.workspace.namespace(""),
            local,
            Forward {
                namespace: short.clone(),
                pod: pod.metadata.name.clone().unwrap_or_default(),
                port,
            },
        );
        out.push_str(&format!(
            "Forwarding from 127.0.0.1:{local} -> {port}\nForwarding from [::1]:{local} -> {port}\n"
        ));
    }
    let (first, _) = opened[0];
    out.push_str(&format!(
        "(the console keeps this forward for its curl, such as \"curl http://localhost:{first}/\", and gives you the prompt back; a new port-forward on the port replaces it)\n"
    ));
    Ran::ok(out)
}

/// The pod port a Service's `port` (number or name) leads to.
fn service_target(service: &Service, pod: &Pod, port: &str) -> Result<u16, String> {
    let name = service.metadata.name.as_deref().unwrap_or_default();
    let ports = service.spec.as_ref().and_then(|s| s.ports.as_ref());
    let found = ports.into_iter().flatten().find(|p| {
        p.name.as_deref() == Some(port) || port.parse::<i32>().is_ok_and(|n| n == p.port)
    });
    let Some(found) = found else {
        return Err(format!(
            "error: Service {name} does not have a service port {port}"
        ));
    };
    match &found.target_port {
        None => u16::try_from(found.port).map_err(|e| format!("error: {e}")),
        Some(k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::Int(n)) => {
            u16::try_from(*n).map_err(|e| format!("error: {e}"))
        }
        Some(k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::String(named)) => {
            pod_port(pod, named)
        }
    }
}

/// A pod port by number, or by the name a container gives it.
fn pod_port(pod: &Pod, port: &str) -> Result<u16, String> {
    if let Ok(number) = port.parse::<u16>() {
        return Ok(number);
    }
    let containers = pod.spec.as_ref().map(|s| s.containers.as_slice());
    containers
        .into_iter()
        .flatten()
        .flat_map(|c| c.ports.iter().flatten())
        .find(|p| p.name.as_deref() == Some(port))
        .and_then(|p| u16::try_from(p.container_port).ok())
        .ok_or_else(|| {
            format!(
                "error: Pod '{}' does not have a named port '{port}'",
                pod.metadata.name.as_deref().unwrap_or_default()
            )
        })
}

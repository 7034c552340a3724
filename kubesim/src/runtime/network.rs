//! The cluster network as a container sees it: Service names and cluster IPs reach the
//! ready pods behind them (round robin, as kube-proxy spreads connections), pod IPs reach
//! pods, and the pod's ServiceAccount token reaches the API server. Connections from a
//! pod are subject to NetworkPolicies ([`super::network_policy`]): a dropped one times
//! out, as on a CNI that enforces them. Connections from the node — the kubelet's probes,
//! the API server's service and pod proxy — are not, as with common CNIs.

use super::Runtime;
use super::network_policy;
use crate::auth::UserInfo;
use crate::auth::rbac::{Attributes, Authorizer};
use crate::models::{HttpRequest, HttpResponse, Surroundings, Unreachable};
use crate::store::{Key, Store};
use serde_json::Value;
use std::fmt;
use std::sync::Arc;

/// Where a connection comes from.
#[derive(Debug, Clone, Copy)]
pub enum Origin<'a> {
    /// A pod's containers (or what stands for one, such as the ingress controller).
    Pod(&'a Value),
    /// The node: not subject to NetworkPolicies.
    Node,
}

/// The network and the API, from one place in the cluster.
pub struct Network<'a> {
    /// Where Services, pods, policies and their addresses are.
    pub store: &'a Arc<Store>,
    /// The containers that answer.
    pub runtime: &'a Runtime,
    /// What a pod's ServiceAccount may ask of the API server.
    pub rbac: &'a Authorizer,
    /// Who connects.
    pub from: Origin<'a>,
}

/// Why a request reached no container.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// The Service has no such port.
    NoPort {
        /// The port asked for.
        port: String,
        /// The Service.
        service: String,
    },
    /// The Service has no ready pods.
    NoEndpoints {
        /// The Service.
        service: String,
    },
    /// Nothing listens on the pod's port.
    Refused {
        /// The pod's address.
        ip: String,
        /// The port.
        port: u16,
    },
    /// A NetworkPolicy drops the connection.
    Dropped {
        /// The pod's address.
        ip: String,
        /// The port.
        port: u16,
    },
}

impl fmt::Display for Failure {
    /// As the API server's proxy words it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::NoPort { port, service } => {
                write!(
                    f,
                    "no service port \"{port}\" found for service \"{service}\""
                )
            }
            Failure::NoEndpoints { service } => {
                write!(f, "no endpoints available for service \"{service}\"")
            }
            Failure::Refused { ip, port } => {
                write!(f, "dial tcp {ip}:{port}: connect: connection refused")
            }
            Failure::Dropped { ip, port } => write!(f, "dial tcp {ip}:{port}: i/o timeout"),
        }
    }
}

impl Failure {
    /// What a client that dialled `ip:port` sees: a Service without the port or without
    /// endpoints refuses (kube-proxy rejects), a dropped connection times out.
    fn as_dialled(&self, ip: &str, port: u16) -> Unreachable {
        let (ip, port) = (ip.to_string(), port);
        match self {
            Failure::Dropped { .. } => Unreachable::TimedOut { ip, port },
            _ => Unreachable::Refused { ip, port },
        }
    }
}

impl Network<'_> {
    /// The namespace short Service names resolve in.
    fn namespace(&self) -> &str {
        match self.from {
            Origin::Pod(pod) => pod["metadata"]["namespace"].as_str().unwrap_or("default"),
            Origin::Node => "default",
        }
    }

    /// The pod connecting, if a pod is.
    pub fn pod(&self) -> Option<&Value> {
        match self.from {
            Origin::Pod(pod) => Some(pod),
            Origin::Node => None,
        }
    }

    /// Sends a request to a Service port (by number or name): one of its ready pods
    /// answers.
    pub fn to_service(
        &self,
        service: &Value,
        port: &str,
        request: &HttpRequest,
    ) -> Result<HttpResponse, Failure> {
        let name = service["metadata"]["name"].as_str().unwrap_or_default();
        let ports = service["spec"]["ports"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let chosen = ports.iter().find(|p| {
            port.is_empty() && ports.len() == 1
                || p["name"].as_str() == Some(port)
                || p["port"].as_i64().map(|n| n.to_string()).as_deref() == Some(port)
        });
        let Some(chosen) = chosen else {
            return Err(Failure::NoPort {
                port: port.into(),
                service: name.into(),
            });
        };
        let namespace = service["metadata"]["namespace"]
            .as_str()
            .unwrap_or_default();
        let ready = ready_pods(self.store, namespace, &service["spec"]["selector"]);
        if ready.is_empty() {
            return Err(Failure::NoEndpoints {
                service: name.into(),
            });
        }
        let pod = &ready[self.runtime.next_connection() % ready.len()];
        let target = target_port(&chosen["targetPort"], &chosen["port"], pod);
        self.to_pod(pod, target, request)
    }

    /// Sends a request to a pod's port. The pod's containers answer in their own
    /// surroundings (their requests onward come from them).
    pub fn to_pod(
        &self,
        pod: &Value,
        port: u16,
        request: &HttpRequest,
    ) -> Result<HttpResponse, Failure> {
        let uid = pod["metadata"]["uid"].as_str().unwrap_or_default();
        let ip = pod["status"]["podIP"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        if let Origin::Pod(from) = self.from
            && !network_policy::allows(self.store, from, pod, port)
        {
            return Err(Failure::Dropped { ip, port });
        }
        let answering = Network {
            from: Origin::Pod(pod),
            ..*self
        };
        self.runtime
            .pod_http(uid, port, request, &answering)
            .ok_or(Failure::Refused { ip, port })
    }

    /// Finds what a URL's host names: a Service (by DNS name or cluster IP) or a pod (by
    /// IP), and the port.
    fn resolve(&self, url: &str) -> Option<(Target, String)> {
        let rest = url.split_once("://").map_or(url, |(_, r)| r);
        let authority = rest.split('/').next().unwrap_or(rest);
        let (host, port) = match authority.rsplit_once(':') {
            Some((h, p)) => (h, p.to_string()),
            None => (authority, "80".to_string()),
        };
        let parts: Vec<&str> = host.trim_end_matches('.').split('.').collect();
        let looks_like_ip = parts.len() == 4 && parts.iter().all(|p| p.parse::<u8>().is_ok());
        if looks_like_ip {
            for (_, service) in self.store.list("", "services", None, None).0 {
                if service["spec"]["clusterIP"].as_str() == Some(host) {
                    return Some((Target::Service(service), port));
                }
            }
            for (_, pod) in self.store.list("", "pods", None, None).0 {
                if pod["status"]["podIP"].as_str() == Some(host) {
                    return Some((Target::Pod(pod), port));
                }
            }
            return None;
        }
        let service = |name: &str, namespace: &str| {
            self.store
                .get(&Key::new("", "services", namespace, name))
                .ok()
                .map(|s| (Target::Service(s), port.clone()))
        };
        // A StatefulSet pod's own name under its headless Service:
        // HOSTNAME.SUBDOMAIN[.NAMESPACE[.svc.cluster.local]].
        let pod = |hostname: &str, subdomain: &str, namespace: &str| {
            self.store
                .list("", "pods", Some(namespace), None)
                .0
                .into_iter()
                .map(|(_, p)| p)
                .find(|p| p["spec"]["hostname"] == hostname && p["spec"]["subdomain"] == subdomain)
                .map(|p| (Target::Pod(p), port.clone()))
        };
        match parts.as_slice() {
            [name] => service(name, self.namespace()),
            [name, namespace] => {
                service(name, namespace).or_else(|| pod(name, namespace, self.namespace()))
            }
            [name, namespace, "svc", ..] => service(name, namespace),
            [hostname, subdomain, namespace, ..] => pod(hostname, subdomain, namespace),
            _ => None,
        }
    }
}

enum Target {
    Service(Arc<Value>),
    Pod(Arc<Value>),
}

impl Surroundings for Network<'_> {
    fn list_as_pod(&self, plural: &str) -> (u16, String) {
        let Some(pod) = self.pod() else {
            return (401, "Unauthorized".into());
        };
        let spec = &pod["spec"];
        if spec["automountServiceAccountToken"] == false {
            return (401, "no ServiceAccount token is mounted in this pod".into());
        }
        let account = spec["serviceAccountName"].as_str().unwrap_or("default");
        let user = UserInfo::service_account(self.namespace(), account);
        let attrs = Attributes::resource("list", "", plural, "", self.namespace(), "");
        if self.rbac.allows(&user, &attrs) {
            (200, String::new())
        } else {
            (403, attrs.forbidden_message(&user))
        }
    }

    fn http(&self, url: &str, request: &HttpRequest) -> Result<HttpResponse, Unreachable> {
        let unresolved = || Unreachable::Unresolved { host: url.into() };
        let (target, port) = self.resolve(url).ok_or_else(unresolved)?;
        let dialled: u16 = port.parse().unwrap_or(0);
        match target {
            Target::Service(service) => {
                let ip = service["spec"]["clusterIP"].as_str().unwrap_or_default();
                self.to_service(&service, &port, request)
                    .map_err(|f| f.as_dialled(ip, dialled))
            }
            Target::Pod(pod) => {
                let ip = pod["status"]["podIP"].as_str().unwrap_or_default();
                self.to_pod(&pod, dialled, request)
                    .map_err(|f| f.as_dialled(ip, dialled))
            }
        }
    }
}

/// The running, ready pods a selector picks in a namespace, by name.
pub fn ready_pods(store: &Store, namespace: &str, selector: &Value) -> Vec<Arc<Value>> {
    store
        .list("", "pods", Some(namespace), None)
        .0
        .into_iter()
        .map(|(_, pod)| pod)
        .filter(|pod| {
            crate::labels::map_selects(selector, &pod["metadata"]["labels"])
                && pod["metadata"].get("deletionTimestamp").is_none()
                && crate::pods::is_ready(pod)
        })
        .collect()
}

/// A Service port's target on a pod: a number, or a named container port.
pub fn target_port(target: &Value, port: &Value, pod: &Value) -> u16 {
    if let Some(n) = target.as_u64() {
        return u16::try_from(n).unwrap_or(0);
    }
    if let Some(name) = target.as_str() {
        if let Ok(n) = name.parse() {
            return n;
        }
        return crate::pods::named_port(pod, name).unwrap_or(0);
    }
    port.as_u64()
        .and_then(|n| u16::try_from(n).ok())
        .unwrap_or(0)
}

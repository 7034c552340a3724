//! What ingress-nginx answers a request with: the backend's answer when a rule routes it,
//! its own pages otherwise (404 for no rule, 503 for a Service without ready pods, 504
//! for one a NetworkPolicy drops), and a 308 to `https://` for plain HTTP to a host an
//! Ingress has a `tls` section for (its `ssl-redirect`, on by default).

use super::routing::{route, tls_secret};
use crate::auth::rbac::Authorizer;
use crate::models::HttpRequest;
use crate::runtime::Runtime;
use crate::runtime::network::{Failure, Network, Origin};
use crate::store::{Key, Store};
use serde_json::json;
use std::sync::Arc;

/// The address the controller's requests come from (its pod on the control plane's pod
/// network).
const POD_IP: &str = "10.244.0.1";

/// A request reaching the controller.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    /// The `Host` header (or, over HTTPS, the name the client asked for), without a port.
    pub host: &'a str,
    /// Path and query: `/configmap?x=1`.
    pub path: &'a str,
    /// Whether it came over HTTPS.
    pub https: bool,
    /// The client's `User-Agent`, which the app's access log shows.
    pub user_agent: &'a str,
}

/// The controller's answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    /// The HTTP status.
    pub status: u16,
    /// The `Content-Type` header.
    pub content_type: String,
    /// The `Location` header of a redirect.
    pub location: Option<String>,
    /// The body.
    pub body: String,
}

/// How the controller answers `request`.
pub fn answer(store: &Arc<Store>, runtime: &Runtime, request: &Request<'_>) -> Answer {
    if !request.https && tls_secret(store, request.host).is_some() {
        let mut redirect = page(308, "Permanent Redirect");
        redirect.location = Some(format!("https://{}{}", request.host, request.path));
        return redirect;
    }
    let Some((namespace, service, port)) = route(store, request.host, request.path) else {
        return page(404, "Not Found");
    };
    let Ok(svc) = store.get(&Key::new("", "services", &namespace, &service)) else {
        return page(503, "Service Temporarily Unavailable");
    };
    // nginx connects from its controller pod in `ingress-nginx`: the backends'
    // NetworkPolicies must let that namespace in.
    let caller = json!({"metadata": {"namespace": "ingress-nginx", "labels": {
            "app.kubernetes.io/name": "ingress-nginx", "app.kubernetes.io/component": "controller",
            "app.kubernetes.io/instance": "ingress-nginx"}},
        "spec": {"automountServiceAccountToken": false},
        "status": {"podIP": POD_IP}});
    let rbac = Authorizer::new(store.clone());
    let network = Network {
        store,
        runtime,
        rbac: &rbac,
        from: Origin::Pod(&caller),
    };
    let forwarded = HttpRequest::get(request.path, request.user_agent, POD_IP);
    match network.to_service(&svc, &port, &forwarded) {
        Ok(response) => Answer {
            status: response.status,
            content_type: response.content_type.to_string(),
            location: None,
            body: response.body,
        },
        // nginx gives up on an upstream that never answers (proxy_connect_timeout).
        Err(Failure::Dropped { .. }) => page(504, "Gateway Time-out"),
        Err(_) => page(503, "Service Temporarily Unavailable"),
    }
}

/// One of nginx's own pages, as it writes them.
fn page(status: u16, reason: &str) -> Answer {
    let title = format!("{status} {reason}");
    Answer {
        status,
        content_type: "text/html".into(),
        location: None,
        body: format!(
            "<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n<center><h1>{title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
        ),
    }
}

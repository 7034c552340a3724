//! The `nginx` ingress controller, ingress-nginx as the kind setup deploys it: its
//! IngressClass, the controller that publishes Ingresses' address ([`controller`]), the
//! routing ([`route`]) and answers ([`answer`]) it gives requests, and its listeners
//! (`serve`, `Cluster::serve_ingress`).

mod answer;
mod controller;
mod routing;
#[cfg(feature = "serve")]
mod serve;

pub use answer::{Answer, Request, answer};
pub use controller::{ADDRESS, controller};
pub use routing::{route, tls_secret};
#[cfg(feature = "serve")]
pub use serve::serve;

use serde_json::{Value, json};

/// What installing it leaves in the cluster besides its controller: the `nginx`
/// IngressClass. (group, plural, namespace, object).
pub fn objects() -> Vec<(&'static str, &'static str, &'static str, Value)> {
    vec![(
        "networking.k8s.io",
        "ingressclasses",
        "",
        json!({
            "apiVersion": "networking.k8s.io/v1", "kind": "IngressClass",
            "metadata": {"name": "nginx", "labels": {"app.kubernetes.io/component": "controller",
                "app.kubernetes.io/name": "ingress-nginx"}},
            "spec": {"controller": "k8s.io/ingress-nginx"},
        }),
    )]
}

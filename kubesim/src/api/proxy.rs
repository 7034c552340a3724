//! `services/NAME[:PORT]/proxy/PATH` and `pods/NAME[:PORT]/proxy/PATH`: the API server
//! forwards the request into the cluster network, where the workload models answer.

use super::server::ApiServer;
use crate::models::HttpRequest;
use crate::registry::Target;
use crate::runtime::network::{Failure, Network, Origin};
use crate::status::{ApiError, Result};
use crate::store::Key;
use axum::http::{Method, StatusCode, header};
use axum::response::{IntoResponse, Response};

impl ApiServer {
    /// Forwards a proxied request and returns the workload's answer as is.
    pub fn proxy(&self, target: &Target, method: &Method, query: Option<&str>) -> Result<Response> {
        let raw = target.name()?;
        // `NAME`, `NAME:PORT` or `SCHEME:NAME:PORT`.
        let parts: Vec<&str> = raw.split(':').collect();
        let (name, port) = match parts.as_slice() {
            [name] => (*name, ""),
            [name, port] => (*name, *port),
            [_, name, port, ..] => (*name, *port),
            [] => (raw, ""),
        };
        let namespace = target.namespace.as_deref().unwrap_or_default();
        let rest = target
            .subresource
            .as_deref()
            .and_then(|s| s.strip_prefix("proxy"))
            .unwrap_or("");
        let mut path = if rest.is_empty() {
            "/".to_string()
        } else {
            rest.to_string()
        };
        if let Some(q) = query.filter(|q| !q.is_empty()) {
            path = format!("{path}?{q}");
        }
        let request = HttpRequest {
            method: method.as_str().to_string(),
            path,
            user_agent: "kubectl".into(),
            remote: "10.244.0.1".into(),
        };
        let kind = target.resource.kind;
        let plural = if kind == "Service" {
            "services"
        } else {
            "pods"
        };
        let object = self
            .store
            .get(&Key::new("", plural, namespace, name))
            .map_err(|_| ApiError::not_found(target.resource, name))?;
        // The API server reaches pods from the node: no NetworkPolicy applies.
        let network = Network {
            store: &self.store,
            runtime: &self.runtime,
            rbac: &self.rbac,
            from: Origin::Node,
        };
        let answer = if kind == "Service" {
            network.to_service(&object, port, &request)
        } else {
            if object["status"]["podIP"].as_str().is_none_or(str::is_empty) {
                return Err(ApiError::bad_request(format!(
                    "pod {name} does not have a host assigned"
                )));
            }
            let port = match port.parse::<u16>() {
                Ok(p) => p,
                Err(_) => first_port(&object),
            };
            network.to_pod(&object, port, &request)
        };
        match answer {
            Ok(response) => {
                let status =
                    StatusCode::from_u16(response.status).unwrap_or(StatusCode::BAD_GATEWAY);
                Ok((
                    status,
                    [(header::CONTENT_TYPE, response.content_type)],
                    response.body,
                )
                    .into_response())
            }
            Err(failure @ (Failure::Refused { .. } | Failure::Dropped { .. })) => {
                Err(ApiError::new(
                    503,
                    "ServiceUnavailable",
                    format!("error trying to reach service: {failure}"),
                ))
            }
            Err(failure) => Err(ApiError::new(
                503,
                "ServiceUnavailable",
                failure.to_string(),
            )),
        }
    }
}

/// A pod's first declared container port (80 when none is declared).
fn first_port(pod: &serde_json::Value) -> u16 {
    pod["spec"]["containers"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|c| c["ports"].as_array().into_iter().flatten())
        .find_map(|p| p["containerPort"].as_u64())
        .and_then(|p| u16::try_from(p).ok())
        .unwrap_or(80)
}

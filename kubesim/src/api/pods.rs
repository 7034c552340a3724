//! The pod subresources that reach the node: `log` (tail, follow, previous), `binding`
//! (what the scheduler posts) and `eviction` (refused when a PodDisruptionBudget would be
//! violated), with kube-apiserver's messages.

use super::ApiServer;
use super::path::Target;
use super::query::Query;
use crate::runtime::ContainerKey;
use crate::runtime::logs::LogLine;
use crate::status::{ApiError, Result};
use crate::store::Key;
use axum::body::Body;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use serde_json::{Value, json};
use std::sync::Arc;

impl ApiServer {
    fn pod(&self, target: &Target) -> Result<(Key, Arc<Value>)> {
        let name = target.name()?;
        let key = Key::new(
            "",
            "pods",
            target.namespace.as_deref().unwrap_or_default(),
            name,
        );
        let pod = self
            .store
            .get(&key)
            .map_err(|_| ApiError::not_found(target.resource, name))?;
        Ok((key, pod))
    }

    /// `GET pods/NAME/log`.
    pub fn pod_log(&self, target: &Target, query: &Query) -> Result<Response> {
        let (_, pod) = self.pod(target)?;
        let name = target.name()?;
        let names: Vec<&str> = ["initContainers", "containers"]
            .iter()
            .flat_map(|f| pod["spec"][*f].as_array().into_iter().flatten())
            .filter_map(|c| c["name"].as_str())
            .collect();
        let container = match query.get("container") {
            Some(c) if names.contains(&c) => c,
            Some(c) => {
                return Err(ApiError::bad_request(format!(
                    "container {c} is not valid for pod {name}"
                )));
            }
            None if names.len() == 1 => names[0],
            None => {
                return Err(ApiError::bad_request(format!(
                    "a container name must be specified for pod {name}, choose one of: [{}]",
                    names.join(" ")
                )));
            }
        };
        let previous = query.flag("previous");
        let status = ["initContainerStatuses", "containerStatuses"]
            .iter()
            .flat_map(|f| pod["status"][*f].as_array().into_iter().flatten())
            .find(|s| s["name"] == container)
            .cloned()
            .unwrap_or(Value::Null);
        if previous && status["lastState"]["terminated"].is_null() {
            return Err(ApiError::bad_request(format!(
                "previous terminated container \"{container}\" in pod \"{name}\" not found"
            )));
        }
        let waiting = &status["state"]["waiting"];
        if !previous
            && (status.is_null()
                || waiting.is_object() && status["lastState"]["terminated"].is_null())
        {
            let why = match waiting["reason"].as_str() {
                None => {
                    return Err(ApiError::bad_request(format!(
                        "container \"{container}\" in pod \"{name}\" is waiting to start - no logs yet"
                    )));
                }
                Some("ErrImagePull") => "image can't be pulled",
                Some("ImagePullBackOff") => "trying and failing to pull image",
                Some(other) => other,
            };
            return Err(ApiError::bad_request(format!(
                "container \"{container}\" in pod \"{name}\" is waiting to start: {why}"
            )));
        }
        let uid = pod["metadata"]["uid"].as_str().unwrap_or_default();
        let follow = query.flag("follow");
        let Some(read) = self
            .runtime
            .logs(&ContainerKey::new(uid, container), previous, follow)
        else {
            return Ok(text_response(String::new()));
        };
        let timestamps = query.flag("timestamps");
        let now = self.store.clock().now();
        let since = query
            .get("sinceSeconds")
            .and_then(|s| s.parse::<i64>().ok())
            .and_then(|s| now.checked_sub(jiff::SignedDuration::from_secs(s)).ok());
        let mut lines: Vec<&LogLine> = read
            .lines
            .iter()
            .filter(|l| since.is_none_or(|s| l.time >= s))
            .collect();
        if let Some(tail) = query.get("tailLines").and_then(|t| t.parse::<usize>().ok()) {
            let skip = lines.len().saturating_sub(tail);
            lines.drain(..skip);
        }
        let mut text: String = lines.iter().map(|l| l.render(timestamps)).collect();
        let limit = query
            .get("limitBytes")
            .and_then(|l| l.parse::<usize>().ok());
        if let Some(limit) = limit {
            text.truncate(floor_char_boundary(&text, limit));
        }
        let Some(feed) = read.follow.filter(|_| limit.is_none()) else {
            return Ok(text_response(text));
        };
        let head = futures::stream::once(async move { Ok::<_, std::convert::Infallible>(text) });
        let tail = futures::stream::unfold(feed, move |mut feed| async move {
            loop {
                match feed.recv().await {
                    Ok(line) => return Some((Ok(line.render(timestamps)), feed)),
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => return None,
                }
            }
        });
        let mut response = Body::from_stream(head.chain(tail)).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            header::HeaderValue::from_static("text/plain"),
        );
        Ok(response)
    }

    /// `POST pods/NAME/binding` (and `POST bindings`): assigns the pod to a node.
    pub fn bind_pod(
        &self,
        namespace: &str,
        body: &Value,
        path_name: Option<&str>,
    ) -> Result<Value> {
        let name = path_name
            .or(body["metadata"]["name"].as_str())
            .unwrap_or_default()
            .to_string();
        let node = body["target"]["name"].as_str().unwrap_or_default();
        if node.is_empty() {
            return Err(ApiError::invalid(
                crate::resources::for_kind("v1", "Binding")
                    .unwrap_or(&crate::resources::BUILTIN[0]),
                &name,
                vec![crate::status::Cause {
                    reason: "FieldValueRequired",
                    message: "Required value".into(),
                    field: "target.name".into(),
                }],
            ));
        }
        let key = Key::new("", "pods", namespace, &name);
        let pod = self
            .store
            .get(&key)
            .map_err(|_| ApiError::new(404, "NotFound", format!("pods \"{name}\" not found")))?;
        if let Some(current) = pod["spec"]["nodeName"].as_str().filter(|n| !n.is_empty()) {
            return Err(ApiError {
                details: Some(json!({"name": name, "kind": "pods/binding"})),
                ..ApiError::new(
                    409,
                    "Conflict",
                    format!(
                        "Operation cannot be fulfilled on pods/binding \"{name}\": pod {name} is already assigned to node \"{current}\""
                    ),
                )
            });
        }
        crate::scheduling::bind(&self.store, &pod, node)
            .map_err(|e| ApiError::internal(e.to_string()))?;
        Ok(
            json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": 201}),
        )
    }

    /// `POST pods/NAME/eviction`: deletes the pod unless a PodDisruptionBudget forbids it.
    pub fn evict_pod(&self, target: &Target, query: &Query, body: &Value) -> Result<Value> {
        let (_, pod) = self.pod(target)?;
        let namespace = target.namespace.as_deref().unwrap_or_default();
        let labels = &pod["metadata"]["labels"];
        let pods = self.store.list("", "pods", Some(namespace), None).0;
        for (_, pdb) in self
            .store
            .list("policy", "poddisruptionbudgets", Some(namespace), None)
            .0
        {
            let selector = &pdb["spec"]["selector"];
            if !crate::labels::selector_selects(selector, labels) {
                continue;
            }
            let covered: Vec<&Arc<Value>> = pods
                .iter()
                .map(|(_, p)| p)
                .filter(|p| crate::labels::selector_selects(selector, &p["metadata"]["labels"]))
                .collect();
            let expected = covered.len() as i64;
            let healthy = covered.iter().filter(|p| crate::pods::is_ready(p)).count() as i64;
            let resolve = |v: &Value| -> Option<i64> {
                match v {
                    Value::Number(n) => n.as_i64(),
                    Value::String(s) => s
                        .strip_suffix('%')
                        .and_then(|p| p.parse::<i64>().ok())
                        .map(|p| (p * expected + 99) / 100),
                    _ => None,
                }
            };
            let desired = match (
                resolve(&pdb["spec"]["minAvailable"]),
                resolve(&pdb["spec"]["maxUnavailable"]),
            ) {
                (Some(min), _) => min,
                (None, Some(max)) => expected - max,
                (None, None) => 0,
            };
            if healthy - 1 < desired && crate::pods::is_ready(&pod) {
                let pdb_name = pdb["metadata"]["name"].as_str().unwrap_or_default();
                return Err(ApiError {
                    details: Some(
                        json!({"causes": [{"reason": "DisruptionBudget", "message": format!(
                            "The disruption budget {pdb_name} needs {desired} healthy pods and has {healthy} currently"
                        )}]}),
                    ),
                    ..ApiError::new(
                        429,
                        "TooManyRequests",
                        "Cannot evict pod as it would violate the pod's disruption budget.",
                    )
                });
            }
        }
        let options = body.get("deleteOptions").cloned().unwrap_or(Value::Null);
        self.delete(target, query, &options)?;
        Ok(
            json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": 201}),
        )
    }
}

fn text_response(text: String) -> Response {
    (StatusCode::OK, [(header::CONTENT_TYPE, "text/plain")], text).into_response()
}

/// The largest index ≤ `at` on a character boundary.
fn floor_char_boundary(text: &str, at: usize) -> usize {
    let mut i = at.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

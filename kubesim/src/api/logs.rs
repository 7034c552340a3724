//! `pods/NAME/log`, which reaches the node: container choice, `previous`, `follow`,
//! `tailLines`, `sinceSeconds`, `timestamps`, `limitBytes`, with kube-apiserver's
//! errors.

use super::server::ApiServer;
use crate::registry::{Params, Target};
use crate::runtime::ContainerKey;
use crate::runtime::logs::LogLine;
use crate::status::{ApiError, Result};
use axum::body::Body;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use serde_json::Value;

impl ApiServer {
    /// `GET pods/NAME/log`.
    pub fn pod_log(&self, target: &Target, params: &Params) -> Result<Response> {
        let pod = self.registry.pod(target)?;
        let name = target.name()?;
        let names: Vec<&str> = ["initContainers", "containers"]
            .iter()
            .flat_map(|f| pod["spec"][*f].as_array().into_iter().flatten())
            .filter_map(|c| c["name"].as_str())
            .collect();
        let container = match params.get("container") {
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
        let previous = params.flag("previous");
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
        let follow = params.flag("follow");
        let Some(read) = self
            .runtime
            .logs(&ContainerKey::new(uid, container), previous, follow)
        else {
            return Ok(text_response(String::new()));
        };
        let timestamps = params.flag("timestamps");
        let now = self.store.clock().now();
        let since = params
            .get("sinceSeconds")
            .and_then(|s| s.parse::<i64>().ok())
            .and_then(|s| now.checked_sub(jiff::SignedDuration::from_secs(s)).ok());
        let mut lines: Vec<&LogLine> = read
            .lines
            .iter()
            .filter(|l| since.is_none_or(|s| l.time >= s))
            .collect();
        if let Some(tail) = params
            .get("tailLines")
            .and_then(|t| t.parse::<usize>().ok())
        {
            let skip = lines.len().saturating_sub(tail);
            lines.drain(..skip);
        }
        let mut text: String = lines.iter().map(|l| l.render(timestamps)).collect();
        let limit = params
            .get("limitBytes")
            .and_then(|l| l.parse::<usize>().ok());
        if let Some(limit) = limit {
            text.truncate(text.floor_char_boundary(limit));
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
}

fn text_response(text: String) -> Response {
    (StatusCode::OK, [(header::CONTENT_TYPE, "text/plain")], text).into_response()
}

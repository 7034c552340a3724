//! The workspace HTTP API the lesson page, the browser tests and scripts use. Documented
//! in `docs/api.md`; keep the two in step.
//!
//! - `POST /api/workspace/apply[?dryRun=true][&lesson=COURSE/SLUG]` — body: YAML or JSON
//!   manifests → one result per document.
//! - `GET /api/workspace/objects` — the workspace's objects by short namespace.
//! - `DELETE /api/workspace` — reset: every workspace namespace deleted.
//!
//! State-changing requests from another Origin are refused (403), so a page elsewhere
//! cannot act with an attendee's cookie.

use crate::routes::AppState;
use crate::workshop::{Attendee, Workshop};
use crate::workspace::{apply, view};
use app::model::live::ObjectView;
use axum::Json;
use axum::extract::{Query, Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use kube::api::{Api, DynamicObject, ListParams};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::Arc;

/// The largest request body read (our own budgets then refuse anything over 512 KiB with
/// a clear message; past this, the server answers 413).
pub const MAX_BODY: usize = 16 * 1024 * 1024;

fn error(status: StatusCode, message: impl Into<String>) -> Response {
    (status, Json(json!({"error": message.into()}))).into_response()
}

/// Refuses state-changing requests whose Origin (or Fetch metadata) says another site.
pub async fn same_origin(request: Request, next: Next) -> Response {
    let changing = !matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if changing && cross_site(request.headers()) {
        return error(
            StatusCode::FORBIDDEN,
            "requests from another site may not change your workspace",
        );
    }
    next.run(request).await
}

fn cross_site(headers: &HeaderMap) -> bool {
    let value = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if value("sec-fetch-site").is_some_and(|s| s == "cross-site" || s == "same-site") {
        return true;
    }
    match (value("origin"), value(header::HOST.as_str())) {
        (Some(origin), Some(host)) => {
            let origin_host = origin.split("://").nth(1).unwrap_or(origin);
            origin == "null" || origin_host != host
        }
        (Some(_), None) => true,
        (None, _) => false,
    }
}

#[derive(Debug, Deserialize)]
pub struct ApplyQuery {
    #[serde(rename = "dryRun", default)]
    dry_run: bool,
    /// `COURSE/SLUG` of the lesson whose namespaces the manifests use.
    lesson: Option<String>,
}

/// The short namespaces a lesson declares (none when unknown).
fn lesson_namespaces(state: &AppState, lesson: Option<&str>) -> Vec<String> {
    let Some((course, slug)) = lesson.and_then(|l| l.split_once('/')) else {
        return vec!["default".into()];
    };
    state
        .library
        .lesson(course, slug)
        .map_or_else(|| vec!["default".into()], |l| l.front.namespaces.clone())
}

/// `POST /api/workspace/apply`.
pub async fn apply_manifests(
    State(state): State<AppState>,
    Attendee(attendee): Attendee,
    Query(query): Query<ApplyQuery>,
    body: String,
) -> Response {
    let workshop: &Arc<Workshop> = &state.workshop;
    if let Err(e) = workshop.touch(&attendee).await {
        return error(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("recording the attendee: {e}"),
        );
    }
    let workspace = workshop.workspace(&attendee);
    let namespaces = lesson_namespaces(&state, query.lesson.as_deref());
    let report = apply::apply(
        &workspace,
        &state.kube,
        &workshop.kinds,
        &body,
        &namespaces,
        query.dry_run,
    )
    .await;
    report_response(report)
}

/// A pipeline's answer: 200 when every document went through, 422 when one was refused,
/// 400 when the text itself was (with its document and line).
fn report_response(
    report: Result<apply::Report, crate::workspace::documents::DocumentError>,
) -> Response {
    match report {
        Ok(report) => {
            let refused = report.results.iter().any(|r| r.error.is_some());
            let status = if refused {
                StatusCode::UNPROCESSABLE_ENTITY
            } else {
                StatusCode::OK
            };
            (status, Json(report)).into_response()
        }
        Err(refused) => {
            let body = json!({
                "error": refused.message, "document": refused.document, "line": refused.line,
            });
            (StatusCode::BAD_REQUEST, Json(body)).into_response()
        }
    }
}

/// `GET /api/workspace/objects`: what the attendee made, by short namespace, with status.
pub async fn objects(State(state): State<AppState>, Attendee(attendee): Attendee) -> Response {
    let workspace = state.workshop.workspace(&attendee);
    let namespaces = match workspace.namespaces(&state.kube).await {
        Ok(n) => n,
        Err(e) => return error(StatusCode::BAD_GATEWAY, e.to_string()),
    };
    let mut by_namespace: BTreeMap<String, Vec<ObjectView>> = BTreeMap::new();
    for (short, real) in namespaces {
        let mut objects = Vec::new();
        for resource in view::kinds() {
            let api: Api<DynamicObject> =
                Api::namespaced_with(state.kube.clone(), &real, &resource);
            let Ok(list) = api.list(&ListParams::default()).await else {
                continue;
            };
            for object in list.items {
                let value = serde_json::to_value(&object).unwrap_or_default();
                if !view::is_workshop_own(&resource.kind, &value) {
                    objects.push(view::summary(&resource.kind, &short, &value));
                }
            }
        }
        by_namespace.insert(short, objects);
    }
    Json(json!({"namespaces": by_namespace})).into_response()
}

/// `GET /api/workspace/object/{namespace}/{kind}/{name}`: one object of the workspace as
/// `kubectl get -o yaml` shows it (without managedFields), for the objects panel.
pub async fn object_yaml(
    State(state): State<AppState>,
    Attendee(attendee): Attendee,
    axum::extract::Path((short, kind, name)): axum::extract::Path<(String, String, String)>,
) -> Response {
    let Some(resource) = view::kinds().into_iter().find(|r| r.kind == kind) else {
        return error(
            StatusCode::NOT_FOUND,
            format!("the objects panel does not show {kind}"),
        );
    };
    let workspace = state.workshop.workspace(&attendee);
    let api: Api<DynamicObject> =
        Api::namespaced_with(state.kube.clone(), &workspace.namespace(&short), &resource);
    match api.get_opt(&name).await {
        Ok(Some(mut object)) => {
            object.metadata.managed_fields = None;
            match serde_yaml::to_string(&object) {
                Ok(yaml) => Json(json!({"yaml": yaml})).into_response(),
                Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
            }
        }
        Ok(None) => error(
            StatusCode::NOT_FOUND,
            format!("{kind} \"{name}\" is not in your namespace \"{short}\""),
        ),
        Err(e) => error(StatusCode::BAD_GATEWAY, e.to_string()),
    }
}

/// `POST /api/workspace/delete[?lesson=COURSE/SLUG]` — body: the manifests whose objects
/// to delete.
pub async fn delete_manifests(
    State(state): State<AppState>,
    Attendee(attendee): Attendee,
    Query(query): Query<ApplyQuery>,
    body: String,
) -> Response {
    let workshop: &Arc<Workshop> = &state.workshop;
    let workspace = workshop.workspace(&attendee);
    let namespaces = lesson_namespaces(&state, query.lesson.as_deref());
    report_response(
        apply::delete(&workspace, &state.kube, &workshop.kinds, &body, &namespaces).await,
    )
}

/// `GET /api/workspace/try/{namespace}/{service}/{port}/{*path}` — "try the app": an HTTP
/// GET to a Service of the workspace through the API server's service proxy, answered as
/// `{"status", "contentType", "body"}` (the app's status, not this request's).
pub async fn try_app(
    State(state): State<AppState>,
    Attendee(attendee): Attendee,
    axum::extract::Path((namespace, service, port, path)): axum::extract::Path<(
        String,
        String,
        String,
        String,
    )>,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
) -> Response {
    try_service(&state, &attendee, &namespace, &service, &port, &path, query).await
}

/// `GET /api/workspace/try/{namespace}/{service}/{port}/`: the app's root path.
pub async fn try_app_root(
    State(state): State<AppState>,
    Attendee(attendee): Attendee,
    axum::extract::Path((namespace, service, port)): axum::extract::Path<(String, String, String)>,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
) -> Response {
    try_service(&state, &attendee, &namespace, &service, &port, "", query).await
}

async fn try_service(
    state: &AppState,
    attendee: &str,
    namespace: &str,
    service: &str,
    port: &str,
    path: &str,
    query: Option<String>,
) -> Response {
    let workspace = state.workshop.workspace(attendee);
    let safe = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if !safe(namespace) || !safe(service) || !safe(port) {
        return error(
            StatusCode::BAD_REQUEST,
            "namespace, service and port are names or numbers",
        );
    }
    let mut uri = format!(
        "/api/v1/namespaces/{}/services/{service}:{port}/proxy/{}",
        workspace.namespace(namespace),
        path.trim_start_matches('/')
    );
    if let Some(q) = query.filter(|q| !q.is_empty()) {
        uri = format!("{uri}?{q}");
    }
    let request = match http::Request::get(&uri).body(Vec::new()) {
        Ok(r) => r,
        Err(e) => return error(StatusCode::BAD_REQUEST, e.to_string()),
    };
    match state.kube.send(request.map(kube::client::Body::from)).await {
        Ok(response) => {
            let status = response.status().as_u16();
            let content_type = response
                .headers()
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string();
            let bytes = match http_body_util::BodyExt::collect(response.into_body()).await {
                Ok(collected) => collected.to_bytes(),
                Err(e) => return error(StatusCode::BAD_GATEWAY, e.to_string()),
            };
            let mut body = String::from_utf8_lossy(&bytes).into_owned();
            // The API server's refusals are Status objects: show their message.
            if let Ok(status_object) = serde_json::from_str::<Value>(&body)
                && status_object["kind"] == "Status"
                && let Some(message) = status_object["message"].as_str()
            {
                body = message.to_string();
            }
            body.truncate(64 * 1024);
            Json(json!({"status": status, "contentType": content_type, "body": body}))
                .into_response()
        }
        Err(e) => error(StatusCode::BAD_GATEWAY, e.to_string()),
    }
}

#[derive(Debug, Deserialize)]
pub struct DraftQuery {
    lesson: String,
    pane: Option<String>,
}

/// `GET /api/drafts?lesson=COURSE/SLUG`: the attendee's edited panes.
pub async fn drafts(
    State(state): State<AppState>,
    Attendee(attendee): Attendee,
    Query(query): Query<DraftQuery>,
) -> Response {
    match state.workshop.drafts(&attendee, &query.lesson).await {
        Ok(panes) => {
            Json(json!({"panes": panes.into_iter().collect::<BTreeMap<_, _>>()})).into_response()
        }
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    }
}

/// `PUT /api/drafts?lesson=…&pane=…` (body: the text) saves a pane; `DELETE` forgets it.
pub async fn save_draft(
    State(state): State<AppState>,
    Attendee(attendee): Attendee,
    Query(query): Query<DraftQuery>,
    method: Method,
    body: String,
) -> Response {
    let Some(pane) = query.pane.filter(|p| !p.is_empty()) else {
        return error(StatusCode::BAD_REQUEST, "the pane parameter names the pane");
    };
    if body.len() > 512 * 1024 {
        return error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "a pane holds at most 512 KiB",
        );
    }
    let text = (method == Method::PUT).then_some(body.as_str());
    match state
        .workshop
        .save_draft(&attendee, &query.lesson, &pane, text)
        .await
    {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    }
}

/// `GET /api/progress`: the steps the attendee completed, by lesson.
pub async fn progress(State(state): State<AppState>, Attendee(attendee): Attendee) -> Response {
    match state.workshop.progress(&attendee).await {
        Ok(rows) => {
            let mut lessons: BTreeMap<String, Vec<i64>> = BTreeMap::new();
            for (lesson, step) in rows {
                lessons.entry(lesson).or_default().push(step);
            }
            Json(json!({"lessons": lessons})).into_response()
        }
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    }
}

/// `DELETE /api/workspace`: deletes the workspace's namespaces.
pub async fn reset(State(state): State<AppState>, Attendee(attendee): Attendee) -> Response {
    let workspace = state.workshop.workspace(&attendee);
    match workspace.reset(&state.kube).await {
        Ok(deleted) => Json(json!({"deletedNamespaces": deleted})).into_response(),
        Err(e) => error(StatusCode::BAD_GATEWAY, e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn other_origins_are_cross_site() {
        let headers = |pairs: &[(&'static str, &str)]| {
            let mut h = HeaderMap::new();
            for (k, v) in pairs {
                h.insert(*k, v.parse().expect("value"));
            }
            h
        };
        assert!(!cross_site(&headers(&[
            ("host", "localhost:3000"),
            ("origin", "http://localhost:3000")
        ])));
        assert!(cross_site(&headers(&[
            ("host", "localhost:3000"),
            ("origin", "https://evil.example")
        ])));
        assert!(cross_site(&headers(&[
            ("host", "localhost:3000"),
            ("sec-fetch-site", "cross-site")
        ])));
        assert!(
            !cross_site(&headers(&[("host", "localhost:3000")])),
            "curl sends no Origin"
        );
    }
}

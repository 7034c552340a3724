//! "Try the app": an HTTP GET to a Service of the workspace through the API server's
//! service proxy, answered as `{"status", "contentType", "body"}` (the app's status, not
//! this request's) — how attendees see `/configmap`, `/secret` and `/api-access` without
//! a terminal. What it answered is kept for the lesson checks on Try the app.

use super::error::AppError;
use crate::sessions::Working;
use crate::state::AppState;
use app::content::outcome::{Answer, Source, try_subject};
use app::model::api::TryAnswer;
use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, header};
use serde_json::Value;

/// Bytes of the app's answer shown.
const SHOWN: usize = 64 * 1024;

/// `GET /api/workspace/try/{namespace}/{service}/{port}/{*path}`.
pub async fn try_path(
    State(state): State<AppState>,
    Working(attendee): Working,
    Path((namespace, service, port, path)): Path<(String, String, String, String)>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Json<TryAnswer>, AppError> {
    let target = Target {
        namespace,
        service,
        port,
    };
    let lesson = lesson(&state, &headers);
    ask(&state, (&attendee, lesson), &target, &path, query)
        .await
        .map(Json)
}

/// `GET /api/workspace/try/{namespace}/{service}/{port}/`: the app's root path.
pub async fn try_root(
    State(state): State<AppState>,
    Working(attendee): Working,
    Path(target): Path<Target>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Json<TryAnswer>, AppError> {
    let lesson = lesson(&state, &headers);
    ask(&state, (&attendee, lesson), &target, "", query)
        .await
        .map(Json)
}

/// The lesson the page asks from (`Kubeclass-Lesson: course/slug`), if it is one: its
/// checks judge the answer.
fn lesson<'a>(state: &AppState, headers: &'a HeaderMap) -> &'a str {
    headers
        .get(app::model::api::LESSON_HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|id| state.lesson(id).is_some())
        .unwrap_or_default()
}

/// The Service tried: its short namespace, name and port (number or name).
#[derive(Debug, serde::Deserialize)]
pub struct Target {
    pub namespace: String,
    pub service: String,
    pub port: String,
}

/// Asks the Service for `path` (and `query`) as the attendee, and keeps the answer for
/// the checks of `lesson` (`course/slug`; empty: none). The lessons' rehearsal asks
/// this way too.
pub async fn ask(
    state: &AppState,
    (attendee, lesson): (&str, &str),
    target: &Target,
    path: &str,
    query: Option<String>,
) -> Result<TryAnswer, AppError> {
    let safe = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if ![&target.namespace, &target.service, &target.port]
        .into_iter()
        .all(|s| safe(s))
    {
        return Err(AppError::BadRequest(
            "namespace, service and port are names or numbers".into(),
        ));
    }
    let workspace = state.workspace(attendee);
    let mut uri = format!(
        "/api/v1/namespaces/{}/services/{}:{}/proxy/{}",
        workspace.namespace(&target.namespace),
        target.service,
        target.port,
        path.trim_start_matches('/')
    );
    if let Some(q) = query.filter(|q| !q.is_empty()) {
        uri = format!("{uri}?{q}");
    }
    let request = http::Request::get(&uri)
        .body(Vec::new())
        .map_err(|e| AppError::BadRequest(format!("not a path the proxy can take: {e}")))?;
    let response = state
        .tenant(&workspace)
        .send(request.map(kube::client::Body::from))
        .await?;
    let status = response.status().as_u16();
    let failed = !(200..400).contains(&status) && status != 404;
    let simulated = failed && !state.runs_containers().await;
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let bytes = http_body_util::BodyExt::collect(response.into_body())
        .await
        .map_err(|e| AppError::Cluster(format!("the app's answer broke off: {e}")))?
        .to_bytes();
    let mut body = String::from_utf8_lossy(&bytes).into_owned();
    // The API server's refusals are Status objects: show their message.
    if let Ok(status_object) = serde_json::from_str::<Value>(&body)
        && status_object["kind"] == "Status"
        && let Some(message) = status_object["message"].as_str()
    {
        body = message.to_string();
    }
    if simulated {
        body = format!("{body} ({})", crate::cluster::NO_CONTAINERS);
    }
    body.truncate(body.floor_char_boundary(SHOWN));
    let answer = Answer {
        source: Source::Try,
        subject: try_subject(&target.namespace, &target.service, path),
        code: status.into(),
        text: body.clone(),
    };
    state.db.keep_answer(attendee, lesson, &answer).await?;
    Ok(TryAnswer {
        status,
        content_type: Some(content_type.unwrap_or_default()),
        body,
    })
}

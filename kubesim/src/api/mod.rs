//! The HTTP face of the cluster: one handler that parses the path, then serves discovery,
//! health or a verb on a resource. The same router answers in-process (as the tower
//! service behind [`crate::Cluster::client`]) and over a socket.

mod discovery;
mod objects;
mod path;
mod query;
mod selectors;
pub mod status;
mod watch;

use crate::store::Store;
use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use path::Route;
use query::Query;
use serde_json::Value;
use status::{ApiError, Result};
use std::sync::Arc;

/// The API server: the store and everything that answers requests about it.
#[derive(Debug)]
pub struct ApiServer {
    store: Arc<Store>,
}

impl ApiServer {
    /// An API server over `store`.
    pub fn new(store: Arc<Store>) -> Arc<ApiServer> {
        Arc::new(ApiServer { store })
    }
}

/// The router for every API path.
pub fn router(api: Arc<ApiServer>) -> Router {
    Router::new().fallback(handle).with_state(api)
}

async fn handle(State(api): State<Arc<ApiServer>>, request: Request) -> Response {
    let (method, uri) = (request.method().clone(), request.uri().clone());
    let response = match serve(&api, request).await {
        Ok(response) => response,
        Err(e) => e.into_response(),
    };
    tracing::debug!(%method, %uri, status = response.status().as_u16(), "request");
    response
}

fn json(status: StatusCode, value: Value) -> Response {
    (status, axum::Json(value)).into_response()
}

async fn serve(api: &Arc<ApiServer>, request: Request) -> Result<Response> {
    let (parts, body) = request.into_parts();
    let route = path::parse(parts.uri.path())?;
    let query = Query::parse(parts.uri.query());
    let aggregated = accepts_aggregated(&parts.headers);
    let ok = |value| Ok(json(StatusCode::OK, value));
    match route {
        Route::Version => ok(discovery::version()),
        Route::Health => Ok("ok".into_response()),
        Route::LegacyVersions if aggregated => Ok(aggregated_response(discovery::aggregated(true))),
        Route::LegacyVersions => ok(discovery::legacy_versions()),
        Route::Groups if aggregated => Ok(aggregated_response(discovery::aggregated(false))),
        Route::Groups => ok(discovery::groups()),
        Route::Group(group) => {
            discovery::group(&group).map_or_else(|| Err(ApiError::no_route()), ok)
        }
        Route::GroupVersion { group, version } => {
            discovery::resource_list(&group, &version).map_or_else(|| Err(ApiError::no_route()), ok)
        }
        Route::Resource(target) => {
            let method = parts.method.clone();
            let content_type = parts
                .headers
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string();
            let body = read_body(body).await?;
            let manager = field_manager(&query, &parts.headers);
            match (method, target.name.is_some()) {
                (Method::GET, true) => ok(api.get(&target)?),
                (Method::GET, false) if query.flag("watch") => api.watch(&target, &query),
                (Method::GET, false) => ok(api.list(&target, &query)?),
                (Method::POST, false) => {
                    let (status, object) = api.create(
                        &target,
                        &query,
                        Some(&manager),
                        decode(&content_type, &body)?,
                    )?;
                    Ok(json(status, object))
                }
                (Method::PUT, true) => {
                    ok(api.update(&target, &query, &manager, decode(&content_type, &body)?)?)
                }
                (Method::PATCH, true) => {
                    let (status, object) =
                        api.patch(&target, &query, &manager, &content_type, &body)?;
                    Ok(json(status, object))
                }
                (Method::DELETE, true) => {
                    ok(api.delete(&target, &query, &delete_options(&content_type, &body)?)?)
                }
                (Method::DELETE, false) => ok(api.delete_collection(
                    &target,
                    &query,
                    &delete_options(&content_type, &body)?,
                )?),
                (method, _) => Err(ApiError::method_not_allowed(
                    method.as_str(),
                    target.resource,
                )),
            }
        }
    }
}

/// Who is writing: `fieldManager`, else the User-Agent's product name, as kube-apiserver
/// derives it.
fn field_manager(query: &Query, headers: &HeaderMap) -> String {
    if let Some(m) = query.get("fieldManager") {
        return m.to_string();
    }
    let agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("unknown");
    agent
        .split('/')
        .next()
        .filter(|s| !s.is_empty())
        .unwrap_or("unknown")
        .to_string()
}

fn accepts_aggregated(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| {
            accept.contains("as=APIGroupDiscoveryList") && accept.contains("v=v2")
        })
}

fn aggregated_response(value: Value) -> Response {
    let mut response = json(StatusCode::OK, value);
    if let Ok(v) = discovery::AGGREGATED_MEDIA_TYPE.parse() {
        response.headers_mut().insert(header::CONTENT_TYPE, v);
    }
    response
}

async fn read_body(body: Body) -> Result<Vec<u8>> {
    axum::body::to_bytes(body, objects::MAX_BODY)
        .await
        .map(|b| b.to_vec())
        .map_err(|_| ApiError::too_large())
}

/// Decodes a create or update body: JSON or YAML.
fn decode(content_type: &str, body: &[u8]) -> Result<Value> {
    let media = content_type.split(';').next().unwrap_or("").trim();
    match media {
        "application/json" | "" => serde_json::from_slice(body).map_err(|e| {
            ApiError::bad_request(format!("the object provided is unrecognized: {e}"))
        }),
        "application/yaml" => serde_yaml::from_slice(body).map_err(|e| {
            ApiError::bad_request(format!("the object provided is unrecognized: {e}"))
        }),
        _ => Err(ApiError::unsupported_media_type(
            "application/json, application/yaml",
        )),
    }
}

fn delete_options(content_type: &str, body: &[u8]) -> Result<Value> {
    if body.is_empty() {
        Ok(Value::Null)
    } else {
        decode(content_type, body)
    }
}

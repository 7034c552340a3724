//! The one handler every API path goes to: health first, then authentication and RBAC,
//! then discovery, OpenAPI, or a verb on a resource through the registry.

use super::discovery;
use super::path::{self, Route};
use super::request::{decode, delete_options, field_manager, read_body};
use super::response::{aggregated_response, json};
use super::table::request::{maybe_table, table_request};
use crate::auth::rbac::{Attributes, Authorizer};
use crate::auth::{self, Tokens, UserInfo};
use crate::registry::{Params, Registry, RequestContext};
use crate::runtime::Runtime;
use crate::status::{ApiError, Result};
use crate::store::Store;
use axum::Router;
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

/// The API server: the registry and everything that answers requests about it.
#[derive(Debug)]
pub struct ApiServer {
    pub(super) registry: Arc<Registry>,
    pub(super) store: Arc<Store>,
    pub(super) tokens: Arc<Tokens>,
    pub(super) rbac: Authorizer,
    pub(super) runtime: Arc<Runtime>,
}

impl ApiServer {
    /// An API server over `registry`, accepting the tokens in `tokens`, reaching the
    /// containers in `runtime` (logs, proxy, metrics).
    pub fn new(
        registry: Arc<Registry>,
        tokens: Arc<Tokens>,
        runtime: Arc<Runtime>,
    ) -> Arc<ApiServer> {
        let store = registry.store().clone();
        Arc::new(ApiServer {
            rbac: Authorizer::new(store.clone()),
            registry,
            store,
            tokens,
            runtime,
        })
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

/// The verb RBAC checks for a request.
fn verb(method: &Method, has_name: bool, watch: bool) -> &'static str {
    match (method.as_str(), has_name) {
        ("GET" | "HEAD", true) => "get",
        ("GET" | "HEAD", false) if watch => "watch",
        ("GET" | "HEAD", false) => "list",
        ("POST", _) => "create",
        ("PUT", _) => "update",
        ("PATCH", _) => "patch",
        ("DELETE", true) => "delete",
        ("DELETE", false) => "deletecollection",
        _ => "unknown",
    }
}

async fn serve(api: &Arc<ApiServer>, request: Request) -> Result<Response> {
    let (mut parts, body) = request.into_parts();
    let registry = &api.registry;
    let route = path::parse(parts.uri.path(), &|g: &str, v: &str, p: &str| {
        registry.find_resource(g, v, p)
    });
    if matches!(route, Ok(Route::Health)) {
        return Ok("ok".into_response());
    }
    let user = auth::authenticate(&api.tokens, &parts.headers, &api.rbac)?;
    let route = route?;
    let params = Params::parse(parts.uri.query());
    // A command in a pod, its output attached to, or its ports forwarded.
    let streams = |t: &crate::registry::Target| {
        t.resource.kind == "Pod"
            && matches!(
                t.subresource.as_deref(),
                Some("exec" | "attach" | "portforward")
            )
    };
    let attrs = match &route {
        Route::Resource(t) => Attributes::resource(
            verb(&parts.method, t.name.is_some(), params.flag("watch")),
            t.resource.group,
            t.resource.plural,
            t.subresource_kind().unwrap_or(""),
            t.namespace.as_deref().unwrap_or(""),
            t.name.as_deref().unwrap_or(""),
        ),
        _ => Attributes::non_resource("get", parts.uri.path()),
    };
    if !api.rbac.allows(&user, &attrs) {
        return Err(forbidden(&route, &attrs, &user));
    }
    // A command in a pod (or an attach) is also a `create` of its subresource, whatever
    // the method (the websocket's GET too), as kube-apiserver authorizes it since 1.31.
    if let Route::Resource(t) = &route
        && streams(t)
    {
        let create = Attributes {
            verb: "create".into(),
            ..attrs.clone()
        };
        if !api.rbac.allows(&user, &create) {
            return Err(forbidden(&route, &create, &user));
        }
    }
    let aggregated = accepts_aggregated(&parts.headers);
    let ok = |value| Ok(json(StatusCode::OK, value));
    match route {
        Route::Version => ok(discovery::version()),
        Route::Health => Ok("ok".into_response()),
        Route::OpenApiV2 => {
            let accept = parts
                .headers
                .get(header::ACCEPT)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            if accept.contains("protobuf") {
                let mut response = crate::openapi::v2_protobuf().to_vec().into_response();
                // kube-openapi answers the protobuf as an octet stream (Go cannot parse the
                // "@" of the media type kubectl asks with).
                if let Ok(v) = "application/octet-stream".parse() {
                    response.headers_mut().insert(header::CONTENT_TYPE, v);
                }
                Ok(response)
            } else {
                ok(crate::openapi::v2().clone())
            }
        }
        Route::OpenApiV3Index => ok(crate::openapi::v3_index(&registry.crds().with_schemas())),
        Route::OpenApiV3(gv) => crate::openapi::v3(&gv, &registry.crds().with_schemas())
            .map_or_else(|| Err(ApiError::no_route()), ok),
        Route::LegacyVersions if aggregated => Ok(aggregated_response(discovery::aggregated(
            true,
            &registry.all_resources(),
        ))),
        Route::LegacyVersions => ok(discovery::legacy_versions()),
        Route::Groups if aggregated => Ok(aggregated_response(discovery::aggregated(
            false,
            &registry.all_resources(),
        ))),
        Route::Groups => ok(discovery::groups(&registry.all_resources())),
        Route::Group(group) => discovery::group(&group, &registry.all_resources())
            .map_or_else(|| Err(ApiError::no_route()), ok),
        Route::GroupVersion { group, version } => {
            discovery::resource_list(&group, &version, &registry.all_resources())
                .map_or_else(|| Err(ApiError::no_route()), ok)
        }
        Route::Resource(target) if streams(&target) => {
            use axum::extract::FromRequestParts;
            let upgrade = WebSocketUpgrade::from_request_parts(&mut parts, &())
                .await
                .ok();
            match target.subresource.as_deref() {
                Some("attach") => api.attach(&target, parts.uri.query(), upgrade),
                Some("portforward") => api.port_forward(&target, upgrade),
                _ => api.exec(&target, parts.uri.query(), upgrade),
            }
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
            if let Some(response) = api.node_facing(
                &target,
                &method,
                &params,
                parts.uri.query(),
                &content_type,
                &body,
            )? {
                return Ok(response);
            }
            let mut ctx = RequestContext::new(params);
            ctx.user = Some(user.clone());
            if content_type.starts_with("application/json")
                || content_type.starts_with("application/apply-patch")
                || content_type.is_empty()
            {
                ctx.duplicates = super::duplicates::find(&body);
            }
            let manager = field_manager(&ctx.params, &parts.headers);
            let protobuf = parts
                .headers
                .get(header::ACCEPT)
                .and_then(|v| v.to_str().ok())
                .is_some_and(crate::protobuf::preferred);
            if let Some(answer) = api.special(&target, &method, &user, &content_type, &body)? {
                let response = json(StatusCode::CREATED, answer);
                return Ok(if protobuf {
                    super::response::in_protobuf(response).await
                } else {
                    response
                });
            }
            let headers = &parts.headers;
            let mut response = match (method, target.name.is_some()) {
                (Method::GET, true) => {
                    let object = registry.get(&target)?;
                    ok(maybe_table(
                        registry,
                        &target,
                        &ctx.params,
                        headers,
                        object,
                        false,
                    )?)
                }
                (Method::GET, false) if ctx.params.flag("watch") => api.watch(
                    &target,
                    &ctx.params,
                    table_request(&target, &ctx.params, headers)?,
                ),
                (Method::GET, false) => {
                    let list = registry.list(&target, &ctx.params)?;
                    ok(maybe_table(
                        registry,
                        &target,
                        &ctx.params,
                        headers,
                        list,
                        true,
                    )?)
                }
                (Method::POST, false) => {
                    let object = decode(&content_type, &body)?;
                    let created = registry.create(&target, &mut ctx, Some(&manager), object)?;
                    Ok(json(StatusCode::CREATED, created))
                }
                (Method::PUT, true) => {
                    let object = decode(&content_type, &body)?;
                    ok(registry.update(&target, &mut ctx, &manager, object)?)
                }
                (Method::PATCH, true) => {
                    let written =
                        registry.patch(&target, &mut ctx, &manager, &content_type, &body)?;
                    let status = if written.created {
                        StatusCode::CREATED
                    } else {
                        StatusCode::OK
                    };
                    Ok(json(status, written.object))
                }
                (Method::DELETE, true) => {
                    let options = delete_options(&content_type, &body)?;
                    ok(registry.delete(&target, &ctx.params, &options)?)
                }
                (Method::DELETE, false) => {
                    let options = delete_options(&content_type, &body)?;
                    ok(registry.delete_collection(&target, &ctx.params, &options)?)
                }
                (method, _) => Err(ApiError::method_not_allowed(
                    method.as_str(),
                    target.resource,
                )),
            }?;
            if protobuf && !ctx.params.flag("watch") {
                response = super::response::in_protobuf(response).await;
            }
            for warning in ctx.warnings {
                // RFC 7234 warn-code 299, as kube-apiserver sends them.
                let text = format!("299 - {}", serde_json::Value::String(warning));
                if let Ok(value) = text.parse() {
                    response.headers_mut().append(header::WARNING, value);
                }
            }
            Ok(response)
        }
    }
}

fn forbidden(route: &Route, attrs: &Attributes, user: &UserInfo) -> ApiError {
    let mut error = ApiError::plain_forbidden(attrs.forbidden_message(user));
    if let Route::Resource(t) = route {
        let mut details = serde_json::json!({"kind": t.resource.plural});
        if let Some(name) = &t.name {
            details["name"] = serde_json::json!(name);
        }
        if !t.resource.group.is_empty() {
            details["group"] = serde_json::json!(t.resource.group);
        }
        error.details = Some(details);
    }
    error
}

fn accepts_aggregated(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| {
            accept.contains("as=APIGroupDiscoveryList") && accept.contains("v=v2")
        })
}

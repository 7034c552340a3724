//! The HTTP face of the cluster: one handler that parses the path, then serves discovery,
//! health or a verb on a resource. The same router answers in-process (as the tower
//! service behind [`crate::Cluster::client`]) and over a socket.

mod delete;
mod discovery;
mod duplicates;
mod internal;
mod metrics;
mod objects;
mod path;
mod pods;
mod proxy;
mod query;
mod selectors;
mod table;
mod watch;

use crate::auth::rbac::{Attributes, Authorizer};
use crate::auth::{self, Tokens, UserInfo};
use crate::status::{ApiError, Result};
use crate::store::Store;
use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use path::Route;
use query::Query;
use serde_json::Value;
use std::sync::Arc;

/// The API server: the store and everything that answers requests about it.
#[derive(Debug)]
pub struct ApiServer {
    store: Arc<Store>,
    tokens: Arc<Tokens>,
    rbac: Authorizer,
    crds: crate::crd::Crds,
    runtime: Arc<crate::runtime::Runtime>,
}

impl ApiServer {
    /// An API server over `store`, accepting the tokens in `tokens`.
    pub fn new(
        store: Arc<Store>,
        tokens: Arc<Tokens>,
        runtime: Arc<crate::runtime::Runtime>,
    ) -> Arc<ApiServer> {
        let rbac = Authorizer::new(store.clone());
        let crds = crate::crd::Crds::default();
        // A durable store may already hold CRDs: serve them again.
        for (_, crd) in store
            .list(
                "apiextensions.k8s.io",
                "customresourcedefinitions",
                None,
                None,
            )
            .0
        {
            crds.register(&crd);
        }
        Arc::new(ApiServer {
            store,
            tokens,
            rbac,
            crds,
            runtime,
        })
    }

    /// Every resource served: the built-in ones and those CRDs define.
    fn all_resources(&self) -> Vec<&'static crate::resources::Resource> {
        let mut all = crate::resources::builtin();
        all.extend(self.crds.all());
        all
    }

    /// The resource at group/version/plural, built-in or custom.
    fn find_resource(
        &self,
        group: &str,
        version: &str,
        plural: &str,
    ) -> Option<&'static crate::resources::Resource> {
        crate::resources::find(group, version, plural)
            .or_else(|| self.crds.find(group, version, plural))
    }
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

impl IntoResponse for ApiError {
    /// The `Status` object with the error's HTTP code.
    fn into_response(self) -> Response {
        let code = StatusCode::from_u16(self.code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        (code, axum::Json(self.to_status())).into_response()
    }
}

fn json(status: StatusCode, value: Value) -> Response {
    (status, axum::Json(value)).into_response()
}

async fn serve(api: &Arc<ApiServer>, request: Request) -> Result<Response> {
    let (parts, body) = request.into_parts();
    let route = path::parse(parts.uri.path(), &|g: &str, v: &str, p: &str| {
        api.find_resource(g, v, p)
    });
    if matches!(route, Ok(Route::Health)) {
        return Ok("ok".into_response());
    }
    let user = auth::authenticate(&api.tokens, &parts.headers, &api.rbac)?;
    let route = route?;
    let query = Query::parse(parts.uri.query());
    let attrs = match &route {
        Route::Resource(t) => Attributes::resource(
            verb(&parts.method, t.name.is_some(), query.flag("watch")),
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
        Route::OpenApiV3Index => ok(crate::openapi::v3_index()),
        Route::OpenApiV3(gv) => {
            crate::openapi::v3(&gv).map_or_else(|| Err(ApiError::no_route()), ok)
        }
        Route::LegacyVersions if aggregated => Ok(aggregated_response(discovery::aggregated(
            true,
            &api.all_resources(),
        ))),
        Route::LegacyVersions => ok(discovery::legacy_versions()),
        Route::Groups if aggregated => Ok(aggregated_response(discovery::aggregated(
            false,
            &api.all_resources(),
        ))),
        Route::Groups => ok(discovery::groups(&api.all_resources())),
        Route::Group(group) => discovery::group(&group, &api.all_resources())
            .map_or_else(|| Err(ApiError::no_route()), ok),
        Route::GroupVersion { group, version } => {
            discovery::resource_list(&group, &version, &api.all_resources())
                .map_or_else(|| Err(ApiError::no_route()), ok)
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
                &query,
                parts.uri.query(),
                &content_type,
                &body,
            )? {
                return Ok(response);
            }
            if content_type.starts_with("application/json")
                || content_type.starts_with("application/apply-patch")
                || content_type.is_empty()
            {
                query.set_duplicates(duplicates::find(&body));
            }
            let manager = field_manager(&query, &parts.headers);
            if let Some(answer) = api.special(&target, &method, &user, &content_type, &body)? {
                return Ok(json(StatusCode::CREATED, answer));
            }
            let mut response = match (method, target.name.is_some()) {
                (Method::GET, true) => ok(api.maybe_table(
                    &target,
                    &query,
                    &parts.headers,
                    api.get(&target)?,
                    false,
                )?),
                (Method::GET, false) if query.flag("watch") => api.watch(
                    &target,
                    &query,
                    api.table_request(&target, &query, &parts.headers)?,
                ),
                (Method::GET, false) => ok(api.maybe_table(
                    &target,
                    &query,
                    &parts.headers,
                    api.list(&target, &query)?,
                    true,
                )?),
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
            }?;
            for warning in query.take_warnings() {
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

/// A request for `as=Table` output: the Table version and what each row carries.
#[derive(Debug, Clone)]
pub struct TableRequest {
    pub version: &'static str,
    pub include: String,
}

impl ApiServer {
    fn table_request(
        &self,
        target: &path::Target,
        query: &Query,
        headers: &HeaderMap,
    ) -> Result<Option<TableRequest>> {
        let accept = headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let Some(version) = table::requested(accept).filter(|_| target.subresource.is_none())
        else {
            return Ok(None);
        };
        let include = query.get("includeObject").unwrap_or("Metadata").to_string();
        if !matches!(include.as_str(), "None" | "Metadata" | "Object") {
            return Err(ApiError::bad_request(format!(
                "includeObject: Unsupported value: \"{include}\": supported values: \"None\", \"Metadata\", \"Object\""
            )));
        }
        Ok(Some(TableRequest { version, include }))
    }

    /// Converts a GET's answer into a Table when the client asked for one.
    fn maybe_table(
        &self,
        target: &path::Target,
        query: &Query,
        headers: &HeaderMap,
        value: Value,
        list: bool,
    ) -> Result<Value> {
        let Some(request) = self.table_request(target, query, headers)? else {
            return Ok(value);
        };
        let now = self.store.clock().now();
        let (objects, meta) = if list {
            (
                value["items"].as_array().cloned().unwrap_or_default(),
                value["metadata"].clone(),
            )
        } else {
            let rv = value["metadata"]["resourceVersion"].clone();
            (vec![value], serde_json::json!({"resourceVersion": rv}))
        };
        if let Some(columns) = self.crds.columns(target.resource) {
            return Ok(table::custom(
                &columns,
                request.version,
                &objects,
                meta,
                &request.include,
                true,
                now,
            ));
        }
        Ok(table::table(
            target.resource.kind,
            request.version,
            &objects,
            meta,
            &request.include,
            true,
            now,
        ))
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

impl ApiServer {
    /// Requests the nodes answer rather than the store: pod logs, bindings, evictions,
    /// the service and pod proxy, and metrics. `None` for everything else.
    fn node_facing(
        &self,
        target: &path::Target,
        method: &Method,
        query: &Query,
        raw_query: Option<&str>,
        content_type: &str,
        body: &[u8],
    ) -> Result<Option<Response>> {
        let kind = target.resource.kind;
        let created = |value| Ok(Some(json(StatusCode::CREATED, value)));
        match (kind, target.subresource_kind(), method) {
            ("Pod", Some("log"), &Method::GET) => self.pod_log(target, query).map(Some),
            ("Pod", Some("binding"), &Method::POST) => created(self.bind_pod(
                target.namespace.as_deref().unwrap_or_default(),
                &decode(content_type, body)?,
                target.name.as_deref(),
            )?),
            ("Binding", None, &Method::POST) => created(self.bind_pod(
                target.namespace.as_deref().unwrap_or_default(),
                &decode(content_type, body)?,
                None,
            )?),
            ("Pod", Some("eviction"), &Method::POST) => {
                created(self.evict_pod(target, query, &decode(content_type, body)?)?)
            }
            ("Pod" | "Service", Some("proxy"), _) => {
                self.proxy(target, method, raw_query).map(Some)
            }
            ("PodMetrics" | "NodeMetrics", None, &Method::GET) => {
                Ok(Some(json(StatusCode::OK, self.metrics(target, query)?)))
            }
            _ => Ok(None),
        }
    }

    /// Resources that are computed, not stored: the review APIs and ServiceAccount
    /// tokens. `None` for everything else.
    fn special(
        &self,
        target: &path::Target,
        method: &Method,
        user: &UserInfo,
        content_type: &str,
        body: &[u8],
    ) -> Result<Option<Value>> {
        let kind = target.resource.kind;
        let review = matches!(
            kind,
            "SelfSubjectAccessReview"
                | "SubjectAccessReview"
                | "LocalSubjectAccessReview"
                | "SelfSubjectRulesReview"
                | "SelfSubjectReview"
                | "TokenReview"
        );
        if review && *method == Method::POST {
            let body = decode(content_type, body)?;
            return auth::reviews::answer(
                kind,
                target.namespace.as_deref(),
                &body,
                user,
                &self.rbac,
            )
            .map(Some);
        }
        if kind == "ServiceAccount"
            && target.subresource_kind() == Some("token")
            && *method == Method::POST
        {
            return self.issue_token(target).map(Some);
        }
        Ok(None)
    }

    /// `POST serviceaccounts/NAME/token`: a bearer token for the ServiceAccount.
    fn issue_token(&self, target: &path::Target) -> Result<Value> {
        let name = target.name()?;
        let namespace = target.namespace.as_deref().unwrap_or_default();
        let key = crate::store::Key::new("", "serviceaccounts", namespace, name);
        self.store
            .get(&key)
            .map_err(|_| ApiError::not_found(target.resource, name))?;
        let token = format!(
            "kubesim-sa.{namespace}.{name}.{}{}",
            self.store.random_suffix(),
            self.store.random_suffix()
        );
        self.tokens
            .issue(token.clone(), UserInfo::service_account(namespace, name));
        let now = self.store.clock().now();
        let expires = crate::clock::format_time(
            now.checked_add(jiff::SignedDuration::from_secs(3600))
                .unwrap_or(now),
        );
        Ok(serde_json::json!({
            "apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest",
            "metadata": {"name": name, "namespace": namespace, "creationTimestamp": null},
            "spec": {"audiences": ["https://kubernetes.default.svc.cluster.local"], "expirationSeconds": 3600,
                "boundObjectRef": null},
            "status": {"token": token, "expirationTimestamp": expires},
        }))
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

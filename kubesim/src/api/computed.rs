//! Requests answered by computation rather than by the registry: the subresources that
//! reach the nodes (pod logs, binding, eviction, the service and pod proxy, metrics), the
//! review APIs, and ServiceAccount tokens.

use super::request::decode;
use super::response::json;
use super::server::ApiServer;
use crate::auth::{self, UserInfo};
use crate::registry::{Params, Target};
use crate::status::{ApiError, Result};
use axum::http::{Method, StatusCode};
use axum::response::Response;
use serde_json::Value;

impl ApiServer {
    /// Requests the nodes answer rather than the store: pod logs, bindings, evictions,
    /// the service and pod proxy, and metrics. `None` for everything else.
    pub(super) fn node_facing(
        &self,
        target: &Target,
        method: &Method,
        params: &Params,
        raw_query: Option<&str>,
        content_type: &str,
        body: &[u8],
    ) -> Result<Option<Response>> {
        let kind = target.resource.kind;
        let created = |value| Ok(Some(json(StatusCode::CREATED, value)));
        match (kind, target.subresource_kind(), method) {
            ("Pod", Some("log"), &Method::GET) => self.pod_log(target, params).map(Some),
            ("Pod", Some("binding"), &Method::POST) | ("Binding", None, &Method::POST) => {
                // `pods/NAME/binding` names the pod in the path, `bindings` in the body.
                let name = target.name.as_deref().filter(|_| kind == "Pod");
                let namespace = target.namespace.as_deref().unwrap_or_default();
                created(
                    self.registry
                        .bind_pod(namespace, &decode(content_type, body)?, name)?,
                )
            }
            ("Pod", Some("eviction"), &Method::POST) => created(self.registry.evict_pod(
                target,
                params,
                &decode(content_type, body)?,
            )?),
            ("Pod" | "Service", Some("proxy"), _) => {
                self.proxy(target, method, raw_query).map(Some)
            }
            ("PodMetrics" | "NodeMetrics", None, &Method::GET) => {
                Ok(Some(json(StatusCode::OK, self.metrics(target, params)?)))
            }
            _ => Ok(None),
        }
    }

    /// Resources that are computed, not stored: the review APIs and ServiceAccount
    /// tokens. `None` for everything else.
    pub(super) fn special(
        &self,
        target: &Target,
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
    fn issue_token(&self, target: &Target) -> Result<Value> {
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

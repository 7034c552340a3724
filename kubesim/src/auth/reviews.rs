//! The review APIs: SelfSubjectAccessReview (`kubectl auth can-i`), SubjectAccessReview,
//! LocalSubjectAccessReview, SelfSubjectRulesReview and SelfSubjectReview (`kubectl auth
//! whoami`). They answer from the same [`Authorizer`] that guards every request.

use super::rbac::{Attributes, Authorizer};
use super::user::UserInfo;
use crate::status::ApiError;
use serde_json::{Value, json};

/// Answers a POST to one of the review resources; `namespace` is the path's (for local
/// reviews). Returns the review with its `status` filled in.
pub fn answer(
    kind: &str,
    namespace: Option<&str>,
    body: &Value,
    caller: &UserInfo,
    rbac: &Authorizer,
) -> Result<Value, ApiError> {
    let spec = &body["spec"];
    let subject = match kind {
        "SubjectAccessReview" | "LocalSubjectAccessReview" => {
            let user = spec["user"].as_str().unwrap_or_default().to_string();
            let mut groups: Vec<String> = spec["groups"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect();
            if let Some(sa) = user
                .strip_prefix("system:serviceaccount:")
                .and_then(|r| r.split_once(':'))
            {
                groups.extend(UserInfo::service_account(sa.0, sa.1).groups);
            }
            UserInfo {
                username: user,
                groups,
            }
        }
        _ => caller.clone(),
    };
    let status = match kind {
        "SelfSubjectReview" => {
            return Ok(json!({
                "apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview",
                "metadata": {"creationTimestamp": null},
                "status": {"userInfo": {"username": subject.username, "groups": subject.groups}},
            }));
        }
        "SelfSubjectRulesReview" => {
            let ns = spec["namespace"].as_str().unwrap_or_default();
            let rules = if subject.is_master() {
                vec![json!({"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]})]
            } else {
                rbac.rules_for(&subject, ns)
            };
            let (resource_rules, non_resource): (Vec<Value>, Vec<Value>) = rules
                .into_iter()
                .partition(|r| r.get("nonResourceURLs").is_none());
            json!({"resourceRules": resource_rules, "nonResourceRules": non_resource, "incomplete": false})
        }
        _ => {
            let attrs = if let Some(r) = spec.get("resourceAttributes").filter(|r| r.is_object()) {
                let s = |k: &str| r[k].as_str().unwrap_or_default();
                let ns = if kind == "LocalSubjectAccessReview" {
                    namespace.unwrap_or_default()
                } else {
                    s("namespace")
                };
                Attributes::resource(
                    s("verb"),
                    s("group"),
                    s("resource"),
                    s("subresource"),
                    ns,
                    s("name"),
                )
            } else if let Some(n) = spec.get("nonResourceAttributes").filter(|r| r.is_object()) {
                Attributes::non_resource(
                    n["verb"].as_str().unwrap_or_default(),
                    n["path"].as_str().unwrap_or_default(),
                )
            } else {
                return Err(ApiError::bad_request(format!(
                    "{kind}: spec.resourceAttributes or spec.nonResourceAttributes is required"
                )));
            };
            let allowed = rbac.allows(&subject, &attrs);
            let mut status = json!({"allowed": allowed});
            if allowed {
                status["reason"] = json!(if subject.is_master() {
                    "allowed by the system:masters group".to_string()
                } else {
                    rbac.allowed_by(&subject, &attrs)
                        .unwrap_or_else(|| "RBAC: allowed by a role binding".into())
                });
            }
            status
        }
    };
    let mut review = body.clone();
    review["status"] = status;
    Ok(review)
}

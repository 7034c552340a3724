//! API errors as kube-apiserver writes them: a `Status` object with the HTTP code, the
//! machine-readable reason and the same message text, so clients (and learners) see
//! exactly what a real cluster would say.
//!
//! The error lives at the bottom of the crate, beside the resources it names, because
//! every layer raises it: validation and admission refuse objects, allocators run out of
//! addresses, RBAC forbids. The HTTP layer only turns it into a response.

use crate::resources::Resource;
use serde_json::{Value, json};

/// One field-level problem of an Invalid error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cause {
    /// `FieldValueRequired`, `FieldValueInvalid`, …
    pub reason: &'static str,
    /// `Required value`, `Invalid value: …`.
    pub message: String,
    /// The field path, e.g. `spec.containers[0].image`.
    pub field: String,
}

/// An error response.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{code} {reason}: {message}")]
pub struct ApiError {
    /// The HTTP status code.
    pub code: u16,
    /// The machine-readable reason (`NotFound`, `AlreadyExists`, `Invalid`, …).
    pub reason: &'static str,
    /// The message, worded as kube-apiserver words it.
    pub message: String,
    /// `details`: the object named, and an Invalid error's causes.
    pub details: Option<Value>,
}

/// Result alias for request handling.
pub type Result<T, E = ApiError> = std::result::Result<T, E>;

fn details(resource: &Resource, name: &str) -> Value {
    let mut d = json!({"name": name, "kind": resource.plural});
    if !resource.group.is_empty() {
        d["group"] = json!(resource.group);
    }
    d
}

impl ApiError {
    pub(crate) fn new(code: u16, reason: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            code,
            reason,
            message: message.into(),
            details: None,
        }
    }

    /// An error about one named object, with `details` naming it (as every error about
    /// an object carries).
    pub fn about(
        resource: &Resource,
        name: &str,
        code: u16,
        reason: &'static str,
        message: String,
    ) -> ApiError {
        ApiError {
            details: Some(details(resource, name)),
            ..Self::new(code, reason, message)
        }
    }

    /// `pods "web" not found`.
    pub fn not_found(resource: &Resource, name: &str) -> ApiError {
        let message = format!("{} \"{name}\" not found", resource.qualified_plural());
        Self::about(resource, name, 404, "NotFound", message)
    }

    /// `pods "web" already exists`.
    pub fn already_exists(resource: &Resource, name: &str) -> ApiError {
        let message = format!("{} \"{name}\" already exists", resource.qualified_plural());
        Self::about(resource, name, 409, "AlreadyExists", message)
    }

    /// The optimistic-concurrency conflict.
    pub fn conflict(resource: &Resource, name: &str) -> ApiError {
        Self::precondition_failed(
            resource,
            name,
            "the object has been modified; please apply your changes to the latest version and try again",
        )
    }

    /// A precondition (uid, resourceVersion in delete options) that does not hold.
    pub fn precondition_failed(resource: &Resource, name: &str, what: &str) -> ApiError {
        let message = format!(
            "Operation cannot be fulfilled on {} \"{name}\": {what}",
            resource.qualified_plural()
        );
        Self::about(resource, name, 409, "Conflict", message)
    }

    /// 422 with field causes: `Pod "web" is invalid: spec.containers: Required value`.
    pub fn invalid(resource: &Resource, name: &str, causes: Vec<Cause>) -> ApiError {
        // The message lists each distinct error once; causes keep them all.
        let mut lines: Vec<String> = Vec::new();
        for c in &causes {
            let line = format!("{}: {}", c.field, c.message);
            if !lines.contains(&line) {
                lines.push(line);
            }
        }
        let summary = if lines.len() == 1 {
            lines.remove(0)
        } else {
            format!("[{}]", lines.join(", "))
        };
        let kind_name = if resource.group.is_empty() {
            resource.kind.to_string()
        } else {
            format!("{}.{}", resource.kind, resource.group)
        };
        let mut d = json!({"name": name, "kind": resource.kind});
        if !resource.group.is_empty() {
            d["group"] = json!(resource.group);
        }
        d["causes"] = causes
            .iter()
            .map(|c| json!({"reason": c.reason, "message": c.message, "field": c.field}))
            .collect();
        ApiError {
            details: Some(d),
            ..Self::new(
                422,
                "Invalid",
                format!("{kind_name} \"{name}\" is invalid: {summary}"),
            )
        }
    }

    /// 401: no credentials, or ones the cluster did not issue.
    pub fn unauthorized() -> ApiError {
        Self::new(401, "Unauthorized", "Unauthorized")
    }

    /// 403 with a message already in full.
    pub fn plain_forbidden(message: String) -> ApiError {
        Self::new(403, "Forbidden", message)
    }

    /// 400.
    pub fn bad_request(message: impl Into<String>) -> ApiError {
        Self::new(400, "BadRequest", message)
    }

    /// 403 with the resource named, as admission and authorization write it.
    pub fn forbidden(resource: &Resource, name: &str, why: &str) -> ApiError {
        let subject = if name.is_empty() {
            resource.qualified_plural()
        } else {
            format!("{} \"{name}\"", resource.qualified_plural())
        };
        ApiError {
            details: Some(details(resource, name)),
            ..Self::new(403, "Forbidden", format!("{subject} is forbidden: {why}"))
        }
    }

    /// 404 for a path that names no resource at all.
    pub fn no_route() -> ApiError {
        ApiError {
            details: None,
            ..Self::new(
                404,
                "NotFound",
                "the server could not find the requested resource",
            )
        }
    }

    /// 405.
    pub fn method_not_allowed(method: &str, resource: &Resource) -> ApiError {
        Self::new(
            405,
            "MethodNotAllowed",
            format!(
                "{method} is not supported on resources of kind \"{}\"",
                resource.qualified_plural()
            ),
        )
    }

    /// 415, listing the media types that endpoint takes.
    pub fn unsupported_media_type(accepted: &str) -> ApiError {
        Self::new(
            415,
            "UnsupportedMediaType",
            format!(
                "the body of the request was in an unknown format - accepted media types include: {accepted}"
            ),
        )
    }

    /// 413.
    pub fn too_large() -> ApiError {
        Self::new(
            413,
            "RequestEntityTooLarge",
            "Request entity too large: limit is 3145728",
        )
    }

    /// 410: a watch or list from a version the history no longer holds.
    pub fn gone(requested: u64, oldest: u64) -> ApiError {
        Self::new(
            410,
            "Expired",
            format!("too old resource version: {requested} ({oldest})"),
        )
    }

    /// 500: a bug, said plainly.
    pub fn internal(message: impl Into<String>) -> ApiError {
        Self::new(500, "InternalError", message)
    }

    /// The `Status` object.
    pub fn to_status(&self) -> Value {
        let mut status = json!({
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
            "code": self.code,
        });
        if let Some(d) = &self.details {
            status["details"] = d.clone();
        }
        // An error that was no Status when it reached the API server's response writer
        // has reason Unknown, which is empty and left out.
        if self.reason.is_empty()
            && let Some(map) = status.as_object_mut()
        {
            map.remove("reason");
        }
        status
    }
}

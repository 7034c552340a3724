//! What a request addresses: a resource, and which of its objects (kube-apiserver's
//! `RequestInfo`). The HTTP layer parses it from the path; controllers build it to write
//! through the registry as the API would.

use crate::resources::Resource;
use crate::status::{ApiError, Result};

/// A resource, and which of its objects.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    /// The resource, built-in or defined by a CRD.
    pub resource: &'static Resource,
    /// The namespace in the path; `None` for cluster-scoped requests and lists across
    /// namespaces.
    pub namespace: Option<String>,
    /// The object's name; `None` for collections.
    pub name: Option<String>,
    /// `status`, `scale`, `log`, … (for `proxy`, the rest of the path follows after `/`).
    pub subresource: Option<String>,
}

impl Target {
    /// A collection of `resource` in `namespace` (what a create addresses).
    pub fn collection(resource: &'static Resource, namespace: Option<&str>) -> Target {
        Target {
            resource,
            namespace: namespace.map(str::to_string),
            name: None,
            subresource: None,
        }
    }

    /// The name, or an error when the path has none (a verb that needs one).
    pub fn name(&self) -> Result<&str> {
        self.name.as_deref().ok_or_else(ApiError::no_route)
    }

    /// The subresource's first segment (`proxy` for `proxy/healthz`).
    pub fn subresource_kind(&self) -> Option<&str> {
        self.subresource
            .as_deref()
            .map(|s| s.split('/').next().unwrap_or(s))
    }
}

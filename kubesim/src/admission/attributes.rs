//! What admission knows about a request, as kube-apiserver's `admission.Attributes`:
//! the resource, the object's namespace and name, and the store the plugins look things
//! up in (LimitRanges, quotas, namespace labels).

use crate::resources::Resource;
use crate::status::ApiError;
use crate::store::Store;

/// The request an admission plugin decides on.
#[derive(Debug, Clone, Copy)]
pub struct Attributes<'a> {
    /// The cluster's objects.
    pub store: &'a Store,
    /// The resource written.
    pub resource: &'a Resource,
    /// The object's namespace (`""` when cluster-scoped).
    pub namespace: &'a str,
    /// The object's name.
    pub name: &'a str,
}

impl Attributes<'_> {
    /// The 403 a plugin refuses the object with, naming it as kube-apiserver does.
    pub fn forbidden(&self, why: &str) -> ApiError {
        ApiError::forbidden(self.resource, self.name, why)
    }
}

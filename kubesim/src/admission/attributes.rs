//! What admission knows about a request, as kube-apiserver's `admission.Attributes`:
//! the operation, the resource, the object's namespace and name, the object as it was
//! before an update, and the store the plugins look things up in (LimitRanges, quotas,
//! namespace labels); and what a decision leaves besides a refusal.

use crate::resources::Resource;
use crate::status::ApiError;
use crate::store::Store;
use serde_json::Value;
use std::collections::BTreeMap;

/// What a request does to the object. Admission runs for both: an update, a patch or a
/// server-side apply of an existing object is an `Update`, and is held to the same
/// rules a create is (each plugin deciding, as kube-apiserver's do, what an update can
/// change that matters to it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    /// A new object (POST, or a server-side apply that creates).
    Create,
    /// A change to an existing object (PUT, PATCH, server-side apply, scale).
    Update,
}

impl Operation {
    /// The audit log's verb.
    pub fn verb(self) -> &'static str {
        match self {
            Operation::Create => "create",
            Operation::Update => "update",
        }
    }
}

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
    /// Create or update.
    pub operation: Operation,
    /// The stored object an update replaces.
    pub old: Option<&'a Value>,
}

impl Attributes<'_> {
    /// The 403 a plugin refuses the object with, naming it as kube-apiserver does.
    pub fn forbidden(&self, why: &str) -> ApiError {
        ApiError::forbidden(self.resource, self.name, why)
    }
}

/// What admission leaves besides a refusal: warnings for the client (`Warning` headers)
/// and annotations for the audit log (Pod Security's `audit` mode writes there).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Notes {
    /// Sent back as `Warning` headers.
    pub warnings: Vec<String>,
    /// Recorded with the request in the cluster's audit log.
    pub annotations: BTreeMap<String, String>,
}

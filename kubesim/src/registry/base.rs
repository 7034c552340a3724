//! The registry's base: the store, the custom resources CRDs define, and what
//! every verb starts with — finding the resource, the object's key, how the store's
//! errors read to a client.

use super::context::RequestContext;
use super::target::Target;
use crate::admission::{Attributes, Notes};
use crate::audit::{AuditEvent, AuditLog};
use crate::crd::Crds;
use crate::resources::{self, Resource};
use crate::status::ApiError;
use crate::store::{Key, Store, StoreError};
use serde_json::Value;
use std::sync::Arc;

/// The verbs on objects, as kube-apiserver's registry runs them: defaulting, admission,
/// validation and the kinds' own strategies around the store. No HTTP: the API layer
/// and the controllers (which write as kube-controller-manager does, through the API)
/// both call it.
#[derive(Debug)]
pub struct Registry {
    pub(super) store: Arc<Store>,
    pub(super) crds: Crds,
    pub(super) audit: Arc<AuditLog>,
}

impl Registry {
    /// A registry over `store`, serving the CRDs already in it (a durable store may hold
    /// some from before a restart).
    pub fn new(store: Arc<Store>) -> Arc<Registry> {
        let crds = Crds::default();
        let (stored, _) = store.list(
            "apiextensions.k8s.io",
            "customresourcedefinitions",
            None,
            None,
        );
        for (_, crd) in stored {
            crds.register(&crd);
        }
        Arc::new(Registry {
            store,
            crds,
            audit: Arc::default(),
        })
    }

    /// The audit log admission writes its annotations to.
    pub fn audit(&self) -> &Arc<AuditLog> {
        &self.audit
    }

    /// Validating admission for a write: its warnings go to the request, its audit
    /// annotations to the audit log (whether or not the write is admitted).
    pub(super) fn admit(
        &self,
        attrs: &Attributes,
        ctx: &mut RequestContext,
        object: &Value,
    ) -> Result<(), ApiError> {
        let mut notes = Notes::default();
        let result = crate::admission::check(attrs, object, &mut notes);
        ctx.warnings.extend(notes.warnings);
        if !notes.annotations.is_empty() {
            self.audit.record(AuditEvent {
                user: ctx.user.as_ref().map_or_else(
                    || "system:kube-controller-manager".to_string(),
                    |u| u.username.clone(),
                ),
                verb: attrs.operation.verb().to_string(),
                resource: attrs.resource.qualified_plural(),
                namespace: attrs.namespace.to_string(),
                name: attrs.name.to_string(),
                allowed: result.is_ok(),
                annotations: notes.annotations,
            });
        }
        result
    }

    /// The store underneath.
    pub fn store(&self) -> &Arc<Store> {
        &self.store
    }

    /// The custom resources served.
    pub fn crds(&self) -> &Crds {
        &self.crds
    }

    /// Every resource served: the built-in ones and those CRDs define.
    pub fn all_resources(&self) -> Vec<&'static Resource> {
        let mut all = resources::builtin();
        all.extend(self.crds.all());
        all
    }

    /// The resource at group/version/plural, built-in or custom.
    pub fn find_resource(
        &self,
        group: &str,
        version: &str,
        plural: &str,
    ) -> Option<&'static Resource> {
        resources::find(group, version, plural).or_else(|| self.crds.find(group, version, plural))
    }

    /// Where the object `name` of the target's resource is stored.
    pub(super) fn key(&self, target: &Target, name: &str) -> Key {
        let (group, plural) = target.resource.storage_key();
        Key::new(
            group,
            plural,
            target.namespace.as_deref().unwrap_or(""),
            name,
        )
    }

    /// A store error as the API words it for the object `name`.
    pub fn store_error(resource: &Resource, name: &str, e: StoreError) -> ApiError {
        match e {
            StoreError::NotFound => ApiError::not_found(resource, name),
            StoreError::AlreadyExists => ApiError::already_exists(resource, name),
            StoreError::Conflict => ApiError::conflict(resource, name),
            StoreError::Gone { requested, oldest } => ApiError::gone(requested, oldest),
            StoreError::Storage(e) => ApiError::internal(e),
        }
    }
}

/// A stored object as the resource's version presents it.
pub fn present(resource: &Resource, object: &Value) -> Value {
    crate::convert::present(resource, object)
}

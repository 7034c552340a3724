//! The [`Strategy`] trait: the points of an object's life where a kind may differ from
//! the generic registry, each with the generic behaviour as its default (as
//! kube-apiserver's `RESTCreateStrategy`, `RESTUpdateStrategy` and
//! `RESTDeleteStrategy` are implemented once per kind).

use crate::registry::{Params, Registry, RequestContext};
use crate::resources::Resource;
use crate::status::{Cause, Result};
use crate::store::{Key, Store};
use serde_json::Value;
use std::sync::Arc;

/// An object just stored by a create, and where.
pub struct Created<'a> {
    /// The registry it was created through.
    pub registry: &'a Registry,
    /// Its resource.
    pub resource: &'static Resource,
    /// Its key.
    pub key: &'a Key,
    /// The object as stored.
    pub object: Arc<Value>,
}

/// A write about to be validated: who writes what, and what it replaces.
pub struct Writing<'a> {
    /// The registry it goes through.
    pub registry: &'a Registry,
    /// The request (who asks).
    pub ctx: &'a RequestContext,
    /// The resource written.
    pub resource: &'static Resource,
    /// The object's namespace (`""` when cluster-scoped).
    pub namespace: &'a str,
    /// The object's name.
    pub name: &'a str,
    /// The object as it would be stored.
    pub object: &'a Value,
    /// The stored object an update replaces; `None` on create.
    pub old: Option<&'a Value>,
}

/// What a kind does differently from the generic registry. Every method defaults to the
/// generic behaviour, so a kind implements only what is special about it.
pub trait Strategy: Sync {
    /// A new object, after the client's status was dropped and before defaulting
    /// (`PrepareForCreate`): fields the server sets.
    fn prepare_for_create(&self, store: &Store, object: &mut Value) {
        let _ = (store, object);
    }

    /// An update of the object itself (not its status), after defaulting and before
    /// validation (`PrepareForUpdate`): fields the client may not change or clear.
    fn prepare_for_update(&self, object: &mut Value, old: &Value) {
        let _ = (object, old);
    }

    /// Whether the requester may write this object beyond RBAC's verb on the resource
    /// (RBAC objects: no escalation), before validation.
    fn authorize(&self, writing: &Writing) -> Result<()> {
        let _ = writing;
        Ok(())
    }

    /// Allocations once the generic validation passed (`old` is `None` on create): field
    /// errors when what the object asks for is taken.
    fn allocate(&self, store: &Store, object: &mut Value, old: Option<&Value>) -> Vec<Cause> {
        let _ = (store, object, old);
        Vec::new()
    }

    /// After the object was stored: what the create answers with.
    fn after_create(&self, created: Created) -> Result<Arc<Value>> {
        Ok(created.object)
    }

    /// After an update was stored.
    fn after_update(&self, registry: &Registry, stored: &Value) {
        let _ = (registry, stored);
    }

    /// Whether the propagation policies (Foreground, Orphan) apply to deleting it.
    fn propagates(&self) -> bool {
        true
    }

    /// Whether something besides `metadata.finalizers` holds its deletion.
    fn held(&self, object: &Value) -> bool {
        let _ = object;
        false
    }

    /// The grace period a deleted object gets before it goes, if any (`options` are the
    /// DeleteOptions).
    fn grace_period(&self, object: &Value, options: &Value, params: &Params) -> Option<i64> {
        let _ = (object, options, params);
        None
    }

    /// After the object `name` was removed.
    fn after_delete(&self, registry: &Registry, name: &str) {
        let _ = (registry, name);
    }
}

/// The generic registry's behaviour, for kinds with nothing special.
#[derive(Debug, Clone, Copy, Default)]
pub struct Generic;

impl Strategy for Generic {}

//! Garbage collection through ownerReferences, as kube-controller-manager does it: when an
//! owner is gone its dependents are deleted (background); an owner deleted with
//! `propagationPolicy=Foreground` waits (finalizer `foregroundDeletion`) until its
//! dependents are gone; one deleted with `Orphan` (finalizer `orphan`) first releases its
//! dependents by removing their ownerReferences. Custom resources take part as owners
//! and as dependents (cert-manager's Certificates owned by an Ingress, their
//! CertificateRequests), as they do for the real collector.

use super::runner::{Context, Controller, EachChange};
use crate::ownership::{FOREGROUND, ORPHAN, collect, has_finalizer, owned_by};
use crate::resources::{BUILTIN, Resource};
use crate::store::{Event, EventType, Key, Store};
use serde_json::Value;
use std::collections::BTreeSet;
use std::sync::Arc;

/// The controller: dependents of deleted owners collected, owners being deleted in the
/// foreground or with orphaning advanced. It looks at changes only: nothing to resync.
pub fn controller() -> impl Controller {
    EachChange::new(
        |_: &Context| {},
        // Most changes are neither deletions nor deleting: the kinds are gathered only
        // for those that are.
        |ctx: &Context, event: &Event| match event.kind {
            EventType::Deleted => {
                let kinds = Kinds::of(ctx);
                if let Some(uid) = event.object["metadata"]["uid"].as_str() {
                    delete_dependents(&kinds, &event.key.namespace, uid);
                }
                revisit_owners(&kinds, &event.key.namespace, &event.object);
            }
            _ if event.object["metadata"].get("deletionTimestamp").is_some() => {
                finish(&Kinds::of(ctx), &event.key, &event.object)
            }
            _ => {}
        },
    )
}

/// The store and the kinds it holds: the built-in ones and those the CRDs serve now.
struct Kinds<'a> {
    store: &'a Store,
    all: Vec<&'static Resource>,
}

impl<'a> Kinds<'a> {
    fn of(ctx: &'a Context) -> Kinds<'a> {
        let mut all: Vec<&'static Resource> = BUILTIN.iter().collect();
        all.extend(ctx.registry.crds().all());
        Kinds {
            store: &ctx.store,
            all,
        }
    }

    /// The resource of an ownerReference's `apiVersion` and `kind`.
    fn for_kind(&self, api_version: &str, kind: &str) -> Option<&'static Resource> {
        let (group, version) = api_version.rsplit_once('/').unwrap_or(("", api_version));
        self.all
            .iter()
            .find(|r| r.group == group && r.version == version && r.kind == kind)
            .copied()
    }
}

/// Objects in `namespace` with an ownerReference to `uid`.
fn dependents(kinds: &Kinds, namespace: &str, uid: &str) -> Vec<(Key, Arc<Value>)> {
    let store = kinds.store;
    let resources: BTreeSet<(&str, &str)> = kinds
        .all
        .iter()
        .filter(|r| r.namespaced)
        .map(|r| r.storage_key())
        .collect();
    let mut found = Vec::new();
    for (group, resource) in resources {
        store.scan(group, resource, Some(namespace), None, |key, object| {
            if owned_by(object, uid) {
                found.push((key.clone(), object.clone()));
            }
            true
        });
    }
    found
}

fn delete_dependents(kinds: &Kinds, namespace: &str, uid: &str) {
    for (key, object) in dependents(kinds, namespace, uid) {
        if let Err(e) = collect(kinds.store, &key, &object) {
            tracing::debug!("collecting {}/{}: {e}", key.namespace, key.name);
        }
    }
}

/// A dependent went: an owner waiting in the foreground may now finish.
fn revisit_owners(kinds: &Kinds, namespace: &str, dependent: &Value) {
    let store = kinds.store;
    for reference in dependent["metadata"]["ownerReferences"]
        .as_array()
        .into_iter()
        .flatten()
    {
        let (Some(kind), Some(name)) = (reference["kind"].as_str(), reference["name"].as_str())
        else {
            continue;
        };
        let api_version = reference["apiVersion"].as_str().unwrap_or_default();
        let Some(resource) = kinds.for_kind(api_version, kind) else {
            continue;
        };
        let (group, plural) = resource.storage_key();
        let key = Key::new(
            group,
            plural,
            if resource.namespaced { namespace } else { "" },
            name,
        );
        if let Ok(owner) = store.get(&key)
            && owner["metadata"]["uid"] == reference["uid"]
            && owner["metadata"].get("deletionTimestamp").is_some()
        {
            finish(kinds, &key, &owner);
        }
    }
}

/// Advances an owner being deleted in the foreground or with orphaning.
fn finish(kinds: &Kinds, key: &Key, owner: &Value) {
    let store = kinds.store;
    let Some(uid) = owner["metadata"]["uid"].as_str() else {
        return;
    };
    let release = |finalizer: &str| {
        let mut updated = owner.clone();
        if let Some(list) = updated["metadata"]["finalizers"].as_array_mut() {
            list.retain(|f| f != finalizer);
        }
        let _ = store.update(key.clone(), updated, None);
    };
    if has_finalizer(owner, ORPHAN) {
        for (dep_key, dependent) in dependents(kinds, &key.namespace, uid) {
            let mut released = (*dependent).clone();
            if let Some(refs) = released["metadata"]["ownerReferences"].as_array_mut() {
                refs.retain(|r| r["uid"] != uid);
            }
            let _ = store.update(dep_key, released, None);
        }
        release(ORPHAN);
    } else if has_finalizer(owner, FOREGROUND) {
        delete_dependents(kinds, &key.namespace, uid);
        // Dependents held by finalizers of their own keep the owner waiting; the owner is
        // looked at again when they go (see `controller`).
        if dependents(kinds, &key.namespace, uid).is_empty() {
            release(FOREGROUND);
        }
    }
}

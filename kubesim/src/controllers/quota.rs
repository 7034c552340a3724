//! ResourceQuota status: after any change in a namespace with quotas, each quota's
//! `status.hard` and `status.used` are recounted from the store, as kube-controller-manager's
//! quota controller keeps them (`kubectl describe quota` reads them).

use super::runner::{Context, Controller, EachChange};
use crate::admission::quota::usage;
use crate::quantity;
use crate::resources::BUILTIN;
use crate::store::{Event, Store, StoreError};
use serde_json::{Map, json};
use std::collections::BTreeSet;

/// The controller: every namespace with quotas, recounted after any change in it.
pub fn controller() -> impl Controller {
    EachChange::new(
        |ctx: &Context| {
            let (all, _) = ctx.store.list("", "resourcequotas", None, None);
            let namespaces: BTreeSet<String> = all.into_iter().map(|(k, _)| k.namespace).collect();
            for ns in namespaces {
                recount(&ctx.store, &ns);
            }
        },
        |ctx: &Context, event: &Event| {
            if !event.key.namespace.is_empty() {
                recount(&ctx.store, &event.key.namespace);
            }
        },
    )
}

fn recount(store: &Store, namespace: &str) {
    let (quotas, _) = store.list("", "resourcequotas", Some(namespace), None);
    if quotas.is_empty() {
        return;
    }
    let mut sums: std::collections::BTreeMap<String, quantity::Milli> = Default::default();
    let mut seen = BTreeSet::new();
    for resource in BUILTIN.iter().filter(|r| r.namespaced) {
        if !seen.insert(resource.storage_key()) {
            continue;
        }
        let (group, plural) = resource.storage_key();
        for (_, object) in store.list(group, plural, Some(namespace), None).0 {
            for (k, v) in usage(resource, &object) {
                *sums.entry(k).or_insert(0) += v;
            }
        }
    }
    for (key, quota) in quotas {
        let hard = quota["spec"]["hard"].clone();
        let mut used = Map::new();
        for name in hard.as_object().into_iter().flatten().map(|(k, _)| k) {
            let binary = name.contains("memory") || name.contains("storage");
            let value = sums.get(name).copied().unwrap_or(0);
            used.insert(name.clone(), json!(quantity::format(value, binary)));
        }
        let mut updated = (*quota).clone();
        updated["status"] = json!({"hard": hard, "used": used});
        match store.update(key, updated, None) {
            Ok(_) | Err(StoreError::NotFound) => {}
            Err(e) => tracing::warn!("updating quota status in {namespace}: {e}"),
        }
    }
}

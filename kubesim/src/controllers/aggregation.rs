//! The ClusterRole aggregation controller, as kube-controller-manager's: a ClusterRole
//! with an `aggregationRule` gets, as its `rules`, the rules of every other ClusterRole
//! its selectors match (each selector's roles by name, each rule once), written into the
//! object, so `kubectl describe clusterrole edit` shows what `edit` grants and the RBAC
//! authorizer reads it like any other role. An aggregated role that is itself labelled
//! for another (`edit` into `admin`) passes its written rules on at the next round.

use super::runner::{Context, Controller, Follow};
use crate::store::{Event, Key, resource_version_of};
use serde_json::Value;

const GROUP: &str = "rbac.authorization.k8s.io";

/// The controller: every aggregated ClusterRole, whenever any ClusterRole changes.
pub fn controller() -> impl Controller {
    Follow::new((GROUP, "clusterroles"), affected, reconcile)
}

/// A ClusterRole changed: any aggregated role may select it (or have selected it).
fn affected(ctx: &Context, event: &Event) -> Vec<Key> {
    if event.key.group != GROUP || event.key.resource != "clusterroles" {
        return Vec::new();
    }
    ctx.store
        .list(GROUP, "clusterroles", None, None)
        .0
        .into_iter()
        .filter(|(key, role)| key.name != event.key.name && role.get("aggregationRule").is_some())
        .map(|(key, _)| key)
        .collect()
}

fn reconcile(ctx: &Context, key: &Key) {
    let Ok(role) = ctx.store.get(key) else {
        return;
    };
    let Some(selectors) = role["aggregationRule"]["clusterRoleSelectors"].as_array() else {
        return;
    };
    let (roles, _) = ctx.store.list(GROUP, "clusterroles", None, None);
    let mut rules: Vec<Value> = Vec::new();
    for selector in selectors {
        // The store lists by name, the order upstream sorts each selector's roles in.
        for (other, object) in &roles {
            if other.name == key.name
                || !crate::labels::selector_selects(selector, &object["metadata"]["labels"])
            {
                continue;
            }
            for rule in object["rules"].as_array().into_iter().flatten() {
                if !rules.contains(rule) {
                    rules.push(rule.clone());
                }
            }
        }
    }
    let current = role["rules"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    if current == rules.as_slice() {
        return;
    }
    let mut updated = (*role).clone();
    updated["rules"] = Value::Array(rules);
    if let Err(e) = ctx
        .store
        .update(key.clone(), updated, resource_version_of(&role))
    {
        // A conflict means another change, which brings this role back.
        tracing::debug!("aggregating into {}: {e}", key.name);
    }
}

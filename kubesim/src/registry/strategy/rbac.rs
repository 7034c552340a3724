//! The RBAC strategies, as kube-apiserver's policy-based RBAC storage: a Role or
//! ClusterRole may only grant what its writer holds (or may `escalate`), a binding may
//! only bind a role whose permissions its writer holds (or may `bind`). Updates that
//! only touch what the garbage collector needs (ownerReferences, finalizers) pass, so a
//! namespace can always be cleaned up. The judgement itself is
//! [`crate::auth::escalation`]; the cluster's own controllers (no user) are not judged.

use super::hooks::{Strategy, Writing};
use crate::auth::UserInfo;
use crate::auth::escalation;
use crate::auth::rbac::Authorizer;
use crate::registry::Registry;
use crate::status::{ApiError, Result};
use serde_json::Value;

/// Roles and ClusterRoles.
pub struct Role;

/// RoleBindings and ClusterRoleBindings.
pub struct Binding;

/// Whether an update changes nothing but ownerReferences and finalizers.
fn only_gc_fields(object: &Value, old: Option<&Value>) -> bool {
    let Some(old) = old else {
        return false;
    };
    let strip = |o: &Value| {
        let mut o = o.clone();
        if let Some(meta) = o["metadata"].as_object_mut() {
            for field in [
                "ownerReferences",
                "finalizers",
                "resourceVersion",
                "managedFields",
                "generation",
            ] {
                meta.remove(field);
            }
        }
        o
    };
    strip(object) == strip(old)
}

fn authorizer(registry: &Registry) -> Authorizer {
    Authorizer::new(registry.store().clone())
}

/// Who a write is judged as: its user, unless it comes from the cluster's own
/// controllers or only touches what the garbage collector needs.
fn judged<'w>(w: &'w Writing) -> Option<&'w UserInfo> {
    w.ctx
        .user
        .as_ref()
        .filter(|_| !only_gc_fields(w.object, w.old))
}

impl Strategy for Role {
    fn authorize(&self, w: &Writing) -> Result<()> {
        let Some(user) = judged(w) else {
            return Ok(());
        };
        let rules = w.object["rules"].as_array().cloned().unwrap_or_default();
        let aggregated = |o: &Value| !o["aggregationRule"].is_null();
        let uses_aggregation = aggregated(w.object) || w.old.is_some_and(aggregated);
        escalation::check_role(
            &authorizer(w.registry),
            user,
            w.resource.plural,
            w.namespace,
            w.name,
            &rules,
            uses_aggregation,
        )
        .map_err(|why| ApiError::forbidden(w.resource, w.name, &why))
    }
}

impl Strategy for Binding {
    fn authorize(&self, w: &Writing) -> Result<()> {
        let Some(user) = judged(w) else {
            return Ok(());
        };
        let rbac = authorizer(w.registry);
        match escalation::check_binding(&rbac, user, w.namespace, &w.object["roleRef"]) {
            Ok(None) => Ok(()),
            Ok(Some((plural, name))) => {
                let role = crate::resources::find("rbac.authorization.k8s.io", "v1", plural)
                    .ok_or_else(|| ApiError::internal("no RBAC role resource"))?;
                Err(ApiError::not_found(role, &name))
            }
            Err(why) => Err(ApiError::forbidden(w.resource, w.name, &why)),
        }
    }
}

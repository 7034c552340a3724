//! Stuck finalizers: a workspace namespace being deleted waits until every object in it
//! is gone, and an object whose finalizer no controller will ever remove keeps it
//! Terminating forever, its quota and name taken. Attendees cannot write finalizers (the
//! pipeline and the console leave them out); controllers do: PVC protection, a load
//! balancer's cleanup on a cluster without a cloud controller, Job tracking, an ingress
//! controller or cert-manager that is gone. The platform removes the finalizers of such
//! objects once the namespace has waited long enough for the controllers that own them,
//! as an operator would by hand.

use crate::kinds::api_resource;
use app::model::kinds::KINDS;
use k8s_openapi::api::core::v1::Namespace;
use kube::api::{Api, DynamicObject, ListParams, Patch, PatchParams};
use std::collections::{BTreeMap, BTreeSet};

/// Removes the finalizers of the objects being deleted in `namespace`; returns how
/// many objects it released. Kinds the cluster does not serve, and those the platform
/// role does not let kubeclass list (`deploy/rbac/platform.yaml`: only what controllers
/// finalize), are skipped.
pub async fn release(client: &kube::Client, namespace: &str) -> Result<usize, kube::Error> {
    let mut released = 0;
    for info in KINDS.iter().filter(|k| k.namespaced()) {
        let api: Api<DynamicObject> =
            Api::namespaced_with(client.clone(), namespace, &api_resource(info));
        let objects = match api.list(&ListParams::default()).await {
            Ok(list) => list.items,
            Err(kube::Error::Api(e)) if e.code == 404 || e.code == 403 => {
                tracing::debug!(%namespace, kind = info.kind, "not listed for stuck finalizers: {}", e.message);
                continue;
            }
            Err(e) => return Err(e),
        };
        let held = objects.into_iter().filter(|o| {
            o.metadata.deletion_timestamp.is_some()
                && o.metadata
                    .finalizers
                    .as_ref()
                    .is_some_and(|f| !f.is_empty())
        });
        for object in held {
            let name = object.metadata.name.unwrap_or_default();
            let unset = serde_json::json!({"metadata": {"finalizers": null}});
            match api
                .patch(&name, &PatchParams::default(), &Patch::Merge(&unset))
                .await
            {
                Ok(_) => {
                    tracing::info!(%namespace, kind = info.kind, %name, "stuck finalizers removed");
                    released += 1;
                }
                // Gone meanwhile: its finalizer was done after all.
                Err(kube::Error::Api(e)) if e.code == 404 => {}
                Err(e) => return Err(e),
            }
        }
    }
    Ok(released)
}

/// The workspace namespaces now Terminating (every workspace's, by its label).
pub async fn terminating(client: &kube::Client) -> Result<BTreeSet<String>, kube::Error> {
    let api: Api<Namespace> = Api::all(client.clone());
    let listed = ListParams::default().labels(super::WORKSPACE_LABEL);
    Ok(api
        .list(&listed)
        .await?
        .items
        .into_iter()
        .filter(|n| n.metadata.deletion_timestamp.is_some())
        .filter_map(|n| n.metadata.name)
        .collect())
}

/// Rounds a namespace is seen Terminating before it is released: with the sweep's
/// minute, five minutes for the controllers that own its finalizers (a cloud load
/// balancer's cleanup takes a while, and releasing it early would leave the balancer
/// behind).
pub const ROUNDS: u32 = 5;

/// What the sweep remembers between its rounds: for each workspace namespace Terminating,
/// in how many rounds in a row it was. Rounds, not timestamps: the cluster's clock need
/// not be ours.
#[derive(Debug, Default)]
pub struct Stuck {
    seen: BTreeMap<String, u32>,
}

impl Stuck {
    /// One round: releases the namespaces Terminating in this round and the
    /// [`ROUNDS`]` - 1` before it; returns how many objects were released.
    pub async fn round(&mut self, client: &kube::Client) -> Result<usize, kube::Error> {
        let now = terminating(client).await?;
        let mut seen = BTreeMap::new();
        let mut released = 0;
        for namespace in now {
            let rounds = self.seen.get(&namespace).copied().unwrap_or(0) + 1;
            if rounds >= ROUNDS {
                released += release(client, &namespace).await?;
            }
            seen.insert(namespace, rounds);
        }
        self.seen = seen;
        Ok(released)
    }
}

//! cert-manager, as installed by the trainer's kind setup: its CRDs ([`crds`]), issuers
//! that become Ready or say why not ([`issuers`]: selfSigned and CA sign; ACME cannot
//! reach the internet), Certificates issued into `kubernetes.io/tls` Secrets with real
//! X.509 certificates through CertificateRequests ([`certificates`]), and the
//! ingress-shim that turns annotated Ingresses into Certificates ([`shim`]).

pub mod certificates;
pub mod crds;
pub mod issuers;
pub mod shim;

use crate::controllers::runner::{Context, Controller, EachChange};
use crate::events::{Recorder, Source};
use crate::store::{Event, EventType, Key, Store};
use std::collections::BTreeSet;

/// The component its events come from.
pub const SOURCE: Source<'static> = Source::component("cert-manager-certificates-issuing");
/// The API group.
pub const GROUP: &str = "cert-manager.io";

/// cert-manager's controllers: issuers, Certificates, and the ingress-shim.
pub fn controller() -> impl Controller {
    EachChange::new(
        |ctx: &Context| resync(&ctx.store, &ctx.events),
        |ctx: &Context, event: &Event| {
            let (store, events) = (&*ctx.store, &*ctx.events);
            let key = &event.key;
            match (key.group.as_str(), key.resource.as_str()) {
                (GROUP, "issuers" | "clusterissuers") if event.kind != EventType::Deleted => {
                    issuers::reconcile(store, key);
                    // Certificates waiting on this issuer may proceed now.
                    for (cert, _) in store.list(GROUP, "certificates", None, None).0 {
                        certificates::reconcile(store, events, &cert);
                    }
                }
                (GROUP, "certificates") if event.kind != EventType::Deleted => {
                    certificates::reconcile(store, events, key);
                }
                ("networking.k8s.io", "ingresses") if event.kind != EventType::Deleted => {
                    shim::reconcile(store, events, key);
                }
                ("", "secrets") if event.kind == EventType::Deleted => {
                    // A deleted certificate Secret is issued again; a CA's absence shows.
                    let mut dirty = BTreeSet::new();
                    for (cert, object) in store
                        .list(GROUP, "certificates", Some(&key.namespace), None)
                        .0
                    {
                        if object["spec"]["secretName"].as_str() == Some(&key.name) {
                            dirty.insert(cert);
                        }
                    }
                    for cert in dirty {
                        certificates::reconcile(store, events, &cert);
                    }
                }
                _ => {}
            }
        },
    )
}

fn resync(store: &Store, events: &Recorder) {
    for plural in ["clusterissuers", "issuers"] {
        for (key, _) in store.list(GROUP, plural, None, None).0 {
            issuers::reconcile(store, &key);
        }
    }
    for (key, _) in store.list("networking.k8s.io", "ingresses", None, None).0 {
        shim::reconcile(store, events, &key);
    }
    for (key, _) in store.list(GROUP, "certificates", None, None).0 {
        certificates::reconcile(store, events, &key);
    }
}

/// A condition as cert-manager writes it, keeping `lastTransitionTime` when the status
/// did not change.
pub fn condition(
    previous: &serde_json::Value,
    kind: &str,
    status: &str,
    reason: &str,
    message: &str,
    now: &str,
    generation: &serde_json::Value,
) -> serde_json::Value {
    let old = previous["status"]["conditions"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| c["type"] == kind);
    let since = match old {
        Some(c) if c["status"] == status => c["lastTransitionTime"].clone(),
        _ => serde_json::json!(now),
    };
    serde_json::json!({"type": kind, "status": status, "reason": reason, "message": message,
        "lastTransitionTime": since, "observedGeneration": generation})
}

/// Writes `status` when it changed.
pub fn write_status(
    store: &Store,
    key: &Key,
    object: &serde_json::Value,
    status: serde_json::Value,
) {
    if object["status"] != status {
        let mut next = object.clone();
        next["status"] = status;
        let _ = store.update(key.clone(), next, crate::store::resource_version_of(object));
    }
}

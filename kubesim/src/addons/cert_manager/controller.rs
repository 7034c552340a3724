//! cert-manager's controllers in one loop: issuers become Ready or say why not,
//! Certificates are issued (again when their Secret goes), and annotated Ingresses get
//! Certificates through the ingress-shim.

use super::crds::GROUP;
use super::{certificates, issuers, shim};
use crate::controllers::runner::{Context, Controller, EachChange};
use crate::events::Recorder;
use crate::store::{Event, EventType, Store};
use std::collections::BTreeSet;

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

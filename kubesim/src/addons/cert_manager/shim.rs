//! The ingress-shim: an Ingress annotated with `cert-manager.io/cluster-issuer` (or
//! `cert-manager.io/issuer`) gets a Certificate for each `spec.tls` entry, named after its
//! Secret, for the entry's hosts, owned by the Ingress.

use super::crds::GROUP;
use crate::events::{Recorder, Source};
use crate::ownership::controller_reference;
use crate::store::{Key, Store};
use serde_json::json;

const SHIM: Source<'static> = Source::component("cert-manager-ingress-shim");

/// Gives an annotated Ingress a Certificate for each `spec.tls` entry.
pub fn reconcile(store: &Store, events: &Recorder, key: &Key) {
    let Ok(ingress) = store.get(key) else {
        return;
    };
    let annotations = &ingress["metadata"]["annotations"];
    let (kind, issuer) = match (
        annotations["cert-manager.io/cluster-issuer"].as_str(),
        annotations["cert-manager.io/issuer"].as_str(),
    ) {
        (Some(name), _) => ("ClusterIssuer", name),
        (None, Some(name)) => ("Issuer", name),
        (None, None) => return,
    };
    for tls in ingress["spec"]["tls"].as_array().into_iter().flatten() {
        let Some(secret) = tls["secretName"].as_str() else {
            continue;
        };
        let hosts = tls["hosts"].clone();
        let cert_key = Key::new(GROUP, "certificates", &key.namespace, secret);
        let wanted = json!({"dnsNames": hosts, "issuerRef": {"group": GROUP, "kind": kind, "name": issuer},
            "secretName": secret, "usages": ["digital signature", "key encipherment"]});
        match store.get(&cert_key) {
            Ok(existing) if existing["spec"] == wanted => {}
            Ok(existing) => {
                let mut next = (*existing).clone();
                next["spec"] = wanted;
                if store.update(cert_key, next, None).is_ok() {
                    events.normal(
                        &ingress,
                        SHIM,
                        "UpdateCertificate",
                        &format!("Successfully updated Certificate \"{secret}\""),
                    );
                }
            }
            Err(_) => {
                let cert = json!({
                    "apiVersion": "cert-manager.io/v1", "kind": "Certificate",
                    "metadata": {"name": secret, "namespace": key.namespace,
                        "ownerReferences": [controller_reference("networking.k8s.io/v1", "Ingress", &key.name, &ingress["metadata"]["uid"])]},
                    "spec": wanted,
                });
                if store.create(cert_key, cert).is_ok() {
                    events.normal(
                        &ingress,
                        SHIM,
                        "CreateCertificate",
                        &format!("Successfully created Certificate \"{secret}\""),
                    );
                }
            }
        }
    }
}

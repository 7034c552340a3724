//! Issuers and ClusterIssuers: a `selfSigned` issuer is Ready at once; a `ca` issuer once
//! its Secret holds a key pair; an `acme` issuer tries to register its account, which
//! needs the internet, and stays not Ready with cert-manager's error.

use super::conditions::{condition, write_status};
use crate::store::{Key, Store};
use serde_json::{Value, json};

/// The namespace a ClusterIssuer's CA Secret lives in (cert-manager's
/// `--cluster-resource-namespace`).
pub const CLUSTER_RESOURCE_NAMESPACE: &str = "cert-manager";

/// Whether an issuer can sign, and the reason and message cert-manager reports.
pub fn readiness(store: &Store, issuer: &Value, namespace: &str) -> (bool, &'static str, String) {
    let spec = &issuer["spec"];
    if spec["selfSigned"].is_object() {
        return (true, "IsReady", String::new());
    }
    if let Some(secret) = spec["ca"]["secretName"].as_str() {
        return match store.get(&Key::new("", "secrets", namespace, secret)) {
            Ok(s) if s["data"]["tls.crt"].is_string() && s["data"]["tls.key"].is_string() => {
                (true, "KeyPairVerified", "Signing CA verified".into())
            }
            Ok(_) => (
                false,
                "ErrInvalidKeyPair",
                format!(
                    "Error getting keypair for CA issuer: secret \"{secret}\" does not contain a key pair"
                ),
            ),
            Err(_) => (
                false,
                "ErrGetKeyPair",
                format!("Error getting keypair for CA issuer: secrets \"{secret}\" not found"),
            ),
        };
    }
    if let Some(server) = spec["acme"]["server"].as_str() {
        let host = server
            .split("://")
            .nth(1)
            .and_then(|r| r.split('/').next())
            .unwrap_or(server);
        return (
            false,
            "ErrRegisterACMEAccount",
            format!(
                "Failed to register ACME account: Get \"{server}\": dial tcp: lookup {host} on 10.96.0.10:53: server misbehaving"
            ),
        );
    }
    (
        false,
        "IssuerNotReady",
        "the issuer has no supported type".into(),
    )
}

/// Where an issuer keeps its Secrets: its namespace, or cert-manager's for a
/// ClusterIssuer.
pub fn secret_namespace(key: &Key) -> String {
    if key.resource == "clusterissuers" {
        CLUSTER_RESOURCE_NAMESPACE.to_string()
    } else {
        key.namespace.clone()
    }
}

/// Brings an issuer's Ready condition up to date.
pub fn reconcile(store: &Store, key: &Key) {
    let Ok(issuer) = store.get(key) else {
        return;
    };
    let (ready, reason, message) = readiness(store, &issuer, &secret_namespace(key));
    let now = store.clock().now_rfc3339();
    let state = if ready { "True" } else { "False" };
    let mut status = json!({"conditions": [condition(&issuer, "Ready", state, reason, &message, &now, &issuer["metadata"]["generation"])]});
    if let Some(server) = issuer["spec"]["acme"]["server"].as_str() {
        status["acme"] = json!({"uri": "", "lastRegisteredEmail": issuer["spec"]["acme"]["email"], "server": server});
    }
    write_status(store, key, &issuer, status);
}

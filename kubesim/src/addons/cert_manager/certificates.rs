//! Certificates: each is issued through a CertificateRequest by its issuer into a
//! `kubernetes.io/tls` Secret holding a real key and X.509 certificate (self-signed, or
//! signed by the CA issuer's key pair). While the issuer cannot sign, the Certificate
//! stays not Ready with cert-manager's reasons.

use super::conditions::{condition, write_status};
use super::crds::GROUP;
use super::issuers::{readiness, secret_namespace};
use crate::events::{Recorder, Source};
use crate::ownership::controller_reference;
use crate::store::{Key, Store, StoreError};
use base64::Engine;
use serde_json::{Value, json};

/// The component the issuing events come from.
const SOURCE: Source<'static> = Source::component("cert-manager-certificates-issuing");

/// How long issued certificates last (cert-manager's default), and when they renew.
const DURATION_DAYS: i64 = 90;
const RENEW_BEFORE_DAYS: i64 = 30;

fn b64(text: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(text)
}

/// The issuer a Certificate names, with its key.
fn issuer_of(
    store: &Store,
    namespace: &str,
    reference: &Value,
) -> Result<(Key, std::sync::Arc<Value>), String> {
    let name = reference["name"].as_str().unwrap_or_default();
    let cluster = reference["kind"].as_str() == Some("ClusterIssuer");
    let key = if cluster {
        Key::new(GROUP, "clusterissuers", "", name)
    } else {
        Key::new(GROUP, "issuers", namespace, name)
    };
    let kind = if cluster { "clusterissuer" } else { "issuer" };
    let shown = if cluster { "ClusterIssuer" } else { "Issuer" };
    store
        .get(&key)
        .map(|issuer| (key.clone(), issuer))
        .map_err(|_| {
            format!("Referenced \"{shown}\" not found: {kind}.cert-manager.io \"{name}\" not found")
        })
}

/// Brings a Certificate up to date: issued into its Secret, or saying why not yet.
pub fn reconcile(store: &Store, events: &Recorder, key: &Key) {
    let Ok(cert) = store.get(key) else {
        return;
    };
    let spec = &cert["spec"];
    let secret_name = spec["secretName"].as_str().unwrap_or_default().to_string();
    let dns_names: Vec<String> = spec["dnsNames"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|d| d.as_str().map(str::to_string))
        .collect();
    let common_name = spec["commonName"].as_str().map(str::to_string);
    let secret_key = Key::new("", "secrets", &key.namespace, &secret_name);
    let now = store.clock().now_rfc3339();
    let generation = cert["metadata"]["generation"].clone();
    // Up to date: the Secret exists and was issued for this Certificate's names.
    if let Ok(secret) = store.get(&secret_key) {
        let issued_for = secret["metadata"]["annotations"]["cert-manager.io/alt-names"]
            .as_str()
            .unwrap_or_default();
        if issued_for == dns_names.join(",")
            && cert["status"]["conditions"].as_array().is_some_and(|c| {
                c.iter()
                    .any(|c| c["type"] == "Ready" && c["status"] == "True")
            })
        {
            return;
        }
    }
    let request_name = format!(
        "{}-{}",
        key.name,
        cert["status"]["revision"].as_i64().unwrap_or(0) + 1
    );
    let signed =
        issuer_of(store, &key.namespace, &spec["issuerRef"]).and_then(|(issuer_key, issuer)| {
            let (ready, _, _) = readiness(store, &issuer, &secret_namespace(&issuer_key));
            if !ready {
                return Err("Referenced issuer does not have a Ready status condition".to_string());
            }
            let is_ca = spec["isCA"] == true;
            sign(
                store,
                &issuer,
                &secret_namespace(&issuer_key),
                &dns_names,
                common_name.as_deref(),
                is_ca,
            )
        });
    // The first attempt announces the issuing; each one that signs announces it again.
    let first = !cert["status"]["conditions"]
        .as_array()
        .is_some_and(|c| c.iter().any(|c| c["type"] == "Issuing"));
    if first || signed.is_ok() {
        announce(events, &cert, &request_name);
    }
    let state = match &signed {
        Err(waiting) => Requested::Pending(waiting),
        Ok((cert_pem, _, _)) => Requested::Issued(cert_pem),
    };
    request(store, key, &cert, &request_name, state);
    match signed {
        Err(_) => {
            let status = json!({"conditions": [
                condition(&cert, "Ready", "False", "DoesNotExist", "Issuing certificate as Secret does not exist", &now, &generation),
                condition(&cert, "Issuing", "True", "DoesNotExist", "Issuing certificate as Secret does not exist", &now, &generation),
            ]});
            write_status(store, key, &cert, status);
        }
        Ok((cert_pem, key_pem, ca_pem)) => {
            let issuer = &spec["issuerRef"];
            let secret = json!({
                "apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/tls",
                "metadata": {"name": secret_name, "namespace": key.namespace, "annotations": {
                    "cert-manager.io/alt-names": dns_names.join(","), "cert-manager.io/certificate-name": key.name,
                    "cert-manager.io/common-name": common_name.clone().unwrap_or_default(), "cert-manager.io/ip-sans": "",
                    "cert-manager.io/issuer-group": issuer["group"].as_str().unwrap_or(GROUP),
                    "cert-manager.io/issuer-kind": issuer["kind"].as_str().unwrap_or("Issuer"),
                    "cert-manager.io/issuer-name": issuer["name"], "cert-manager.io/uri-sans": ""},
                    "labels": {"controller.cert-manager.io/fao": "true"}},
                "data": {"ca.crt": b64(&ca_pem), "tls.crt": b64(&cert_pem), "tls.key": b64(&key_pem)},
            });
            let written = match store.get(&secret_key) {
                Ok(existing) => {
                    let mut replaced = secret.clone();
                    replaced["metadata"]["uid"] = existing["metadata"]["uid"].clone();
                    replaced["metadata"]["creationTimestamp"] =
                        existing["metadata"]["creationTimestamp"].clone();
                    store.update(secret_key, replaced, None)
                }
                Err(StoreError::NotFound) => store.create(secret_key, secret),
                Err(e) => Err(e),
            };
            if written.is_err() {
                return;
            }
            events.normal(
                &cert,
                SOURCE,
                "Issuing",
                "The certificate has been successfully issued",
            );
            let issued = store.clock().now();
            let day = jiff::SignedDuration::from_hours(24);
            let after = |days: i64| {
                issued
                    .checked_add(day * i32::try_from(days).unwrap_or(0))
                    .map(crate::clock::format_time)
                    .unwrap_or_default()
            };
            let status = json!({
                "conditions": [condition(&cert, "Ready", "True", "Ready", "Certificate is up to date and has not expired", &now, &generation)],
                "notBefore": now, "notAfter": after(DURATION_DAYS), "renewalTime": after(DURATION_DAYS - RENEW_BEFORE_DAYS),
                "revision": cert["status"]["revision"].as_i64().unwrap_or(0) + 1,
            });
            write_status(store, key, &cert, status);
        }
    }
}

/// The events cert-manager writes when it starts issuing: why, and the request it made.
fn announce(events: &Recorder, cert: &Value, request_name: &str) {
    let why = "Issuing certificate as Secret does not exist";
    events.normal(cert, SOURCE, "Issuing", why);
    let requested = format!("Created new CertificateRequest resource \"{request_name}\"");
    events.normal(cert, SOURCE, "Requested", &requested);
}

/// Creates (or updates) the CertificateRequest for this revision.
#[allow(clippy::too_many_arguments)]
/// Where a CertificateRequest stands.
enum Requested<'a> {
    /// Waiting for its issuer, and why.
    Pending(&'a str),
    /// Signed: the certificate PEM.
    Issued(&'a str),
}

fn request(store: &Store, key: &Key, cert: &Value, name: &str, state: Requested) {
    let (certificate, ready, reason, message) = match state {
        Requested::Pending(why) => ("", "False", "Pending", why),
        Requested::Issued(pem) => (
            pem,
            "True",
            "Issued",
            "Certificate fetched from issuer successfully",
        ),
    };
    let now = store.clock().now_rfc3339();
    let request_key = Key::new(GROUP, "certificaterequests", &key.namespace, name);
    let mut conditions = vec![
        json!({"type": "Approved", "status": "True", "reason": "cert-manager.io", "message": "Certificate request has been approved by cert-manager.io", "lastTransitionTime": now}),
        json!({"type": "Ready", "status": ready, "reason": reason, "message": message, "lastTransitionTime": now}),
    ];
    if let Ok(existing) = store.get(&request_key) {
        let mut next = (*existing).clone();
        if let Some(old) = existing["status"]["conditions"].as_array() {
            for (i, c) in conditions.iter_mut().enumerate() {
                if old
                    .get(i)
                    .is_some_and(|o| o["status"] == c["status"] && o["reason"] == c["reason"])
                {
                    c["lastTransitionTime"] = old[i]["lastTransitionTime"].clone();
                }
            }
        }
        next["status"]["conditions"] = json!(conditions);
        if !certificate.is_empty() {
            next["status"]["certificate"] = json!(b64(certificate));
        }
        if next != *existing {
            let _ = store.update(request_key, next, None);
        }
        return;
    }
    let mut status = json!({"conditions": conditions});
    if !certificate.is_empty() {
        status["certificate"] = json!(b64(certificate));
    }
    let request = json!({
        "apiVersion": "cert-manager.io/v1", "kind": "CertificateRequest",
        "metadata": {"name": name, "namespace": key.namespace,
            "annotations": {"cert-manager.io/certificate-name": key.name, "cert-manager.io/certificate-revision": name.rsplit('-').next().unwrap_or("1")},
            "ownerReferences": [controller_reference("cert-manager.io/v1", "Certificate", &key.name, &cert["metadata"]["uid"])]},
        "spec": {"issuerRef": cert["spec"]["issuerRef"], "request": "", "usages": ["digital signature", "key encipherment"],
            "username": "system:serviceaccount:cert-manager:cert-manager", "extra": {}, "groups": ["system:serviceaccounts", "system:serviceaccounts:cert-manager", "system:authenticated"]},
        "status": status,
    });
    let _ = store.create(request_key, request);
}

/// Signs a certificate for `dns_names`: (certificate PEM, key PEM, CA PEM).
fn sign(
    store: &Store,
    issuer: &Value,
    secrets_namespace: &str,
    dns_names: &[String],
    common_name: Option<&str>,
    is_ca: bool,
) -> Result<(String, String, String), String> {
    let mut params =
        rcgen::CertificateParams::new(dns_names.to_vec()).map_err(|e| e.to_string())?;
    if is_ca {
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    }
    if let Some(cn) = common_name.or(dns_names.first().map(String::as_str)) {
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, cn);
    }
    let now = store.clock().now().as_second();
    let at = |seconds: i64| {
        time::OffsetDateTime::from_unix_timestamp(seconds).map_err(|e| e.to_string())
    };
    params.not_before = at(now)?;
    params.not_after = at(now + DURATION_DAYS * 86_400)?;
    let key = rcgen::KeyPair::generate().map_err(|e| e.to_string())?;
    if issuer["spec"]["selfSigned"].is_object() {
        let cert = params.self_signed(&key).map_err(|e| e.to_string())?;
        return Ok((cert.pem(), key.serialize_pem(), cert.pem()));
    }
    let secret_name = issuer["spec"]["ca"]["secretName"]
        .as_str()
        .unwrap_or_default();
    let ca = store
        .get(&Key::new("", "secrets", secrets_namespace, secret_name))
        .map_err(|_| format!("secrets \"{secret_name}\" not found"))?;
    let decode = |field: &str| -> Result<String, String> {
        let text = ca["data"][field].as_str().unwrap_or_default();
        base64::engine::general_purpose::STANDARD
            .decode(text)
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .map_err(|e| e.to_string())
    };
    let (ca_cert, ca_key) = (decode("tls.crt")?, decode("tls.key")?);
    let signing_key = rcgen::KeyPair::from_pem(&ca_key).map_err(|e| e.to_string())?;
    let ca_issuer =
        rcgen::Issuer::from_ca_cert_pem(&ca_cert, signing_key).map_err(|e| e.to_string())?;
    let cert = params
        .signed_by(&key, &ca_issuer)
        .map_err(|e| e.to_string())?;
    Ok((cert.pem(), key.serialize_pem(), ca_cert))
}

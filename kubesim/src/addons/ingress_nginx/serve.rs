//! The controller on sockets, as kind's ingress-nginx listens on the machine's ports 80
//! and 443: plain HTTP on one listener, HTTPS on the other with the certificate of the
//! Ingress's `tls` Secret for the name the client asks for (SNI), or ingress-nginx's own
//! "Kubernetes Ingress Controller Fake Certificate" when no Ingress has one for it.

use super::answer::{Request, answer};
use super::routing::tls_secret;
use crate::runtime::Runtime;
use crate::store::{Key, Store};
use axum::extract::State;
use axum::http::{HeaderMap, Uri, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use rustls::crypto::ring::sign::any_supported_type;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use std::sync::Arc;

/// What a listener answers from.
#[derive(Clone)]
struct Served {
    store: Arc<Store>,
    runtime: Arc<Runtime>,
    https: bool,
}

/// Serves plain HTTP on `http` and HTTPS on `https` until the process ends.
pub async fn serve(
    store: Arc<Store>,
    runtime: Arc<Runtime>,
    http: std::net::TcpListener,
    https: std::net::TcpListener,
) -> std::io::Result<()> {
    let router = |https| {
        axum::Router::new().fallback(handle).with_state(Served {
            store: store.clone(),
            runtime: runtime.clone(),
            https,
        })
    };
    let resolver = Certificates {
        store: store.clone(),
        fake: fake_certificate().map_err(std::io::Error::other)?,
    };
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(std::io::Error::other)?
    .with_no_client_auth()
    .with_cert_resolver(Arc::new(resolver));
    let mut config = config;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    http.set_nonblocking(true)?;
    https.set_nonblocking(true)?;
    let plain = axum::serve(tokio::net::TcpListener::from_std(http)?, router(false));
    let secure = axum_server::from_tcp_rustls(
        https,
        axum_server::tls_rustls::RustlsConfig::from_config(Arc::new(config)),
    )?
    .serve(router(true).into_make_service());
    tokio::try_join!(plain.into_future(), secure).map(|_| ())
}

async fn handle(State(served): State<Served>, headers: HeaderMap, uri: Uri) -> Response {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default();
    // `Host: name:port`, and `[::1]:port`.
    let host = match host.rsplit_once(':') {
        Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
        _ => host,
    };
    let request = Request {
        host,
        path: uri.path_and_query().map_or("/", |p| p.as_str()),
        https: served.https,
        user_agent: headers
            .get(header::USER_AGENT)
            .and_then(|h| h.to_str().ok())
            .unwrap_or_default(),
    };
    let answer = answer(&served.store, &served.runtime, &request);
    let mut response = (
        axum::http::StatusCode::from_u16(answer.status)
            .unwrap_or(axum::http::StatusCode::BAD_GATEWAY),
        [(header::CONTENT_TYPE, answer.content_type)],
        answer.body,
    )
        .into_response();
    if let Some(location) = answer.location.and_then(|l| l.parse().ok()) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    response
}

/// Picks the certificate for the name a client asks for.
#[derive(Debug)]
struct Certificates {
    store: Arc<Store>,
    fake: Arc<CertifiedKey>,
}

impl ResolvesServerCert for Certificates {
    fn resolve(&self, hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        let named = hello
            .server_name()
            .and_then(|name| tls_secret(&self.store, name))
            .and_then(|(namespace, name)| {
                let secret = self
                    .store
                    .get(&Key::new("", "secrets", &namespace, &name))
                    .ok()?;
                let field = |key: &str| {
                    base64::engine::general_purpose::STANDARD
                        .decode(secret["data"][key].as_str()?)
                        .ok()
                };
                certified(&field("tls.crt")?, &field("tls.key")?)
            });
        // A Secret that is missing or holds no usable pair: nginx serves its own.
        Some(named.unwrap_or_else(|| self.fake.clone()))
    }
}

/// A certificate chain and its key, from PEM.
fn certified(chain: &[u8], key: &[u8]) -> Option<Arc<CertifiedKey>> {
    let chain = CertificateDer::pem_slice_iter(chain)
        .collect::<Result<Vec<_>, _>>()
        .ok()
        .filter(|c| !c.is_empty())?;
    let key = any_supported_type(&PrivateKeyDer::from_pem_slice(key).ok()?).ok()?;
    Some(Arc::new(CertifiedKey::new(chain, key)))
}

/// ingress-nginx's default certificate: self-signed, with its well-known names.
fn fake_certificate() -> Result<Arc<CertifiedKey>, rcgen::Error> {
    let key = rcgen::KeyPair::generate()?;
    let mut params = rcgen::CertificateParams::new(vec!["ingress.local".to_string()])?;
    params.distinguished_name = rcgen::DistinguishedName::new();
    params.distinguished_name.push(
        rcgen::DnType::CommonName,
        "Kubernetes Ingress Controller Fake Certificate",
    );
    params
        .distinguished_name
        .push(rcgen::DnType::OrganizationName, "Acme Co");
    let cert = params.self_signed(&key)?;
    certified(cert.pem().as_bytes(), key.serialize_pem().as_bytes())
        .ok_or(rcgen::Error::CouldNotParseKeyPair)
}

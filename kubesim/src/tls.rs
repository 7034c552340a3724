//! HTTPS for `kubesim serve`: a fresh certificate authority and a server certificate for
//! the listening address, made at start-up, so kubectl (which sends bearer tokens only over
//! TLS) can verify the server through the kubeconfig's `certificate-authority-data`.

use base64::Engine;
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use std::sync::Arc;

/// A CA and the server certificate it signed.
pub struct Tls {
    ca_pem: String,
    server_config: Arc<rustls::ServerConfig>,
}

impl Tls {
    /// Makes a CA and a server certificate valid for `hosts` (names or IP addresses).
    pub fn generate(hosts: &[String]) -> Result<Tls, Box<dyn std::error::Error + Send + Sync>> {
        let ca_key = KeyPair::generate()?;
        let mut ca = CertificateParams::new(Vec::<String>::new())?;
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca.distinguished_name.push(DnType::CommonName, "kubesim-ca");
        ca.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let ca_cert = ca.self_signed(&ca_key)?;
        let issuer = Issuer::new(ca, ca_key);

        let key = KeyPair::generate()?;
        let mut server = CertificateParams::new(hosts.to_vec())?;
        server
            .distinguished_name
            .push(DnType::CommonName, "kube-apiserver");
        server.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        server.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyEncipherment,
        ];
        let cert = server.signed_by(&key, &issuer)?;

        let chain = vec![
            CertificateDer::from(cert.der().to_vec()),
            CertificateDer::from(ca_cert.der().to_vec()),
        ];
        let private = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
        let server_config = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(chain, private)?;
        Ok(Tls {
            ca_pem: ca_cert.pem(),
            server_config: Arc::new(server_config),
        })
    }

    /// The CA certificate, PEM.
    pub fn ca_pem(&self) -> &str {
        &self.ca_pem
    }

    /// The rustls configuration to serve with.
    pub fn server_config(&self) -> Arc<rustls::ServerConfig> {
        self.server_config.clone()
    }

    /// A kubeconfig for `server` (an https URL) authenticating with `token`.
    pub fn kubeconfig(&self, server: &str, token: &str) -> String {
        let ca = base64::engine::general_purpose::STANDARD.encode(&self.ca_pem);
        format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: kubesim\n  cluster:\n    server: {server}\n    certificate-authority-data: {ca}\ncontexts:\n- name: kubesim\n  context:\n    cluster: kubesim\n    user: admin\n    namespace: default\ncurrent-context: kubesim\nusers:\n- name: admin\n  user:\n    token: {token}\n"
        )
    }
}

//! curl to an Ingress host: `localhost` on port 80 or 443, where kind maps ingress-nginx.
//! The request goes to the cluster's ingress controller ([`IngressEntrance`]) as curl
//! would send it, with the workspace's name for the host (`HOST.<id>.<domain>`, the name
//! its Ingresses are served under), so it reaches the attendee's own Ingresses and no
//! one else's. Over HTTPS the same name goes in the handshake (SNI); the certificate is
//! judged as curl judges one it has no authority for, unless `-k`.

use super::answer::Failure;
use crate::cluster::IngressEntrance;
use bytes::Bytes;
use http_body_util::{BodyExt, Empty, Limited};
use hyper_util::rt::TokioIo;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use std::sync::Arc;
use std::time::Duration;

/// How long a request may take, as `curl --max-time 10` would allow.
const TIMEOUT: Duration = Duration::from_secs(10);
/// Bytes of an answer read (more than the console shows).
const READ: usize = 1024 * 1024;

/// What curl prints after a certificate it cannot verify (curl 7.88).
const CERTIFICATE_HELP: &str = "More details here: https://curl.se/docs/sslcerts.html\n\ncurl failed to verify the legitimacy of the server and therefore could not\nestablish a secure connection to it. To learn more about this situation and\nhow to fix it, please visit the web page mentioned above.";

/// One request to the ingress controller.
pub(super) struct Request<'a> {
    /// The host as the workspace's Ingresses are served: `Host` header and SNI.
    pub host: &'a str,
    /// What curl calls the place it connects to, in its errors: `localhost port 80`.
    pub shown: (&'a str, u16),
    pub https: bool,
    /// `-k`: any certificate will do.
    pub insecure: bool,
    pub method: &'a str,
    /// Path and query, from `/`.
    pub path: &'a str,
}

/// Sends `request` to the controller at `entrance`: the answer's head and body.
pub(super) async fn send(
    entrance: IngressEntrance,
    request: &Request<'_>,
) -> Result<(http::response::Parts, Bytes), Failure> {
    let (name, port) = request.shown;
    let timed_out = || {
        Failure(
            28,
            format!(
                "Operation timed out after {} milliseconds with 0 bytes received",
                TIMEOUT.as_millis()
            ),
        )
    };
    let exchange = async {
        let address = if request.https {
            entrance.https
        } else {
            entrance.http
        };
        let tcp = tokio::net::TcpStream::connect(address).await.map_err(|_| {
            Failure(
                7,
                format!(
                    "Failed to connect to {name} port {port} after 0 ms: Couldn't connect to server"
                ),
            )
        })?;
        if request.https {
            let tls = handshake(tcp, request).await?;
            exchange(TokioIo::new(tls), request).await
        } else {
            exchange(TokioIo::new(tcp), request).await
        }
    };
    tokio::time::timeout(TIMEOUT, exchange)
        .await
        .map_err(|_| timed_out())?
}

/// The TLS handshake, naming the host (SNI) and judging the certificate as curl does.
async fn handshake(
    tcp: tokio::net::TcpStream,
    request: &Request<'_>,
) -> Result<tokio_rustls::client::TlsStream<tokio::net::TcpStream>, Failure> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| Failure(35, e.to_string()))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(Judge {
            insecure: request.insecure,
            provider,
        }))
        .with_no_client_auth();
    let name = ServerName::try_from(request.host.to_string())
        .map_err(|_| Failure(3, "URL using bad/illegal format or missing URL".into()))?;
    tokio_rustls::TlsConnector::from(Arc::new(config))
        .connect(name, tcp)
        .await
        .map_err(|e| {
            let refused = e
                .get_ref()
                .and_then(|inner| inner.downcast_ref::<rustls::Error>());
            match refused {
                Some(rustls::Error::General(problem)) => Failure(
                    60,
                    format!("SSL certificate problem: {problem}\n{CERTIFICATE_HELP}"),
                ),
                _ => Failure(35, format!("TLS connect error: {e}")),
            }
        })
}

/// One HTTP/1.1 exchange over `io`, as curl sends it.
async fn exchange<T>(
    io: T,
    request: &Request<'_>,
) -> Result<(http::response::Parts, Bytes), Failure>
where
    T: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let broke = |e: &dyn std::fmt::Display| {
        Failure(
            56,
            format!("Failure when receiving data from the peer: {e}"),
        )
    };
    let (mut sender, connection) = hyper::client::conn::http1::handshake(io)
        .await
        .map_err(|_| Failure(52, "Empty reply from server".into()))?;
    tokio::spawn(connection);
    let outgoing = http::Request::builder()
        .method(request.method)
        .uri(request.path)
        .header(http::header::HOST, request.host)
        .header(http::header::USER_AGENT, "curl/7.88.1")
        .header(http::header::ACCEPT, "*/*")
        .body(Empty::<Bytes>::new())
        .map_err(|_| Failure(3, "URL using bad/illegal format or missing URL".into()))?;
    let response = sender
        .send_request(outgoing)
        .await
        .map_err(|_| Failure(52, "Empty reply from server".into()))?;
    let (parts, body) = response.into_parts();
    let bytes = Limited::new(body, READ)
        .collect()
        .await
        .map_err(|e| broke(&e))?
        .to_bytes();
    Ok((parts, bytes))
}

/// Judges the server's certificate as curl on the attendee's machine would: no authority
/// it trusts signed a workspace's certificate (a self-signed or private CA issuer), so
/// without `-k` the connection fails with OpenSSL's reason.
#[derive(Debug)]
struct Judge {
    insecure: bool,
    provider: Arc<rustls::crypto::CryptoProvider>,
}

impl ServerCertVerifier for Judge {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        _name: &ServerName<'_>,
        _ocsp: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if self.insecure {
            return Ok(ServerCertVerified::assertion());
        }
        let problem = if self_signed(end_entity) {
            "self-signed certificate"
        } else if intermediates.last().is_some_and(|c| self_signed(c)) {
            "self-signed certificate in certificate chain"
        } else {
            "unable to get local issuer certificate"
        };
        Err(rustls::Error::General(problem.into()))
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// Whether a certificate names itself as its issuer.
fn self_signed(der: &CertificateDer<'_>) -> bool {
    x509_parser::parse_x509_certificate(der)
        .is_ok_and(|(_, cert)| cert.issuer().as_raw() == cert.subject().as_raw())
}

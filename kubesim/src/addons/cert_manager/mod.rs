//! cert-manager, as installed by the trainer's kind setup: its CRDs ([`crds`]), issuers
//! that become Ready or say why not ([`issuers`]: selfSigned and CA sign; ACME cannot
//! reach the internet), Certificates issued into `kubernetes.io/tls` Secrets with real
//! X.509 certificates through CertificateRequests ([`certificates`]), and the
//! ingress-shim that turns annotated Ingresses into Certificates ([`shim`]).

pub mod certificates;
mod conditions;
mod controller;
pub mod crds;
pub mod issuers;
pub mod shim;

pub use controller::controller;

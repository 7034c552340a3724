//! kubesim's integration tests, one binary (link once): real clients against the API.

mod support;

mod admission;
mod auth;
mod bad_input;
mod claims;
mod crd;
mod determinism;
#[cfg(feature = "durable")]
mod durable;
mod escalation;
mod kube_client;
mod lifecycle;
mod network_policy;
mod pod_security;
mod pod_update;
mod real_clients;
mod validation;
mod workloads;

//! kubesim's integration tests, one binary (link once): real clients against the API.

mod support;

// The differential tests' case data and request runner, shared: the validation
// catalogue's cases are one file both hold their server to. (Only part of each is used
// here.)
#[allow(dead_code)]
#[path = "../differential/case.rs"]
mod case;
#[allow(dead_code)]
#[path = "../differential/pattern.rs"]
mod pattern;
#[allow(dead_code)]
#[path = "../differential/request.rs"]
mod request;
#[allow(dead_code)]
#[path = "../differential/vars.rs"]
mod vars;

mod admission;
mod auth;
mod autoscaling;
mod bad_input;
mod claims;
mod crd;
mod determinism;
#[cfg(feature = "durable")]
mod durable;
mod escalation;
mod hooks;
mod images;
mod ingress;
mod ingress_serving;
mod job_backoff;
mod kube_client;
mod lifecycle;
mod network_policy;
mod placement;
mod pod_security;
mod pod_update;
mod port_forward;
mod real_clients;
mod rollout_history;
mod termination;
mod todays_kubectl;
mod validation;
mod workloads;

//! kubesim's integration tests, one binary (link once): real clients against the API.

mod durable;
mod kube_client;
mod real_clients;

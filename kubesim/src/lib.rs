//! kubesim: an embedded cluster that answers the Kubernetes API as kube-apiserver does,
//! so that unmodified clients (kube-rs, kubectl) work against it.
//!
//! ```no_run
//! # async fn demo() -> anyhow::Result<()> {
//! let cluster = kubesim::Cluster::builder().seed(1).build()?;
//! let client = cluster.client();
//! let pods: kube::Api<k8s_openapi::api::core::v1::Pod> = kube::Api::default_namespaced(client);
//! println!("{} pods", pods.list(&Default::default()).await?.items.len());
//! # Ok(()) }
//! ```
//!
//! Modules, from the bottom up: [`clock`] (injected time), [`store`] (objects, versions,
//! history), [`resources`] (what is served), [`patch`] (merge and strategic merge),
//! [`api`] (HTTP: discovery, verbs, watch, errors), [`cluster`] (assembly and clients).

pub mod addons;
pub mod admission;
pub mod allocators;
pub mod api;
pub mod auth;
pub mod clock;
pub mod cluster;
pub mod controllers;
pub mod convert;
pub mod crd;
pub mod defaults;
pub mod events;
pub mod fields;
pub mod labels;
pub mod managed;
pub mod models;
pub mod nodes;
pub mod openapi;
pub mod ownership;
pub mod patch;
pub mod pods;
pub mod quantity;
pub mod registry;
pub mod resources;
pub mod runtime;
pub mod scheduling;
pub mod status;
pub mod store;
#[cfg(feature = "serve")]
pub mod tls;
pub mod validation;
pub mod version;

pub use cluster::{Cluster, ClusterBuilder};

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
//! # Layers
//!
//! From the bottom up; a module imports only from its own layer and those below
//! (`scripts/structure.py` checks that no two files import each other and that the
//! registry, the controllers, the add-ons and the HTTP layer are imported only from
//! above).
//!
//! 1. Foundations: [`clock`] (injected time), [`version`] (the version served),
//!    [`resources`] (what is served), [`status`] (the Kubernetes `Status` error every
//!    layer raises), [`quantity`], [`labels`] (selectors), [`patch`] (merge patches),
//!    [`fields`] (field paths and sets).
//! 2. State: [`store`] (objects, versions, watch history; its journal behind the
//!    `durable` feature), [`events`] (the recorder), [`audit`] (the audit log),
//!    [`ownership`] (ownerReferences and finalizers), [`pods`] (readiness, binding
//!    state), [`scheduling`] (where a pod fits, and binding it).
//! 3. Rules on objects: [`managed`] (field ownership, server-side apply), [`defaults`],
//!    [`validation`], [`admission`], [`allocators`] (cluster IPs, node ports),
//!    [`convert`] (versions), [`crd`] (custom resources), [`auth`] (tokens,
//!    impersonation, RBAC and its escalation checks, reviews), [`openapi`] (documents,
//!    unknown fields).
//! 4. [`registry`]: the verbs on objects, with each kind's strategy, no HTTP.
//! 5. Workloads: [`models`] (what images do, described as data) and [`runtime`]
//!    (running processes, their logs, the cluster network and its NetworkPolicies).
//! 6. Control loops: [`controllers`] (one loop helper, one module per controller, the
//!    kubelet) and [`addons`] (ingress-nginx, cert-manager).
//! 7. [`api`]: HTTP — paths, discovery, OpenAPI, tables, watch, logs, proxy, metrics.
//! 8. Assembly: [`nodes`] (the cluster's shape), [`cluster`] (the assembled cluster and
//!    its clients), [`tls`] (serving over HTTPS).

#![warn(missing_docs)]

pub mod addons;
pub mod admission;
pub mod allocators;
pub mod api;
pub mod audit;
pub mod auth;
pub mod clock;
pub mod cluster;
pub mod controllers;
pub mod convert;
pub mod crd;
pub mod defaults;
pub mod events;
pub mod fields;
mod inprocess;
pub mod labels;
pub mod managed;
pub mod models;
pub mod nodes;
pub mod openapi;
pub mod ownership;
pub mod patch;
pub mod patch_schema;
pub mod pods;
pub mod protobuf;
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

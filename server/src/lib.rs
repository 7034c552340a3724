//! The kubeclass web server. `main.rs` only wires these together; `docs/architecture.md`
//! walks through them. From the bottom up:
//!
//! - [`config`], [`clock`], [`shutdown`], [`limits`]: configuration, time, signals, what
//!   one visitor may take.
//! - [`db`] (attendees, drafts, progress; migrations in `server/migrations/`),
//!   [`editions`] (every lesson's text kept, for addresses pinned to an edition) and
//!   [`sessions`] (the session layer and the `Attendee` extractor).
//! - [`cluster`] (the one connection), [`platform`] (the roles of `deploy/rbac/`, kubeclass's
//!   own rights), [`identity`] (the platform's client and each attendee's, impersonating),
//!   [`kinds`] (the kind registry's resources and
//!   discovery), [`workspace`] (an attendee's namespaces, their policy, how objects are
//!   shown, idle reclaim).
//! - [`pipeline`]: manifests → parse → plan → dry run → apply (or delete).
//! - [`console`]: a kubectl command line run as the attendee, printed as kubectl prints.
//! - [`watch`] (shared watches of the cluster, kubectl's columns from its Tables) and
//!   [`observe`] (a viewer's watches of a workspace, and lesson checks judged on them).
//! - [`state`] (what handlers reach), [`stream`] (the live websocket), [`http`] (the
//!   router, one module per domain, the error type).
//! - [`rehearsal`]: a lesson played through the pipeline and judged by its checks, as the
//!   tests and the benchmarks play every lesson on kubesim and the real control plane.

#![recursion_limit = "256"]

pub mod clock;
pub mod cluster;
pub mod config;
pub mod console;
pub mod db;
pub mod editions;
pub mod embed;
pub mod http;
pub mod identity;
pub mod kinds;
pub mod limits;
pub mod observe;
pub mod pipeline;
pub mod platform;
pub mod rehearsal;
pub mod sessions;
pub mod shutdown;
pub mod state;
pub mod stream;
pub mod trainer;
pub mod watch;
pub mod workspace;

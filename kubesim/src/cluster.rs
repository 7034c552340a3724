//! [`Cluster`]: the assembled simulated cluster, and the ways to reach it: an in-process
//! `kube::Client`, or HTTP on a socket.

use crate::api::{self, ApiServer};
use crate::clock::Clock;
use crate::store::{Key, Store, StoreError};
use jiff::Timestamp;
use serde_json::json;
use std::sync::Arc;

/// A running simulated cluster. Clone it freely: clones share the same state.
#[derive(Debug, Clone)]
pub struct Cluster {
    store: Arc<Store>,
    api: Arc<ApiServer>,
}

/// Settings for a [`Cluster`].
#[derive(Debug, Clone)]
pub struct ClusterBuilder {
    seed: u64,
    start: Option<Timestamp>,
    history: usize,
    data_dir: Option<std::path::PathBuf>,
}

impl Default for ClusterBuilder {
    fn default() -> Self {
        ClusterBuilder {
            seed: 0,
            start: None,
            history: 10_000,
            data_dir: None,
        }
    }
}

impl ClusterBuilder {
    /// Seeds every random choice (uids, generated names).
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// The wall-clock time the cluster starts at (default: the system's time now). Tests
    /// fix it, and with paused tokio time every timestamp is then reproducible.
    pub fn start_time(mut self, start: Timestamp) -> Self {
        self.start = Some(start);
        self
    }

    /// How many changes a watch can resume across before it gets 410 Gone.
    pub fn watch_history(mut self, events: usize) -> Self {
        self.history = events;
        self
    }

    /// Keeps the cluster's objects in `dir`, so they survive a restart (default: memory
    /// only).
    pub fn data_dir(mut self, dir: impl Into<std::path::PathBuf>) -> Self {
        self.data_dir = Some(dir.into());
        self
    }

    /// Builds the cluster with its initial objects (the namespaces every cluster has).
    /// Needs a tokio runtime. Fails only when the data directory cannot be read or
    /// written.
    pub fn build(self) -> Result<Cluster, StoreError> {
        let clock = Clock::starting_at(self.start.unwrap_or_else(Timestamp::now));
        let store = Arc::new(match &self.data_dir {
            Some(dir) => Store::open(dir, clock, self.seed, self.history)?,
            None => Store::new(clock, self.seed, self.history),
        });
        for name in ["default", "kube-system", "kube-public", "kube-node-lease"] {
            let namespace = json!({
                "apiVersion": "v1",
                "kind": "Namespace",
                "metadata": {"name": name, "labels": {"kubernetes.io/metadata.name": name}},
                "spec": {"finalizers": ["kubernetes"]},
                "status": {"phase": "Active"},
            });
            match store.create(Key::new("", "namespaces", "", name), namespace) {
                Ok(_) | Err(StoreError::AlreadyExists) => {}
                Err(e) => return Err(e),
            }
        }
        let api = ApiServer::new(store.clone());
        Ok(Cluster { store, api })
    }
}

impl Cluster {
    /// Settings for a new cluster.
    pub fn builder() -> ClusterBuilder {
        ClusterBuilder::default()
    }

    /// The HTTP router answering the Kubernetes API.
    pub fn router(&self) -> axum::Router {
        api::router(self.api.clone())
    }

    /// A `kube::Client` talking to this cluster in-process (no socket), with `default` as
    /// its default namespace.
    pub fn client(&self) -> kube::Client {
        kube::Client::new(self.router(), "default")
    }

    /// Serves the API over HTTP on `listener` until `shutdown` resolves.
    #[cfg(feature = "serve")]
    pub async fn serve(
        &self,
        listener: tokio::net::TcpListener,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        axum::serve(listener, self.router())
            .with_graceful_shutdown(shutdown)
            .await
    }

    /// The store, for controllers and tests that read state directly.
    pub fn store(&self) -> &Arc<Store> {
        &self.store
    }
}

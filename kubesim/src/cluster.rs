//! [`Cluster`]: the assembled simulated cluster, and the ways to reach it: an in-process
//! `kube::Client`, or HTTP on a socket.

use crate::api::{self, ApiServer};
use crate::audit::{AuditEvent, AuditLog};
use crate::auth::Tokens;
use crate::clock::Clock;
use crate::events::Recorder;
use crate::nodes::NodeSpec;
use crate::registry::{Registry, strategy};
use crate::runtime::Runtime;
use crate::store::{Key, Store, StoreError};
use jiff::Timestamp;
use serde_json::{Value, json};
use std::sync::Arc;

/// A running simulated cluster. Clone it freely: clones share the same state.
#[derive(Debug, Clone)]
pub struct Cluster {
    store: Arc<Store>,
    api: Arc<ApiServer>,
    tokens: Arc<Tokens>,
    runtime: Arc<Runtime>,
    audit: Arc<AuditLog>,
}

/// Settings for a [`Cluster`].
#[derive(Debug, Clone)]
pub struct ClusterBuilder {
    seed: u64,
    start: Option<Timestamp>,
    history: usize,
    #[cfg(feature = "durable")]
    data_dir: Option<std::path::PathBuf>,
    admin_token: Option<String>,
    nodes: Vec<NodeSpec>,
    system_workloads: bool,
    metrics_window: std::time::Duration,
}

impl Default for ClusterBuilder {
    fn default() -> Self {
        ClusterBuilder {
            seed: 0,
            start: None,
            history: 10_000,
            #[cfg(feature = "durable")]
            data_dir: None,
            admin_token: None,
            nodes: crate::nodes::kind_default(),
            system_workloads: true,
            metrics_window: crate::runtime::METRICS_WINDOW,
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

    /// The bearer token that authenticates as the cluster admin (default: derived from
    /// the seed, which suits tests; `kubesim serve` passes a random one).
    pub fn admin_token(mut self, token: impl Into<String>) -> Self {
        self.admin_token = Some(token.into());
        self
    }

    /// The nodes (default: kind's control plane and one worker).
    pub fn nodes(mut self, nodes: Vec<NodeSpec>) -> Self {
        self.nodes = nodes;
        self
    }

    /// Whether kind's own workloads run (CoreDNS, kube-proxy, kindnet, the local-path
    /// provisioner, the control plane's static pods; default: yes). Tests about watch
    /// history turn them off to keep the change stream to their own writes.
    pub fn system_workloads(mut self, run: bool) -> Self {
        self.system_workloads = run;
        self
    }

    /// How long a container runs before metrics.k8s.io reports it (default: 15 s, as
    /// metrics-server's resolution; tests on real time shorten it).
    pub fn metrics_window(mut self, window: std::time::Duration) -> Self {
        self.metrics_window = window;
        self
    }

    /// Keeps the cluster's objects in `dir`, so they survive a restart (default: memory
    /// only). Needs the `durable` feature (on by default).
    #[cfg(feature = "durable")]
    pub fn data_dir(mut self, dir: impl Into<std::path::PathBuf>) -> Self {
        self.data_dir = Some(dir.into());
        self
    }

    /// Builds the cluster with its initial objects (the namespaces every cluster has).
    /// Needs a tokio runtime. Fails only when the data directory cannot be read or
    /// written.
    pub fn build(self) -> Result<Cluster, StoreError> {
        let clock = Clock::starting_at(self.start.unwrap_or_else(Timestamp::now));
        let store = Arc::new(self.open_store(clock)?);
        for name in [
            "default",
            "kube-system",
            "kube-public",
            "kube-node-lease",
            "cert-manager",
            "ingress-nginx",
            "local-path-storage",
        ] {
            let mut namespace =
                json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}});
            strategy::namespace::prepare(&mut namespace);
            install(&store, Key::new("", "namespaces", "", name), namespace)?;
            strategy::namespace::default_account(&store, name)?;
        }
        let now = clock_now(&store);
        for (index, spec) in self.nodes.iter().enumerate() {
            let node = crate::nodes::node_object(spec, index, &now);
            install(&store, Key::new("", "nodes", "", &spec.name), node)?;
        }
        let installed = crate::nodes::kind_objects()
            .into_iter()
            .chain(crate::addons::ingress_nginx::objects());
        for (group, plural, namespace, object) in installed {
            let key = Key::new(group, plural, namespace, name_of(&object));
            install(&store, key, object)?;
        }
        for crd in crate::addons::cert_manager::crds::all() {
            let key = Key::new(
                "apiextensions.k8s.io",
                "customresourcedefinitions",
                "",
                name_of(&crd),
            );
            if let Some(stored) = install(&store, key.clone(), crd)? {
                crate::crd::establish(&store, &key, &stored)?;
            }
        }
        for (resource, object) in crate::auth::default_roles::default_objects() {
            let key = Key::new("rbac.authorization.k8s.io", resource, "", name_of(&object));
            install(&store, key, object)?;
        }
        let token = self.admin_token.unwrap_or_else(|| {
            format!(
                "kubesim-admin-{:016x}",
                self.seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0x6b75_6265
            )
        });
        let tokens = Arc::new(Tokens::new(token));
        let runtime = Arc::new(Runtime::new(store.clock().clone(), self.metrics_window));
        let events = Arc::new(Recorder::new(store.clone()));
        let registry = Registry::new(store.clone());
        let audit = registry.audit().clone();
        let api = ApiServer::new(registry.clone(), tokens.clone(), runtime.clone());
        let system = if self.system_workloads {
            crate::nodes::system_workloads(&self.nodes)
        } else {
            Vec::new()
        };
        for (group, plural, namespace, object) in system {
            // Through admission, like kubeadm's writes; already there after a restart.
            match registry.create_as_controller(group, "v1", plural, namespace, object, "kubeadm") {
                Ok(_) => {}
                Err(e) if e.code == 409 => {}
                Err(e) => tracing::warn!("creating kind's {plural} in {namespace}: {}", e.message),
            }
        }
        let controllers = Arc::new(crate::controllers::runner::Context {
            store: store.clone(),
            registry,
            runtime: runtime.clone(),
            events,
            tokens: tokens.clone(),
            rbac: crate::auth::rbac::Authorizer::new(store.clone()),
        });
        crate::controllers::start(&controllers);
        crate::addons::start(&controllers);
        Ok(Cluster {
            store,
            api,
            tokens,
            runtime,
            audit,
        })
    }
}

impl ClusterBuilder {
    /// The store: in the data directory when one is set.
    fn open_store(&self, clock: Clock) -> Result<Store, StoreError> {
        #[cfg(feature = "durable")]
        if let Some(dir) = &self.data_dir {
            return Store::open(dir, clock, self.seed, self.history);
        }
        Ok(Store::new(clock, self.seed, self.history))
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

    /// A `kube::Client` talking to this cluster in-process (no socket) as the admin, with
    /// `default` as its default namespace. Impersonation headers work on it as on a real
    /// cluster's admin connection.
    pub fn client(&self) -> kube::Client {
        self.client_with_token(self.tokens.admin_token())
    }

    /// An in-process client presenting `token` (an issued ServiceAccount token, say).
    pub fn client_with_token(&self, token: &str) -> kube::Client {
        let value = axum::http::HeaderValue::from_str(&format!("Bearer {token}")).ok();
        let service = tower::ServiceBuilder::new()
            .map_request(
                move |mut request: axum::http::Request<kube::client::Body>| {
                    if let Some(v) = &value {
                        request
                            .headers_mut()
                            .insert(axum::http::header::AUTHORIZATION, v.clone());
                    }
                    request
                },
            )
            .service(crate::inprocess::InProcess {
                router: self.router(),
            });
        kube::Client::new(service, "default")
    }

    /// The admin bearer token, for kubeconfigs.
    pub fn admin_token(&self) -> &str {
        self.tokens.admin_token()
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

    /// Serves the API over HTTPS (the way kubectl expects, since it sends tokens only over
    /// TLS) on `listener` until `shutdown` resolves, letting open requests finish.
    #[cfg(feature = "serve")]
    pub async fn serve_tls(
        &self,
        listener: std::net::TcpListener,
        tls: &crate::tls::Tls,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let handle = axum_server::Handle::new();
        let stopper = handle.clone();
        tokio::spawn(async move {
            shutdown.await;
            stopper.graceful_shutdown(Some(std::time::Duration::from_secs(10)));
        });
        listener.set_nonblocking(true)?;
        let config = axum_server::tls_rustls::RustlsConfig::from_config(tls.server_config());
        axum_server::from_tcp_rustls(listener, config)?
            .handle(handle)
            .serve(self.router().into_make_service())
            .await
    }

    /// The container runtime: what runs in the pods, and their output.
    pub fn runtime(&self) -> &Arc<Runtime> {
        &self.runtime
    }

    /// An HTTPS GET to the ingress controller (`https://localhost/…` on kind) for `host`
    /// and `path`, answered as nginx answers it: the status and body.
    pub fn ingress_get(&self, host: &str, path: &str) -> (u16, String) {
        let request = crate::addons::ingress_nginx::Request {
            host,
            path,
            https: true,
            user_agent: "curl/8.11.0",
        };
        let answer = crate::addons::ingress_nginx::answer(&self.store, &self.runtime, &request);
        (answer.status, answer.body)
    }

    /// Serves the ingress controller as kind's ingress-nginx listens on the machine's ports
    /// 80 and 443: plain HTTP on `http`, HTTPS on `https` (the certificate of the Secret an
    /// Ingress's `tls` names for the host asked for).
    #[cfg(feature = "serve")]
    pub async fn serve_ingress(
        &self,
        http: std::net::TcpListener,
        https: std::net::TcpListener,
    ) -> std::io::Result<()> {
        crate::addons::ingress_nginx::serve(self.store.clone(), self.runtime.clone(), http, https)
            .await
    }

    /// The audit log: every write whose admission left audit annotations (Pod Security's
    /// `enforce-policy`, and `audit-violations` when a pod or template breaks the
    /// namespace's audited level), oldest first.
    pub fn audit_events(&self) -> Vec<AuditEvent> {
        self.audit.events()
    }

    /// The store, for controllers and tests that read state directly.
    pub fn store(&self) -> &Arc<Store> {
        &self.store
    }
}

/// Creates `object` unless something is stored there already (a restarted durable store
/// holds what the cluster installed before); the new object, if it was created.
fn install(store: &Store, key: Key, object: Value) -> Result<Option<Arc<Value>>, StoreError> {
    match store.create(key, object) {
        Ok(stored) => Ok(Some(stored)),
        Err(StoreError::AlreadyExists) => Ok(None),
        Err(e) => Err(e),
    }
}

/// An object's name.
fn name_of(object: &Value) -> &str {
    object["metadata"]["name"].as_str().unwrap_or_default()
}

fn clock_now(store: &Store) -> String {
    store.clock().now_rfc3339()
}

//! The Kubernetes cluster attendees' manifests go to, as one `kube::Client` — the
//! platform's identity ([`crate::platform`]) — whichever it is: the embedded kubesim
//! cluster (in-process, durable under the data directory, optionally also served over
//! HTTPS for kubectl; the server installs the roles with its admin credentials, then acts
//! as kubeclass's ServiceAccount) or a real cluster from a kubeconfig (whose identity
//! must hold the platform role). Nothing after this module knows which.

use crate::config::{ClusterConfig, ClusterKind};
use crate::platform;
use anyhow::Context;
use std::net::SocketAddr;
use std::path::Path;

/// The cluster, connected: kubeclass's client, and where its ingress controller listens
/// (the embedded cluster's own; a kubeconfig cluster's only when configured, since the
/// server cannot tell where that is).
pub struct Connected {
    pub client: kube::Client,
    pub ingress: Option<IngressEntrance>,
}

/// Where the cluster's ingress controller takes requests, which the console's `curl`
/// sends to an Ingress host. Not the Kubernetes API: on kind it is ingress-nginx on the
/// machine's ports 80 and 443 (`--ingress-http 127.0.0.1:80 --ingress-https
/// 127.0.0.1:443`), on the embedded cluster its own listeners.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IngressEntrance {
    pub http: SocketAddr,
    pub https: SocketAddr,
}

/// Connects to the configured cluster and checks that it answers.
pub async fn connect(config: &ClusterConfig, data_dir: &Path) -> anyhow::Result<Connected> {
    let mut ingress = match (config.ingress_http, config.ingress_https) {
        (Some(http), Some(https)) => Some(IngressEntrance { http, https }),
        _ => None,
    };
    let client = match config.kind {
        ClusterKind::Embedded => {
            let (client, served) = embedded(config, data_dir).await?;
            ingress = Some(served);
            client
        }
        ClusterKind::Kubeconfig => {
            let options = kube::config::KubeConfigOptions {
                context: config.context.clone(),
                ..Default::default()
            };
            let kube_config = match &config.kubeconfig {
                Some(path) => {
                    let file = kube::config::Kubeconfig::read_from(path)
                        .with_context(|| format!("reading {}", path.display()))?;
                    kube::Config::from_custom_kubeconfig(file, &options).await?
                }
                None => kube::Config::from_kubeconfig(&options).await?,
            };
            let client = kube::Client::try_from(kube_config)?;
            platform::check(&client).await?;
            client
        }
    };
    let version = client
        .apiserver_version()
        .await
        .context("the cluster does not answer")?;
    tracing::info!(kind = ?config.kind, version = %version.git_version, "connected to the cluster");
    Ok(Connected { client, ingress })
}

/// Whether the cluster's nodes run containers. A control plane whose nodes are all kwok's
/// (`deploy/control-plane/`) only pretends: its pods are Running but have no log, answer
/// no HTTP and never fail a probe; the panels say so instead of waiting for them.
pub async fn runs_containers(platform: &kube::Client) -> bool {
    let nodes: kube::Api<k8s_openapi::api::core::v1::Node> = kube::Api::all(platform.clone());
    match nodes.list(&Default::default()).await {
        Ok(list) => list.items.iter().any(|n| {
            n.status
                .as_ref()
                .and_then(|s| s.node_info.as_ref())
                .is_none_or(|i| !i.container_runtime_version.starts_with("kwok"))
        }),
        Err(_) => true, // cannot tell: expect the usual
    }
}

/// What the attendee is told where a container would have answered, on a cluster whose
/// nodes run none.
pub const NO_CONTAINERS: &str = "this cluster's nodes are simulated (kwok): its pods run no containers, so there is no log to read and nothing answers HTTP";

/// The embedded cluster's nodes as the options size them: kind's control plane and the
/// workers, named as kind names them (`kind-worker`, `kind-worker2`, …).
pub fn embedded_nodes(config: &ClusterConfig) -> Vec<kubesim::nodes::NodeSpec> {
    use kubesim::nodes::NodeSpec;
    let mut nodes = vec![NodeSpec::control_plane("kind-control-plane")];
    nodes.extend((1..=config.embedded_workers).map(|n| {
        let name = match n {
            1 => "kind-worker".to_string(),
            n => format!("kind-worker{n}"),
        };
        NodeSpec {
            cpu: config.embedded_worker_cpus,
            memory_mib: config.embedded_worker_memory_mib,
            pods: config.embedded_worker_pods,
            ..NodeSpec::worker(&name)
        }
    }));
    nodes
}

async fn embedded(
    config: &ClusterConfig,
    data_dir: &Path,
) -> anyhow::Result<(kube::Client, IngressEntrance)> {
    // The admin token guards the optional HTTPS endpoint: from the OS's randomness.
    let token: String = (0..32)
        .map(|_| format!("{:x}", rand::random::<u8>() & 0xf))
        .collect();
    let cluster = kubesim::Cluster::builder()
        // Names and addresses the cluster makes are not guessable from one start to the next.
        .seed(rand::random())
        .data_dir(data_dir.join("kubesim"))
        .admin_token(format!("kubesim-admin-{token}"))
        .nodes(embedded_nodes(config))
        .build()
        .context("starting the embedded cluster")?;
    if let Some(addr) = config.embedded_api {
        let listener =
            std::net::TcpListener::bind(addr).with_context(|| format!("binding {addr}"))?;
        let local = listener.local_addr()?;
        let hosts = vec!["localhost".to_string(), local.ip().to_string()];
        let tls = kubesim::tls::Tls::generate(&hosts)
            .map_err(|e| anyhow::anyhow!("making certificates: {e}"))?;
        let kubeconfig = data_dir.join("kubesim.kubeconfig");
        std::fs::write(
            &kubeconfig,
            tls.kubeconfig(&format!("https://{local}"), cluster.admin_token()),
        )?;
        tracing::info!(
            "embedded cluster served on https://{local}; KUBECONFIG={}",
            kubeconfig.display()
        );
        let serving = cluster.clone();
        tokio::spawn(async move {
            if let Err(e) = serving
                .serve_tls(listener, &tls, std::future::pending())
                .await
            {
                tracing::error!("embedded cluster endpoint stopped: {e}");
            }
        });
    }
    let ingress = serve_ingress(&cluster, config.ingress_http, config.ingress_https)?;
    let token = platform::install(&cluster.client()).await?;
    Ok((cluster.client_with_token(&token), ingress))
}

/// Starts the embedded cluster's ingress controller on `http` and `https` (free loopback
/// ports if not given), as kind's ingress-nginx listens on ports 80 and 443.
pub fn serve_ingress(
    cluster: &kubesim::Cluster,
    http: Option<SocketAddr>,
    https: Option<SocketAddr>,
) -> anyhow::Result<IngressEntrance> {
    let free = SocketAddr::from((std::net::Ipv4Addr::LOCALHOST, 0));
    let bind = |addr: SocketAddr| {
        std::net::TcpListener::bind(addr).with_context(|| format!("binding {addr}"))
    };
    let http = bind(http.unwrap_or(free))?;
    let https = bind(https.unwrap_or(free))?;
    let entrance = IngressEntrance {
        http: http.local_addr()?,
        https: https.local_addr()?,
    };
    tracing::info!(
        "embedded ingress controller on http://{} and https://{}",
        entrance.http,
        entrance.https
    );
    let serving = cluster.clone();
    tokio::spawn(async move {
        if let Err(e) = serving.serve_ingress(http, https).await {
            tracing::error!("embedded ingress controller stopped: {e}");
        }
    });
    Ok(entrance)
}

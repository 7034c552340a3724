//! `kubesim serve`: the simulated cluster on a socket, with a kubeconfig for kubectl.

use clap::{Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Parser)]
#[command(name = "kubesim", version, about = "A simulated Kubernetes API server")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API until SIGINT or SIGTERM.
    Serve {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:6443")]
        addr: SocketAddr,
        /// Where to write a kubeconfig for this cluster.
        #[arg(long)]
        kubeconfig: Option<PathBuf>,
        /// Keep objects in this directory across restarts (default: memory only).
        #[arg(long)]
        data_dir: Option<PathBuf>,
        /// Seed for every random choice.
        #[arg(long, default_value_t = 0)]
        seed: u64,
        /// Worker nodes besides the control plane (kind's default: 1).
        #[arg(long, default_value_t = 1)]
        workers: usize,
        /// CPU cores of each node.
        #[arg(long, default_value_t = 4)]
        node_cpus: u32,
        /// Memory of each node, in MiB.
        #[arg(long, default_value_t = 8192)]
        node_memory_mib: u64,
        /// Serve the ingress controller's plain HTTP here (kind maps it to port 80).
        #[arg(long, requires = "ingress_https")]
        ingress_http: Option<SocketAddr>,
        /// Serve the ingress controller's HTTPS here (kind maps it to port 443).
        #[arg(long, requires = "ingress_http")]
        ingress_https: Option<SocketAddr>,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let Command::Serve {
        addr,
        kubeconfig,
        data_dir,
        seed,
        workers,
        node_cpus,
        node_memory_mib,
        ingress_http,
        ingress_https,
    } = Cli::parse().command;
    let mut nodes = vec![kubesim::nodes::NodeSpec::control_plane(
        "kind-control-plane",
    )];
    for i in 0..workers {
        let name = if i == 0 {
            "kind-worker".to_string()
        } else {
            format!("kind-worker{}", i + 1)
        };
        nodes.push(kubesim::nodes::NodeSpec::worker(&name));
    }
    for node in &mut nodes {
        node.cpu = node_cpus;
        node.memory_mib = node_memory_mib;
    }
    // The admin token is a secret: from the OS's randomness, not the simulation's seed.
    let admin_token: String = (0..32)
        .map(|_| format!("{:x}", rand::random::<u8>() & 0xf))
        .collect();
    let mut builder = kubesim::Cluster::builder()
        .seed(seed)
        .nodes(nodes)
        .admin_token(format!("kubesim-admin-{admin_token}"));
    if let Some(dir) = data_dir {
        builder = builder.data_dir(dir);
    }
    let cluster = builder.build()?;
    let listener = std::net::TcpListener::bind(addr)?;
    let local = listener.local_addr()?;
    let hosts = vec![
        "localhost".to_string(),
        local.ip().to_string(),
        "127.0.0.1".to_string(),
    ];
    let tls = kubesim::tls::Tls::generate(&hosts)
        .map_err(|e| anyhow::anyhow!("making certificates: {e}"))?;
    let server = format!("https://{local}");
    if let Some(path) = kubeconfig {
        std::fs::write(&path, tls.kubeconfig(&server, cluster.admin_token()))?;
        tracing::info!("kubeconfig written to {}", path.display());
    }
    if let (Some(http), Some(https)) = (ingress_http, ingress_https) {
        let (http, https) = (
            std::net::TcpListener::bind(http)?,
            std::net::TcpListener::bind(https)?,
        );
        tracing::info!(
            "ingress controller on http://{} and https://{}",
            http.local_addr()?,
            https.local_addr()?
        );
        let serving = cluster.clone();
        tokio::spawn(async move { serving.serve_ingress(http, https).await });
    }
    tracing::info!("kubesim serving the Kubernetes API on {server}");
    cluster.serve_tls(listener, &tls, shutdown()).await?;
    Ok(())
}

async fn shutdown() {
    let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        Ok(s) => s,
        Err(_) => return std::future::pending().await,
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
}

//! Typed configuration, one struct per concern, read from flags and the environment
//! (`kubeclass --help` lists both).

use clap::{Args, Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;

/// Everything `kubeclass` can be told at start-up.
#[derive(Debug, Clone, Parser)]
#[command(
    name = "kubeclass",
    version,
    about = "Hands-on Kubernetes workshops in the browser"
)]
pub struct Config {
    #[command(flatten)]
    pub http: HttpConfig,
    #[command(flatten)]
    pub content: ContentConfig,
    #[command(flatten)]
    pub cluster: ClusterConfig,
    #[command(flatten)]
    pub storage: StorageConfig,
    #[command(flatten)]
    pub workshop: WorkshopConfig,
    #[command(flatten)]
    pub limits: LimitsConfig,
    /// Without a command, `kubeclass` serves.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// What `kubeclass` can do besides serving.
#[derive(Debug, Clone, Subcommand)]
pub enum Command {
    /// Trainer accounts and API tokens, in the server's database.
    #[command(subcommand)]
    Trainer(TrainerCommand),
    /// Plays every step of the lessons given (`COURSE/SLUG`, in order) on a fresh
    /// workspace of the configured cluster and prints each check green or red: whether
    /// the cluster is ready for a room. Exits 1 if any check failed.
    Preflight {
        /// The lessons, as `fundamentals/deployments`.
        #[arg(required = true)]
        lessons: Vec<String>,
    },
    /// Docs sites that may embed lessons, in the server's database.
    #[command(subcommand)]
    Embed(EmbedCommand),
    /// Lists the editions of a lesson the server has kept, newest first: what a docs
    /// page may pin (`fundamentals/pods@VERSION`, or `@TAG`).
    Editions {
        /// The lesson, as `fundamentals/pods`.
        lesson: String,
    },
}

/// `kubeclass embed …` (run by [`crate::embed::cli`]).
#[derive(Debug, Clone, Subcommand)]
pub enum EmbedCommand {
    /// Registers a docs site and prints its key (for the snippet's `site` attribute):
    /// `/embed/*` may then be framed by exactly these origins.
    AddSite {
        /// An origin that may frame the embed, as `https://docs.example.com` (scheme,
        /// host and port if not the default; no path). Repeat for several.
        #[arg(long = "origin", required = true)]
        origins: Vec<String>,
        /// Give this existing key these origins instead of making a new key.
        #[arg(long)]
        key: Option<String>,
    },
    /// Lists the registered sites: key and origins.
    ListSites,
    /// Removes a site: its embeds stop loading and its readers' sandboxes end.
    RemoveSite {
        /// The site's key.
        key: String,
    },
    /// Ends every sandbox of a site now (their workspaces are deleted within half a
    /// minute); its embeds keep loading, and readers may press Start again.
    EndSandboxes {
        /// The site's key.
        key: String,
    },
}

/// `kubeclass trainer …` (run by [`crate::trainer::cli`]).
#[derive(Debug, Clone, Subcommand)]
pub enum TrainerCommand {
    /// Adds a trainer, or sets an existing one's password. The password comes from
    /// KUBECLASS_TRAINER_PASSWORD, or is read from stdin (asked for on a terminal).
    Add {
        /// The trainer's login name: 1 to 64 letters, digits, '.', '_' or '-'.
        name: String,
    },
    /// Makes an API token for a trainer (`Authorization: Bearer TOKEN`) and prints it:
    /// it is shown this once and kept only as a digest.
    Token {
        /// The trainer the token acts as.
        name: String,
    },
}

/// What one visitor, and all of them, may take: the server's defence against floods.
#[derive(Debug, Clone, Copy, Args)]
pub struct LimitsConfig {
    /// Attendees with a live workspace at once; past it, newcomers are told the workshop
    /// is full.
    #[arg(long, env = "KUBECLASS_MAX_ATTENDEES", default_value_t = 1000)]
    pub max_attendees: u64,
    /// New attendees per minute from one client address (a room behind one NAT shares
    /// an address: keep it generous).
    #[arg(
        long,
        env = "KUBECLASS_NEW_ATTENDEES_PER_MINUTE",
        default_value_t = 120
    )]
    pub new_attendees_per_minute: u32,
    /// Trainer login attempts per minute from one client address (each costs an Argon2
    /// hash; guessing passwords must stay slow).
    #[arg(long, env = "KUBECLASS_LOGINS_PER_MINUTE", default_value_t = 10)]
    pub logins_per_minute: u32,
    /// Take the client's address from the last `X-Forwarded-For` hop (set it behind a
    /// proxy or Ingress, never when clients reach the server directly).
    #[arg(long, env = "KUBECLASS_TRUST_FORWARDED_FOR", default_value_t = false)]
    pub trust_forwarded_for: bool,
    /// Live streams (tabs) one attendee may hold open at once.
    #[arg(long, env = "KUBECLASS_MAX_STREAMS_PER_ATTENDEE", default_value_t = 8)]
    pub max_streams_per_attendee: usize,
    /// Console commands one attendee may have running at once over the live stream, in
    /// all their tabs (those that follow, such as `get -w`, run until stopped).
    #[arg(
        long,
        env = "KUBECLASS_MAX_CONSOLE_COMMANDS_PER_ATTENDEE",
        default_value_t = 4
    )]
    pub max_console_commands_per_attendee: usize,
    /// Drafts (edited panes) one attendee may keep.
    #[arg(long, env = "KUBECLASS_MAX_DRAFTS_PER_ATTENDEE", default_value_t = 300)]
    pub max_drafts_per_attendee: u64,
    /// Embed sandboxes (docs readers who pressed Start) live at once; past it, readers
    /// wait in line.
    #[arg(long, env = "KUBECLASS_EMBED_SANDBOXES", default_value_t = 200)]
    pub embed_sandboxes: u64,
    /// Embed sandboxes one docs site may hold at once.
    #[arg(
        long,
        env = "KUBECLASS_EMBED_SANDBOXES_PER_SITE",
        default_value_t = 100
    )]
    pub embed_sandboxes_per_site: u64,
    /// Embed sandboxes one client address may start per minute.
    #[arg(long, env = "KUBECLASS_EMBED_STARTS_PER_MINUTE", default_value_t = 6)]
    pub embed_starts_per_minute: u32,
    /// Embed sandboxes one docs site may start per minute, over all its readers.
    #[arg(
        long,
        env = "KUBECLASS_EMBED_SITE_STARTS_PER_MINUTE",
        default_value_t = 120
    )]
    pub embed_site_starts_per_minute: u32,
    /// Minutes an embed sandbox lives at most.
    #[arg(long, env = "KUBECLASS_EMBED_MINUTES", default_value_t = 30)]
    pub embed_minutes: u32,
    /// Minutes an embed sandbox may sit unused before it ends.
    #[arg(long, env = "KUBECLASS_EMBED_IDLE_MINUTES", default_value_t = 5)]
    pub embed_idle_minutes: u32,
}

impl Default for LimitsConfig {
    fn default() -> Self {
        LimitsConfig {
            max_attendees: 1000,
            new_attendees_per_minute: 120,
            logins_per_minute: 10,
            trust_forwarded_for: false,
            max_streams_per_attendee: 8,
            max_console_commands_per_attendee: 4,
            max_drafts_per_attendee: 300,
            embed_sandboxes: 200,
            embed_sandboxes_per_site: 100,
            embed_starts_per_minute: 6,
            embed_site_starts_per_minute: 120,
            embed_minutes: 30,
            embed_idle_minutes: 5,
        }
    }
}

/// Attendees and their workspaces.
#[derive(Debug, Clone, Args)]
pub struct WorkshopConfig {
    /// SQLite database for sessions, attendees and progress (default: DATA_DIR/kubeclass.db).
    #[arg(long, env = "KUBECLASS_DATABASE")]
    pub database: Option<PathBuf>,
    /// What every workspace namespace's name starts with: `PREFIX-ATTENDEE-SHORTNAME`.
    #[arg(long, env = "KUBECLASS_WORKSPACE_PREFIX", default_value = "kc")]
    pub workspace_prefix: String,
    /// What every workspace's Ingress hosts end with: a manifest's `host: H` is served as
    /// `H.<workspace>.<domain>` (the default, `localhost`, reaches this machine from any
    /// browser; on a shared cluster, a wildcard DNS name that points at its ingress).
    #[arg(long, env = "KUBECLASS_INGRESS_DOMAIN", default_value = "localhost")]
    pub ingress_domain: String,
    /// Minutes a workspace may sit unused before its namespaces are deleted.
    #[arg(long, env = "KUBECLASS_WORKSPACE_IDLE_MINUTES", default_value_t = 240)]
    pub workspace_idle_minutes: u64,
    /// Mark session cookies `Secure` (set when the site is served over HTTPS).
    #[arg(long, env = "KUBECLASS_SECURE_COOKIES", default_value_t = false)]
    pub secure_cookies: bool,
}

/// Where the server keeps state between runs.
#[derive(Debug, Clone, Args)]
pub struct StorageConfig {
    /// Folder for durable state (the embedded cluster's objects, its kubeconfig).
    #[arg(long = "data-dir", env = "KUBECLASS_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,
}

/// Where and how the web server listens.
#[derive(Debug, Clone, Args)]
pub struct HttpConfig {
    /// Address to listen on.
    #[arg(
        long = "addr",
        env = "KUBECLASS_ADDR",
        default_value = "127.0.0.1:3000"
    )]
    pub addr: SocketAddr,
    /// Longest time one request may take; also bounds graceful shutdown.
    #[arg(long, env = "KUBECLASS_REQUEST_TIMEOUT_SECS", default_value_t = 30)]
    pub request_timeout_secs: u64,
}

/// Where the lessons are.
#[derive(Debug, Clone, Args)]
pub struct ContentConfig {
    /// Folder holding the courses (`<course>/course.yaml` and `<course>/NN-slug.md`).
    #[arg(
        long = "content-dir",
        env = "KUBECLASS_CONTENT_DIR",
        default_value = "content"
    )]
    pub dir: PathBuf,
}

/// Which Kubernetes cluster attendees' manifests go to. The server connects at start-up
/// and reports the cluster's version; the lesson loop will use the connection.
#[derive(Debug, Clone, Args)]
pub struct ClusterConfig {
    /// `embedded` (the built-in simulated cluster) or `kubeconfig` (a real cluster).
    #[arg(long = "cluster", env = "KUBECLASS_CLUSTER", value_enum, default_value_t = ClusterKind::Embedded)]
    pub kind: ClusterKind,
    /// Kubeconfig file for `--cluster kubeconfig` (default: the usual KUBECONFIG lookup).
    #[arg(long, env = "KUBECLASS_KUBECONFIG")]
    pub kubeconfig: Option<PathBuf>,
    /// Context within the kubeconfig (default: its current context).
    #[arg(long, env = "KUBECLASS_CONTEXT")]
    pub context: Option<String>,
    /// Also serve the embedded cluster over HTTPS on this address, writing
    /// `<data-dir>/kubesim.kubeconfig`, so kubectl can look at it.
    #[arg(long, env = "KUBECLASS_EMBEDDED_API")]
    pub embedded_api: Option<SocketAddr>,
    /// Worker nodes of the embedded cluster, beside its control plane. The default (2 of
    /// 8 CPUs, 16 GiB, 110 Pods, the shape of the real control plane's nodes in
    /// `deploy/control-plane`) holds a room of 30 rolling out the Deployments lesson's
    /// app at once: 3 replicas, a surge Pod and the old Pods terminating, 50m CPU and
    /// 32 MiB requested each; one worker's 110 Pods do not. A room of 100 wants 4.
    #[arg(long, env = "KUBECLASS_EMBEDDED_WORKERS", default_value_t = 2,
          value_parser = clap::value_parser!(u32).range(1..=100))]
    pub embedded_workers: u32,
    /// CPUs of each worker of the embedded cluster (what it reports and schedules).
    #[arg(long, env = "KUBECLASS_EMBEDDED_WORKER_CPUS", default_value_t = 8,
          value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub embedded_worker_cpus: u32,
    /// Memory of each worker of the embedded cluster, in MiB.
    #[arg(long, env = "KUBECLASS_EMBEDDED_WORKER_MEMORY_MIB", default_value_t = 16384,
          value_parser = clap::value_parser!(u64).range(512..=4_194_304))]
    pub embedded_worker_memory_mib: u64,
    /// Pods each worker of the embedded cluster takes (the kubelet's `maxPods`; kind's
    /// is 110).
    #[arg(long, env = "KUBECLASS_EMBEDDED_WORKER_PODS", default_value_t = 110,
          value_parser = clap::value_parser!(u32).range(10..=10_000))]
    pub embedded_worker_pods: u32,
    /// Where the cluster's ingress controller takes plain HTTP, for the console's `curl`
    /// to Ingress hosts (kind maps ingress-nginx to the machine's port 80: give
    /// 127.0.0.1:80 and --ingress-https for a kind cluster; without both, the console's
    /// curl reaches no Ingress). The embedded cluster's controller listens here (default:
    /// a free loopback port).
    #[arg(long, env = "KUBECLASS_INGRESS_HTTP")]
    pub ingress_http: Option<SocketAddr>,
    /// The same for HTTPS (kind: the machine's port 443).
    #[arg(long, env = "KUBECLASS_INGRESS_HTTPS")]
    pub ingress_https: Option<SocketAddr>,
}

/// The two kinds of cluster the server can talk to, through the same code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ClusterKind {
    /// kubesim, in-process.
    Embedded,
    /// A real cluster from a kubeconfig (kind, via `deploy/`, is the reference).
    Kubeconfig,
}

/// A configuration that cannot work, said before the server starts.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The content folder is missing.
    #[error("content directory {0} does not exist (set --content-dir or KUBECLASS_CONTENT_DIR)")]
    ContentDirMissing(PathBuf),
    /// A kubeconfig was named but is not there.
    #[error("kubeconfig {0} does not exist")]
    KubeconfigMissing(PathBuf),
    /// `--embedded-api` only makes sense for the embedded cluster.
    #[error("--embedded-api needs --cluster embedded")]
    EmbeddedApiWithoutEmbedded,
    /// Kubeconfig options were given for the embedded cluster.
    #[error("--kubeconfig and --context need --cluster kubeconfig")]
    KubeconfigWithoutCluster,
}

impl Config {
    /// Checks what can be checked before anything starts.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if !self.content.dir.is_dir() {
            return Err(ConfigError::ContentDirMissing(self.content.dir.clone()));
        }
        if self.cluster.kind == ClusterKind::Kubeconfig && self.cluster.embedded_api.is_some() {
            return Err(ConfigError::EmbeddedApiWithoutEmbedded);
        }
        match (self.cluster.kind, &self.cluster.kubeconfig) {
            (ClusterKind::Kubeconfig, Some(path)) if !path.is_file() => {
                Err(ConfigError::KubeconfigMissing(path.clone()))
            }
            (ClusterKind::Embedded, Some(_)) => Err(ConfigError::KubeconfigWithoutCluster),
            (ClusterKind::Embedded, None) if self.cluster.context.is_some() => {
                Err(ConfigError::KubeconfigWithoutCluster)
            }
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_parse_and_bad_combinations_are_named() {
        let config =
            Config::try_parse_from(["kubeclass", "--addr", "0.0.0.0:8080", "--content-dir", "."])
                .expect("parses");
        assert_eq!(config.http.addr.port(), 8080);
        assert_eq!(config.cluster.kind, ClusterKind::Embedded);
        assert!(config.validate().is_ok());

        let config =
            Config::try_parse_from(["kubeclass", "--content-dir", ".", "--kubeconfig", "k"])
                .expect("parses");
        assert_eq!(
            config.validate().unwrap_err().to_string(),
            "--kubeconfig and --context need --cluster kubeconfig"
        );

        let config =
            Config::try_parse_from(["kubeclass", "--content-dir", "/nope"]).expect("parses");
        assert!(
            config
                .validate()
                .unwrap_err()
                .to_string()
                .starts_with("content directory /nope does not exist")
        );

        assert!(Config::try_parse_from(["kubeclass", "--cluster", "kind"]).is_err());

        let config = Config::try_parse_from([
            "kubeclass",
            "--content-dir",
            ".",
            "--cluster",
            "kubeconfig",
            "--embedded-api",
            "127.0.0.1:6443",
        ])
        .expect("parses");
        assert_eq!(
            config.validate().unwrap_err().to_string(),
            "--embedded-api needs --cluster embedded"
        );
    }
}

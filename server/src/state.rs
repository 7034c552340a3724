//! What every handler can reach: the lessons, the cluster, the database, how workspaces
//! are named, discovery and the shared watches. A `Clone` struct of cheap handles; axum
//! hands out its parts with `FromRef`.

use crate::config::LimitsConfig;
use crate::console::resources::Catalog;
use crate::db::Database;
use crate::identity::Identities;
use crate::kinds::Discovery;
use crate::limits::Limits;
use crate::watch::Watchers;
use crate::workspace::{Workspace, Workspaces};
use app::content::{Lesson, Library};
use app::pages::SharedLibrary;
use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;
use std::path::PathBuf;
use std::sync::Arc;

/// The application's state.
#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub library: SharedLibrary,
    /// Where the lesson files (and their images) live.
    pub content_dir: Arc<PathBuf>,
    /// The cluster, as kubeclass itself and as each attendee.
    pub identities: Arc<Identities>,
    /// Attendees, drafts, progress, sessions.
    pub db: Database,
    /// How attendees' workspaces are named.
    pub workspaces: Workspaces,
    /// The cluster's kinds, for every apply.
    pub discovery: Arc<Discovery>,
    /// The watches every viewer shares.
    pub watchers: Arc<Watchers>,
    /// The names of the cluster's resources, for the console.
    pub catalog: Arc<Catalog>,
    /// The ports the console's `kubectl port-forward` opened, for its `curl`.
    pub forwards: Arc<crate::console::forwards::Forwards>,
    /// What one visitor, and all of them, may take.
    pub limits: Arc<Limits>,
    /// Where the cluster's ingress controller listens, for the console's `curl` (unknown
    /// unless configured, or the embedded cluster's).
    pub ingress: Option<crate::cluster::IngressEntrance>,
    /// The trainers' resets of attendees' workspaces, running and done.
    pub resets: Arc<crate::trainer::jobs::Resets>,
    /// Where each attendee's lesson tab is and what its checks say, for the room view.
    pub presence: Arc<crate::trainer::presence::Presence>,
    /// The rooms a trainer is looking at, judged from one watch per kind.
    pub room_watches: Arc<crate::trainer::room_watches::RoomWatches>,
    /// Each room's last preflight.
    pub preflights: Arc<crate::trainer::jobs::Preflights>,
    /// Docs readers waiting for an embed sandbox.
    pub embed_line: Arc<crate::embed::line::Line>,
    /// Whether the cluster's nodes run containers (asked once, when first needed).
    containers: Arc<tokio::sync::OnceCell<bool>>,
}

impl AppState {
    /// State for a loaded library and an open database.
    pub fn new(
        leptos_options: LeptosOptions,
        library: Library,
        content_dir: PathBuf,
        platform: kube::Client,
        db: Database,
        workspaces: Workspaces,
        limits: LimitsConfig,
    ) -> Self {
        AppState {
            leptos_options,
            library: Arc::new(library),
            content_dir: Arc::new(content_dir),
            watchers: Arc::new(Watchers::default()),
            identities: Arc::new(Identities::new(platform)),
            discovery: Arc::new(Discovery::default()),
            catalog: Arc::new(Catalog::default()),
            forwards: Arc::default(),
            limits: Arc::new(Limits::new(limits)),
            ingress: None,
            resets: Arc::default(),
            presence: Arc::default(),
            room_watches: Arc::default(),
            preflights: Arc::default(),
            embed_line: Arc::default(),
            containers: Arc::default(),
            db,
            workspaces,
        }
    }

    /// The state with the cluster's ingress controller at `ingress`.
    pub fn with_ingress(self, ingress: Option<crate::cluster::IngressEntrance>) -> Self {
        AppState { ingress, ..self }
    }

    /// The lesson `COURSE/SLUG`, if there is one.
    pub fn lesson(&self, id: &str) -> Option<&Lesson> {
        let (course, slug) = id.split_once('/')?;
        self.library.lesson(course, slug)
    }

    /// The short namespaces a lesson declares (`default` for an unknown lesson).
    pub fn lesson_namespaces(&self, id: Option<&str>) -> Vec<String> {
        id.and_then(|id| self.lesson(id))
            .map_or_else(|| vec!["default".into()], |l| l.front.namespaces.clone())
    }

    /// An attendee's workspace.
    pub fn workspace(&self, attendee: &str) -> Workspace {
        self.workspaces.of(attendee)
    }

    /// kubeclass's own client: namespaces, the isolation policy, impersonation.
    pub fn platform(&self) -> &kube::Client {
        self.identities.platform()
    }

    /// The client that acts as the workspace's attendee.
    pub fn tenant(&self, workspace: &Workspace) -> kube::Client {
        self.identities.tenant(workspace)
    }

    /// Whether the cluster's nodes run containers ([`crate::cluster::runs_containers`]).
    pub async fn runs_containers(&self) -> bool {
        *self
            .containers
            .get_or_init(|| crate::cluster::runs_containers(self.platform()))
            .await
    }

    /// The kubectl console in `workspace`, acting as its attendee.
    pub fn console<'a>(&'a self, workspace: &'a Workspace) -> crate::console::Console<'a> {
        crate::console::Console {
            tenant: self.tenant(workspace),
            platform: self.platform(),
            catalog: &self.catalog,
            db: &self.db,
            forwards: &self.forwards,
            ingress: self.ingress,
            workspace,
            pipeline: self.pipeline(workspace),
            follow: None,
            terminal: None,
            lesson: None,
            panes: crate::console::Panes {
                namespaces: self.lesson_namespaces(None),
                ..Default::default()
            },
        }
    }

    /// The apply pipeline acting in `workspace`, as its attendee.
    pub fn pipeline<'a>(&'a self, workspace: &'a Workspace) -> crate::pipeline::Context<'a> {
        crate::pipeline::Context {
            tenant: self.tenant(workspace),
            platform: self.platform(),
            discovery: &self.discovery,
            workspace,
            namespace: "default",
        }
    }
}

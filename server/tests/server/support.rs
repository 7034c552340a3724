//! What every test needs: the real lessons, a database, the application's state and
//! router, the way `main` builds them.

use app::content::Library;
use leptos::prelude::LeptosOptions;
use server::clock::SystemClock;
use server::config::LimitsConfig;
use server::db::Database;
use server::http::{Options, router};
use server::state::AppState;
use server::workspace::Workspaces;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// The project's lessons.
pub fn content_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../content")
}

/// The state for the lessons in `dir`, a database at `database` (`:memory:` or a file)
/// and the cluster `client` reaches; workspaces named `kc-…`.
pub async fn state_in(dir: PathBuf, database: &str, client: kube::Client) -> AppState {
    build(dir, database, client, LimitsConfig::default()).await
}

/// The state for the project's lessons with limits of the test's own.
pub async fn state_with_limits(
    database: &str,
    client: kube::Client,
    limits: LimitsConfig,
) -> AppState {
    build(content_dir(), database, client, limits).await
}

async fn build(
    dir: PathBuf,
    database: &str,
    client: kube::Client,
    limits: LimitsConfig,
) -> AppState {
    let (library, _) = Library::load(&dir);
    let options = LeptosOptions::builder().output_name("kubeclass").build();
    let db = Database::open(database, Arc::new(SystemClock))
        .await
        .expect("database");
    let workspaces = Workspaces {
        prefix: "kc".into(),
    };
    AppState::new(options, library, dir, client, db, workspaces, limits)
}

/// The state for the project's lessons.
pub async fn state(database: &str, client: kube::Client) -> AppState {
    state_in(content_dir(), database, client).await
}

/// The router over `state`, as `main` builds it (plain HTTP cookies).
pub fn app(state: AppState) -> axum::Router {
    router(
        state,
        Options {
            request_timeout: Duration::from_secs(30),
            secure_cookies: false,
        },
    )
}

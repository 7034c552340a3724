//! What every test needs: the real lessons, a database, the application's state and
//! router, the way `main` builds them.

use app::content::Library;
use leptos::prelude::LeptosOptions;
use server::clock::{SharedClock, SystemClock};
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
/// and the embedded `cluster`; workspaces named `kc-…`.
pub async fn state_in(dir: PathBuf, database: &str, cluster: &kubesim::Cluster) -> AppState {
    build(dir, database, cluster, LimitsConfig::default()).await
}

/// The state for the project's lessons with limits of the test's own.
pub async fn state_with_limits(
    database: &str,
    cluster: &kubesim::Cluster,
    limits: LimitsConfig,
) -> AppState {
    build(content_dir(), database, cluster, limits).await
}

/// kubeclass's client of the embedded `cluster`, as `main` makes it: the roles of
/// `deploy/rbac/` installed by the administrator, then a token for kubeclass's
/// ServiceAccount.
pub async fn platform(cluster: &kubesim::Cluster) -> kube::Client {
    let token = server::platform::install(&cluster.client())
        .await
        .expect("the platform's roles");
    cluster.client_with_token(&token)
}

/// Builds the state as `main` does for the embedded cluster: the roles of
/// `deploy/rbac/` installed with the administrator's `client`, the server acting as
/// kubeclass's ServiceAccount.
async fn build(
    dir: PathBuf,
    database: &str,
    cluster: &kubesim::Cluster,
    limits: LimitsConfig,
) -> AppState {
    with_platform(dir, database, platform(cluster).await, limits).await
}

/// The state over any cluster, given kubeclass's client of it.
pub async fn with_platform(
    dir: PathBuf,
    database: &str,
    platform: kube::Client,
    limits: LimitsConfig,
) -> AppState {
    on_clock(dir, database, platform, limits, Arc::new(SystemClock)).await
}

/// The state for the project's lessons over the embedded `cluster`, its database's rows
/// stamped by `clock` (a test's [`server::clock::ManualClock`]).
pub async fn state_on_clock(
    cluster: &kubesim::Cluster,
    limits: LimitsConfig,
    clock: SharedClock,
) -> AppState {
    on_clock(
        content_dir(),
        ":memory:",
        platform(cluster).await,
        limits,
        clock,
    )
    .await
}

async fn on_clock(
    dir: PathBuf,
    database: &str,
    platform: kube::Client,
    limits: LimitsConfig,
    clock: SharedClock,
) -> AppState {
    let (mut library, _) = Library::load(&dir);
    let options = LeptosOptions::builder().output_name("kubeclass").build();
    let db = Database::open(database, clock).await.expect("database");
    server::editions::keep(&db, &mut library)
        .await
        .expect("editions");
    let workspaces = Workspaces {
        prefix: "kc".into(),
        domain: server::workspace::DEFAULT_DOMAIN.into(),
    };
    AppState::new(options, library, dir, platform, db, workspaces, limits)
}

/// The state for the project's lessons.
pub async fn state(database: &str, cluster: &kubesim::Cluster) -> AppState {
    state_in(content_dir(), database, cluster).await
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

/// One request through the router, as a browser's would arrive: the answer's status,
/// headers and body text.
pub async fn send(
    router: &axum::Router,
    request: http::Request<axum::body::Body>,
) -> (http::StatusCode, http::HeaderMap, String) {
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let response = router.clone().oneshot(request).await.expect("infallible");
    let (parts, body) = response.into_parts();
    let bytes = body.collect().await.expect("body").to_bytes();
    (
        parts.status,
        parts.headers,
        String::from_utf8_lossy(&bytes).into_owned(),
    )
}

/// The real control plane the make target started (`make test-real`:
/// `deploy/control-plane/cluster.sh` in a folder of its own, named by
/// `KUBECLASS_REAL_CONTROL_PLANE`): kubeclass's client of it and the administrator's.
pub struct RealCluster {
    pub platform: kube::Client,
    pub admin: kube::Client,
}

/// The real control plane of `make test-real`; the tests that need it are `#[ignore]`d
/// and say how to run them when it is not there.
pub async fn real_cluster() -> RealCluster {
    let Ok(dir) = std::env::var("KUBECLASS_REAL_CONTROL_PLANE") else {
        panic!("no real control plane: run `make test-real` (it starts one and runs these tests)");
    };
    let client = |file: &str| {
        let path = Path::new(&dir).join(file);
        async move {
            let kubeconfig = kube::config::Kubeconfig::read_from(&path)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let config = kube::Config::from_custom_kubeconfig(kubeconfig, &Default::default())
                .await
                .expect("kubeconfig");
            kube::Client::try_from(config).expect("client")
        }
    };
    let platform = client("kubeclass.kubeconfig").await;
    server::platform::check(&platform)
        .await
        .expect("kubeclass's rights on the real control plane");
    RealCluster {
        platform,
        admin: client("admin.kubeconfig").await,
    }
}

/// A new visitor of `router`: the session cookie its first request was given.
pub async fn new_attendee(router: &axum::Router) -> String {
    let request = http::Request::get("/api/progress")
        .header("host", "localhost:3000")
        .body(axum::body::Body::empty())
        .expect("request");
    let (_, headers, _) = send(router, request).await;
    cookie_of(&headers)
}

/// The session cookie an answer set.
pub fn cookie_of(headers: &http::HeaderMap) -> String {
    headers["set-cookie"]
        .to_str()
        .expect("ascii")
        .split(';')
        .next()
        .expect("cookie")
        .to_string()
}

/// A request of an attendee's page (its cookie and kubeclass's own origin).
pub fn from_page(
    method: &str,
    path: &str,
    cookie: &str,
    body: String,
) -> http::Request<axum::body::Body> {
    http::Request::builder()
        .method(method)
        .uri(path)
        .header("host", "localhost:3000")
        .header("origin", "http://localhost:3000")
        .header("cookie", cookie)
        .body(axum::body::Body::from(body))
        .expect("request")
}

/// A request to `path` on kubeclass's host with `headers` (no Origin unless given).
pub fn request(
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> http::Request<axum::body::Body> {
    let mut builder = http::Request::builder()
        .method(method)
        .uri(path)
        .header("host", "localhost:3000");
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    builder
        .body(axum::body::Body::from(body.to_string()))
        .expect("request")
}

//! The whole HTTP surface in one place: Leptos pages and server functions, the workspace
//! API, lesson images, health, and the static site built by cargo-leptos.

use crate::api;
use crate::workshop::Workshop;
use app::content::Library;
use app::pages::SharedLibrary;
use app::{App, shell};
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::extract::{FromRef, Path, State};
use axum::http::{StatusCode, header};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, file_and_error_handler, generate_route_list};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tower_http::CompressionLevel;
use tower_http::compression::CompressionLayer;
use tower_http::timeout::TimeoutLayer;

/// What every handler can reach.
#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub library: SharedLibrary,
    /// Where the lesson files (and their images) live.
    pub content_dir: Arc<PathBuf>,
    /// The cluster attendees' manifests go to.
    pub kube: kube::Client,
    /// Attendees, their sessions and workspaces.
    pub workshop: Arc<Workshop>,
    /// The watches the tabs share.
    pub watchers: Arc<crate::stream::watchers::Watchers>,
}

impl AppState {
    /// State for a loaded library.
    pub fn new(
        leptos_options: LeptosOptions,
        library: Library,
        content_dir: PathBuf,
        kube: kube::Client,
        workshop: Arc<Workshop>,
    ) -> Self {
        AppState {
            leptos_options,
            library: Arc::new(library),
            content_dir: Arc::new(content_dir),
            watchers: Arc::new(crate::stream::watchers::Watchers::new(kube.clone())),
            kube,
            workshop,
        }
    }
}

/// Builds the application.
pub fn router(state: AppState, request_timeout: Duration) -> Router {
    let routes = generate_route_list(App);
    let library = state.library.clone();
    let sessions = state.workshop.sessions();
    let api = Router::new()
        .route("/api/workspace/apply", post(api::apply_manifests))
        .route("/api/workspace/objects", get(api::objects))
        .route(
            "/api/workspace/object/{namespace}/{kind}/{name}",
            get(api::object_yaml),
        )
        .route("/api/workspace", delete(api::reset))
        .route("/api/workspace/delete", post(api::delete_manifests))
        .route(
            "/api/workspace/try/{namespace}/{service}/{port}/",
            get(api::try_app_root),
        )
        .route(
            "/api/workspace/try/{namespace}/{service}/{port}/{*path}",
            get(api::try_app),
        )
        .route("/api/stream", get(crate::stream::stream))
        .route(
            "/api/drafts",
            get(api::drafts)
                .put(api::save_draft)
                .delete(api::save_draft),
        )
        .route("/api/progress", get(api::progress))
        .layer(middleware::from_fn(api::same_origin))
        .layer(DefaultBodyLimit::max(api::MAX_BODY));
    Router::new()
        .merge(api)
        .route("/healthz", get(|| async { "ok" }))
        .route("/content/{course}/images/{file}", get(lesson_image))
        .leptos_routes_with_context(&state, routes, move || provide_context(library.clone()), {
            let options = state.leptos_options.clone();
            move || shell(options.clone())
        })
        .fallback(file_and_error_handler::<AppState, _>(shell))
        .layer(sessions)
        // The wasm bundle and the editor compress to about a third; browsers ask for it.
        // The fastest level: pages are compressed on every request, and on two cores the
        // CPU matters more than the few hundred bytes the default level saves.
        .layer(CompressionLayer::new().quality(CompressionLevel::Fastest))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            request_timeout,
        ))
        .with_state(state)
}

/// Serves `content/<course>/images/<file>`. Names are checked, not joined blindly, so a
/// request cannot walk out of the images folder.
async fn lesson_image(
    State(dir): State<Arc<PathBuf>>,
    Path((course, file)): Path<(String, String)>,
) -> Response {
    let safe = |s: &str| {
        !s.is_empty()
            && !s.starts_with('.')
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
    };
    if !safe(&course) || !safe(&file) {
        return StatusCode::NOT_FOUND.into_response();
    }
    let content_type = match file.rsplit_once('.').map(|(_, ext)| ext) {
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("webp") => "image/webp",
        Some("gif") => "image/gif",
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    match tokio::fs::read(dir.join(&course).join("images").join(&file)).await {
        Ok(bytes) => (
            [
                (header::CONTENT_TYPE, content_type),
                (header::CACHE_CONTROL, "public, max-age=3600"),
            ],
            bytes,
        )
            .into_response(),
        Err(_) => StatusCode::NOT_FOUND.into_response(),
    }
}

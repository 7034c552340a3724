//! The whole HTTP surface in one place: the Leptos pages and server functions, the
//! workspace API (one module per domain, paths from `app::model::api::route`), the live
//! stream, lesson images, health, and the static site built by cargo-leptos. Rooms,
//! embeds and the console get a module here each, beside `workspace`.

pub mod console;
pub mod content;
pub mod drafts;
pub mod embed;
pub mod error;
pub mod gate;
pub mod headers;
pub mod helping;
pub mod inspect;
pub mod join_link;
pub mod manifests;
pub mod origin;
pub mod pacing;
pub mod preflight;
pub mod progress;
pub mod report;
pub mod request_id;
pub mod room_actions;
pub mod room_view;
pub mod rooms;
pub mod roster;
pub mod stream;
pub mod trainer;
pub mod try_app;
pub mod workspace;

use crate::state::AppState;
use app::model::api::route;
use app::{App, shell};
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::middleware;
use axum::routing::{delete, get, post};
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, file_and_error_handler, generate_route_list};
use std::time::Duration;
use tower_http::CompressionLevel;
use tower_http::compression::CompressionLayer;
use tower_http::timeout::TimeoutLayer;

/// The largest request body read by any route (the pipeline's routes read less: their
/// body stops at the manifests' budget, `manifests.rs`).
pub const MAX_BODY: usize = 1024 * 1024;

/// How the router behaves, beyond the state.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Longest time one request may take.
    pub request_timeout: Duration,
    /// Session cookies are `Secure` (the site is served over TLS).
    pub secure_cookies: bool,
}

/// Builds the application.
pub fn router(state: AppState, options: Options) -> Router {
    let routes = generate_route_list(App);
    let library = state.library.clone();
    let gate = gate::gate(state.clone());
    let api = Router::new()
        .route(route::APPLY, post(workspace::apply))
        .route(route::DELETE, post(workspace::delete))
        .route(route::OBJECTS, get(workspace::objects))
        .route(route::OBJECT, get(workspace::object_yaml))
        .route(route::WORKSPACE, delete(workspace::reset))
        .route(route::TRY_ROOT, get(try_app::try_root))
        .route(route::TRY, get(try_app::try_path))
        .route(route::STREAM, get(stream::upgrade))
        .route(
            route::DRAFTS,
            get(drafts::list).put(drafts::save).delete(drafts::save),
        )
        .route(route::PROGRESS, get(progress::get))
        .route(route::CONSOLE, post(console::run))
        .route(route::CONSOLE_HISTORY, get(console::history))
        .route(route::TRAINER_LOGIN, post(trainer::login))
        .route(route::TRAINER_LOGOUT, post(trainer::logout))
        .route(route::TRAINER_ME, get(trainer::me))
        .route(route::TRAINER_AUDIT, get(trainer::audit))
        .route(route::TRAINER_ROOMS, post(rooms::create).get(rooms::list))
        .route(route::TRAINER_ROOM, get(room_view::get))
        .route(route::TRAINER_ROOM_UNLOCK, post(pacing::unlock))
        .route(route::TRAINER_ROSTER_RESEAT, post(room_actions::reseat))
        .route(route::TRAINER_ROOM_QR, get(room_view::qr))
        .route(route::TRAINER_ROOM_REPORT_CSV, get(report::csv))
        .route(route::TRAINER_ROOM_TROUBLE_CSV, get(report::trouble_csv))
        .route(route::TRAINER_ROOM_REPORT_JSON, get(report::json))
        .route(route::TRAINER_ATTENDEE_RESET, post(room_actions::reset))
        .route(route::TRAINER_ATTENDEE_EXTEND, post(room_actions::extend))
        .route(route::TRAINER_ATTENDEE_END, post(room_actions::end))
        .route(route::TRAINER_HELP_ANSWER, post(helping::answer))
        .route(route::TRAINER_HELP_DONE, post(helping::done))
        .route(route::TRAINER_MESSAGES, post(helping::message))
        .route(
            route::TRAINER_PREFLIGHT,
            post(preflight::start).get(preflight::status),
        )
        .route(route::TRAINER_ATTENDEE_WORKSPACE, get(inspect::workspace))
        .route(route::TRAINER_ATTENDEE_LOGS, get(inspect::logs))
        .route(route::MY_ROOM, get(helping::mine))
        .route(route::MY_HELP, post(helping::raise).delete(helping::lower))
        .route(route::JOIN, post(rooms::join))
        .route(route::EMBED_SESSIONS, post(embed::start))
        .route(route::EMBED_TICKETS, post(embed::ticket))
        .route(route::EMBED_ADOPT, post(embed::adopt))
        .layer(middleware::from_fn(origin::same_origin))
        .layer(DefaultBodyLimit::max(MAX_BODY));
    Router::new()
        .merge(api)
        .route(route::HEALTH, get(|| async { "ok" }))
        .route(route::LESSON_IMAGE, get(content::lesson_image))
        .leptos_routes_with_context(
            &state,
            routes,
            move || {
                provide_context(library.clone());
                provide_context(gate.clone());
            },
            {
                let options = state.leptos_options.clone();
                move || shell(options.clone())
            },
        )
        .fallback(file_and_error_handler::<AppState, _>(shell))
        .layer(crate::sessions::layer(&state.db, options.secure_cookies))
        // The wasm bundle and the editor compress to about a third; browsers ask for it.
        // The fastest level: pages are compressed on every request, and on two cores the
        // CPU matters more than the few hundred bytes the default level saves.
        .layer(CompressionLayer::new().quality(CompressionLevel::Fastest))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            options.request_timeout,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            headers::middleware,
        ))
        .layer(middleware::from_fn(request_id::middleware))
        .with_state(state)
}

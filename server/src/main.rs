//! `kubeclass`: reads configuration, loads the lessons, serves until SIGINT/SIGTERM.
#![recursion_limit = "256"]

use anyhow::Context;
use app::content::Library;
use clap::Parser;
use leptos::config::get_configuration;
use server::clock::SystemClock;
use server::config::{Command, Config};
use server::db::Database;
use server::http::{self, Options};
use server::shutdown;
use server::state::AppState;
use server::workspace::{Workspaces, reclaim, reconcile};
use std::sync::Arc;
use std::time::Duration;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();
    let config = Config::parse();
    config.validate()?;
    if let Some(Command::Trainer(command)) = &config.command {
        let db = open_database(&config).await?;
        return server::trainer::cli::run(command, &db, &mut std::io::stdout()).await;
    }
    if let Some(Command::Embed(command)) = &config.command {
        let db = open_database(&config).await?;
        return server::embed::cli::run(command, &db, &mut std::io::stdout()).await;
    }

    let mut leptos_options = get_configuration(None)
        .context("reading Leptos options")?
        .leptos_options;
    leptos_options.site_addr = config.http.addr;

    let (mut library, errors) = Library::load(&config.content.dir);
    for error in &errors {
        tracing::error!("lesson left out: {error}");
    }
    let db = open_database(&config).await?;
    for error in server::editions::keep(&db, &mut library).await? {
        tracing::warn!("an earlier edition no longer loads and is left out: {error}");
    }
    if let Some(Command::Editions { lesson }) = &config.command {
        return server::editions::list(&db, &library, lesson, &mut std::io::stdout()).await;
    }
    let lessons: usize = library.courses.iter().map(|c| c.lessons.len()).sum();
    tracing::info!(
        courses = library.courses.len(),
        lessons,
        editions = library.earlier.len(),
        "lessons loaded from {}",
        config.content.dir.display()
    );
    let connected = server::cluster::connect(&config.cluster, &config.storage.data_dir).await?;
    let kube = connected.client;

    let workspaces = Workspaces {
        prefix: config.workshop.workspace_prefix.clone(),
        domain: config.workshop.ingress_domain.clone(),
    };
    let state = AppState::new(
        leptos_options,
        library,
        config.content.dir.clone(),
        kube.clone(),
        db.clone(),
        workspaces.clone(),
        config.limits,
    )
    .with_ingress(connected.ingress);
    if let Some(Command::Preflight { lessons }) = &config.command {
        let played = server::trainer::preflight::run(&state, lessons, |_| {}).await;
        print!("{}", server::trainer::preflight::printed(&played));
        std::process::exit(if played.all_green() { 0 } else { 1 });
    }

    tokio::spawn(reconcile::run(kube.clone()));
    tokio::spawn(server::trainer::pool::keep(state.clone()));
    tokio::spawn(server::embed::sweep(state.clone(), Duration::from_secs(30)));
    tokio::spawn(reclaim::sweep(
        db,
        workspaces,
        kube,
        Duration::from_secs(config.workshop.workspace_idle_minutes * 60),
    ));
    let app = http::router(
        state,
        Options {
            request_timeout: Duration::from_secs(config.http.request_timeout_secs),
            secure_cookies: config.workshop.secure_cookies,
        },
    );

    let listener = tokio::net::TcpListener::bind(config.http.addr)
        .await
        .with_context(|| format!("binding {}", config.http.addr))?;
    tracing::info!("kubeclass is serving on http://{}", listener.local_addr()?);
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown::signal())
    .await?;
    Ok(())
}

/// The database (`--database`, or `kubeclass.db` in the data directory, made if need be).
async fn open_database(config: &Config) -> anyhow::Result<Database> {
    std::fs::create_dir_all(&config.storage.data_dir)
        .with_context(|| format!("creating {}", config.storage.data_dir.display()))?;
    let database = config
        .workshop
        .database
        .clone()
        .unwrap_or_else(|| config.storage.data_dir.join("kubeclass.db"));
    Database::open(&database.to_string_lossy(), Arc::new(SystemClock))
        .await
        .with_context(|| format!("opening {}", database.display()))
}

//! kubeclass/demo-app: the small HTTP server every lesson deploys. Its contract is in
//! `README.md` next to this file; kubesim models the same contract (the `demo-app` entry
//! of `kubesim/src/models/images.yaml` and its hook in `kubesim/src/models/demo_app.rs`),
//! and `tests/contract.rs` checks both.
//!
//! Configuration is the environment: `NAME`, `AGE`, `USER`, `PASSWORD`, `CONFIG_FILE`,
//! `STARTUP_SECONDS`, `LIFETIME_SECONDS`, and `APP_VERSION` (the image tag, set by the
//! Dockerfile: 1.0, 1.1 or 2.0).

use axum::Router;
use axum::extract::{ConnectInfo, Query, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What the environment configured, read once at start.
#[derive(Debug, Clone)]
struct Settings {
    version: String,
    name: String,
    age: Option<String>,
    user: String,
    password: String,
    config_file: String,
    startup: u64,
    lifetime: Option<u64>,
    started: Instant,
}

impl Settings {
    fn from_env() -> Settings {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        let version = var("APP_VERSION").unwrap_or_else(|| "1.0".into());
        let number = |k: &str| var(k).and_then(|v| v.trim().parse::<u64>().ok());
        let lifetime = match var("LIFETIME_SECONDS") {
            Some(v) => v.trim().parse().ok(),
            None if version == "2.0" => Some(30),
            None => None,
        };
        Settings {
            name: var("NAME").unwrap_or_else(|| "unknown".into()),
            age: var("AGE"),
            user: var("USER").unwrap_or_else(|| "unknown".into()),
            password: var("PASSWORD").unwrap_or_else(|| "unknown".into()),
            config_file: var("CONFIG_FILE").unwrap_or_else(|| "/app/myfamily/family.txt".into()),
            startup: number("STARTUP_SECONDS").unwrap_or(10),
            lifetime,
            version,
            started: Instant::now(),
        }
    }
}

type Shared = State<Arc<Settings>>;

fn text(status: StatusCode, body: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        body,
    )
        .into_response()
}

async fn hello(State(s): Shared) -> Response {
    let greeting = if s.version == "1.1" { "Hi" } else { "Hello" };
    let mut body = format!("{greeting}, I'm {}.", s.name);
    if let Some(age) = &s.age {
        body.push_str(&format!(" I'm {age}."));
    }
    text(StatusCode::OK, body + "\n")
}

async fn configmap(State(s): Shared) -> Response {
    match tokio::fs::read_to_string(&s.config_file).await {
        Ok(content) => text(StatusCode::OK, content),
        Err(_) => text(
            StatusCode::NOT_FOUND,
            format!("no file at {}\n", s.config_file),
        ),
    }
}

async fn secret(State(s): Shared) -> Response {
    text(
        StatusCode::OK,
        format!("User: {}. Password: {}.\n", s.user, s.password),
    )
}

async fn healthz(State(s): Shared) -> Response {
    let up = s.started.elapsed().as_secs();
    if up < s.startup {
        return text(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("starting: up {up}s, healthy after {}s\n", s.startup),
        );
    }
    if let Some(lifetime) = s.lifetime.filter(|l| up >= *l) {
        return text(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("expired: up {up}s, lifetime {lifetime}s\n"),
        );
    }
    text(StatusCode::OK, format!("ok: up {up}s\n"))
}

/// Burns one core for `?seconds=N` (default 5, at most 60), then answers.
async fn stress(Query(query): Query<HashMap<String, String>>) -> Response {
    let seconds = query
        .get("seconds")
        .and_then(|s| s.parse::<u64>().ok())
        .unwrap_or(5)
        .min(60);
    let _ = tokio::task::spawn_blocking(move || {
        let until = Instant::now() + Duration::from_secs(seconds);
        let mut x: u64 = 1;
        while Instant::now() < until {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1);
        }
        std::hint::black_box(x)
    })
    .await;
    text(StatusCode::OK, format!("burned CPU for {seconds}s\n"))
}

/// Lists pods and services in the pod's namespace with its ServiceAccount token, and
/// reports what the API allowed.
async fn api_access() -> Response {
    let client = match kube::Config::incluster() {
        Ok(config) => kube::Client::try_from(config).map_err(|e| e.to_string()),
        Err(e) => Err(e.to_string()),
    };
    let namespace =
        std::fs::read_to_string("/var/run/secrets/kubernetes.io/serviceaccount/namespace")
            .unwrap_or_else(|_| "default".into());
    let mut body = String::new();
    for plural in ["pods", "services"] {
        let line = match &client {
            Err(_) => {
                format!("{plural}: refused (401): no ServiceAccount token is mounted in this pod\n")
            }
            Ok(client) => {
                let result = match plural {
                    "pods" => kube::Api::<k8s_openapi::api::core::v1::Pod>::namespaced(
                        client.clone(),
                        namespace.trim(),
                    )
                    .list(&Default::default())
                    .await
                    .map(|_| ()),
                    _ => kube::Api::<k8s_openapi::api::core::v1::Service>::namespaced(
                        client.clone(),
                        namespace.trim(),
                    )
                    .list(&Default::default())
                    .await
                    .map(|_| ()),
                };
                match result {
                    Ok(()) => format!("{plural}: allowed (200)\n"),
                    Err(kube::Error::Api(status)) => {
                        format!("{plural}: refused ({}): {}\n", status.code, status.message)
                    }
                    Err(e) => format!("{plural}: refused (0): {e}\n"),
                }
            }
        };
        body.push_str(&line);
    }
    text(StatusCode::OK, body)
}

async fn not_found() -> Response {
    text(StatusCode::NOT_FOUND, "404 page not found\n".into())
}

/// The access log: one line per request, probes excepted.
async fn access_log(
    ConnectInfo(remote): ConnectInfo<SocketAddr>,
    request: Request,
    next: Next,
) -> Response {
    let (method, path) = (request.method().clone(), request.uri().to_string());
    let agent = request
        .headers()
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let response = next.run(request).await;
    if !agent.starts_with("kube-probe/") {
        println!(
            "{} \"{method} {path}\" {} \"{agent}\"",
            remote.ip(),
            response.status().as_u16()
        );
    }
    response
}

fn router(settings: Arc<Settings>) -> Router {
    Router::new()
        .route("/", get(hello))
        .route("/configmap", get(configmap))
        .route("/secret", get(secret))
        .route("/healthz", get(healthz))
        .route("/stress", get(stress))
        .route("/api-access", get(api_access))
        .fallback(not_found)
        .layer(middleware::from_fn(access_log))
        .with_state(settings)
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let settings = Arc::new(Settings::from_env());
    let port = std::env::var("PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(8000u16);
    let listener = tokio::net::TcpListener::bind(("0.0.0.0", port)).await?;
    let lifetime = settings
        .lifetime
        .map(|l| format!(", lifetime {l}s"))
        .unwrap_or_default();
    println!(
        "demo-app {} listening on :{port} (healthy after {}s{lifetime})",
        settings.version, settings.startup
    );
    let app = router(settings).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(stop_signal())
        .await?;
    println!("demo-app shutting down");
    Ok(())
}

/// SIGTERM (the kubelet's stop signal) or Ctrl-C. As PID 1 in a container a process gets
/// no SIGTERM it does not handle: without this, deleting its pod would wait out the whole
/// grace period and end in a kill.
async fn stop_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    let mut terminate = signal(SignalKind::terminate()).expect("a SIGTERM handler");
    tokio::select! {
        _ = terminate.recv() => {}
        _ = tokio::signal::ctrl_c() => {}
    }
    println!("demo-app: signal received, finishing requests in flight");
}

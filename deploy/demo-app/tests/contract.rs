//! One contract, two implementations: the real demo app (this crate's binary, started
//! locally) and kubesim's model of it (reached through the API server's service proxy).
//! Both must answer every path of `README.md` the same way.

use http_body_util::BodyExt;
use kubesim::Cluster;
use serde_json::json;
use std::process::{Child, Command};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tower::ServiceExt;

const FAMILY: &str = "Alice\nBob\n";
/// Seconds `/healthz` fails after start.
const STARTUP: u64 = 2;

enum Target {
    Real {
        child: Child,
        port: u16,
        _dir: TempDir,
    },
    Sim {
        cluster: Cluster,
    },
}

/// A directory removed when dropped.
struct TempDir(std::path::PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl Drop for Target {
    fn drop(&mut self) {
        if let Target::Real { child, .. } = self {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Target {
    /// Starts the real binary and waits until it accepts connections.
    async fn real() -> Target {
        let dir = std::env::temp_dir().join(format!("demo-app-contract-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        std::fs::write(dir.join("family.txt"), FAMILY).expect("family");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("port")
            .port();
        let child = Command::new(env!("CARGO_BIN_EXE_demo-app"))
            .env("PORT", port.to_string())
            .env("NAME", "Ada")
            .env("AGE", "36")
            .env("USER", "ada")
            .env("PASSWORD", "s3cret")
            .env("STARTUP_SECONDS", STARTUP.to_string())
            .env("CONFIG_FILE", dir.join("family.txt"))
            .env_remove("KUBERNETES_SERVICE_HOST")
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("start demo-app");
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        Target::Real {
            child,
            port,
            _dir: TempDir(dir),
        }
    }

    /// Deploys the image in kubesim (paused time) and waits until its container runs.
    async fn sim() -> Target {
        let cluster = Cluster::builder().seed(3).build().expect("cluster");
        let post = |path: &'static str, body: serde_json::Value| {
            let cluster = cluster.clone();
            async move {
                let response = request(
                    &cluster,
                    "POST",
                    path,
                    serde_json::to_vec(&body).expect("json"),
                )
                .await;
                assert_eq!(response.0, 201, "{}", response.1);
            }
        };
        post(
            "/api/v1/namespaces/default/configmaps",
            json!({"metadata": {"name": "family"}, "data": {"family.txt": FAMILY}}),
        )
        .await;
        post("/apis/apps/v1/namespaces/default/deployments", json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "app"}, "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "app"}},
            "template": {"metadata": {"labels": {"app": "app"}}, "spec": {
                "volumes": [{"name": "family", "configMap": {"name": "family"}}],
                "containers": [{"name": "app", "image": "kubeclass/demo-app:1.0",
                    "env": [{"name": "NAME", "value": "Ada"}, {"name": "AGE", "value": "36"}, {"name": "USER", "value": "ada"},
                        {"name": "PASSWORD", "value": "s3cret"}, {"name": "STARTUP_SECONDS", "value": STARTUP.to_string()}],
                    "volumeMounts": [{"name": "family", "mountPath": "/app/myfamily"}]}]}}}})).await;
        post(
            "/api/v1/namespaces/default/services",
            json!({"metadata": {"name": "app"},
            "spec": {"selector": {"app": "app"}, "ports": [{"port": 80, "targetPort": 8000}]}}),
        )
        .await;
        // The image pulls in about 1.4 s; the app is then up, but not yet healthy.
        tokio::time::sleep(Duration::from_millis(1600)).await;
        Target::Sim { cluster }
    }

    async fn get(&self, path: &str) -> (u16, String) {
        match self {
            Target::Real { port, .. } => {
                let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", *port))
                    .await
                    .expect("connect");
                let head = format!(
                    "GET {path} HTTP/1.1\r\nHost: localhost\r\nUser-Agent: contract\r\nConnection: close\r\n\r\n"
                );
                stream.write_all(head.as_bytes()).await.expect("write");
                let mut raw = String::new();
                stream.read_to_string(&mut raw).await.expect("read");
                let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((&raw, ""));
                let status = head
                    .split_whitespace()
                    .nth(1)
                    .and_then(|s| s.parse().ok())
                    .unwrap_or(0);
                (status, body.to_string())
            }
            Target::Sim { cluster } => {
                request(
                    cluster,
                    "GET",
                    &format!("/api/v1/namespaces/default/services/app:80/proxy{path}"),
                    Vec::new(),
                )
                .await
            }
        }
    }

    async fn wait(&self, seconds: u64) {
        tokio::time::sleep(Duration::from_secs(seconds)).await;
    }

    /// Stops the app as the kubelet does (SIGTERM; in kubesim, by deleting its pod, held
    /// by a finalizer so its record stays): its exit code and what it printed, once it
    /// has exited, or `None` if it has not within a second.
    async fn stop(&mut self) -> Option<(i64, String)> {
        match self {
            Target::Real { child, .. } => {
                let killed = Command::new("kill")
                    .args(["-TERM", &child.id().to_string()])
                    .status()
                    .expect("kill");
                assert!(killed.success());
                for _ in 0..50 {
                    if let Some(status) = child.try_wait().expect("wait") {
                        let mut out = String::new();
                        std::io::Read::read_to_string(
                            child.stdout.as_mut().expect("stdout"),
                            &mut out,
                        )
                        .expect("read");
                        return Some((i64::from(status.code().unwrap_or(-1)), out));
                    }
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                None
            }
            Target::Sim { cluster } => {
                let (_, pods) = request(
                    cluster,
                    "GET",
                    "/api/v1/namespaces/default/pods",
                    Vec::new(),
                )
                .await;
                let pods: serde_json::Value = serde_json::from_str(&pods).expect("json");
                let name = pods["items"][0]["metadata"]["name"].as_str().expect("pod");
                let path = format!("/api/v1/namespaces/default/pods/{name}");
                let hold = json!({"metadata": {"finalizers": ["contract/hold"]}});
                let patch = axum::http::Request::builder()
                    .method("PATCH")
                    .uri(&path)
                    .header("authorization", format!("Bearer {}", cluster.admin_token()))
                    .header("content-type", "application/merge-patch+json")
                    .body(axum::body::Body::from(hold.to_string()))
                    .expect("request");
                let held = cluster.router().oneshot(patch).await.expect("infallible");
                assert_eq!(held.status(), 200);
                let (code, _) = request(cluster, "DELETE", &path, Vec::new()).await;
                assert_eq!(code, 200);
                tokio::time::sleep(Duration::from_secs(1)).await;
                let (_, pod) = request(cluster, "GET", &path, Vec::new()).await;
                let pod: serde_json::Value = serde_json::from_str(&pod).expect("json");
                let terminated = &pod["status"]["containerStatuses"][0]["state"]["terminated"];
                let (_, logs) = request(cluster, "GET", &format!("{path}/log"), Vec::new()).await;
                terminated["exitCode"].as_i64().map(|code| (code, logs))
            }
        }
    }
}

async fn request(cluster: &Cluster, method: &str, path: &str, body: Vec<u8>) -> (u16, String) {
    let request = axum::http::Request::builder()
        .method(method)
        .uri(path)
        .header("authorization", format!("Bearer {}", cluster.admin_token()))
        .header("content-type", "application/json")
        .body(axum::body::Body::from(body))
        .expect("request");
    let response = cluster.router().oneshot(request).await.expect("infallible");
    let status = response.status().as_u16();
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

/// Every path of the contract.
async fn contract(mut target: Target) {
    let (code, body) = target.get("/healthz").await;
    assert_eq!(code, 500, "{body}");
    assert!(body.starts_with("starting: up "), "{body}");
    assert_eq!(
        target.get("/").await,
        (200, "Hello, I'm Ada. I'm 36.\n".into())
    );
    assert_eq!(
        target.get("/secret").await,
        (200, "User: ada. Password: s3cret.\n".into())
    );
    assert_eq!(target.get("/configmap").await, (200, FAMILY.into()));
    assert_eq!(
        target.get("/nope").await,
        (404, "404 page not found\n".into())
    );
    assert_eq!(
        target.get("/stress?seconds=1").await,
        (200, "burned CPU for 1s\n".into())
    );
    let (code, body) = target.get("/api-access").await;
    let lines: Vec<&str> = body.lines().collect();
    assert_eq!(code, 200);
    assert!(
        lines.len() == 2 && lines[0].starts_with("pods: ") && lines[1].starts_with("services: "),
        "{body}"
    );
    target.wait(STARTUP + 1).await;
    let (code, body) = target.get("/healthz").await;
    assert_eq!(code, 200, "{body}");
    assert!(body.starts_with("ok: up "), "{body}");
    // The kubelet's stop signal: it says so and exits 0 at once, not after the grace
    // period.
    let (code, out) = target.stop().await.expect("exited within a second");
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("demo-app: signal received, finishing requests in flight\n")
            && out.ends_with("demo-app shutting down\n"),
        "{out}"
    );
}

#[tokio::test]
async fn the_real_app_keeps_the_contract() {
    contract(Target::real().await).await;
}

#[tokio::test(start_paused = true)]
async fn kubesims_model_keeps_the_contract() {
    contract(Target::sim().await).await;
}

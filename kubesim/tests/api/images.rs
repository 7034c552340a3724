//! The images attendees reach for beyond the lessons' own do what their programs do: the
//! lines they log, what they answer on their ports, what stops them from starting, and
//! how they end on SIGTERM.

use crate::workloads::{advance, cluster, container_status, pod, raw_text};
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, DeleteParams, LogParams, PostParams};
use kubesim::Cluster;
use serde_json::{Value, json};

/// Runs `container` as pod `name` for a while; its pod and log.
async fn run(cluster: &Cluster, name: &str, container: Value) -> (Pod, String) {
    let pods: Api<Pod> = Api::default_namespaced(cluster.client());
    pods.create(&PostParams::default(), &pod(name, container))
        .await
        .expect("create");
    advance(20).await;
    let log = pods
        .logs(name, &LogParams::default())
        .await
        .unwrap_or_default();
    (pods.get(name).await.expect("pod"), log)
}

/// The pod's answer on `port` at `path`, through the API server's proxy.
async fn answer(cluster: &Cluster, name: &str, port: u16, path: &str) -> String {
    raw_text(
        cluster,
        &format!("/api/v1/namespaces/default/pods/{name}:{port}/proxy{path}"),
    )
    .await
}

#[tokio::test(start_paused = true)]
async fn httpd_works_and_logs_as_apache() {
    let cluster = cluster();
    let (_, log) = run(
        &cluster,
        "web",
        json!({"name": "web", "image": "httpd:2.4"}),
    )
    .await;
    assert!(
        log.contains("AH00489: Apache/2.4.62 (Unix) configured -- resuming normal operations"),
        "{log}"
    );
    assert_eq!(
        answer(&cluster, "web", 80, "/").await,
        "<html><body><h1>It works!</h1></body></html>\n"
    );
    assert!(
        answer(&cluster, "web", 80, "/nope")
            .await
            .contains("<title>404 Not Found</title>")
    );
    let pods: Api<Pod> = Api::default_namespaced(cluster.client());
    let log = pods.logs("web", &LogParams::default()).await.expect("log");
    assert!(log.contains("\"GET /nope HTTP/1.1\" 404"), "{log}");

    pods.delete("web", &DeleteParams::default())
        .await
        .expect("delete");
    advance(1).await;
    assert!(
        pods.get_opt("web").await.expect("get").is_none(),
        "a graceful stop is quick"
    );
}

#[tokio::test(start_paused = true)]
async fn redis_starts_and_saves_its_snapshot_when_stopped() {
    let cluster = cluster();
    let (pod, log) = run(
        &cluster,
        "cache",
        json!({"name": "cache", "image": "redis:7.4"}),
    )
    .await;
    assert!(log.contains("* Ready to accept connections tcp"), "{log}");
    assert_eq!(container_status(&pod)["ready"], true);
    let pods: Api<Pod> = Api::default_namespaced(cluster.client());
    pods.delete("cache", &DeleteParams::default())
        .await
        .expect("delete");
    // The log of the stopping container, while the pod is still there.
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    let log = pods
        .logs("cache", &LogParams::default())
        .await
        .unwrap_or_default();
    assert!(
        log.contains("Received SIGTERM scheduling shutdown..."),
        "{log}"
    );
}

#[tokio::test(start_paused = true)]
async fn postgres_needs_a_password_then_listens() {
    let cluster = cluster();
    let (pod, log) = run(
        &cluster,
        "db",
        json!({"name": "db", "image": "postgres:17"}),
    )
    .await;
    assert!(
        log.starts_with(
            "Error: Database is uninitialized and superuser password is not specified."
        ),
        "{log}"
    );
    let state = container_status(&pod);
    assert_eq!(state["lastState"]["terminated"]["exitCode"], 1, "{state}");

    let (pod, log) = run(
        &cluster,
        "db2",
        json!({"name": "db2", "image": "postgres:17", "env": [{"name": "POSTGRES_PASSWORD", "value": "secret"}],
            "readinessProbe": {"tcpSocket": {"port": 5432}, "periodSeconds": 2}}),
    )
    .await;
    assert!(
        log.contains("LOG:  database system is ready to accept connections"),
        "{log}"
    );
    assert_eq!(
        container_status(&pod)["ready"],
        true,
        "5432 opened after initialising"
    );
}

#[tokio::test(start_paused = true)]
async fn whoami_and_http_echo_answer_as_their_programs() {
    let cluster = cluster();
    let (pod, _) = run(
        &cluster,
        "who",
        json!({"name": "who", "image": "traefik/whoami:v1.10"}),
    )
    .await;
    let ip = pod.status.and_then(|s| s.pod_ip).expect("ip");
    let body = answer(&cluster, "who", 80, "/hello").await;
    assert!(
        body.starts_with(&format!(
            "Hostname: who\nIP: 127.0.0.1\nIP: ::1\nIP: {ip}\n"
        )),
        "{body}"
    );
    assert!(body.contains("GET /hello HTTP/1.1\n"), "{body}");

    let (pod, log) = run(
        &cluster,
        "echo",
        json!({"name": "echo", "image": "hashicorp/http-echo:1.0"}),
    )
    .await;
    assert_eq!(log.trim(), "Missing -text option OR ENV var TEXT is empty!");
    assert_eq!(
        container_status(&pod)["lastState"]["terminated"]["exitCode"],
        127
    );

    let (_, log) = run(
        &cluster,
        "apple",
        json!({"name": "apple", "image": "hashicorp/http-echo:1.0", "args": ["-text=apple"]}),
    )
    .await;
    assert!(log.contains("[INFO] server is listening on :5678"), "{log}");
    assert_eq!(answer(&cluster, "apple", 5678, "/").await, "apple\n");
    assert_eq!(
        answer(&cluster, "apple", 5678, "/health").await,
        "{\"status\":\"ok\"}\n"
    );
}

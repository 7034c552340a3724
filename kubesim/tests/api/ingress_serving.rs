//! The ingress controller on sockets, reached by real curl as kind's ingress-nginx is:
//! routing by `Host` and path, nginx's own 404, the redirect of plain HTTP to HTTPS for a
//! host with TLS, and HTTPS serving the certificate cert-manager issued into the Ingress's
//! Secret (or nginx's fake one for other names).

use crate::support::send;
use base64::Engine;
use kubesim::Cluster;
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

async fn create(cluster: &Cluster, path: &str, body: Value) {
    let (code, answer) = send(
        cluster,
        "POST",
        path,
        "application/json",
        serde_json::to_vec(&body).expect("json"),
    )
    .await;
    assert_eq!(code.as_u16(), 201, "{answer}");
}

/// Real curl's output (`-s -i`, headers included) and exit code.
async fn curl(args: Vec<String>) -> (String, i32) {
    let output = tokio::task::spawn_blocking(move || {
        std::process::Command::new("curl")
            .args(["-s", "-S", "-i", "--max-time", "5"])
            .args(args)
            .output()
    })
    .await
    .expect("join")
    .expect("curl runs");
    let text = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    (text, output.status.code().unwrap_or(-1))
}

fn resolve(host: &str, addr: SocketAddr) -> String {
    format!("{host}:{}:127.0.0.1", addr.port())
}

#[tokio::test]
async fn curl_reaches_ingresses_by_host_and_path_over_http_and_https() {
    let cluster = Cluster::builder().seed(11).build().expect("cluster");
    let http = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let https = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let (http_addr, https_addr) = (
        http.local_addr().expect("a"),
        https.local_addr().expect("a"),
    );
    let serving = cluster.clone();
    tokio::spawn(async move { serving.serve_ingress(http, https).await });

    create(&cluster, "/apis/apps/v1/namespaces/default/deployments", json!({"apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "app"}, "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "app"}},
        "template": {"metadata": {"labels": {"app": "app"}}, "spec": {"containers": [{"name": "app", "image": "kubeclass/demo-app:1.0",
            "env": [{"name": "NAME", "value": "Ada"}]}]}}}})).await;
    create(&cluster, "/api/v1/namespaces/default/services", json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "app"},
        "spec": {"selector": {"app": "app"}, "ports": [{"name": "http", "port": 80, "targetPort": 8000}]}})).await;
    create(
        &cluster,
        "/apis/cert-manager.io/v1/clusterissuers",
        json!({"apiVersion": "cert-manager.io/v1",
        "kind": "ClusterIssuer", "metadata": {"name": "selfsigned"}, "spec": {"selfSigned": {}}}),
    )
    .await;
    create(&cluster, "/apis/networking.k8s.io/v1/namespaces/default/ingresses", json!({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
        "metadata": {"name": "plain"}, "spec": {"ingressClassName": "nginx", "rules": [{"host": "plain.example.com", "http": {"paths": [
            {"path": "/", "pathType": "Exact", "backend": {"service": {"name": "app", "port": {"number": 80}}}}]}}]}})).await;
    create(&cluster, "/apis/networking.k8s.io/v1/namespaces/default/ingresses", json!({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
        "metadata": {"name": "secure", "annotations": {"cert-manager.io/cluster-issuer": "selfsigned"}},
        "spec": {"ingressClassName": "nginx", "tls": [{"hosts": ["secure.example.com"], "secretName": "secure-tls"}],
            "rules": [{"host": "secure.example.com", "http": {"paths": [
                {"path": "/", "pathType": "Prefix", "backend": {"service": {"name": "app", "port": {"name": "http"}}}}]}}]}})).await;

    // The pod starts and the Secret is issued in the cluster's own time.
    let started = Instant::now();
    let (mut page, mut code) = (String::new(), 0);
    while started.elapsed() < Duration::from_secs(60) {
        (page, code) = curl(vec![
            "-H".into(),
            "Host: plain.example.com".into(),
            format!("http://{http_addr}/"),
        ])
        .await;
        if page.starts_with("HTTP/1.1 200") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    assert_eq!(code, 0, "{page}");
    assert!(page.ends_with("\r\n\r\nHello, I'm Ada.\n"), "{page}");

    // Exact `/` routes nothing else, and an unknown host gets nginx's page.
    for (host, path) in [("plain.example.com", "/secret"), ("other.example.com", "/")] {
        let (page, _) = curl(vec![
            "-H".into(),
            format!("Host: {host}"),
            format!("http://{http_addr}{path}"),
        ])
        .await;
        assert!(page.starts_with("HTTP/1.1 404 Not Found\r\n"), "{page}");
        assert!(page.contains("content-type: text/html\r\n"), "{page}");
        assert!(
            page.ends_with("<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"),
            "{page}"
        );
    }

    // A host with TLS: plain HTTP is redirected to the same path over HTTPS.
    let (redirect, _) = curl(vec![
        "--resolve".into(),
        resolve("secure.example.com", http_addr),
        format!("http://secure.example.com:{}/configmap", http_addr.port()),
    ])
    .await;
    assert!(
        redirect.starts_with("HTTP/1.1 308 Permanent Redirect\r\n"),
        "{redirect}"
    );
    assert!(
        redirect.contains("location: https://secure.example.com/configmap\r\n"),
        "{redirect}"
    );

    // HTTPS: the certificate is the issued Secret's, so curl trusts it given that Secret.
    let secret = loop {
        let (status, secret) = send(
            &cluster,
            "GET",
            "/api/v1/namespaces/default/secrets/secure-tls",
            "",
            vec![],
        )
        .await;
        if status.is_success() || started.elapsed() > Duration::from_secs(60) {
            break secret;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    };
    let pem = base64::engine::general_purpose::STANDARD
        .decode(secret["data"]["tls.crt"].as_str().expect("tls.crt"))
        .expect("base64");
    let dir = std::env::temp_dir().join(format!("kubesim-ingress-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let ca = dir.join("secure.crt");
    std::fs::write(&ca, pem).expect("write");
    let https_url = format!("https://secure.example.com:{}/", https_addr.port());
    let (trusted, code) = curl(vec![
        "--cacert".into(),
        ca.display().to_string(),
        "--resolve".into(),
        resolve("secure.example.com", https_addr),
        https_url.clone(),
    ])
    .await;
    assert_eq!(code, 0, "{trusted}");
    assert!(trusted.ends_with("Hello, I'm Ada.\n"), "{trusted}");

    // Without it, curl refuses a self-signed certificate, and -k takes it anyway.
    let (refused, code) = curl(vec![
        "--resolve".into(),
        resolve("secure.example.com", https_addr),
        https_url.clone(),
    ])
    .await;
    assert_eq!(code, 60, "{refused}");
    assert!(refused.contains("self-signed certificate"), "{refused}");

    // A name no Ingress has TLS for gets nginx's fake certificate, which the Secret's
    // certificate does not vouch for; the request itself is still routed.
    let (fake, code) = curl(vec![
        "-k".into(),
        "-v".into(),
        "--resolve".into(),
        resolve("plain.example.com", https_addr),
        format!("https://plain.example.com:{}/", https_addr.port()),
    ])
    .await;
    assert_eq!(code, 0, "{fake}");
    assert!(
        fake.contains("Kubernetes Ingress Controller Fake Certificate"),
        "{fake}"
    );
    assert!(fake.contains("Hello, I'm Ada."), "{fake}");
    std::fs::remove_dir_all(dir).ok();
}

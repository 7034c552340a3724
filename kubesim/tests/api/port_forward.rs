//! `kubectl port-forward` (kubectl 1.32, which tunnels SPDY through a websocket) against
//! `Cluster::serve_tls`, and real curl through the forwarded port: the workload model
//! answers, its access log shows the request from inside the pod, and a port nothing
//! listens on fails as kubectl reports it.

use kubesim::Cluster;
use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The machine image's kubectl 1.32 (the google-cloud-cli package's `bin/`).
const KUBECTL: &str = "/usr/lib/google-cloud-sdk/bin/kubectl.1.32";

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}

fn curl(port: u16, path: &str) -> (String, i32) {
    let output = Command::new("curl")
        .args(["-s", "-m", "5", &format!("http://127.0.0.1:{port}{path}")])
        .output()
        .expect("curl runs");
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        output.status.code().unwrap_or(-1),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_port_forward_reaches_the_pods_port() {
    let cluster = Cluster::builder().seed(5).build().expect("cluster");
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    let tls = kubesim::tls::Tls::generate(&["127.0.0.1".to_string()]).expect("certificates");
    let dir = std::env::temp_dir().join(format!("kubesim-port-forward-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let kubeconfig = dir.join("kubeconfig");
    std::fs::write(
        &kubeconfig,
        tls.kubeconfig(&format!("https://{addr}"), cluster.admin_token()),
    )
    .expect("kubeconfig");
    let serving = cluster.clone();
    tokio::spawn(async move {
        serving
            .serve_tls(listener, &tls, std::future::pending())
            .await
    });
    let kubectl = |args: &[&str]| {
        let mut command = Command::new(KUBECTL);
        command.arg("--kubeconfig").arg(&kubeconfig).args(args);
        command
    };
    let ran = kubectl(&[
        "run",
        "app",
        "--image=kubeclass/demo-app:1.0",
        "--env=NAME=Ada",
    ])
    .output()
    .expect("kubectl runs");
    assert!(ran.status.success(), "{ran:?}");

    let started = Instant::now();
    let (open, closed) = (free_port(), free_port());
    let mut forwarding = None;
    while started.elapsed() < Duration::from_secs(60) {
        let mut child = kubectl(&[
            "port-forward",
            "pod/app",
            &format!("{open}:8000"),
            &format!("{closed}:8001"),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("kubectl port-forward starts");
        tokio::time::sleep(Duration::from_secs(1)).await;
        if child.try_wait().expect("wait").is_none() {
            forwarding = Some(child);
            break;
        }
        // The pod was not running yet.
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let mut forwarding = forwarding.expect("kubectl port-forward keeps running");
    let mut answer = (String::new(), 0);
    while started.elapsed() < Duration::from_secs(60) {
        answer = curl(open, "/");
        if answer.0 == "Hello, I'm Ada.\n" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    assert_eq!(answer, ("Hello, I'm Ada.\n".to_string(), 0));
    assert_eq!(curl(open, "/nope"), ("404 page not found\n".to_string(), 0));
    let logs = kubectl(&["logs", "app"]).output().expect("kubectl logs");
    let logs = String::from_utf8_lossy(&logs.stdout);
    assert!(logs.contains("127.0.0.1 \"GET /\" 200 \"curl/"), "{logs}");

    // Nothing listens on 8001: the connection closes, and kubectl says why.
    let (_, code) = curl(closed, "/");
    assert_eq!(code, 52, "curl's empty reply");
    let _ = forwarding.kill();
    let _ = forwarding.wait();
    let mut said = String::new();
    if let Some(mut out) = forwarding.stdout.take() {
        let _ = out.read_to_string(&mut said);
    }
    assert!(
        said.contains(&format!("Forwarding from 127.0.0.1:{open} -> 8000")),
        "{said}"
    );
    std::fs::remove_dir_all(dir).ok();
}

//! `cargo bench -p kubesim --bench api` (run by `make bench`): the API server's speed and
//! memory, in-process through a real `kube::Client` and over HTTP on loopback. Prints a
//! markdown section for BENCHMARKS.md on stdout; progress goes to stderr.
//!
//! Targets (2-core machine): in-process create p99 <= 1 ms and >= 20,000 writes/s; a watch
//! event reaches 1,000 watchers with p99 <= 50 ms.

use futures::StreamExt;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{ConfigMap, Pod};
use kube::api::{Api, ListParams, Patch, PatchParams, PostParams};
use kubesim::Cluster;
use serde_json::json;
use std::time::{Duration, Instant};

fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort();
    let i = ((samples.len() as f64 - 1.0) * p).round() as usize;
    samples[i]
}

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1000.0)
}

fn rss_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
        })
        .unwrap_or(0)
        * 1024
}

fn configmap(i: usize) -> ConfigMap {
    serde_json::from_value(json!({"metadata": {"name": format!("cm-{i}"), "labels": {"app": "bench"}}, "data": {"key": "value"}})).expect("cm")
}

/// A pod as a Deployment's pod looks once running: metadata, a container with probes,
/// status with conditions. About 2 KB of JSON.
fn pod(i: usize) -> Pod {
    serde_json::from_value(json!({
        "metadata": {"name": format!("web-7d4b9c-{i:05}"), "labels": {"app": "web", "pod-template-hash": "7d4b9c"},
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-7d4b9c", "uid": "8b1f0c1e-0000-4000-a000-000000000000", "controller": true, "blockOwnerDeletion": true}]},
        "spec": {"containers": [{"name": "app", "image": "kubeclass/demo-app:1.0", "ports": [{"containerPort": 8000, "protocol": "TCP"}],
            "resources": {"requests": {"cpu": "50m", "memory": "32Mi"}, "limits": {"cpu": "200m", "memory": "64Mi"}},
            "readinessProbe": {"httpGet": {"path": "/healthz", "port": 8000, "scheme": "HTTP"}, "periodSeconds": 3, "timeoutSeconds": 1, "successThreshold": 1, "failureThreshold": 3},
            "livenessProbe": {"httpGet": {"path": "/healthz", "port": 8000, "scheme": "HTTP"}, "periodSeconds": 5, "timeoutSeconds": 1, "successThreshold": 1, "failureThreshold": 3},
            "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File", "imagePullPolicy": "IfNotPresent"}],
            "restartPolicy": "Always", "terminationGracePeriodSeconds": 30, "dnsPolicy": "ClusterFirst", "serviceAccountName": "default", "nodeName": "kind-worker", "schedulerName": "default-scheduler"}
    }))
    .expect("pod")
}

fn deployment(i: usize, replicas: i32) -> Deployment {
    serde_json::from_value(json!({
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": format!("d-{i}")},
        "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": format!("d-{i}")}},
            "template": {"metadata": {"labels": {"app": format!("d-{i}")}}, "spec": {"containers": [{"name": "app", "image": "kubeclass/demo-app:1.0"}]}}}
    }))
    .expect("deployment")
}

struct Row(String, String, String, String);

async fn creates(api: &Api<ConfigMap>, n: usize, offset: usize) -> (Vec<Duration>, Duration) {
    let mut samples = Vec::with_capacity(n);
    let start = Instant::now();
    for i in 0..n {
        let t = Instant::now();
        api.create(&PostParams::default(), &configmap(offset + i))
            .await
            .expect("create");
        samples.push(t.elapsed());
    }
    (samples, start.elapsed())
}

async fn concurrent_creates(
    api: &Api<ConfigMap>,
    n: usize,
    tasks: usize,
    offset: usize,
) -> Duration {
    let start = Instant::now();
    let per = n / tasks;
    let handles: Vec<_> = (0..tasks)
        .map(|t| {
            let api = api.clone();
            tokio::spawn(async move {
                for i in 0..per {
                    api.create(&PostParams::default(), &configmap(offset + t * per + i))
                        .await
                        .expect("create");
                }
            })
        })
        .collect();
    for h in handles {
        h.await.expect("task");
    }
    start.elapsed()
}

async fn measure(label: &str, client: kube::Client, rows: &mut Vec<Row>) {
    eprintln!("{label}: creates");
    let cms: Api<ConfigMap> = Api::default_namespaced(client.clone());
    let (mut samples, total) = creates(&cms, 10_000, 0).await;
    let rate = 10_000.0 / total.as_secs_f64();
    rows.push(Row(
        format!("{label}: create ConfigMap, one client, sequential (10,000)"),
        ms(percentile(&mut samples, 0.5)),
        ms(percentile(&mut samples, 0.99)),
        format!("{rate:.0} writes/s"),
    ));
    let total = concurrent_creates(&cms, 20_000, 16, 10_000).await;
    rows.push(Row(
        format!("{label}: create ConfigMap, 16 concurrent clients (20,000)"),
        "".into(),
        "".into(),
        format!("{:.0} writes/s", 20_000.0 / total.as_secs_f64()),
    ));

    eprintln!("{label}: gets");
    let mut samples = Vec::new();
    for i in 0..5_000 {
        let t = Instant::now();
        cms.get(&format!("cm-{}", i * 6)).await.expect("get");
        samples.push(t.elapsed());
    }
    rows.push(Row(
        format!("{label}: get (5,000)"),
        ms(percentile(&mut samples, 0.5)),
        ms(percentile(&mut samples, 0.99)),
        String::new(),
    ));

    eprintln!("{label}: lists");
    let mut samples = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        let list = cms.list(&ListParams::default()).await.expect("list");
        assert_eq!(list.items.len(), 30_000);
        samples.push(t.elapsed());
    }
    rows.push(Row(
        format!("{label}: list 30,000 ConfigMaps (5 runs)"),
        ms(percentile(&mut samples, 0.5)),
        ms(percentile(&mut samples, 1.0)),
        String::new(),
    ));
    let mut samples = Vec::new();
    for _ in 0..20 {
        let t = Instant::now();
        let list = cms
            .list(&ListParams::default().labels("app=none"))
            .await
            .expect("list");
        assert!(list.items.is_empty());
        samples.push(t.elapsed());
    }
    rows.push(Row(
        format!("{label}: list with a selector matching none of 30,000 (20 runs)"),
        ms(percentile(&mut samples, 0.5)),
        ms(percentile(&mut samples, 0.99)),
        String::new(),
    ));

    eprintln!("{label}: server-side apply");
    let deployments: Api<Deployment> = Api::default_namespaced(client);
    let apply = PatchParams::apply("kubeclass");
    let mut samples = Vec::new();
    for round in 0..2 {
        for i in 0..1_000 {
            let t = Instant::now();
            deployments
                .patch(
                    &format!("d-{i}"),
                    &apply,
                    &Patch::Apply(deployment(i, 2 + round)),
                )
                .await
                .expect("apply");
            samples.push(t.elapsed());
        }
    }
    rows.push(Row(
        format!("{label}: server-side apply of a Deployment (1,000 creates + 1,000 changes)"),
        ms(percentile(&mut samples, 0.5)),
        ms(percentile(&mut samples, 0.99)),
        String::new(),
    ));
}

async fn watch_fan_out(cluster: &Cluster, watchers: usize, events: usize) -> Vec<Duration> {
    let api: Api<ConfigMap> = Api::namespaced(cluster.client(), "kube-public");
    let rv = cluster.store().resource_version().to_string();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(usize, Instant)>();
    for _ in 0..watchers {
        let stream = api
            .watch(&kube::api::WatchParams::default(), &rv)
            .await
            .expect("watch");
        let tx = tx.clone();
        tokio::spawn(async move {
            let mut stream = Box::pin(stream);
            let mut seen = 0;
            while let Some(Ok(_event)) = stream.next().await {
                let _ = tx.send((seen, Instant::now()));
                seen += 1;
            }
        });
    }
    drop(tx);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut samples = Vec::with_capacity(watchers * events);
    for i in 0..events {
        let sent = Instant::now();
        let mut cm = configmap(1_000_000 + i);
        cm.metadata.namespace = Some("kube-public".into());
        api.create(&PostParams::default(), &cm)
            .await
            .expect("create");
        for _ in 0..watchers {
            let (_, at) = rx.recv().await.expect("delivery");
            samples.push(at.saturating_duration_since(sent));
        }
    }
    samples
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let mut rows = Vec::new();
    let start = "2026-01-01T00:00:00Z".parse().expect("time");

    let cluster = Cluster::builder()
        .seed(1)
        .start_time(start)
        .build()
        .expect("cluster");
    measure("in-process", cluster.client(), &mut rows).await;

    eprintln!("watch fan-out");
    let mut samples = watch_fan_out(&cluster, 1_000, 20).await;
    rows.push(Row(
        "in-process: one change reaches 1,000 watchers (20 changes, 20,000 deliveries)".into(),
        ms(percentile(&mut samples, 0.5)),
        ms(percentile(&mut samples, 0.99)),
        String::new(),
    ));
    drop(cluster);

    eprintln!("memory");
    let before = rss_bytes();
    let cluster = Cluster::builder()
        .seed(2)
        .start_time(start)
        .build()
        .expect("cluster");
    let pods: Api<Pod> = Api::default_namespaced(cluster.client());
    for i in 0..10_000 {
        pods.create(&PostParams::default(), &pod(i))
            .await
            .expect("pod");
    }
    let after = rss_bytes();
    let pod_json = serde_json::to_vec(&pod(0)).expect("json").len();
    rows.push(Row(
        "memory: 10,000 pods held (RSS growth)".into(),
        String::new(),
        String::new(),
        format!(
            "{} MiB, {} KiB per pod ({pod_json} B of JSON each)",
            (after.saturating_sub(before)) / (1024 * 1024),
            after.saturating_sub(before) / 10_000 / 1024
        ),
    ));
    drop(cluster);

    eprintln!("over HTTP");
    let cluster = Cluster::builder()
        .seed(3)
        .start_time(start)
        .build()
        .expect("cluster");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let serving = cluster.clone();
    tokio::spawn(async move { serving.serve(listener, std::future::pending()).await });
    let mut config = kube::Config::new(format!("http://{addr}").parse().expect("url"));
    config.auth_info.token = Some(cluster.admin_token().to_string().into());
    let client = kube::Client::try_from(config).expect("client");
    measure("HTTP", client, &mut rows).await;

    println!("| operation | p50 | p99 | throughput / size |");
    println!("| --- | --- | --- | --- |");
    for Row(a, b, c, d) in rows {
        println!("| {a} | {b} | {c} | {d} |");
    }
}

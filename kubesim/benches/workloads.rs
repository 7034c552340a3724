//! `cargo bench -p kubesim --bench workloads` (run by `make bench`): the controllers,
//! scheduler and kubelet at scale. Prints a markdown section for BENCHMARKS.md on stdout;
//! progress goes to stderr.
//!
//! 1. 1,000 Deployments × 3 replicas created at once, on paused time: the simulated time
//!    until all 3,000 pods are Ready, and the CPU time that took — in memory, then durable
//!    (objects journalled in a data directory, as the server runs its embedded cluster).
//!    Target: within 10 s of simulated time, under 5 s of CPU.
//! 2. 10,000 running pods whose readiness probes tick every 10 s, on real time: the CPU
//!    the cluster uses while nothing else happens, and memory per pod.
//!    Target: under 10 % of one core.

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::Namespace;
use kube::api::{Api, ListParams, PostParams};
use kubesim::Cluster;
use kubesim::nodes::NodeSpec;
use serde_json::json;
use std::time::{Duration, Instant};

/// Process CPU time (user + system) from /proc, in seconds.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit(')')
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // Fields 14 and 15 of stat (utime, stime), counted after the command name.
    (ticks(11) + ticks(12)) / 100.0
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

fn big_cluster(workers: usize, pods_per_node: u32) -> Cluster {
    big_cluster_in(workers, pods_per_node, None)
}

/// The cluster, durable when given a data directory.
fn big_cluster_in(workers: usize, pods_per_node: u32, data: Option<&std::path::Path>) -> Cluster {
    let mut nodes = vec![NodeSpec::control_plane("kind-control-plane")];
    for i in 0..workers {
        let mut node = NodeSpec::worker(&format!("kind-worker{}", i + 1));
        node.pods = pods_per_node;
        node.cpu = 64;
        node.memory_mib = 256 * 1024;
        nodes.push(node);
    }
    let builder = Cluster::builder().seed(1).nodes(nodes);
    match data {
        Some(dir) => builder.data_dir(dir),
        None => builder,
    }
    .build()
    .expect("cluster")
}

/// Case 1 on a fresh cluster (durable in `data`): simulated time to all Ready, CPU
/// seconds, wall time.
async fn rollout(data: Option<&std::path::Path>) -> (Option<Duration>, f64, Duration) {
    let cluster = big_cluster_in(30, 110, data);
    let client = cluster.client();
    let cpu_before = cpu_seconds();
    let wall = Instant::now();
    create(&client, 100, 1000, 3, false).await;
    eprintln!("created 1,000 deployments in {:?}", wall.elapsed());
    let simulated = until_ready(&client, 1000, 3, Duration::from_secs(120)).await;
    let cpu = cpu_seconds() - cpu_before;
    let wall = wall.elapsed();
    let mode = if data.is_some() {
        "durable"
    } else {
        "in memory"
    };
    eprintln!(
        "{mode}: 3,000 pods ready after {simulated:?} simulated, {cpu:.2} s CPU, {wall:?} wall"
    );
    (simulated, cpu, wall)
}

fn deployment(name: &str, replicas: i32, probe: bool) -> Deployment {
    let mut container = json!({"name": "app", "image": "kubeclass/demo-app:1.0", "env": [{"name": "STARTUP_SECONDS", "value": "0"}],
        "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}}});
    if probe {
        container["readinessProbe"] =
            json!({"httpGet": {"path": "/healthz", "port": 8000}, "periodSeconds": 10});
    }
    serde_json::from_value(json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name},
        "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
            "template": {"metadata": {"labels": {"app": name}}, "spec": {"containers": [container]}}}}))
    .expect("deployment")
}

/// Creates `count` Deployments spread over `namespaces` namespaces.
async fn create(
    client: &kube::Client,
    namespaces: usize,
    count: usize,
    replicas: i32,
    probe: bool,
) {
    let ns_api: Api<Namespace> = Api::all(client.clone());
    for n in 0..namespaces {
        let ns = serde_json::from_value(json!({"metadata": {"name": format!("bench-{n}")}}))
            .expect("ns");
        ns_api
            .create(&PostParams::default(), &ns)
            .await
            .expect("namespace");
    }
    for i in 0..count {
        let api: Api<Deployment> =
            Api::namespaced(client.clone(), &format!("bench-{}", i % namespaces));
        api.create(
            &PostParams::default(),
            &deployment(&format!("d-{i}"), replicas, probe),
        )
        .await
        .expect("deployment");
    }
}

/// Deployments whose pods are all ready.
async fn ready(client: &kube::Client, replicas: i32) -> usize {
    let api: Api<Deployment> = Api::all(client.clone());
    api.list(&ListParams::default())
        .await
        .expect("list")
        .items
        .iter()
        .filter(|d| {
            d.metadata
                .namespace
                .as_deref()
                .is_some_and(|n| n.starts_with("bench-"))
        })
        .filter(|d| d.status.as_ref().and_then(|s| s.ready_replicas) == Some(replicas))
        .count()
}

/// Advances paused time in half-second steps until `count` Deployments are ready.
async fn until_ready(
    client: &kube::Client,
    count: usize,
    replicas: i32,
    limit: Duration,
) -> Option<Duration> {
    let start = tokio::time::Instant::now();
    loop {
        if ready(client, replicas).await == count {
            return Some(start.elapsed());
        }
        if start.elapsed() > limit {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

fn main() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .start_paused(true)
        .build()
        .expect("runtime");
    runtime.block_on(async {
        // 1. 3,000 pods to Ready, in memory and durable.
        let (simulated, cpu, wall) = rollout(None).await;
        let data = std::env::temp_dir().join(format!("kubesim-bench-{}", std::process::id()));
        let (durable_simulated, durable_cpu, durable_wall) = rollout(Some(&data)).await;
        let _ = std::fs::remove_dir_all(&data);
        if std::env::var("KUBESIM_BENCH_ONLY_ROLLOUT").is_ok() {
            return;
        }

        // 2. 10,000 probing pods, idle.
        let rss_empty = rss_bytes();
        let cluster = big_cluster(50, 220);
        let client = cluster.client();
        let rss_base = rss_bytes();
        create(&client, 100, 100, 100, true).await;
        let settled = until_ready(&client, 100, 100, Duration::from_secs(300)).await;
        eprintln!("10,000 probing pods ready after {settled:?} simulated");
        let rss_full = rss_bytes();
        tokio::time::resume();
        let cpu_start = cpu_seconds();
        let idle = Instant::now();
        tokio::time::sleep(Duration::from_secs(20)).await;
        let idle_share = (cpu_seconds() - cpu_start) / idle.elapsed().as_secs_f64();
        eprintln!("idle: {:.1} % of one core", idle_share * 100.0);
        let per_pod = (rss_full.saturating_sub(rss_base)) as f64 / 10_000.0;
        let fmt = |d: Option<Duration>| d.map_or("not reached".to_string(), |d| format!("{:.1} s", d.as_secs_f64()));
        println!("| measurement | result | target |");
        println!("| --- | --- | --- |");
        println!("| 1,000 Deployments × 3 replicas: simulated time until all 3,000 pods are Ready | {} | ≤ 10 s |", fmt(simulated));
        println!("| … CPU time used meanwhile (1 thread, paused clock) | {cpu:.2} s ({:.1} s wall) | < 5 s |", wall.as_secs_f64());
        println!("| the same, durable (every write journalled to a data directory, as the server runs it): simulated time / CPU | {} / {durable_cpu:.2} s ({:.1} s wall; CPU × {:.2} of in memory) | — |", fmt(durable_simulated), durable_wall.as_secs_f64(), durable_cpu / cpu.max(0.001));
        println!("| 10,000 running pods, readiness probes every 10 s: CPU while idle (20 s, real time) | {:.1} % of one core | < 10 % |", idle_share * 100.0);
        println!("| memory per running pod (RSS growth / 10,000; object, status, events, runtime, logs) | {:.1} KiB | — |", per_pod / 1024.0);
        println!("| RSS: empty process / cluster of 51 nodes / with 10,000 pods | {} / {} / {} MiB | — |", rss_empty >> 20, rss_base >> 20, rss_full >> 20);
    });
}

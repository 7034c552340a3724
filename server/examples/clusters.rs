//! The three clusters side by side (`make bench`, section `clusters`): kubesim in-process,
//! kubesim over HTTPS (`kubesim serve`), and the real control plane
//! (`deploy/control-plane/cluster.sh`: kube-apiserver, etcd, the controller manager, the
//! scheduler, kwok's nodes). For each: cold start to the first successful request, creates
//! of ConfigMaps and Pods (p50, p99, writes/s), one lesson played end to end through the
//! pipeline until its checks hold, and a room's warm pool of 100 workspaces made by the
//! pool's keeper (the in-process kubesim and the real one). Prints a Markdown table.
//!
//! Run from the repository root, after `cargo build --release -p kubesim --features serve`:
//!     cargo run --release -p server --example clusters [KUBESIM_BINARY]

use app::content::Library;
use k8s_openapi::api::core::v1::{ConfigMap, Namespace, Pod, ServiceAccount};
use kube::api::{Api, ListParams, PostParams};
use server::clock::SystemClock;
use server::config::LimitsConfig;
use server::db::Database;
use server::rehearsal::{Stage, play};
use server::state::AppState;
use server::workspace::Workspaces;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Cold starts measured per cluster (the median is reported).
const STARTS: usize = 5;
const SEQUENTIAL: usize = 1_000;
const CONCURRENT: usize = 2_000;
const CLIENTS: usize = 16;
const PODS: usize = 300;
/// The lesson played end to end: every check of it shows on kwok's nodes too.
const LESSON: &str = "replicasets";
/// The workspaces of the warm pool measured.
const WARM: usize = 100;

struct Row(String, String, String, String);

/// The figures the ratios compare: (measure, cluster) → a value (ms, or writes/s).
type Figures = std::collections::BTreeMap<(&'static str, String), f64>;

fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort();
    let rank = ((p * samples.len() as f64).ceil() as usize).clamp(1, samples.len());
    samples[rank - 1]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn median(mut samples: Vec<Duration>) -> Duration {
    percentile(&mut samples, 0.5)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn temp_dir(what: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kubeclass-bench-{what}-{}", free_port()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

async fn client_from(kubeconfig: &Path) -> Option<kube::Client> {
    let file = kube::config::Kubeconfig::read_from(kubeconfig).ok()?;
    let config = kube::Config::from_custom_kubeconfig(file, &Default::default())
        .await
        .ok()?;
    kube::Client::try_from(config).ok()
}

async fn answers(client: &kube::Client) -> bool {
    Api::<Namespace>::all(client.clone())
        .list(&ListParams::default().limit(1))
        .await
        .is_ok()
}

/// Polls until `kubeconfig` exists and its cluster answers a list; the client then.
async fn first_answer(kubeconfig: &Path, started: Instant) -> (kube::Client, Duration) {
    loop {
        if let Some(client) = client_from(kubeconfig).await
            && answers(&client).await
        {
            return (client, started.elapsed());
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "{} never answered",
            kubeconfig.display()
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

fn in_process_cluster() -> kubesim::Cluster {
    kubesim::Cluster::builder()
        .seed(1)
        .build()
        .expect("cluster")
}

/// `kubesim serve` on a free port, its kubeconfig in `dir`.
fn kubesim_serve(binary: &Path, dir: &Path) -> Child {
    Command::new(binary)
        .args(["serve", "--addr"])
        .arg(format!("127.0.0.1:{}", free_port()))
        .arg("--kubeconfig")
        .arg(dir.join("kubesim.kubeconfig"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("kubesim serve")
}

/// The real control plane in `dir` on free ports (`up`, or `down`).
fn control_plane(dir: &Path, verb: &str) -> Child {
    Command::new("deploy/control-plane/cluster.sh")
        .arg(verb)
        .env("CONTROL_PLANE_DIR", dir)
        .env("ETCD_PORT", free_port().to_string())
        .env("APISERVER_PORT", free_port().to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("deploy/control-plane/cluster.sh")
}

fn stop_control_plane(dir: &Path) {
    let _ = control_plane(dir, "down").wait();
    let _ = std::fs::remove_dir_all(dir);
}

/// A namespace for the creates, with its default ServiceAccount (the real controller
/// manager makes it a moment after the namespace).
async fn bench_namespace(client: &kube::Client, name: &str) {
    let namespaces: Api<Namespace> = Api::all(client.clone());
    let namespace =
        serde_json::from_value(serde_json::json!({"metadata": {"name": name}})).expect("namespace");
    namespaces
        .create(&PostParams::default(), &namespace)
        .await
        .expect("bench namespace");
    let accounts: Api<ServiceAccount> = Api::namespaced(client.clone(), name);
    for _ in 0..500 {
        if accounts.get_opt("default").await.ok().flatten().is_some() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn configmap(i: usize) -> ConfigMap {
    serde_json::from_value(serde_json::json!({
        "metadata": {"name": format!("cm-{i}")}, "data": {"key": "value"},
    }))
    .expect("configmap")
}

fn pod(i: usize) -> Pod {
    serde_json::from_value(serde_json::json!({
        "metadata": {"name": format!("pod-{i}"), "labels": {"app": "bench"}},
        "spec": {"containers": [{"name": "web", "image": "nginx:1.27",
            "resources": {"requests": {"cpu": "1m", "memory": "1Mi"}}}]},
    }))
    .expect("pod")
}

/// Creates one after the other: p50, p99 and writes/s.
async fn sequential<K>(api: &Api<K>, make: fn(usize) -> K, n: usize) -> (Duration, Duration, f64)
where
    K: kube::Resource + Clone + serde::Serialize + serde::de::DeserializeOwned + std::fmt::Debug,
{
    let mut samples = Vec::with_capacity(n);
    let started = Instant::now();
    for i in 0..n {
        let t = Instant::now();
        api.create(&PostParams::default(), &make(i))
            .await
            .expect("create");
        samples.push(t.elapsed());
    }
    let rate = n as f64 / started.elapsed().as_secs_f64();
    (
        percentile(&mut samples, 0.5),
        percentile(&mut samples, 0.99),
        rate,
    )
}

/// ConfigMap creates from `CLIENTS` tasks at once: writes/s.
async fn concurrent(api: &Api<ConfigMap>) -> f64 {
    let started = Instant::now();
    let tasks: Vec<_> = (0..CLIENTS)
        .map(|c| {
            let api = api.clone();
            tokio::spawn(async move {
                for i in (c..CONCURRENT).step_by(CLIENTS) {
                    api.create(&PostParams::default(), &configmap(SEQUENTIAL + i))
                        .await
                        .expect("create");
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("task");
    }
    CONCURRENT as f64 / started.elapsed().as_secs_f64()
}

async fn creates(label: &str, client: &kube::Client, rows: &mut Vec<Row>, figures: &mut Figures) {
    eprintln!("clusters: {label}: creates");
    bench_namespace(client, "bench").await;
    let configmaps: Api<ConfigMap> = Api::namespaced(client.clone(), "bench");
    let (p50, p99, rate) = sequential(&configmaps, configmap, SEQUENTIAL).await;
    figures.insert(
        ("create ConfigMap p50 (ms)", label.into()),
        p50.as_secs_f64() * 1e3,
    );
    figures.insert(("sequential ConfigMap writes/s", label.into()), rate);
    rows.push(Row(
        format!("{label}: create ConfigMap, sequential ({SEQUENTIAL})"),
        ms(p50),
        ms(p99),
        format!("{rate:.0} writes/s"),
    ));
    let rate = concurrent(&configmaps).await;
    figures.insert(("concurrent ConfigMap writes/s", label.into()), rate);
    rows.push(Row(
        format!("{label}: create ConfigMap, {CLIENTS} clients at once ({CONCURRENT})"),
        String::new(),
        String::new(),
        format!("{rate:.0} writes/s"),
    ));
    let pods: Api<Pod> = Api::namespaced(client.clone(), "bench");
    let (p50, p99, rate) = sequential(&pods, pod, PODS).await;
    figures.insert(
        ("create Pod p50 (ms)", label.into()),
        p50.as_secs_f64() * 1e3,
    );
    rows.push(Row(
        format!("{label}: create Pod, sequential ({PODS})"),
        ms(p50),
        ms(p99),
        format!("{rate:.0} writes/s"),
    ));
}

/// kubeclass's state over `platform`, with the lessons of `library`.
async fn state(library: Library, platform: &kube::Client) -> AppState {
    let db = Database::open(":memory:", std::sync::Arc::new(SystemClock))
        .await
        .expect("database");
    let workspaces = Workspaces {
        prefix: "kc".into(),
        domain: server::workspace::DEFAULT_DOMAIN.into(),
    };
    let options = leptos::prelude::LeptosOptions::builder()
        .output_name("kubeclass")
        .build();
    AppState::new(
        options,
        library,
        PathBuf::from("content"),
        platform.clone(),
        db,
        workspaces,
        LimitsConfig {
            max_attendees: WARM as u64,
            ..LimitsConfig::default()
        },
    )
}

/// A room's warm pool of [`WARM`] workspaces made by the pool's keeper, as kubeclass's
/// `platform` identity: the time from an empty pool until every workspace waits (each
/// its namespace with the isolation policy), then their deletion.
async fn warm_pool(
    label: &str,
    platform: &kube::Client,
    rows: &mut Vec<Row>,
    figures: &mut Figures,
) {
    eprintln!("clusters: {label}: warm pool of {WARM}");
    let (library, _) = Library::load(Path::new("content"));
    let state = state(library, platform).await;
    state.db.put_trainer("bench", "-").await.expect("trainer");
    let room = server::db::rooms::Room {
        id: "benchroom".into(),
        trainer: "bench".into(),
        title: "bench".into(),
        lessons: vec![format!("fundamentals/{LESSON}")],
        capacity: WARM as i64,
        warm: WARM as i64,
        access_code: "BENCH2".into(),
        opens_at: None,
        closes_at: None,
        created_at: 0,
        time_limit: None,
        deadline: None,
        retention_days: 1,
        unlocked: None,
    };
    state.db.create_room(&room, &[]).await.expect("room");
    let started = Instant::now();
    server::trainer::pool::keep_once(&state)
        .await
        .expect("keeper");
    let took = started.elapsed();
    let (waiting, _) = state.db.pool_of(&room.id).await.expect("pool");
    for id in &waiting {
        let _ = state.workspace(id).reset(state.platform()).await;
    }
    figures.insert(
        ("warm pool of 100 workspaces made (ms)", label.into()),
        took.as_secs_f64() * 1e3,
    );
    rows.push(Row(
        format!("{label}: warm pool, {WARM} workspaces made by the keeper (namespace + isolation policy each)"),
        String::new(),
        String::new(),
        format!(
            "{:.1} s, {} waiting ({:.0} workspaces/s)",
            took.as_secs_f64(),
            waiting.len(),
            waiting.len() as f64 / took.as_secs_f64()
        ),
    ));
}

/// The lesson played through the pipeline as kubeclass's `platform` identity: the time
/// from the first step's first request until the last step's checks held.
async fn lesson(
    label: &str,
    platform: &kube::Client,
    admin: &kube::Client,
    rows: &mut Vec<Row>,
    figures: &mut Figures,
) {
    eprintln!("clusters: {label}: lesson {LESSON}");
    let (library, _) = Library::load(Path::new("content"));
    let lesson = library
        .courses
        .iter()
        .flat_map(|c| &c.lessons)
        .find(|l| l.slug == LESSON)
        .expect("the lesson");
    let state = state(library.clone(), platform).await;
    let stage = Stage {
        state: &state,
        admin,
        attendees: vec!["bench".into()],
        judged: |_| true,
        discriminating: false,
        settle: Duration::ZERO,
        tick: Duration::from_millis(50),
        longest: Duration::from_secs(120),
    };
    let started = Instant::now();
    let rehearsal = play(lesson, &stage).await;
    let total = started.elapsed();
    for failure in &rehearsal.failures {
        eprintln!("clusters: {label}: {failure}");
    }
    figures.insert(
        ("lesson end to end (ms)", label.into()),
        total.as_secs_f64() * 1e3,
    );
    let steps: Vec<String> = rehearsal
        .steps
        .iter()
        .map(|d| format!("{:.1}", d.as_secs_f64()))
        .collect();
    rows.push(Row(
        format!(
            "{label}: lesson `{LESSON}` end to end ({} steps, each s: {})",
            steps.len(),
            steps.join(" / ")
        ),
        String::new(),
        String::new(),
        if rehearsal.failures.is_empty() {
            format!("{:.1} s, every check held", total.as_secs_f64())
        } else {
            format!(
                "{:.1} s, {} FAILED: {}",
                total.as_secs_f64(),
                rehearsal.failures.len(),
                rehearsal.failures[0].lines().next().unwrap_or_default()
            )
        },
    ));
}

#[tokio::main]
async fn main() {
    let kubesim_binary = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "target/release/kubesim".into()),
    );
    let mut rows = Vec::new();
    let mut figures = Figures::new();

    eprintln!("clusters: cold starts");
    let mut starts = Vec::new();
    for _ in 0..STARTS {
        let started = Instant::now();
        let cluster = in_process_cluster();
        assert!(answers(&cluster.client()).await);
        starts.push(started.elapsed());
    }
    let in_process = median(starts);
    let mut starts = Vec::new();
    for _ in 0..STARTS {
        let dir = temp_dir("kubesim");
        let started = Instant::now();
        let mut child = kubesim_serve(&kubesim_binary, &dir);
        let (_, took) = first_answer(&dir.join("kubesim.kubeconfig"), started).await;
        starts.push(took);
        let _ = child.kill();
        let _ = child.wait();
        let _ = std::fs::remove_dir_all(&dir);
    }
    let served = median(starts);
    let (mut firsts, mut readies) = (Vec::new(), Vec::new());
    for _ in 0..STARTS {
        let dir = temp_dir("real");
        let started = Instant::now();
        let mut child = control_plane(&dir, "up");
        let (_, first) = first_answer(&dir.join("admin.kubeconfig"), started).await;
        assert!(
            child.wait().expect("cluster.sh").success(),
            "cluster.sh up failed"
        );
        firsts.push(first);
        readies.push(started.elapsed());
        stop_control_plane(&dir);
    }
    for (what, took) in [
        ("kubesim in-process: build to first answer", in_process),
        (
            "kubesim serve: process start to first answer over HTTPS",
            served,
        ),
        (
            "real control plane: cluster.sh up to kube-apiserver's first answer",
            median(firsts),
        ),
        (
            "real control plane: to ready for kubeclass (nodes Ready, roles applied)",
            median(readies),
        ),
    ] {
        let cluster = match what.split(':').next() {
            Some("kubesim in-process") => "kubesim in-process",
            Some("kubesim serve") => "kubesim serve (HTTPS)",
            _ => "real control plane",
        };
        if !what.contains("ready for kubeclass") {
            figures.insert(
                ("cold start to first answer (ms)", cluster.into()),
                took.as_secs_f64() * 1e3,
            );
        }
        rows.push(Row(
            format!("cold start, {what} (median of {STARTS})"),
            ms(took),
            String::new(),
            String::new(),
        ));
    }

    // Each lesson first, on an empty cluster: the creates' 300 Pods would fill the nodes.
    let cluster = in_process_cluster();
    let token = server::platform::install(&cluster.client())
        .await
        .expect("the platform's roles");
    lesson(
        "kubesim in-process",
        &cluster.client_with_token(&token),
        &cluster.client(),
        &mut rows,
        &mut figures,
    )
    .await;
    warm_pool(
        "kubesim in-process",
        &cluster.client_with_token(&token),
        &mut rows,
        &mut figures,
    )
    .await;
    creates(
        "kubesim in-process",
        &cluster.client(),
        &mut rows,
        &mut figures,
    )
    .await;
    drop(cluster);

    let dir = temp_dir("kubesim");
    let mut child = kubesim_serve(&kubesim_binary, &dir);
    let (client, _) = first_answer(&dir.join("kubesim.kubeconfig"), Instant::now()).await;
    creates("kubesim serve (HTTPS)", &client, &mut rows, &mut figures).await;
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&dir);

    let dir = temp_dir("real");
    assert!(
        control_plane(&dir, "up")
            .wait()
            .expect("cluster.sh")
            .success()
    );
    let admin = client_from(&dir.join("admin.kubeconfig"))
        .await
        .expect("admin");
    let platform = client_from(&dir.join("kubeclass.kubeconfig"))
        .await
        .expect("kubeclass");
    lesson(
        "real control plane",
        &platform,
        &admin,
        &mut rows,
        &mut figures,
    )
    .await;
    warm_pool("real control plane", &platform, &mut rows, &mut figures).await;
    creates("real control plane", &admin, &mut rows, &mut figures).await;
    stop_control_plane(&dir);

    println!("| measure | p50 | p99 | throughput / result |");
    println!("| --- | --- | --- | --- |");
    for Row(a, b, c, d) in rows {
        println!("| {a} | {b} | {c} | {d} |");
    }
    ratios(&figures);
}

/// The real control plane against each kubesim, measure by measure (times: how many
/// times longer on the real one; rates: how many times fewer writes per second).
fn ratios(figures: &Figures) {
    let real = "real control plane";
    println!();
    println!(
        "| measure | kubesim in-process | kubesim serve | real control plane | real / in-process | real / serve |"
    );
    println!("| --- | --- | --- | --- | --- | --- |");
    let measures: std::collections::BTreeSet<&str> = figures.keys().map(|(m, _)| *m).collect();
    for measure in measures {
        let get = |cluster: &str| figures.get(&(measure, cluster.to_string())).copied();
        let cell = |v: Option<f64>| v.map_or(String::new(), |v| format!("{v:.2}"));
        let ratio = |other: Option<f64>| match (get(real), other) {
            (Some(r), Some(o)) if measure.contains("writes/s") => format!("{:.1}× fewer", o / r),
            (Some(r), Some(o)) => format!("{:.1}×", r / o),
            _ => String::new(),
        };
        let (local, served) = (get("kubesim in-process"), get("kubesim serve (HTTPS)"));
        println!(
            "| {measure} | {} | {} | {} | {} | {} |",
            cell(local),
            cell(served),
            cell(get(real)),
            ratio(local),
            ratio(served)
        );
    }
}

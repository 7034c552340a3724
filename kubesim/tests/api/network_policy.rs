//! NetworkPolicy in kubesim's pod network, through kube-rs on paused time: a workspace
//! policy (`podSelector: {}`, ingress only from the workspace's namespaces and the
//! ingress controller's) keeps another workspace's pods out — by Service name and by pod
//! IP, failing as busybox's wget fails on a dropped connection — while the workspace's
//! own namespaces, the ingress controller, the kubelet's probes and the API server's
//! proxy get through; egress rules, ports and ipBlocks are enforced; pod addresses are
//! drawn at random within the node's pod network.

use crate::support::{create, send};
use k8s_openapi::api::core::v1::{Namespace, Pod, Service};
use k8s_openapi::api::networking::v1::{Ingress, NetworkPolicy};
use kube::api::{Api, LogParams};
use kubesim::Cluster;
use serde_json::json;
use std::time::Duration;

fn cluster(seed: u64) -> Cluster {
    Cluster::builder()
        .seed(seed)
        .start_time("2026-03-01T10:00:00Z".parse().expect("time"))
        .build()
        .expect("cluster")
}

async fn namespace(cluster: &Cluster, name: &str, workspace: &str) {
    create(
        &Api::<Namespace>::all(cluster.client()),
        json!({"metadata": {"name": name, "labels": {"kubeclass.dev/workspace": workspace}}}),
    )
    .await;
}

/// kubeclass's workspace policy (server/src/workspace/policy.rs).
async fn isolate(cluster: &Cluster, namespace: &str, workspace: &str) {
    create(&Api::<NetworkPolicy>::namespaced(cluster.client(), namespace), json!({
        "metadata": {"name": "workspace-isolation"},
        "spec": {"podSelector": {}, "policyTypes": ["Ingress"], "ingress": [{"from": [
            {"namespaceSelector": {"matchLabels": {"kubeclass.dev/workspace": workspace}}},
            {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "ingress-nginx"}}}]}]}})).await;
}

/// The demo app as pod `web` behind Service `web` (80 → 8000) in `namespace`.
async fn web(cluster: &Cluster, namespace: &str) {
    create(&Api::<Pod>::namespaced(cluster.client(), namespace), json!({
        "metadata": {"name": "web", "labels": {"app": "web"}},
        "spec": {"containers": [{"name": "app", "image": "kubeclass/demo-app:1.0",
            "ports": [{"name": "http", "containerPort": 8000}],
            "readinessProbe": {"httpGet": {"path": "/healthz", "port": "http"}, "periodSeconds": 2}}]}})).await;
    create(
        &Api::<Service>::namespaced(cluster.client(), namespace),
        json!({
        "metadata": {"name": "web"},
        "spec": {"selector": {"app": "web"}, "ports": [{"port": 80, "targetPort": "http"}]}}),
    )
    .await;
}

/// A busybox pod running `script`.
async fn shell(cluster: &Cluster, namespace: &str, name: &str, script: &str) {
    create(
        &Api::<Pod>::namespaced(cluster.client(), namespace),
        json!({
        "metadata": {"name": name, "labels": {"app": name}},
        "spec": {"restartPolicy": "Never", "containers": [{"name": "sh", "image": "busybox",
            "command": ["sh", "-c", script]}]}}),
    )
    .await;
}

/// Waits (on paused time) until `check` holds, up to `seconds` of cluster time.
async fn eventually<T>(seconds: u64, mut check: impl AsyncFnMut() -> Option<T>) -> T {
    for _ in 0..seconds * 10 {
        if let Some(found) = check().await {
            return found;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("not within {seconds}s");
}

async fn ready_ip(cluster: &Cluster, namespace: &str, name: &str) -> String {
    let pods: Api<Pod> = Api::namespaced(cluster.client(), namespace);
    eventually(120, async || {
        let pod = pods.get(name).await.ok()?;
        let status = pod.status?;
        let ready = status
            .conditions?
            .iter()
            .any(|c| c.type_ == "Ready" && c.status == "True");
        ready.then_some(status.pod_ip?)
    })
    .await
}

/// The pod's log once it has `lines` lines.
async fn log_lines(cluster: &Cluster, namespace: &str, name: &str, lines: usize) -> Vec<String> {
    let pods: Api<Pod> = Api::namespaced(cluster.client(), namespace);
    eventually(300, async || {
        let log = pods.logs(name, &LogParams::default()).await.ok()?;
        let found: Vec<String> = log.lines().map(str::to_string).collect();
        (found.len() >= lines).then_some(found)
    })
    .await
}

#[tokio::test(start_paused = true)]
async fn a_workspace_policy_keeps_other_workspaces_out() {
    let cluster = cluster(41);
    namespace(&cluster, "victim", "v").await;
    namespace(&cluster, "victim-db", "v").await;
    namespace(&cluster, "attacker", "a").await;
    isolate(&cluster, "victim", "v").await;
    web(&cluster, "victim").await;
    // Probes come from the node: the pod becomes ready behind its policy.
    let ip = ready_ip(&cluster, "victim", "web").await;
    let service_ip = Api::<Service>::namespaced(cluster.client(), "victim")
        .get("web")
        .await
        .expect("service")
        .spec
        .and_then(|s| s.cluster_ip)
        .expect("cluster IP");

    shell(&cluster, "attacker", "probe", &format!(
        "wget -qO- -T 2 http://web.victim/; wget -qO- -T 2 http://{ip}:8000/; wget -qO- http://web.victim.svc.cluster.local/; curl -s --connect-timeout 3 http://{service_ip}/"
    )).await;
    assert_eq!(
        log_lines(&cluster, "attacker", "probe", 4).await,
        [
            "wget: download timed out".to_string(),
            "wget: download timed out".to_string(),
            format!("wget: can't connect to remote host ({service_ip}): Connection timed out"),
            format!(
                "curl: (28) Failed to connect to {service_ip} port 80 after 3000 ms: Timeout was reached"
            ),
        ]
    );

    // The workspace's other namespace gets through, by name and by address.
    shell(
        &cluster,
        "victim-db",
        "friend",
        &format!("wget -qO- http://web.victim/; wget -qO- http://{ip}:8000/"),
    )
    .await;
    let lines = log_lines(&cluster, "victim-db", "friend", 2).await;
    assert!(
        lines.iter().all(|l| l.starts_with("Hello, I'm")),
        "{lines:?}"
    );

    // The ingress controller is let in; the API server's proxy comes from the node.
    create(&Api::<Ingress>::namespaced(cluster.client(), "victim"), json!({
        "metadata": {"name": "web"},
        "spec": {"ingressClassName": "nginx", "rules": [{"host": "web.example", "http": {"paths": [
            {"path": "/", "pathType": "Prefix", "backend": {"service": {"name": "web", "port": {"number": 80}}}}]}}]}})).await;
    let (status, body) = cluster.ingress_get("web.example", "/");
    assert_eq!(status, 200, "{body}");
    let (code, _) = send(
        &cluster,
        "GET",
        "/api/v1/namespaces/victim/services/web:80/proxy/",
        "",
        vec![],
    )
    .await;
    assert_eq!(code.as_u16(), 200);
}

#[tokio::test(start_paused = true)]
async fn default_deny_egress_ports_and_ip_blocks() {
    let cluster = cluster(42);
    namespace(&cluster, "apps", "x").await;
    namespace(&cluster, "clients", "x").await;
    web(&cluster, "apps").await;
    let ip = ready_ip(&cluster, "apps", "web").await;
    // Ingress to `apps` only on port 8000, from pods labelled app=allowed in any
    // namespace of the workspace (both selectors in one peer).
    create(
        &Api::<NetworkPolicy>::namespaced(cluster.client(), "apps"),
        json!({
        "metadata": {"name": "web"},
        "spec": {"podSelector": {"matchLabels": {"app": "web"}}, "ingress": [{
            "from": [{"namespaceSelector": {"matchLabels": {"kubeclass.dev/workspace": "x"}},
                      "podSelector": {"matchLabels": {"app": "allowed"}}}],
            "ports": [{"port": "http"}]}]}}),
    )
    .await;
    // `clients`: all egress denied but to the web pod's address, ports 8000-8001.
    create(&Api::<NetworkPolicy>::namespaced(cluster.client(), "clients"), json!({
        "metadata": {"name": "egress"},
        "spec": {"podSelector": {}, "policyTypes": ["Egress"], "egress": [
            {"to": [{"ipBlock": {"cidr": format!("{ip}/32")}}], "ports": [{"protocol": "TCP", "port": 8000, "endPort": 8001}]}]}})).await;
    shell(&cluster, "clients", "allowed", &format!("wget -qO- http://{ip}:8000/; wget -qO- http://web.apps/; wget -qO- -T 1 http://{ip}:8002/; wget -qO- http://{ip}:8001/")).await;
    shell(
        &cluster,
        "clients",
        "other",
        &format!("wget -qO- -T 1 http://{ip}:8000/"),
    )
    .await;
    let lines = log_lines(&cluster, "clients", "allowed", 4).await;
    // Through the Service too: policies judge the pod it reaches (after kube-proxy's
    // translation), as CNIs do.
    assert!(
        lines[..2].iter().all(|l| l.starts_with("Hello, I'm")),
        "{lines:?}"
    );
    // A port outside the egress rule is dropped (here within wget's -T); one inside it
    // but outside the web pod's ingress ports too (after the kernel's ~130 s).
    assert_eq!(lines[2], "wget: download timed out");
    assert_eq!(
        lines[3],
        format!("wget: can't connect to remote host ({ip}): Connection timed out")
    );
    assert_eq!(
        log_lines(&cluster, "clients", "other", 1).await,
        ["wget: download timed out"]
    );

    // Default deny everything in a namespace: `podSelector: {}` and no rules.
    create(&Api::<NetworkPolicy>::namespaced(cluster.client(), "apps"), json!({
        "metadata": {"name": "deny"}, "spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}})).await;
    shell(&cluster, "apps", "inside", "wget -qO- -T 1 http://web/").await;
    assert_eq!(
        log_lines(&cluster, "apps", "inside", 1).await,
        ["wget: download timed out"]
    );
    // Probes (every 2 s, from the node) still pass meanwhile: the pod stays ready.
    let web = Api::<Pod>::namespaced(cluster.client(), "apps")
        .get("web")
        .await
        .expect("web");
    let ready = web.status.and_then(|s| s.conditions).unwrap_or_default();
    assert!(
        ready
            .iter()
            .any(|c| c.type_ == "Ready" && c.status == "True"),
        "{ready:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn pod_addresses_are_drawn_at_random_and_never_shared() {
    let cluster = cluster(43);
    let pods: Api<Pod> = Api::default_namespaced(cluster.client());
    for i in 0..6 {
        create(&pods, json!({"metadata": {"name": format!("p{i}")},
            "spec": {"containers": [{"name": "c", "image": "busybox", "command": ["sleep", "3600"]}]}})).await;
    }
    let ips: Vec<u32> = eventually(60, async || {
        let list = pods.list(&Default::default()).await.ok()?;
        list.items
            .iter()
            .map(|p| {
                let ip = p.status.as_ref()?.pod_ip.as_ref()?;
                ip.strip_prefix("10.244.1.")?.parse::<u32>().ok()
            })
            .collect::<Option<Vec<u32>>>()
            .filter(|ips| ips.len() == 6)
    })
    .await;
    let mut sorted = ips.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(sorted.len(), 6, "distinct: {ips:?}");
    assert!(sorted.iter().all(|h| (2..=254).contains(h)), "{ips:?}");
    let sequential = sorted.windows(2).all(|w| w[1] == w[0] + 1);
    assert!(!sequential, "addresses handed out in order: {ips:?}");
}

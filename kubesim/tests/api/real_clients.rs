//! Unmodified real clients against `Cluster::serve` on loopback: Debian's kubectl (1.20,
//! installed into `.tools/` by `make setup`) and the Python `kubernetes` package (into
//! `.tools/python`). These catch what a Rust client would forgive: discovery shapes,
//! content types, the strategic merge patches kubectl computes, watch framing.

use kubesim::Cluster;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn tools() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../.tools")
}

pub(super) struct Served {
    kubeconfig: PathBuf,
    dir: PathBuf,
}

pub(super) async fn serve(name: &str) -> Served {
    serve_cluster(name, Cluster::builder().seed(9).build().expect("cluster")).await
}

/// Serves `cluster` over HTTPS and writes a kubeconfig for it.
async fn serve_cluster(name: &str, cluster: Cluster) -> Served {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    let tls = kubesim::tls::Tls::generate(&["127.0.0.1".to_string()]).expect("certificates");
    let kubeconfig_text = tls.kubeconfig(&format!("https://{addr}"), cluster.admin_token());
    tokio::spawn(async move {
        cluster
            .serve_tls(listener, &tls, std::future::pending())
            .await
    });
    let dir = std::env::temp_dir().join(format!("kubesim-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let kubeconfig = dir.join("kubeconfig");
    std::fs::write(&kubeconfig, kubeconfig_text).expect("kubeconfig");
    Served { kubeconfig, dir }
}

impl Served {
    async fn kubectl(&self, args: &[&str]) -> Output {
        let kubectl = tools().join("kubectl");
        assert!(
            kubectl.exists(),
            "{} is missing: run `make setup`",
            kubectl.display()
        );
        self.run(&kubectl, args).await
    }

    /// Runs the kubectl binary at `kubectl` against the served cluster.
    pub(super) async fn run(&self, kubectl: &Path, args: &[&str]) -> Output {
        let mut command = Command::new(kubectl);
        command.arg("--kubeconfig").arg(&self.kubeconfig).args(args);
        tokio::task::spawn_blocking(move || command.output())
            .await
            .expect("join")
            .expect("run kubectl")
    }

    /// Runs kubectl, expects success, returns stdout.
    async fn ok(&self, args: &[&str]) -> String {
        let out = self.kubectl(args).await;
        let (stdout, stderr) = (
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
        );
        assert!(
            out.status.success(),
            "kubectl {}: {stdout}{stderr}",
            args.join(" ")
        );
        stdout.trim().to_string()
    }

    /// Runs kubectl, expects failure, returns stderr.
    async fn fails(&self, args: &[&str]) -> String {
        let out = self.kubectl(args).await;
        assert!(
            !out.status.success(),
            "kubectl {} should fail",
            args.join(" ")
        );
        String::from_utf8_lossy(&out.stderr).trim().to_string()
    }
}

const DEPLOYMENT: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 2\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n      - name: app\n        image: kubeclass/demo-app:1.0\n";

const RBAC: &str = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: server\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: go-http-app\n  namespace: server\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: service-reader\n  namespace: server\nrules:\n- apiGroups: [\"\"]\n  resources: [services]\n  verbs: [get, list, watch]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: go-http-app-reads-services\n  namespace: server\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: Role\n  name: service-reader\nsubjects:\n- kind: ServiceAccount\n  name: go-http-app\n  namespace: server\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_reads_and_writes() {
    let s = serve("kubectl").await;
    assert!(
        s.ok(&["version"])
            .await
            .contains("GitVersion:\"v1.34.0-kubesim\"")
    );
    let resources = s.ok(&["api-resources"]).await;
    assert!(
        resources
            .lines()
            .any(|l| l.split_whitespace().collect::<Vec<_>>()
                == ["deployments", "deploy", "apps/v1", "true", "Deployment"]),
        "{resources}"
    );

    assert_eq!(
        s.ok(&["create", "configmap", "demo", "--from-literal=a=b"])
            .await,
        "configmap/demo created"
    );
    assert_eq!(
        s.ok(&["get", "configmap", "demo", "-o", "jsonpath={.data.a}"])
            .await,
        "b"
    );
    let list: serde_json::Value =
        serde_json::from_str(&s.ok(&["get", "cm", "-o", "json"]).await).expect("json");
    assert_eq!(list["items"][0]["metadata"]["name"], "demo");
    assert_eq!(
        s.ok(&["label", "cm", "demo", "team=a"]).await,
        "configmap/demo labeled"
    );
    assert_eq!(
        s.ok(&["get", "cm", "-l", "team=a", "-o", "name"]).await,
        "configmap/demo"
    );
    assert_eq!(
        s.ok(&["annotate", "cm", "demo", "note=x"]).await,
        "configmap/demo annotated"
    );

    let file = s.dir.join("deployment.yaml");
    std::fs::write(&file, DEPLOYMENT).expect("write");
    let file = file.to_str().expect("utf-8 path");
    // kubectl 1.20 validates against /openapi/v2 unless told not to (OpenAPI is not served yet).
    assert_eq!(
        s.ok(&["apply", "--validate=false", "-f", file]).await,
        "deployment.apps/web created"
    );
    assert_eq!(
        s.ok(&["apply", "--validate=false", "-f", file]).await,
        "deployment.apps/web unchanged"
    );
    assert_eq!(
        s.ok(&["apply", "--server-side", "--validate=false", "-f", file])
            .await,
        "deployment.apps/web serverside-applied"
    );
    assert_eq!(
        s.ok(&["scale", "deploy", "web", "--replicas=3"]).await,
        "deployment.apps/web scaled"
    );
    assert_eq!(
        s.ok(&["get", "deploy", "web", "-o", "jsonpath={.spec.replicas}"])
            .await,
        "3"
    );
    assert_eq!(s.ok(&["patch", "deploy", "web", "-p", "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"kubeclass/demo-app:1.1\"}]}}}}"]).await, "deployment.apps/web patched");
    let yaml = s.ok(&["get", "deploy", "web", "-o", "yaml"]).await;
    assert!(
        yaml.contains("image: kubeclass/demo-app:1.1") && yaml.contains("replicas: 3"),
        "{yaml}"
    );

    let described = s.ok(&["describe", "deploy", "web"]).await;
    assert!(
        described.contains("Name:")
            && described.contains("web")
            && described.contains("Replicas:")
            && described.contains("kubeclass/demo-app:1.1"),
        "{described}"
    );

    // kubectl get prints the server's Table columns.
    let table = s.ok(&["get", "deploy"]).await;
    let header: Vec<&str> = table
        .lines()
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .collect();
    assert_eq!(
        header,
        ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"],
        "{table}"
    );
    assert!(
        table
            .lines()
            .nth(1)
            .is_some_and(|l| l.starts_with("web") && l.contains("0/3")),
        "{table}"
    );
    let wide = s.ok(&["get", "deploy", "-o", "wide"]).await;
    assert!(
        wide.lines().next().is_some_and(|l| l.contains("CONTAINERS")
            && l.contains("IMAGES")
            && l.contains("SELECTOR")),
        "{wide}"
    );
    assert!(
        wide.contains("kubeclass/demo-app:1.1") && wide.contains("app=web"),
        "{wide}"
    );
    let namespaces = s.ok(&["get", "ns"]).await;
    assert!(
        namespaces
            .lines()
            .next()
            .is_some_and(|l| l.split_whitespace().eq(["NAME", "STATUS", "AGE"])),
        "{namespaces}"
    );
    assert!(namespaces.contains("Active"));
    // A bounded watch: kubectl prints the current row, then waits for changes.
    let watched = s
        .kubectl(&["get", "deploy", "--watch", "--request-timeout=2s"])
        .await;
    assert!(
        String::from_utf8_lossy(&watched.stdout).contains("web"),
        "{}",
        String::from_utf8_lossy(&watched.stderr)
    );

    // RBAC through kubectl: auth can-i as a ServiceAccount (impersonation + access review).
    let rbac = s.dir.join("rbac.yaml");
    std::fs::write(&rbac, RBAC).expect("write");
    s.ok(&[
        "apply",
        "--validate=false",
        "-f",
        rbac.to_str().expect("path"),
    ])
    .await;
    assert_eq!(
        s.ok(&["auth", "can-i", "create", "deployments"]).await,
        "yes"
    );
    let as_sa = "--as=system:serviceaccount:server:go-http-app";
    assert_eq!(
        s.ok(&["auth", "can-i", "list", "services", "-n", "server", as_sa])
            .await,
        "yes"
    );
    let no = s
        .kubectl(&["auth", "can-i", "list", "pods", "-n", "server", as_sa])
        .await;
    assert_eq!(String::from_utf8_lossy(&no.stdout).trim(), "no");
    assert_eq!(
        s.fails(&["get", "pods", "-n", "server", as_sa]).await,
        "Error from server (Forbidden): pods is forbidden: User \"system:serviceaccount:server:go-http-app\" cannot list resource \"pods\" in API group \"\" in the namespace \"server\""
    );

    assert_eq!(
        s.ok(&["delete", "cm", "demo"]).await,
        "configmap \"demo\" deleted"
    );
    s.ok(&["create", "configmap", "short-lived"]).await;
    let waiter = s.kubectl(&[
        "wait",
        "--for=delete",
        "configmap/short-lived",
        "--timeout=10s",
    ]);
    let delete_later = async {
        // kubectl wait must find the object first (gone already is an error to it).
        tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
        s.kubectl(&["delete", "configmap", "short-lived"]).await
    };
    let (waited, deleted) = tokio::join!(waiter, delete_later);
    assert!(
        deleted.status.success(),
        "{}",
        String::from_utf8_lossy(&deleted.stderr)
    );
    assert!(
        waited.status.success(),
        "kubectl wait: {}",
        String::from_utf8_lossy(&waited.stderr)
    );
    assert_eq!(
        s.fails(&["get", "cm", "demo"]).await,
        "Error from server (NotFound): configmaps \"demo\" not found"
    );
    assert_eq!(
        s.fails(&["create", "configmap", "x", "-n", "nowhere"])
            .await,
        "Error from server (NotFound): namespaces \"nowhere\" not found"
    );
    std::fs::remove_dir_all(&s.dir).ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_follows_workloads_as_they_run() {
    let cluster = Cluster::builder()
        .seed(9)
        .metrics_window(std::time::Duration::from_secs(1))
        .build()
        .expect("cluster");
    let served = serve_cluster("workloads", cluster).await;
    let manifest = served.dir.join("deployment.yaml");
    std::fs::write(&manifest, DEPLOYMENT).expect("manifest");
    served
        .ok(&["apply", "-f", manifest.to_str().expect("path")])
        .await;
    let status = served
        .ok(&["rollout", "status", "deployment/web", "--timeout=60s"])
        .await;
    assert!(
        status.ends_with("deployment \"web\" successfully rolled out"),
        "{status}"
    );

    // A new image rolls out as revision 2; undo goes back to the first template.
    served
        .ok(&[
            "set",
            "image",
            "deployment/web",
            "app=kubeclass/demo-app:1.1",
        ])
        .await;
    served
        .ok(&["rollout", "status", "deployment/web", "--timeout=60s"])
        .await;
    let history = served.ok(&["rollout", "history", "deployment/web"]).await;
    assert!(
        history.contains("1         <none>") && history.contains("2         <none>"),
        "{history}"
    );
    served.ok(&["rollout", "undo", "deployment/web"]).await;
    served
        .ok(&["rollout", "status", "deployment/web", "--timeout=60s"])
        .await;
    let image = served
        .ok(&[
            "get",
            "deployment",
            "web",
            "-o",
            "jsonpath={.spec.template.spec.containers[0].image}",
        ])
        .await;
    assert_eq!(image, "kubeclass/demo-app:1.0");

    // Pause holds a change back; resume rolls it out; restart makes a new revision.
    served.ok(&["rollout", "pause", "deployment/web"]).await;
    served
        .ok(&["set", "env", "deployment/web", "NAME=paused"])
        .await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let condition = served
        .ok(&[
            "get",
            "deployment",
            "web",
            "-o",
            "jsonpath={.status.conditions[?(@.type==\"Progressing\")].reason}",
        ])
        .await;
    assert_eq!(condition, "DeploymentPaused");
    served.ok(&["rollout", "resume", "deployment/web"]).await;
    served
        .ok(&["rollout", "status", "deployment/web", "--timeout=60s"])
        .await;
    served.ok(&["rollout", "restart", "deployment/web"]).await;
    served
        .ok(&["rollout", "status", "deployment/web", "--timeout=60s"])
        .await;
    let history = served.ok(&["rollout", "history", "deployment/web"]).await;
    assert!(
        history.contains("5         <none>"),
        "a revision for each change: {history}"
    );

    // The running pods log, describe and report events as on kind.
    let logs = served.ok(&["logs", "deployment/web"]).await;
    assert!(
        logs.starts_with("demo-app 1.0 listening on :8000"),
        "{logs}"
    );
    let pods = served
        .ok(&["get", "pods", "-l", "app=web", "-o", "name"])
        .await;
    let pod = pods.lines().next().expect("a pod").to_string();
    let described = served.ok(&["describe", &pod]).await;
    assert!(
        described.contains("Successfully assigned default/"),
        "{described}"
    );
    assert!(described.contains("Started container app"), "{described}");
    let events = served.ok(&["get", "events"]).await;
    assert!(
        events.contains("ScalingReplicaSet") && events.contains("deployment/web"),
        "{events}"
    );

    // kubectl top reads metrics.k8s.io (the cluster's metrics window is 1 s here).
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let top = served.ok(&["top", "pods", "-l", "app=web"]).await;
    assert!(
        top.starts_with("NAME") && top.contains("CPU(cores)") && top.contains("9Mi"),
        "{top}"
    );

    // logs -f follows a running container until stopped.
    served
        .ok(&[
            "run",
            "ticker",
            "--image=busybox:1.36",
            "--restart=Never",
            "--",
            "sh",
            "-c",
            "while true; do echo tick; sleep 1; done",
        ])
        .await;
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    let kubectl = tools().join("kubectl");
    let mut follow = std::process::Command::new(kubectl)
        .arg("--kubeconfig")
        .arg(&served.kubeconfig)
        .args(["logs", "-f", "ticker"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("kubectl logs -f");
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    let _ = follow.kill();
    let output = follow.wait_with_output().expect("output");
    let ticks = String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter(|l| *l == "tick")
        .count();
    assert!(ticks >= 4, "{ticks} ticks followed");

    // Orphaning keeps the ReplicaSets (and their pods) when the Deployment goes.
    served
        .ok(&["delete", "deployment", "web", "--cascade=orphan"])
        .await;
    let sets = served.ok(&["get", "rs", "-o", "name"]).await;
    assert!(sets.lines().count() >= 1, "{sets}");
    let _ = std::fs::remove_dir_all(&served.dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_python_client_lists_and_watches() {
    let s = serve("python").await;
    let script = r#"
import sys
from kubernetes import client, config, watch
config.load_kube_config(config_file=sys.argv[1])
v1 = client.CoreV1Api()
print(sorted(n.metadata.name for n in v1.list_namespace().items))
v1.create_namespaced_config_map("default", {"metadata": {"name": "py"}, "data": {"a": "b"}})
w = watch.Watch()
for event in w.stream(v1.list_namespaced_config_map, "default", timeout_seconds=5):
    print(event["type"], event["object"].metadata.name, event["object"].data["a"])
    w.stop()
"#;
    let python_path = tools().join("python");
    assert!(
        python_path.exists(),
        "{} is missing: run `make setup`",
        python_path.display()
    );
    let kubeconfig = s.kubeconfig.clone();
    let out = tokio::task::spawn_blocking(move || {
        Command::new("python3")
            .arg("-c")
            .arg(script)
            .arg(&kubeconfig)
            .env("PYTHONPATH", python_path)
            .output()
    })
    .await
    .expect("join")
    .expect("python3");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        stdout.trim(),
        "['cert-manager', 'default', 'ingress-nginx', 'kube-node-lease', 'kube-public', 'kube-system', 'local-path-storage']\nADDED py b"
    );
    std::fs::remove_dir_all(&s.dir).ok();
}

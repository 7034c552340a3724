//! The console against real kubectl 1.32: the same commands, the same objects, kubectl
//! run against kubesim's HTTPS endpoint as the attendee (impersonated with the admin's
//! token, as kubeclass impersonates), the outputs identical once the real namespace is
//! named by its short name and ages are blurred. And what the console refuses.

mod apply;
mod auth;
mod config;
mod curl;
mod describe;
mod edit;
pub(super) mod follow;
mod history;
mod ingress;
mod lessons;
mod lines;
mod normalise;
mod run;
mod shell;

pub(super) use apply::compare_panes;
pub(super) use auth::compare_account_rules;
pub(super) use describe::compare_described;
pub(super) use lines::{COMMANDS, PROTOBUF_COMMANDS, PROTOBUF_WRITES, WRITES};
use normalise::{any_web_pod, blur, last_line, without_klog};

use super::support::{app, from_page, new_attendee, send, state};
use serde_json::{Value, json};
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

/// The machine image's kubectl 1.32 (the google-cloud-cli package's `bin/`).
const KUBECTL: &str = "/usr/lib/google-cloud-sdk/bin/kubectl.1.32";

const MANIFESTS: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: server, labels: {app: web}}\nspec:\n  replicas: 2\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web, tier: front}}\n    spec: {containers: [{name: app, image: 'kubeclass/demo-app:1.0', ports: [{containerPort: 8000}]}]}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: server}\nspec: {selector: {app: web}, ports: [{port: 80, targetPort: 8000}]}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: server}\ndata: {NAME: Ada, GREETING: 'Hello <you> & \"them\"', PORT: '8000', EMPTY: '', ON: 'yes', WHEN: '2026-01-02', STAR: '*', PAIR: 'a: b', SCRIPT: \"echo one\\necho two\\n\", LONG: 'a long line of words that goes on and on well past the eighty columns a YAML emitter may fold at'}\n";

pub(super) struct Setup {
    router: axum::Router,
    cookie: String,
    kubeconfig: PathBuf,
    /// A folder of the test's own, removed with it.
    scratch: Option<PathBuf>,
    /// Where the cluster's ingress controller listens (the embedded cluster's).
    ingress: Option<server::cluster::IngressEntrance>,
    /// The real namespace behind `server`, and the attendee's identity.
    namespace: String,
    user: String,
    group: String,
}

async fn setup(name: &str) -> Setup {
    // Metrics after 2 s of a container's life, not metrics-server's 15: `top` then has
    // them by the time the comparison reaches it, however fast the commands before ran.
    let cluster = kubesim::Cluster::builder()
        .seed(12)
        .metrics_window(Duration::from_secs(2))
        .build()
        .expect("cluster");
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    let tls = kubesim::tls::Tls::generate(&["127.0.0.1".to_string()]).expect("certificates");
    let kubeconfig_text = tls.kubeconfig(&format!("https://{addr}"), cluster.admin_token());
    let served = cluster.clone();
    tokio::spawn(async move {
        served
            .serve_tls(listener, &tls, std::future::pending())
            .await
    });
    let dir = std::env::temp_dir().join(format!("kubeclass-console-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let kubeconfig = dir.join("kubeconfig");
    std::fs::write(&kubeconfig, kubeconfig_text).expect("kubeconfig");

    let ingress = server::cluster::serve_ingress(&cluster, None, None).expect("ingress");
    let state = state(":memory:", &cluster)
        .await
        .with_ingress(Some(ingress));
    let mut setup = Setup::attend(state, kubeconfig).await;
    setup.scratch = Some(dir);
    setup
}

impl Setup {
    /// A new attendee of the server with `state`, who applies [`MANIFESTS`]; kubectl
    /// reaches the same cluster as its administrator through `kubeconfig`.
    pub(super) async fn attend(state: server::state::AppState, kubeconfig: PathBuf) -> Setup {
        let ingress = state.ingress;
        let router = app(state);
        let cookie = new_attendee(&router).await;
        let request = from_page(
            "POST",
            "/api/workspace/apply?lesson=fundamentals/deployments",
            &cookie,
            MANIFESTS.into(),
        );
        let (status, _, body) = send(&router, request).await;
        assert_eq!(status, 200, "{body}");
        let mut setup = Setup {
            router,
            cookie,
            kubeconfig,
            scratch: None,
            ingress,
            namespace: String::new(),
            user: String::new(),
            group: String::new(),
        };
        // The workspace's id, from its label on what was applied.
        let (json, _) = setup
            .console("kubectl get cm settings -n server -o json")
            .await;
        let object: Value = serde_json::from_str(&json).expect("json");
        let id = object["metadata"]["labels"]["kubeclass.dev/workspace"]
            .as_str()
            .expect("the workspace label")
            .to_string();
        setup.namespace = format!("kc-{id}-server");
        setup.user = format!("kubeclass:attendee:{id}");
        setup.group = format!("kubeclass:workspace:{id}");
        setup
    }

    /// Applies `text` through the page's API.
    async fn apply(&self, text: &str) {
        let request = from_page(
            "POST",
            "/api/workspace/apply?lesson=fundamentals/deployments",
            &self.cookie,
            text.into(),
        );
        let (status, _, body) = send(&self.router, request).await;
        assert_eq!(status, 200, "{body}");
    }

    async fn console(&self, command: &str) -> (String, i64) {
        self.console_with(command, json!({})).await
    }

    /// A console line sent with the text of the panes it applies (`{"NAME": "TEXT"}`).
    async fn console_with(&self, command: &str, files: Value) -> (String, i64) {
        let body =
            json!({ "command": command, "files": files, "lesson": "fundamentals/deployments" })
                .to_string();
        let (status, _, body) = send(&self.router, console_request(&self.cookie, body)).await;
        assert_eq!(status, 200, "{command}: {body}");
        let answer: Value = serde_json::from_str(&body).expect("json");
        (
            answer["output"].as_str().expect("output").to_string(),
            answer["exitCode"].as_i64().expect("exit code"),
        )
    }

    /// Real kubectl, as the attendee, with `server` standing for the real namespace.
    ///
    /// kubectl's websocket exec has a race of its own (client-go's
    /// `tools/remotecommand/websocket.go`): when the API server closes the stream at once
    /// (an exec that cannot reach the kubelet), kubectl sometimes says `closed all streams`
    /// instead of the server's error. That answer is the reference's flake, not the server's
    /// words, so kubectl is asked again (at most twice more).
    async fn kubectl(&self, args: &[String]) -> (String, i64) {
        let mut answer = self.kubectl_once(args).await;
        for _ in 0..2 {
            if answer.0.trim() != "error: closed all streams" {
                break;
            }
            answer = self.kubectl_once(args).await;
        }
        answer
    }

    async fn kubectl_once(&self, args: &[String]) -> (String, i64) {
        let (mut command, path) = self.kubectl_command(args);
        let status = tokio::task::spawn_blocking(move || command.status())
            .await
            .expect("join")
            .expect("kubectl runs");
        let text = without_klog(&std::fs::read_to_string(&path).expect("kubectl's output"));
        let _ = std::fs::remove_file(&path);
        // The console names the workspace's namespaces, and the cluster-scoped objects it
        // holds under its own prefix (a ClusterIssuer), as the attendee wrote them.
        let prefix = self.namespace.trim_end_matches("server");
        (
            text.replace(&self.namespace, "server").replace(prefix, ""),
            i64::from(status.code().unwrap_or(-1)),
        )
    }

    /// The router served on a port of its own (for the live stream's websocket).
    async fn serve(&self) -> std::net::SocketAddr {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let router = self.router.clone();
        tokio::spawn(async move { axum::serve(listener, router).await });
        addr
    }

    /// A GET through the page's API; its body.
    async fn get(&self, path: &str) -> String {
        let request = from_page("GET", path, &self.cookie, String::new());
        let (status, _, body) = send(&self.router, request).await;
        assert_eq!(status, 200, "{path}: {body}");
        body
    }

    /// Waits until the console's answer to `line` holds `text` (30 s at most).
    async fn until_console_shows(&self, line: &str, text: &str) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        loop {
            let (output, _) = self.console(line).await;
            if output.contains(text) {
                return;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "{line} never showed {text}: {output}"
            );
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
    }

    /// Waits until the pods of `web` (two, unless it was scaled) run.
    async fn until_web_runs(&self) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        loop {
            let (pods, _) = self.console("kubectl get pods -n server").await;
            if pods.matches("Running").count() >= 2 {
                return;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "pods never ran: {pods}"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// The folder kubectl runs in, so that `-f NAME` reads a file written there.
    fn files(&self) -> PathBuf {
        let dir = self.scratch.clone().unwrap_or_else(|| {
            std::env::temp_dir().join(format!("kubeclass-files-{}", std::process::id()))
        });
        std::fs::create_dir_all(&dir).expect("files folder");
        dir
    }

    /// kubectl 1.32 with `args` as the attendee, writing stdout and stderr into one file
    /// (so their lines keep the order kubectl wrote them in, as a terminal shows them).
    fn kubectl_command(&self, args: &[String]) -> (Command, PathBuf) {
        let mut command = Command::new(KUBECTL);
        command
            .arg("--kubeconfig")
            .arg(&self.kubeconfig)
            .arg(format!("--as={}", self.user))
            .arg(format!("--as-group={}", self.group))
            .args(args.iter().map(|a| match a.as_str() {
                "--dry-run=server" => a.clone(),
                _ => a.replace("server", &self.namespace),
            }));
        static RUNS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let run = RUNS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let path =
            std::env::temp_dir().join(format!("kubeclass-kubectl-{}-{run}", std::process::id()));
        let file = std::fs::File::create(&path).expect("output file");
        // Where `-f NAME` finds the files a test writes.
        command.current_dir(self.files());
        command
            .stdout(file.try_clone().expect("clone"))
            .stderr(file);
        (command, path)
    }
}

fn console_request(cookie: &str, body: String) -> http::Request<axum::body::Body> {
    let mut request = from_page("POST", "/api/workspace/console", cookie, body);
    request.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    request
}

/// The twins [`WRITES`] act on.
const TWINS: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: one, namespace: server}\nspec:\n  replicas: 2\n  selector: {matchLabels: {app: one}}\n  template:\n    metadata: {labels: {app: one}}\n    spec: {containers: [{name: app, image: 'kubeclass/demo-app:1.0'}]}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: two, namespace: server}\nspec:\n  replicas: 2\n  selector: {matchLabels: {app: two}}\n  template:\n    metadata: {labels: {app: two}}\n    spec: {containers: [{name: app, image: 'kubeclass/demo-app:1.0'}]}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: one, namespace: server}\ndata: {a: b}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: two, namespace: server}\ndata: {a: b}\n";

/// `writes` (such as [`WRITES`]) run by the console on `one` and by kubectl on `two`;
/// where they differ.
pub(super) async fn compare_writes(setup: &Setup, writes: &[&str]) -> Vec<String> {
    setup.apply(TWINS).await;
    let mut differences = Vec::new();
    for &command in writes {
        let ours_line = command.replace("NAME", "one");
        let args: Vec<String> = command
            .replace("NAME", "two")
            .split(' ')
            .map(str::to_string)
            .collect();
        let (ours, ours_code) = setup.console(&format!("kubectl {ours_line}")).await;
        let (theirs, theirs_code) = setup.kubectl(&args).await;
        let theirs = theirs.replace("two", "one");
        let (ours_seen, theirs_seen) = if command.starts_with("rollout status") {
            (last_line(&ours), last_line(&theirs))
        } else {
            (ours.clone(), theirs.clone())
        };
        if ours_seen != theirs_seen || ours_code != theirs_code {
            differences.push(format!(
                "kubectl {ours_line}\n--- console (exit {ours_code}):\n{ours}--- kubectl 1.32 (exit {theirs_code}):\n{theirs}"
            ));
        }
    }
    differences
}

/// The console's output and real kubectl's, for each of `commands` where they differ.
pub(super) async fn compare(setup: &Setup, commands: &[&str]) -> Vec<String> {
    // Pods up, and old enough that every age has two digits on both sides.
    setup.until_web_runs().await;
    tokio::time::sleep(Duration::from_secs(10)).await;
    let mut differences = Vec::new();
    for &command in commands {
        // The console reads the line as a shell would; kubectl gets the words a shell
        // would give it (single quotes gone).
        let args: Vec<String> = command.split(' ').map(|a| a.replace('\'', "")).collect();
        let (ours, ours_code) = setup.console(&format!("kubectl {command}")).await;
        let (theirs, theirs_code) = setup.kubectl(&args).await;
        // kubectl reads the pods a selector picks at once, so their lines come in no
        // fixed order (and the first error names whichever pod failed first): compared
        // as sets of lines, any pod of `web` standing for each.
        let unordered = |text: &str| {
            if !command.starts_with("logs -l") {
                return blur(text);
            }
            let mut lines: Vec<String> = blur(text).split('\n').map(any_web_pod).collect();
            lines.sort();
            lines.join("\n")
        };
        if unordered(&ours) != unordered(&theirs) || ours_code != theirs_code {
            differences.push(format!(
                "kubectl {command}\n--- console (exit {ours_code}):\n{ours}--- kubectl 1.32 (exit {theirs_code}):\n{theirs}"
            ));
        }
    }
    differences
}

impl Drop for Setup {
    fn drop(&mut self) {
        if let Some(dir) = &self.scratch {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_prints_what_kubectl_prints() {
    assert!(
        std::path::Path::new(KUBECTL).exists(),
        "{KUBECTL} is missing: the machine image's google-cloud-cli carries it"
    );
    let setup = setup("same").await;
    let differences = compare(&setup, COMMANDS).await;
    assert!(differences.is_empty(), "{}", differences.join("\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_changes_objects_as_kubectl_does() {
    let setup = setup("writes").await;
    let differences = compare_writes(&setup, WRITES).await;
    assert!(differences.is_empty(), "{}", differences.join("\n"));
}

#[tokio::test]
async fn the_console_refuses_what_it_does_not_run_and_stays_in_the_workspace() {
    let setup = setup("refuses").await;
    for (command, expected) in [
        (
            "kubectl get pods | grep web",
            "\"|\" (a pipe) is shell syntax",
        ),
        ("kubectl get pods > /tmp/x", "a redirection"),
        (
            "kubectl get pods --kubeconfig=/etc/kubernetes/admin.conf",
            "does not take --kubeconfig",
        ),
        ("kubectl get pods --as=system:admin", "does not take --as"),
        (
            "kubectl -s https://10.0.0.1 get pods",
            "does not take --server",
        ),
        ("kubectl get -f /etc/passwd", "does not take --filename"),
        ("ls /", "the console runs kubectl commands"),
        ("kubectl frobnicate", "unknown command \"frobnicate\""),
        ("kubectl get pods -n Other_NS", "is not a namespace name"),
        (
            "kubectl label deploy web kubeclass.dev/workspace- -n server",
            "label \"kubeclass.dev/workspace\" is the workshop's own",
        ),
        (
            "kubectl annotate deploy web kubeclass.dev/note=x -n server",
            "is the workshop's own",
        ),
        (
            "kubectl delete rolebinding kubeclass-tenant -n server",
            "is the workshop's own",
        ),
        ("kubectl delete ns server", "namespaces are cluster-scoped"),
        ("kubectl label nodes --all x=y", "nodes are cluster-scoped"),
        (
            "kubectl get secret ../../secrets/x -n server",
            "is not the name of an object",
        ),
    ] {
        let (output, code) = setup.console(command).await;
        assert_ne!(code, 0, "{command}: {output}");
        assert!(output.contains(expected), "{command}: {output}");
    }
    // The attendee's own access review (kubectl 1.32 cannot ask kubesim yet: protobuf).
    for (command, answer, code) in [
        (
            "kubectl auth can-i create deployments -n server",
            "yes\n",
            0,
        ),
        (
            "kubectl auth can-i delete networkpolicies -n server",
            "no\n",
            1,
        ),
        (
            "kubectl auth can-i create pods --subresource=exec -n server",
            "yes\n",
            0,
        ),
    ] {
        assert_eq!(
            setup.console(command).await,
            (answer.to_string(), code),
            "{command}"
        );
    }
    // What the console creates goes through the pipeline (kubectl 1.32 sends its
    // bodies as protobuf, so it is compared on the real API server only).
    assert_eq!(
        setup
            .console("kubectl create configmap made -n server --from-literal=a=b")
            .await,
        ("configmap/made created\n".to_string(), 0)
    );
    let (yaml, code) = setup.console("kubectl get cm made -n server -o yaml").await;
    assert_eq!(code, 0, "{yaml}");
    assert!(yaml.contains("  a: b\n"), "{yaml}");
    assert_eq!(
        setup
            .console("kubectl create configmap made -n server")
            .await,
        (
            "error: failed to create configmap: configmaps \"made\" already exists\n".to_string(),
            1
        )
    );
    assert_eq!(
        setup
            .console("kubectl create secret generic kept -n server --dry-run=server")
            .await,
        ("secret/kept created (server dry run)\n".to_string(), 0)
    );
    let (absent, code) = setup.console("kubectl get secret kept -n server").await;
    assert_eq!(code, 1, "a server dry run created the secret: {absent}");
    // All namespaces are the workspace's, by their short names.
    let (output, code) = setup.console("kubectl get deploy -A").await;
    assert_eq!(code, 0, "{output}");
    let lines: Vec<&str> = output.lines().collect();
    assert!(lines[0].starts_with("NAMESPACE   NAME "), "{output}");
    assert!(lines[1].starts_with("server      web "), "{output}");
    assert_eq!(lines.len(), 2, "{output}");
    // A line too long is refused before it is read.
    let body = json!({ "command": "kubectl get pods ".repeat(1000) }).to_string();
    let (status, _, answer) = send(&setup.router, console_request(&setup.cookie, body)).await;
    assert_eq!(status, 400, "{answer}");
    assert!(answer.contains("at most 4096 bytes"), "{answer}");
}

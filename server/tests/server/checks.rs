//! Checks are judged on the live stream's watch stores: a check on each kind the lessons
//! use re-evaluates when an object of that kind changes, and on nothing else. A probe
//! lesson (written to a temporary content folder) checks a label on one object of every
//! such kind; the objects are created, the cluster settles, then each object's label is
//! changed in turn — the only change in the cluster — and its check must tick. A check on
//! what a console line answered ticks when the line runs in that lesson, and only then.

use super::stream::{Tab, connect, post, serve_content, workspace_namespace};
use super::support::content_dir;
use app::content::Library;
use app::model::kinds::KindInfo;
use kube::api::{Api, DynamicObject, ListParams, Patch, PatchParams};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::time::Duration;

/// One object of each kind, labelled `round: "1"`, and the check on it (KIND, the
/// manifest, and the check's target), in the order their labels change. Data: a kind
/// the lessons start checking needs a line here, and the test says so.
const PROBES: &[(&str, &str, &str)] = &[
    // Made by the cluster for the Deployment and Service below (no manifest); labelled
    // first, before their owners' labels change (an EndpointSlice copies its Service's).
    (
        "EndpointSlice",
        "",
        "endpointslices -l kubernetes.io/service-name=probe in default",
    ),
    ("ReplicaSet", "", "replicasets -l app=probe in default"),
    (
        "ConfigMap",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: probe, namespace: default, labels: {round: \"1\"}}\ndata: {a: b}\n",
        "configmap/probe in default",
    ),
    (
        "Secret",
        "apiVersion: v1\nkind: Secret\nmetadata: {name: probe, namespace: default, labels: {round: \"1\"}}\nstringData: {a: b}\n",
        "secret/probe in default",
    ),
    (
        "ServiceAccount",
        "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: probe, namespace: default, labels: {round: \"1\"}}\n",
        "sa/probe in default",
    ),
    (
        "Role",
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: probe, namespace: default, labels: {round: \"1\"}}\nrules: [{apiGroups: [\"\"], resources: [pods], verbs: [get]}]\n",
        "role/probe in default",
    ),
    (
        "RoleBinding",
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: probe, namespace: default, labels: {round: \"1\"}}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: probe}\nsubjects: [{kind: ServiceAccount, name: probe, namespace: default}]\n",
        "rolebinding/probe in default",
    ),
    (
        "PersistentVolumeClaim",
        "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: probe, namespace: default, labels: {round: \"1\"}}\nspec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}\n",
        "pvc/probe in default",
    ),
    (
        "Deployment",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: probe, namespace: default, labels: {round: \"1\"}}\nspec:\n  replicas: 1\n  selector: {matchLabels: {app: probe}}\n  template:\n    metadata: {labels: {app: probe}}\n    spec: {containers: [{name: app, image: kubeclass/demo-app:1.0}]}\n",
        "deployment/probe in default",
    ),
    (
        "StatefulSet",
        "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: probe-db, namespace: default, labels: {round: \"1\"}}\nspec:\n  serviceName: probe-db\n  replicas: 1\n  selector: {matchLabels: {app: probe-db}}\n  template:\n    metadata: {labels: {app: probe-db}}\n    spec: {containers: [{name: app, image: kubeclass/demo-app:1.0}]}\n",
        "statefulset/probe-db in default",
    ),
    (
        "Pod",
        "apiVersion: v1\nkind: Pod\nmetadata: {name: probe, namespace: default, labels: {round: \"1\", app: lone}}\nspec: {containers: [{name: app, image: kubeclass/demo-app:1.0}]}\n",
        "pod/probe in default",
    ),
    (
        "Service",
        "apiVersion: v1\nkind: Service\nmetadata: {name: probe, namespace: default, labels: {round: \"1\"}}\nspec: {selector: {app: probe}, ports: [{port: 80, targetPort: 8000}]}\n",
        "service/probe in default",
    ),
    (
        "HorizontalPodAutoscaler",
        "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: probe, namespace: default, labels: {round: \"1\"}}\nspec: {scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: probe}, minReplicas: 1, maxReplicas: 2}\n",
        "hpa/probe in default",
    ),
    (
        "Ingress",
        "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: probe, namespace: default, labels: {round: \"1\"}}\nspec: {ingressClassName: nginx, rules: [{host: probe.example.com, http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: probe, port: {number: 80}}}}]}}]}\n",
        "ingress/probe in default",
    ),
    (
        "ClusterIssuer",
        "apiVersion: cert-manager.io/v1\nkind: ClusterIssuer\nmetadata: {name: probe, labels: {round: \"1\"}}\nspec: {selfSigned: {}}\n",
        "clusterissuer/probe",
    ),
    // Attendees may not write Events: the administrator makes this one ([`EVENT`]).
    ("Event", "", "event/probe in default"),
    (
        "Certificate",
        "apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata: {name: probe, namespace: default, labels: {round: \"1\"}}\nspec: {secretName: probe-tls, dnsNames: [probe.example.com], issuerRef: {name: probe, kind: ClusterIssuer}}\n",
        "certificate/probe in default",
    ),
    (
        "CertificateRequest",
        "apiVersion: cert-manager.io/v1\nkind: CertificateRequest\nmetadata: {name: probe, namespace: default, labels: {round: \"1\"}}\nspec: {request: cHJvYmU=, issuerRef: {name: probe, kind: ClusterIssuer}}\n",
        "certificaterequest/probe in default",
    ),
];

/// Every kind some lesson's checks name.
fn checked_kinds() -> BTreeSet<&'static str> {
    let (library, errors) = Library::load(&content_dir());
    assert!(errors.is_empty(), "{errors:?}");
    library
        .courses
        .iter()
        .flat_map(|c| &c.lessons)
        .flat_map(|l| &l.steps)
        .flat_map(|s| &s.checks)
        .filter_map(|c| match &c.subject {
            app::content::check::Subject::Objects { kind, .. } => Some(kind.kind),
            app::content::check::Subject::Outcome(_) => None,
        })
        .collect()
}

/// A course with one lesson whose one step checks `round == 2` on every probe.
fn probe_content() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("kubeclass-probe-{}", std::process::id()));
    let course = dir.join("probe");
    std::fs::create_dir_all(&course).expect("dir");
    std::fs::write(
        course.join("course.yaml"),
        "title: Probe\nsummary: Checks on every kind.\n",
    )
    .expect("course");
    let checks: Vec<String> = PROBES
        .iter()
        .map(|(kind, _, target)| format!("{target}: metadata.labels.round == 2  # {kind}"))
        .collect();
    let manifest = PROBES[2].1;
    let lesson = format!(
        "---\ntitle: Probe\nsummary: Every kind a check names.\nduration: 1\norder: 1\nobjectives:\n  - Probe one\n  - Probe two\nnamespaces: [default]\n---\n\nIntro.\n\n## Probe\n\nText.\n\n```yaml pane=probe.yaml\n{manifest}```\n\n```check\n{}\n```\n",
        checks.join("\n")
    );
    std::fs::write(course.join("01-probe.md"), lesson).expect("lesson");
    dir
}

/// Whether the checks message says the check labelled `label` passes.
fn passed(message: &Value, label: &str) -> bool {
    message["type"] == "checks"
        && message["results"]
            .as_array()
            .is_some_and(|r| r.iter().any(|c| c["label"] == label && c["passed"] == true))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_check_on_every_kind_the_lessons_use_ticks_when_that_kind_changes() {
    let probed: BTreeSet<&str> = PROBES.iter().map(|(kind, _, _)| *kind).collect();
    let missing: Vec<&str> = checked_kinds()
        .into_iter()
        .filter(|k| !probed.contains(k))
        .collect();
    assert!(
        missing.is_empty(),
        "lessons check kinds without a probe here: {missing:?}"
    );

    let dir = probe_content();
    let (addr, state, admin) = serve_content(dir.clone()).await;
    let (mut tab, cookie) = connect(addr, None).await;
    let manifests: Vec<&str> = PROBES
        .iter()
        .map(|(_, m, _)| *m)
        .filter(|m| !m.is_empty())
        .collect();
    let answer = post(
        addr,
        &cookie,
        "/api/workspace/apply?lesson=probe/probe",
        &manifests.join("---\n"),
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    tab.send(json!({"type": "watch", "lesson": "probe/probe", "step": 0}))
        .await;
    tab.until(10, |m| m["type"] == "checks").await;
    settle(&mut tab).await;

    let client = admin;
    let namespace = workspace_namespace(&state, "default").await;
    let events: Api<DynamicObject> = Api::namespaced_with(
        client.clone(),
        &namespace,
        &server::kinds::api_resource(app::model::kinds::by_kind("Event").expect("Event")),
    );
    let event: DynamicObject = serde_json::from_str(EVENT).expect("event");
    events
        .create(&kube::api::PostParams::default(), &event)
        .await
        .expect("the probe event");
    for (kind, _, _) in PROBES {
        let info = app::model::kinds::by_kind(kind).expect("a registry kind");
        label(&client, info, &namespace, &cookie_workspace(&namespace)).await;
        tab.until(10, |m| passed(m, kind)).await;
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// The Event probe, which the administrator creates in the workspace's namespace.
const EVENT: &str = r#"{"apiVersion": "v1", "kind": "Event",
    "metadata": {"name": "probe", "labels": {"round": "1"}},
    "involvedObject": {"kind": "Pod", "name": "probe"},
    "reason": "Probe", "message": "A probe", "type": "Normal"}"#;

/// Reads messages until none came for two seconds: pods have started, the cluster is
/// quiet.
async fn settle(tab: &mut Tab) {
    for _ in 0..60 {
        let quiet = tokio::time::timeout(Duration::from_secs(2), tab.until(60, |_| true)).await;
        if quiet.is_err() {
            return;
        }
    }
    panic!("the cluster never went quiet");
}

/// The workspace id, from its real namespace `kc-ID-default`.
fn cookie_workspace(namespace: &str) -> String {
    namespace
        .trim_start_matches("kc-")
        .trim_end_matches("-default")
        .to_string()
}

/// Sets `round: "2"` on the probe object(s) of `kind`, as an administrator would.
async fn label(client: &kube::Client, kind: &KindInfo, namespace: &str, workspace: &str) {
    let resource = server::kinds::api_resource(kind);
    let api: Api<DynamicObject> = if kind.namespaced() {
        Api::namespaced_with(client.clone(), namespace, &resource)
    } else {
        Api::all_with(client.clone(), &resource)
    };
    let selector = match kind.kind {
        "EndpointSlice" => "kubernetes.io/service-name=probe".to_string(),
        "ReplicaSet" => "app=probe".to_string(),
        "Event" => "round=1".to_string(),
        _ => format!("kubeclass.dev/workspace={workspace}"),
    };
    let objects = api
        .list(&ListParams::default().labels(&selector))
        .await
        .expect("list")
        .items;
    assert!(!objects.is_empty(), "no {} to label", kind.kind);
    let patch = json!({"metadata": {"labels": {"round": "2"}}});
    for object in objects {
        let name = object.metadata.name.expect("name");
        api.patch(&name, &PatchParams::default(), &Patch::Merge(&patch))
            .await
            .expect("label");
    }
}

/// A course of two lessons whose first lesson's one step checks console answers.
fn answers_content() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("kubeclass-answers-{}", std::process::id()));
    let course = dir.join("answers");
    std::fs::create_dir_all(&course).expect("dir");
    std::fs::write(
        course.join("course.yaml"),
        "title: Answers\nsummary: Checks on what commands answered.\n",
    )
    .expect("course");
    for (order, slug) in [(1, "one"), (2, "two")] {
        let lesson = format!(
            "---\ntitle: {slug}\nsummary: Checks on answers.\nduration: 1\norder: {order}\nobjectives:\n  - Ask one\n  - Ask two\nnamespaces: [server]\n---\n\nIntro.\n\n## Ask\n\nText.\n\n```check\nconsole \"kubectl get pods\": output contains \"No resources found\"  # Listed\nconsole \"kubectl version\": exit == 0  # Versioned\ntry web/healthz in server: status exists  # Tried\n```\n"
        );
        std::fs::write(course.join(format!("0{order}-{slug}.md")), lesson).expect("lesson");
    }
    dir
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn checks_on_console_answers_tick_when_the_line_runs_in_their_lesson() {
    let dir = answers_content();
    let (addr, _state, _admin) = serve_content(dir.clone()).await;
    let (mut tab, cookie) = connect(addr, None).await;
    tab.send(json!({"type": "watch", "lesson": "answers/one", "step": 0}))
        .await;
    let first = tab.until(10, |m| m["type"] == "checks").await;
    assert!(
        !passed(&first, "Listed") && !passed(&first, "Versioned"),
        "{first}"
    );

    // Over the tab's own stream: the check ticks when the line ends.
    tab.send(json!({"type": "console", "id": 1, "command": "kubectl get pods -n server"}))
        .await;
    tab.until(10, |m| passed(m, "Listed")).await;

    // Over the HTTP API, from another lesson: it counts for nothing here.
    let other = json!({"command": "kubectl version", "lesson": "answers/two"}).to_string();
    let answer = post_json(addr, &cookie, "/api/workspace/console", &other).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let ticked = tab
        .within(Duration::from_secs(3), |m| passed(m, "Versioned"))
        .await;
    assert!(
        ticked.is_none(),
        "another lesson's answer ticked: {ticked:?}"
    );

    // From this lesson it counts, though no change of the tab's stream announced it.
    let here = json!({"command": "kubectl version", "lesson": "answers/one"}).to_string();
    let answer = post_json(addr, &cookie, "/api/workspace/console", &here).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    tab.until(5, |m| passed(m, "Versioned")).await;

    // Try the app: kept for the lesson the page names, whatever the app answered (here
    // the API server's 404: there is no Service `web`).
    let path = "/api/workspace/try/server/web/80/healthz";
    let unnamed = get_with(addr, &cookie, path, "").await;
    assert!(unnamed.starts_with("HTTP/1.1 200"), "{unnamed}");
    let ticked = tab
        .within(Duration::from_secs(3), |m| passed(m, "Tried"))
        .await;
    assert!(
        ticked.is_none(),
        "an answer for no lesson ticked: {ticked:?}"
    );
    let named = get_with(addr, &cookie, path, "kubeclass-lesson: answers/one\r\n").await;
    assert!(named.starts_with("HTTP/1.1 200"), "{named}");
    tab.until(5, |m| passed(m, "Tried")).await;
    let _ = std::fs::remove_dir_all(&dir);
}

/// A GET with more request headers (`NAME: VALUE\r\n` each).
async fn get_with(addr: std::net::SocketAddr, cookie: &str, path: &str, headers: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let head = format!(
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nCookie: {cookie}\r\n{headers}Connection: close\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.expect("write");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.expect("read");
    answer
}

/// A JSON POST from the page's own origin.
async fn post_json(addr: std::net::SocketAddr, cookie: &str, path: &str, body: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nOrigin: http://{addr}\r\nCookie: {cookie}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.expect("write");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.expect("read");
    answer
}

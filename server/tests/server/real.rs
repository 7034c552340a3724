//! The server on the real Kubernetes control plane (kube-apiserver, etcd, the controller
//! manager and the scheduler, built from Kubernetes' own modules; kwok's nodes): the same
//! code path a kind cluster takes (`--cluster kubeconfig`). Every lesson's manifests go
//! through the pipeline (dry run, apply, diff, delete) as an impersonated attendee; the
//! checks kwok can show tick; refusals carry the real API server's words; the isolation
//! suite holds, with RBAC, Pod Security and quota the real thing; a namespace a finalizer
//! holds is released; a room's watch judges its attendees with kubeclass's own rights.
//!
//! `#[ignore]`d: `make test-real` (part of `make test`) starts a control plane of its own
//! and runs them.

use super::isolation::{Site, suite};
use super::support::{RealCluster, app, content_dir, real_cluster, send, with_platform};
use app::content::Library;
use app::content::check::{Check, Subject};
use app::content::outcome::Outcome;
use axum::body::Body;
use http::{Request, StatusCode};
use server::config::LimitsConfig;
use server::rehearsal::{Stage, play};
use std::time::Duration;

/// The lessons' checks a control plane whose nodes are kwok's cannot show, by label, and
/// why: what needs a running container (restarts, failing probes, a program that ends), a
/// metrics server (autoscaling), a volume provisioner (claims binding) or an ingress
/// controller (addresses). Whole kinds that need a controller this cluster has not
/// (HorizontalPodAutoscalers, cert-manager's kinds) are left out by kind.
const NOT_ON_KWOK: &[(&str, &str, &str)] = &[
    (
        "configuration",
        "A new Pod is stuck in CreateContainerConfigError",
        "kwok builds no container environment: the Pod runs",
    ),
    (
        "configuration",
        "No Pod is stuck any more",
        "nothing got stuck on kwok, so this holds before the step too",
    ),
    (
        "pods",
        "typo waits in ImagePullBackOff",
        "kwok pulls no image: the Pod runs",
    ),
    (
        "pods",
        "You read why in its events",
        "kwok pulls no image: no Failed event",
    ),
    (
        "deployments",
        "One new Pod tries 1.2",
        "kwok pulls no image: the 1.2 Pods run, and the rollout finishes",
    ),
    (
        "deployments",
        "The Deployment reports progress again",
        "the 1.2 rollout finished on kwok, so this holds before the step too",
    ),
    (
        "probes",
        "The liveness probe restarted the containers",
        "kwok runs no container: nothing fails a probe",
    ),
    (
        "probes",
        "The rollout is reported as stuck",
        "kwok runs no container: no readiness probe fails",
    ),
    (
        "probes",
        "The new Pods run without restarts",
        "kwok restarts nothing, so this holds before the step too",
    ),
    (
        "probes",
        "The rollout completed",
        "the rollout of the step before never got stuck on kwok, so this holds before the step too",
    ),
    (
        "probes",
        "No Pod was restarted on the way",
        "kwok restarts nothing, so this holds before the step too",
    ),
    (
        "probes",
        "The kubelet killed drill's container",
        "kwok runs no container: nothing fails a probe",
    ),
    (
        "probes",
        "drill was restarted in place",
        "kwok restarts nothing",
    ),
    (
        "autoscaling",
        "The extra replicas are ready",
        "no metrics server: the HorizontalPodAutoscaler never scales",
    ),
    (
        "autoscaling",
        "The load test finished",
        "kwok completes only Jobs' pods: fortio never ends",
    ),
    ("storage", "The claim is bound", "no volume provisioner"),
    (
        "storage",
        "The pod using it is ready",
        "no volume provisioner: the pod waits for its claim",
    ),
    (
        "storage",
        "mysql-0 has its own claim",
        "no volume provisioner",
    ),
    (
        "storage",
        "MySQL is ready",
        "no volume provisioner: the pod waits for its claim",
    ),
    (
        "storage",
        "Both MySQL replicas are ready",
        "no volume provisioner: the pods wait for their claims",
    ),
    (
        "storage",
        "mysql-1 has a claim of its own",
        "no volume provisioner",
    ),
    (
        "storage",
        "mysql-1's claim is deleted",
        "no volume provisioner: mysql-0 never gets ready, so mysql-1 and its claim never exist",
    ),
    (
        "ingress",
        "The controller published an address",
        "no ingress controller",
    ),
    (
        "ingress",
        "You read the address the controller published",
        "no ingress controller",
    ),
    ("tls", "The Ingress is served", "no ingress controller"),
    (
        "tls",
        "The TLS Secret exists",
        "no cert-manager controller: nothing issues the certificate",
    ),
];

/// The console commands whose answers come from a running container, a metrics server or
/// an ingress controller (through `curl`): on kwok's nodes they answer nothing a check
/// looks for.
const NEED_CONTAINERS: &[&str] = &["run", "exec", "logs", "top", "attach", "port-forward"];

/// Whether a control plane with kwok's nodes can show what `check` asks.
fn kwok_shows(check: &Check) -> bool {
    let needs_controller = [
        "HorizontalPodAutoscaler",
        "Certificate",
        "CertificateRequest",
        "ClusterIssuer",
    ];
    let shown = match &check.subject {
        Subject::Objects { kind, .. } => !needs_controller.contains(&kind.kind),
        // No container answers Try the app, or a console line's curl, on kwok's nodes.
        Subject::Outcome(Outcome::Try(_)) => false,
        Subject::Outcome(Outcome::Console { words }) => {
            words.first().is_some_and(|w| w == "kubectl")
                && words
                    .get(1)
                    .is_none_or(|c| !NEED_CONTAINERS.contains(&c.as_str()))
        }
    };
    shown
        && !NOT_ON_KWOK
            .iter()
            .any(|(_, label, _)| *label == check.label)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the real control plane: make test-real"]
async fn every_lesson_goes_through_the_pipeline_on_the_real_api_server() {
    let RealCluster { platform, admin } = real_cluster().await;
    let (library, errors) = Library::load(&content_dir());
    assert!(errors.is_empty(), "{errors:?}");
    let state = with_platform(
        content_dir(),
        ":memory:",
        platform.clone(),
        LimitsConfig::default(),
    )
    .await;
    let mut report = Vec::new();
    for (i, lesson) in library.courses.iter().flat_map(|c| &c.lessons).enumerate() {
        let attendee = format!("lesson{i}");
        let stage = Stage {
            state: &state,
            admin: &admin,
            attendees: vec![attendee.clone()],
            judged: kwok_shows,
            discriminating: true,
            settle: Duration::from_secs(1),
            tick: Duration::from_secs(1),
            longest: Duration::from_secs(60),
        };
        for failure in play(lesson, &stage).await.failures {
            report.push(format!("{}: {failure}", lesson.slug));
        }
        let _ = state.workspace(&attendee).reset(&platform).await;
    }
    assert!(
        report.is_empty(),
        "{} problems:\n{}",
        report.len(),
        report.join("\n")
    );
}

/// The console on the real API server prints what real kubectl 1.32 prints there: the
/// real server's own columns, messages and objects.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the real control plane: make test-real"]
async fn the_console_prints_what_kubectl_prints_on_the_real_api_server() {
    let RealCluster { platform, .. } = real_cluster().await;
    let dir = std::env::var("KUBECLASS_REAL_CONTROL_PLANE").expect("the control plane's folder");
    let state = with_platform(content_dir(), ":memory:", platform, LimitsConfig::default()).await;
    let kubeconfig = std::path::Path::new(&dir).join("admin.kubeconfig");
    let setup = super::console::Setup::attend(state, kubeconfig).await;
    let commands = [super::console::COMMANDS, super::console::PROTOBUF_COMMANDS].concat();
    let mut differences = super::console::compare(&setup, &commands).await;
    differences.extend(super::console::compare_writes(&setup, super::console::WRITES).await);
    differences
        .extend(super::console::compare_writes(&setup, super::console::PROTOBUF_WRITES).await);
    // Last, since they change `web`: the commands that follow, over the live stream.
    let follow = super::console::follow::ENDING;
    differences.extend(super::console::follow::compare_ending(&setup, follow).await);
    differences.extend(super::console::follow::compare_follows(&setup).await);
    differences.extend(super::console::compare_panes(&setup).await);
    differences.extend(super::console::compare_described(&setup).await);
    differences.extend(super::console::compare_account_rules(&setup).await);
    assert!(differences.is_empty(), "{}", differences.join("\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the real control plane: make test-real"]
async fn refusals_carry_the_real_api_servers_words() {
    let RealCluster { platform, .. } = real_cluster().await;
    let router =
        app(with_platform(content_dir(), ":memory:", platform, LimitsConfig::default()).await);
    let cases = [
        (
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: default}\nspec: {replicas: -1, selector: {matchLabels: {app: web}}, template: {metadata: {labels: {app: web}}, spec: {containers: [{name: app, image: nginx}]}}}\n",
            "spec.replicas: Invalid value: -1: must be greater than or equal to 0",
        ),
        (
            "apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: default}\nspec: {ports: [{port: 99999}]}\n",
            "spec.ports[0].port: Invalid value: 99999: must be between 1 and 65535, inclusive",
        ),
        (
            "apiVersion: v1\nkind: Pod\nmetadata: {name: root, namespace: default}\nspec: {hostNetwork: true, containers: [{name: c, image: nginx}]}\n",
            "violates PodSecurity \"baseline:latest\": host namespaces (hostNetwork=true)",
        ),
        (
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: all, namespace: default}\nrules: [{apiGroups: ['*'], resources: ['*'], verbs: ['*']}]\n",
            "is attempting to grant RBAC permissions not currently held",
        ),
    ];
    let request = Request::get("/api/progress")
        .header("host", "localhost:3000")
        .body(Body::empty())
        .expect("request");
    let (_, headers, _) = send(&router, request).await;
    let cookie = headers["set-cookie"]
        .to_str()
        .expect("ascii")
        .split(';')
        .next()
        .expect("cookie")
        .to_string();
    for (manifest, words) in cases {
        let request = Request::post("/api/workspace/apply")
            .header("host", "localhost:3000")
            .header("origin", "http://localhost:3000")
            .header("cookie", &cookie)
            .body(Body::from(manifest))
            .expect("request");
        let (status, _, body) = send(&router, request).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(
            body.contains(&words.replace('"', "\\\"")),
            "expected {words:?} in {body}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the real control plane: make test-real"]
async fn the_isolation_suite_holds_on_the_real_api_server() {
    let RealCluster { platform, admin } = real_cluster().await;
    let site = Site {
        router: app(
            with_platform(content_dir(), ":memory:", platform, LimitsConfig::default()).await,
        ),
        admin,
        runs_containers: false,
    };
    suite(&site).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the real control plane: make test-real"]
async fn the_panels_say_when_the_nodes_run_no_containers() {
    let RealCluster { platform, .. } = real_cluster().await;
    let router =
        app(with_platform(content_dir(), ":memory:", platform, LimitsConfig::default()).await);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, router).await });
    let (mut tab, cookie) = super::stream::connect(addr, None).await;
    let manifests = "apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: default, labels: {app: web}}\nspec: {containers: [{name: app, image: kubeclass/demo-app:1.0}]}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: default}\nspec: {selector: {app: web}, ports: [{port: 80, targetPort: 8000}]}\n";
    let answer = super::stream::post(addr, &cookie, "/api/workspace/apply", manifests).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    tab.send(serde_json::json!({"type": "watch", "lesson": "none/none", "step": 0}))
        .await;
    // The pod is there before the tab looks: it comes in a snapshot.
    let running = |o: &serde_json::Value| o["kind"] == "Pod" && o["status"]["phase"] == "Running";
    tab.until(30, |m| {
        running(&m["object"])
            || m["objects"]
                .as_array()
                .is_some_and(|o| o.iter().any(running))
    })
    .await;
    tab.send(serde_json::json!({"type": "logs", "namespace": "default", "pod": "web"}))
        .await;
    let end = tab.until(30, |m| m["type"] == "logEnd").await;
    assert!(
        end["reason"]
            .as_str()
            .is_some_and(|r| r.contains("simulated (kwok)")),
        "{end}"
    );
    let answer = super::stream::get(addr, &cookie, "/api/workspace/try/default/web/80/").await;
    assert!(answer.contains("simulated (kwok)"), "{answer}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the real control plane: make test-real"]
async fn a_namespace_a_finalizer_holds_is_released_on_the_real_api_server() {
    let RealCluster { platform, admin } = real_cluster().await;
    let state = with_platform(content_dir(), ":memory:", platform, LimitsConfig::default()).await;
    super::finalizers::released(&state, &admin, Duration::from_secs(90)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs the real control plane: make test-real"]
async fn a_rooms_watch_judges_every_attendee_on_the_real_api_server() {
    let RealCluster { platform, .. } = real_cluster().await;
    let state = with_platform(content_dir(), ":memory:", platform, LimitsConfig::default()).await;
    super::room_watch::judged_while_looked_at(state).await;
}

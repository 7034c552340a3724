//! The workspace API against the embedded cluster: applying into an attendee's own
//! namespaces, dry runs, refusals that leave nothing half-applied, hostile input refused
//! quickly, attendees kept apart, reset, and sessions that survive a restart.

use super::support::{app, state};
use axum::body::Body;
use http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::Value;
use std::time::{Duration, Instant};
use tower::ServiceExt;

struct Site {
    app: axum::Router,
    cluster: kubesim::Cluster,
}

async fn site_with(database: &str, cluster: kubesim::Cluster) -> Site {
    Site {
        app: app(state(database, &cluster).await),
        cluster,
    }
}

async fn site() -> Site {
    site_with(
        ":memory:",
        kubesim::Cluster::builder()
            .seed(4)
            .build()
            .expect("cluster"),
    )
    .await
}

/// One browser: keeps its session cookie.
struct Browser<'a> {
    site: &'a Site,
    cookie: Option<String>,
}

impl Browser<'_> {
    async fn call(
        &mut self,
        method: &str,
        path: &str,
        body: &str,
        origin: Option<&str>,
    ) -> (StatusCode, Value) {
        let mut request = Request::builder()
            .method(method)
            .uri(path)
            .header("host", "localhost:3000");
        if let Some(cookie) = &self.cookie {
            request = request.header("cookie", cookie);
        }
        if let Some(origin) = origin {
            request = request.header("origin", origin);
        }
        let response = self
            .site
            .app
            .clone()
            .oneshot(request.body(Body::from(body.to_string())).expect("request"))
            .await
            .expect("infallible");
        if let Some(set) = response
            .headers()
            .get("set-cookie")
            .and_then(|v| v.to_str().ok())
        {
            self.cookie = set.split(';').next().map(str::to_string);
        }
        let status = response.status();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }

    async fn get(&mut self, path: &str) -> (StatusCode, Value) {
        self.call("GET", path, "", None).await
    }

    async fn apply(&mut self, query: &str, body: &str) -> (StatusCode, Value) {
        self.call(
            "POST",
            &format!("/api/workspace/apply{query}"),
            body,
            Some("http://localhost:3000"),
        )
        .await
    }
}

fn browser(site: &Site) -> Browser<'_> {
    Browser { site, cookie: None }
}

const DEPLOYMENT: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: server\nspec:\n  replicas: 2\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n        - name: app\n          image: kubeclass/demo-app:1.0\n";
const CONFIGMAP: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: server\ndata:\n  NAME: Ada\n";
const LESSON: &str = "?lesson=fundamentals/deployments";

fn actions(report: &Value) -> Vec<String> {
    report["results"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| {
            format!(
                "{} {}",
                r["kind"].as_str().unwrap_or(""),
                r["action"].as_str().or(r["error"].as_str()).unwrap_or("")
            )
        })
        .collect()
}

/// The kinds the objects view lists in one short namespace.
fn kinds_in<'a>(objects: &'a Value, namespace: &str) -> Vec<&'a str> {
    objects["namespaces"][namespace]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|o| o["kind"].as_str())
        .collect()
}

fn namespaced(site: &Site, namespace: &str) -> kube::Api<kube::api::DynamicObject> {
    let resource =
        kube::discovery::ApiResource::erase::<k8s_openapi::api::apps::v1::Deployment>(&());
    kube::Api::namespaced_with(site.cluster.client(), namespace, &resource)
}

async fn workspace_namespace(browser: &mut Browser<'_>) -> String {
    let id = browser.cookie.clone().expect("cookie");
    assert!(!id.is_empty());
    // The real namespace appears in the cluster with the workspace label.
    let namespaces: kube::Api<k8s_openapi::api::core::v1::Namespace> =
        kube::Api::all(browser.site.cluster.client());
    let list = namespaces
        .list(&Default::default())
        .await
        .expect("namespaces")
        .items;
    list.into_iter()
        .filter_map(|n| n.metadata.name)
        .find(|n| n.starts_with("kc-") && n.ends_with("-server"))
        .expect("workspace namespace")
}

#[tokio::test]
async fn manifests_apply_into_the_attendees_own_namespaces() {
    let site = site().await;
    let mut ada = browser(&site);
    let (status, report) = ada
        .apply(LESSON, &format!("{DEPLOYMENT}---\n{CONFIGMAP}"))
        .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(
        actions(&report),
        ["Deployment created", "ConfigMap created"]
    );
    assert_eq!(report["results"][0]["namespace"], "server");
    let real = workspace_namespace(&mut ada).await;
    assert!(
        namespaced(&site, &real)
            .get_opt("web")
            .await
            .expect("get")
            .is_some()
    );

    // The namespace carries the isolation policy.
    let ns: k8s_openapi::api::core::v1::Namespace = kube::Api::all(site.cluster.client())
        .get(&real)
        .await
        .expect("namespace");
    let labels = ns.metadata.labels.expect("labels");
    assert_eq!(labels["pod-security.kubernetes.io/enforce"], "baseline");
    let quotas: kube::Api<k8s_openapi::api::core::v1::ResourceQuota> =
        kube::Api::namespaced(site.cluster.client(), &real);
    assert!(
        quotas
            .get_opt("workspace-quota")
            .await
            .expect("quota")
            .is_some()
    );

    // Again: unchanged. A dry run of a change says configured and changes nothing.
    let (_, again) = ada.apply(LESSON, DEPLOYMENT).await;
    assert_eq!(actions(&again), ["Deployment unchanged"]);
    let changed = DEPLOYMENT.replace("replicas: 2", "replicas: 3");
    let (status, dry) = ada.apply(&format!("{LESSON}&dryRun=true"), &changed).await;
    assert_eq!(
        (status, actions(&dry)),
        (StatusCode::OK, vec!["Deployment configured".to_string()])
    );
    assert_eq!(dry["applied"], false);
    // The dry run is also the diff: the one field that would change, both sides.
    assert_eq!(
        dry["results"][0]["changes"],
        serde_json::json!([{"path": "spec.replicas", "live": 2, "applied": 3}]),
        "{dry}"
    );
    let live = namespaced(&site, &real).get("web").await.expect("get");
    assert_eq!(live.data["spec"]["replicas"], 2);

    // One object as YAML, for the objects panel; nothing outside the panel's kinds.
    let (status, yaml) = ada.get("/api/workspace/object/server/Deployment/web").await;
    assert_eq!(status, StatusCode::OK);
    let text = yaml["yaml"].as_str().expect("yaml");
    assert!(
        text.contains("replicas: 2") && !text.contains("managedFields"),
        "{text}"
    );
    let (status, _) = ada
        .get("/api/workspace/object/server/Deployment/nothing")
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // The objects view lists them by short namespace.
    let (_, objects) = ada.get("/api/workspace/objects").await;
    let kinds = kinds_in(&objects, "server");
    assert!(
        kinds.contains(&"Deployment") && kinds.contains(&"ConfigMap"),
        "{objects}"
    );
}

#[tokio::test]
async fn refusals_name_the_document_and_apply_nothing() {
    let site = site().await;
    let mut ada = browser(&site);
    let cases = [
        (
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, namespace: kube-system}\n",
            "namespace \"kube-system\" is not in your workspace",
        ),
        (
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: x}\n",
            "ClusterRole is cluster-scoped",
        ),
        (
            "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: x, namespace: server}\n",
            "no matches for kind \"Widget\" in version \"example.com/v1\"",
        ),
        (
            "apiVersion: v1\nkind: Service\nmetadata: {name: x, namespace: server}\nspec: {ports: [{port: 99999}]}\n",
            "Invalid value: 99999",
        ),
    ];
    for (bad, message) in cases {
        let text = format!("{CONFIGMAP}---\n{bad}");
        let (status, report) = ada.apply(LESSON, &text).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{report}");
        assert_eq!(report["applied"], false);
        let error = report["results"][1]["error"].as_str().unwrap_or_default();
        assert!(error.contains(message), "{error}");
        assert_eq!(
            report["results"][1]["line"], 9,
            "the second document starts on line 9"
        );
        assert!(
            report["results"][0]["error"].is_null() && report["results"][0]["action"].is_null()
        );
    }
    let configmaps: kube::Api<k8s_openapi::api::core::v1::ConfigMap> =
        kube::Api::all(site.cluster.client());
    let settings = configmaps
        .list(&Default::default())
        .await
        .expect("list")
        .items
        .into_iter()
        .filter(|c| c.metadata.name.as_deref() == Some("settings"))
        .count();
    assert_eq!(settings, 0, "nothing was applied");
}

#[tokio::test]
async fn hostile_input_is_refused_quickly() {
    let site = site().await;
    let mut ada = browser(&site);
    let bomb = server::pipeline::hostile::billion_laughs();
    let huge = format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: big, namespace: server}}\ndata: {{v: \"{}\"}}\n",
        "x".repeat(10 * 1024 * 1024)
    );
    let many = format!("{CONFIGMAP}---\n").repeat(1000);
    let deep = format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: deep, namespace: server}}\ndata: {{v: {}1{}}}\n",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    for (input, message) in [
        (bomb, "YAML aliases"),
        (huge, "at most 512 KiB"),
        (many, "1000 documents"),
        (deep, ""),
    ] {
        let started = Instant::now();
        let (status, answer) = ada.apply(LESSON, &input).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
        let error = answer["error"].as_str().unwrap_or_default();
        assert!(error.contains(message) && !error.is_empty(), "{error}");
        // A bound that only a pathological parse (an alias bomb expanded, a deep
        // recursion) would cross, even in a debug build on a busy machine.
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{message}: refused in {:?}",
            started.elapsed()
        );
    }
    let (_, objects) = ada.get("/api/workspace/objects").await;
    assert!(
        objects["namespaces"]
            .as_object()
            .is_none_or(|m| m.values().all(|v| v.as_array().is_none_or(Vec::is_empty))),
        "{objects}"
    );
}

#[tokio::test]
async fn attendees_never_see_each_other_and_reset_clears_a_workspace() {
    let site = site().await;
    let (mut ada, mut bob) = (browser(&site), browser(&site));
    ada.apply(LESSON, DEPLOYMENT).await;
    bob.apply(LESSON, CONFIGMAP).await;
    let (_, theirs) = bob.get("/api/workspace/objects").await;
    let kinds = kinds_in(&theirs, "server");
    assert!(
        kinds.contains(&"ConfigMap") && !kinds.contains(&"Deployment"),
        "{theirs}"
    );
    assert_ne!(ada.cookie, bob.cookie);
    // Ada's Deployment by her short name, asked by Bob, is looked up in Bob's namespace.
    let (status, _) = bob.get("/api/workspace/object/server/Deployment/web").await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Another site cannot act with Ada's cookie.
    let (status, _) = ada
        .call("DELETE", "/api/workspace", "", Some("https://evil.example"))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, answer) = ada
        .call(
            "DELETE",
            "/api/workspace",
            "",
            Some("http://localhost:3000"),
        )
        .await;
    assert_eq!(
        (status, answer["deletedNamespaces"].as_u64()),
        (StatusCode::OK, Some(1))
    );
}

#[tokio::test]
async fn sessions_survive_a_restart() {
    let dir = std::env::temp_dir().join(format!("kubeclass-sessions-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let database = dir.join("kubeclass.db").to_string_lossy().into_owned();
    let cluster = kubesim::Cluster::builder()
        .seed(4)
        .build()
        .expect("cluster");
    let first = site_with(&database, cluster.clone()).await;
    let mut ada = browser(&first);
    ada.apply(LESSON, DEPLOYMENT).await;
    let cookie = ada.cookie.clone();
    drop(ada);
    drop(first);
    let second = site_with(&database, cluster).await;
    let mut again = Browser {
        site: &second,
        cookie,
    };
    let (_, objects) = again.get("/api/workspace/objects").await;
    assert!(
        objects["namespaces"]["server"]
            .as_array()
            .is_some_and(|o| o.iter().any(|o| o["kind"] == "Deployment")),
        "{objects}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn drafts_are_kept_per_attendee_and_reset_restores_the_lesson() {
    let site = site().await;
    let (mut ada, mut bob) = (browser(&site), browser(&site));
    let path = "/api/drafts?lesson=fundamentals/deployments&pane=deployment.yaml";
    let (status, _) = ada
        .call("PUT", path, "replicas: 5\n", Some("http://localhost:3000"))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, saved) = ada.get("/api/drafts?lesson=fundamentals/deployments").await;
    assert_eq!(saved["panes"]["deployment.yaml"], "replicas: 5\n");
    let (_, theirs) = bob.get("/api/drafts?lesson=fundamentals/deployments").await;
    assert_eq!(theirs["panes"], serde_json::json!({}));
    let (status, _) = ada
        .call("DELETE", path, "", Some("http://localhost:3000"))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, after) = ada.get("/api/drafts?lesson=fundamentals/deployments").await;
    assert_eq!(after["panes"], serde_json::json!({}));
}

#[tokio::test]
async fn try_the_app_reaches_a_service_and_delete_goes_through_the_pipeline() {
    let site = site().await;
    let mut ada = browser(&site);
    let service = "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  namespace: server\nspec:\n  selector: {app: web}\n  ports:\n    - port: 80\n      targetPort: 8000\n";
    let manifests = format!("{DEPLOYMENT}---\n{service}");
    let (status, _) = ada.apply(LESSON, &manifests).await;
    assert_eq!(status, StatusCode::OK);
    // The demo app's image pulls in about 1.4 s; then the Service has endpoints.
    let mut answer = Value::Null;
    for _ in 0..50 {
        answer = ada.get("/api/workspace/try/server/web/80/").await.1;
        if answer["status"] == 200 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(answer["body"], "Hello, I'm unknown.\n", "{answer}");
    let (_, missing) = ada.get("/api/workspace/try/server/nope/80/").await;
    assert_eq!(
        (missing["status"].as_u64(), missing["body"].as_str()),
        (Some(404), Some("services \"nope\" not found"))
    );
    let (status, _) = ada.get("/api/workspace/try/kube-system/kube-dns/53/").await;
    assert_eq!(
        status,
        StatusCode::OK,
        "maps into the workspace: there is no kube-dns there"
    );

    let (status, report) = ada
        .call(
            "POST",
            "/api/workspace/delete?lesson=fundamentals/deployments",
            &manifests,
            Some("http://localhost:3000"),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(actions(&report), ["Deployment deleted", "Service deleted"]);
    let real = site.cluster.client();
    let deployments: kube::Api<k8s_openapi::api::apps::v1::Deployment> = kube::Api::all(real);
    assert!(
        deployments
            .list(&Default::default())
            .await
            .expect("list")
            .items
            .iter()
            .all(|d| d.metadata.name.as_deref() != Some("web"))
    );
}

#[tokio::test]
async fn what_refers_to_objects_of_the_same_request_applies_with_them() {
    let site = site().await;
    let mut ada = browser(&site);
    let manifests = "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: reader, namespace: default}\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: reader, namespace: default}\nrules: [{apiGroups: [''], resources: [pods], verbs: [get, list]}]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: reader, namespace: default}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}\nsubjects: [{kind: ServiceAccount, name: reader, namespace: default}]\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: reader, namespace: default}\nspec: {serviceAccountName: reader, containers: [{name: c, image: busybox:1.36, command: [sleep, '60']}]}\n";
    let (status, report) = ada.apply("", manifests).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(
        actions(&report),
        [
            "ServiceAccount created",
            "Role created",
            "RoleBinding created",
            "Pod created"
        ]
    );
}

#[tokio::test]
async fn what_a_deleted_namespace_took_along_counts_as_deleted() {
    let site = site().await;
    let mut ada = browser(&site);
    let lesson = "?lesson=fundamentals/namespaces";
    let (status, report) = ada.apply(lesson, CONFIGMAP).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    let real = workspace_namespace(&mut ada).await;
    let namespace = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: server\n";
    let delete = format!("/api/workspace/delete{lesson}");
    let (status, report) = ada
        .call("POST", &delete, namespace, Some("http://localhost:3000"))
        .await;
    assert_eq!(actions(&report), ["Namespace deleted"], "{status} {report}");
    // Deleting the namespace took the attendee's rights in it along; wait until it is gone.
    let namespaces: kube::Api<k8s_openapi::api::core::v1::Namespace> =
        kube::Api::all(site.cluster.client());
    let deadline = Instant::now() + Duration::from_secs(20);
    while namespaces.get_opt(&real).await.expect("get").is_some() {
        assert!(Instant::now() < deadline, "{real} was never deleted");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let (status, report) = ada
        .call("POST", &delete, CONFIGMAP, Some("http://localhost:3000"))
        .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(
        actions(&report),
        ["ConfigMap deleted"],
        "not forbidden: {report}"
    );
}

#[tokio::test]
async fn an_ingress_host_is_made_the_workspaces_and_the_result_says_so() {
    let site = site().await;
    let mut ada = browser(&site);
    let ingress = "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: web, namespace: server}\nspec:\n  ingressClassName: nginx\n  rules:\n    - host: web.example.com\n      http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}\n";
    let (status, report) = ada.apply("?lesson=fundamentals/ingress", ingress).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    let real = workspace_namespace(&mut ada).await;
    let id = real
        .strip_prefix("kc-")
        .and_then(|n| n.strip_suffix("-server"))
        .expect("workspace id");
    let served = format!("web.example.com.{id}.localhost");
    assert_eq!(
        report["results"][0]["notes"],
        serde_json::json!([format!(
            "host web.example.com is served as {served}: on the shared ingress controller each workspace's hosts are its own"
        )]),
        "{report}"
    );
    // The cluster holds the workspace's host, which the panel's HOSTS column shows.
    let resource =
        kube::discovery::ApiResource::erase::<k8s_openapi::api::networking::v1::Ingress>(&());
    let live = kube::Api::<kube::api::DynamicObject>::namespaced_with(
        site.cluster.client(),
        &real,
        &resource,
    )
    .get("web")
    .await
    .expect("ingress");
    assert_eq!(live.data["spec"]["rules"][0]["host"], served.as_str());
}

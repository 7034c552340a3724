//! Pods on nodes: the scheduler places them, the kubelet pulls, starts, probes and
//! restarts their containers, and the API serves their logs, proxy and metrics — all on
//! paused time, with the words the real components use.

use crate::support::{api_error, send};
use k8s_openapi::api::core::v1::{Event, Pod};
use kube::api::{Api, ListParams, LogParams, PostParams};
use kubesim::Cluster;
use serde_json::{Value, json};
use std::time::Duration;

pub(crate) fn cluster() -> Cluster {
    Cluster::builder()
        .seed(7)
        .start_time("2026-03-01T10:00:00Z".parse().expect("time"))
        .build()
        .expect("cluster")
}

pub(crate) async fn advance(seconds: u64) {
    tokio::time::sleep(Duration::from_secs(seconds)).await;
}

pub(crate) fn pod(name: &str, container: Value) -> Pod {
    serde_json::from_value(json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": name, "labels": {"app": name}},
        "spec": {"containers": [container]},
    }))
    .expect("pod")
}

pub(crate) async fn events_for(cluster: &Cluster, name: &str) -> Vec<(String, String)> {
    let events: Api<Event> = Api::default_namespaced(cluster.client());
    let mut list = events
        .list(&ListParams::default())
        .await
        .expect("events")
        .items;
    list.sort_by_key(|e| {
        e.metadata
            .resource_version
            .clone()
            .unwrap_or_default()
            .parse::<u64>()
            .unwrap_or(0)
    });
    list.into_iter()
        .filter(|e| e.involved_object.name.as_deref() == Some(name))
        .map(|e| (e.reason.unwrap_or_default(), e.message.unwrap_or_default()))
        .collect()
}

pub(crate) fn container_status(pod: &Pod) -> Value {
    let status = serde_json::to_value(pod.status.clone()).expect("status");
    status["containerStatuses"][0].clone()
}

#[tokio::test(start_paused = true)]
async fn a_demo_app_pod_starts_passes_its_probe_and_serves() {
    let cluster = cluster();
    let pods: Api<Pod> = Api::default_namespaced(cluster.client());
    let app = json!({"name": "app", "image": "kubeclass/demo-app:1.0",
        "env": [{"name": "NAME", "value": "Ada"}, {"name": "STARTUP_SECONDS", "value": "8"}],
        "ports": [{"containerPort": 8000, "name": "http"}],
        "readinessProbe": {"httpGet": {"path": "/healthz", "port": "http"}, "periodSeconds": 5}});
    pods.create(&PostParams::default(), &pod("web", app))
        .await
        .expect("create");

    advance(3).await;
    let p = pods.get("web").await.expect("get");
    assert_eq!(
        p.spec.as_ref().and_then(|s| s.node_name.as_deref()),
        Some("kind-worker")
    );
    let status = p.status.clone().expect("status");
    assert_eq!(status.phase.as_deref(), Some("Running"));
    assert!(
        status
            .pod_ip
            .as_deref()
            .is_some_and(|ip| ip.starts_with("10.244.1."))
    );
    assert_eq!(container_status(&p)["ready"], false);

    advance(10).await;
    let p = pods.get("web").await.expect("get");
    assert_eq!(container_status(&p)["ready"], true);
    let events = events_for(&cluster, "web").await;
    let reasons: Vec<&str> = events.iter().map(|(r, _)| r.as_str()).collect();
    assert_eq!(
        &reasons[..5],
        ["Scheduled", "Pulling", "Pulled", "Created", "Started"],
        "{events:?}"
    );
    assert_eq!(
        events[0].1,
        "Successfully assigned default/web to kind-worker"
    );
    assert_eq!(events[3].1, "Created container: app");
    assert!(
        events.contains(&(
            "Unhealthy".into(),
            "Readiness probe failed: HTTP probe failed with statuscode: 500".into()
        )),
        "{events:?}"
    );

    // The API server's proxy reaches the app; its log shows the request.
    let (code, _) = send(
        &cluster,
        "GET",
        "/api/v1/namespaces/default/pods/web:8000/proxy/",
        "",
        vec![],
    )
    .await;
    assert_eq!(code, 200);
    let logs = pods.logs("web", &LogParams::default()).await.expect("logs");
    assert!(
        logs.starts_with("demo-app 1.0 listening on :8000"),
        "{logs}"
    );
    assert!(logs.contains("\"GET /\" 200"), "{logs}");
}

#[tokio::test(start_paused = true)]
async fn an_unknown_image_backs_off_with_containerds_words() {
    let cluster = cluster();
    let pods: Api<Pod> = Api::default_namespaced(cluster.client());
    pods.create(
        &PostParams::default(),
        &pod("bad", json!({"name": "app", "image": "nginx:no-such-tag"})),
    )
    .await
    .expect("create");
    tokio::time::sleep(Duration::from_millis(500)).await;
    let waiting =
        container_status(&pods.get("bad").await.expect("get"))["state"]["waiting"].clone();
    assert_eq!(waiting["reason"], "ErrImagePull");
    assert_eq!(
        waiting["message"],
        "rpc error: code = NotFound desc = failed to pull and unpack image \"docker.io/library/nginx:no-such-tag\": failed to resolve reference \"docker.io/library/nginx:no-such-tag\": docker.io/library/nginx:no-such-tag: not found"
    );
    advance(2).await;
    let waiting =
        container_status(&pods.get("bad").await.expect("get"))["state"]["waiting"].clone();
    assert_eq!(waiting["reason"], "ImagePullBackOff");
    let error = api_error(
        pods.logs("bad", &LogParams::default())
            .await
            .expect_err("no logs"),
    );
    assert_eq!(
        error.message,
        "container \"app\" in pod \"bad\" is waiting to start: trying and failing to pull image"
    );
    let events = events_for(&cluster, "bad").await;
    assert!(
        events.contains(&(
            "BackOff".into(),
            "Back-off pulling image \"nginx:no-such-tag\"".into()
        )),
        "{events:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_crashing_container_restarts_with_back_off() {
    let cluster = cluster();
    let pods: Api<Pod> = Api::default_namespaced(cluster.client());
    let crash = json!({"name": "app", "image": "busybox:1.36", "command": ["sh", "-c", "echo boom; exit 3"]});
    pods.create(&PostParams::default(), &pod("crash", crash))
        .await
        .expect("create");
    advance(5).await;
    let status = container_status(&pods.get("crash").await.expect("get"));
    assert_eq!(status["restartCount"], 1);
    assert_eq!(status["state"]["waiting"]["reason"], "CrashLoopBackOff");
    assert!(
        status["state"]["waiting"]["message"]
            .as_str()
            .is_some_and(|m| m
                .starts_with("back-off 10s restarting failed container=app pod=crash_default("))
    );
    assert_eq!(status["lastState"]["terminated"]["exitCode"], 3);
    assert_eq!(status["lastState"]["terminated"]["reason"], "Error");
    advance(10).await;
    assert_eq!(
        container_status(&pods.get("crash").await.expect("get"))["restartCount"],
        2
    );
    advance(20).await;
    let status = container_status(&pods.get("crash").await.expect("get"));
    assert_eq!(status["restartCount"], 3);
    assert!(
        status["state"]["waiting"]["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("back-off 40s"))
    );
    let previous = pods
        .logs(
            "crash",
            &LogParams {
                previous: true,
                ..LogParams::default()
            },
        )
        .await
        .expect("previous");
    assert_eq!(previous, "boom\n");
}

#[tokio::test(start_paused = true)]
async fn a_failing_liveness_probe_restarts_the_container() {
    let cluster = cluster();
    let pods: Api<Pod> = Api::default_namespaced(cluster.client());
    let app = json!({"name": "app", "image": "kubeclass/demo-app:2.0",
        "env": [{"name": "STARTUP_SECONDS", "value": "0"}],
        "livenessProbe": {"httpGet": {"path": "/healthz", "port": 8000}, "periodSeconds": 5, "failureThreshold": 2}});
    pods.create(&PostParams::default(), &pod("expiring", app))
        .await
        .expect("create");
    advance(45).await;
    let status = container_status(&pods.get("expiring").await.expect("get"));
    assert_eq!(status["restartCount"], 1, "{status}");
    let events = events_for(&cluster, "expiring").await;
    assert!(
        events.contains(&(
            "Killing".into(),
            "Container app failed liveness probe, will be restarted".into()
        )),
        "{events:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_pod_that_fits_nowhere_says_why() {
    let cluster = cluster();
    let pods: Api<Pod> = Api::default_namespaced(cluster.client());
    let mut p = pod("picky", json!({"name": "app", "image": "nginx:1.27"}));
    p.spec.as_mut().expect("spec").node_selector =
        Some([("disk".to_string(), "ssd".to_string())].into());
    pods.create(&PostParams::default(), &p)
        .await
        .expect("create");
    advance(1).await;
    let status = pods
        .get("picky")
        .await
        .expect("get")
        .status
        .expect("status");
    let condition = status
        .conditions
        .expect("conditions")
        .into_iter()
        .find(|c| c.type_ == "PodScheduled")
        .expect("scheduled");
    let message = "0/2 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.";
    assert_eq!(condition.message.as_deref(), Some(message));
    assert_eq!(condition.reason.as_deref(), Some("Unschedulable"));
    assert_eq!(
        events_for(&cluster, "picky").await,
        [("FailedScheduling".to_string(), message.to_string())]
    );
}

/// `minReadySeconds` holds a Ready pod back from counting as available, so a rollout
/// with `maxUnavailable: 0` replaces one pod at a time no faster than that.
#[tokio::test(start_paused = true)]
async fn pods_count_as_available_only_min_ready_seconds_after_ready() {
    use k8s_openapi::api::apps::v1::Deployment;
    let cluster = cluster();
    let deployments: Api<Deployment> = Api::default_namespaced(cluster.client());
    let manifest = |image: &str| -> Deployment {
        serde_json::from_value(json!({
            "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
            "spec": {"replicas": 2, "minReadySeconds": 20,
                "strategy": {"rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}},
                "selector": {"matchLabels": {"app": "web"}},
                "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{
                    "name": "app", "image": image}]}}},
        }))
        .expect("deployment")
    };
    deployments
        .create(&PostParams::default(), &manifest("nginx:1.27"))
        .await
        .expect("create");
    let counts = |d: Deployment| {
        let s = d.status.unwrap_or_default();
        (s.ready_replicas, s.available_replicas, s.updated_replicas)
    };
    advance(10).await;
    assert_eq!(
        counts(deployments.get("web").await.expect("get")),
        (Some(2), None, Some(2)),
        "ready, not yet available"
    );
    advance(15).await;
    assert_eq!(
        counts(deployments.get("web").await.expect("get")),
        (Some(2), Some(2), Some(2)),
        "available 20 s after ready"
    );

    deployments
        .replace("web", &PostParams::default(), &manifest("nginx:1.28"))
        .await
        .expect("roll out");
    advance(15).await;
    let status = deployments
        .get("web")
        .await
        .expect("get")
        .status
        .expect("status");
    assert_eq!(
        status.updated_replicas,
        Some(1),
        "the surge pod waits out minReadySeconds before the next: {status:?}"
    );
    advance(60).await;
    assert_eq!(
        counts(deployments.get("web").await.expect("get")),
        (Some(2), Some(2), Some(2))
    );
}

#[tokio::test(start_paused = true)]
async fn a_deployment_rolls_out_and_rolls_over() {
    use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
    let cluster = cluster();
    let deployments: Api<Deployment> = Api::default_namespaced(cluster.client());
    let manifest = |image: &str| -> Deployment {
        serde_json::from_value(json!({
            "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
            "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
                "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{
                    "name": "app", "image": image, "env": [{"name": "STARTUP_SECONDS", "value": "2"}],
                    "readinessProbe": {"httpGet": {"path": "/healthz", "port": 8000}, "periodSeconds": 1}}]}}},
        }))
        .expect("deployment")
    };
    deployments
        .create(&PostParams::default(), &manifest("kubeclass/demo-app:1.0"))
        .await
        .expect("create");
    advance(15).await;
    let status = deployments
        .get("web")
        .await
        .expect("get")
        .status
        .expect("status");
    assert_eq!(
        (
            status.ready_replicas,
            status.available_replicas,
            status.updated_replicas
        ),
        (Some(2), Some(2), Some(2))
    );
    let events = events_for(&cluster, "web").await;
    assert!(
        events[0].1.starts_with("Scaled up replica set web-")
            && events[0].1.ends_with(" from 0 to 2"),
        "{events:?}"
    );

    deployments
        .patch("web", &kube::api::PatchParams::default(), &kube::api::Patch::Merge(json!({
            "spec": {"template": {"spec": {"containers": [{"name": "app", "image": "kubeclass/demo-app:1.1"}]}}}})))
        .await
        .expect("patch");
    advance(30).await;
    let deployment = deployments.get("web").await.expect("get");
    let status = deployment.status.expect("status");
    assert_eq!(
        (
            status.replicas,
            status.updated_replicas,
            status.available_replicas
        ),
        (Some(2), Some(2), Some(2))
    );
    assert_eq!(
        deployment.metadata.annotations.expect("annotations")["deployment.kubernetes.io/revision"],
        "2"
    );
    let sets: Api<ReplicaSet> = Api::default_namespaced(cluster.client());
    let mut counts: Vec<i32> = sets
        .list(&ListParams::default())
        .await
        .expect("sets")
        .items
        .iter()
        .map(|rs| rs.spec.replicas.unwrap_or(-1))
        .collect();
    counts.sort();
    assert_eq!(counts, [0, 2]);
    let pods: Api<Pod> = Api::default_namespaced(cluster.client());
    let running = pods
        .list(&ListParams::default().labels("app=web"))
        .await
        .expect("pods")
        .items;
    assert_eq!(running.len(), 2);
    assert!(running.iter().all(|p| {
        p.spec
            .as_ref()
            .is_some_and(|s| s.containers[0].image.as_deref() == Some("kubeclass/demo-app:1.1"))
    }));
}

#[tokio::test(start_paused = true)]
async fn services_get_addresses_and_endpoints_and_reach_their_pods() {
    use k8s_openapi::api::core::v1::{Endpoints, Service};
    use k8s_openapi::api::discovery::v1::EndpointSlice;
    let cluster = cluster();
    let client = cluster.client();
    let pods: Api<Pod> = Api::default_namespaced(client.clone());
    let app = json!({"name": "app", "image": "kubeclass/demo-app:1.0",
        "env": [{"name": "NAME", "value": "Ada"}, {"name": "STARTUP_SECONDS", "value": "5"}],
        "ports": [{"name": "http", "containerPort": 8000}],
        "readinessProbe": {"httpGet": {"path": "/healthz", "port": "http"}, "periodSeconds": 2}});
    pods.create(&PostParams::default(), &pod("web", app))
        .await
        .expect("pod");
    let services: Api<Service> = Api::default_namespaced(client.clone());
    let svc = |name: &str, kind: &str, node_port: Option<i64>| -> Service {
        let mut port = json!({"port": 80, "targetPort": "http"});
        if let Some(n) = node_port {
            port["nodePort"] = json!(n);
        }
        serde_json::from_value(
            json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": name},
            "spec": {"type": kind, "selector": {"app": "web"}, "ports": [port]}}),
        )
        .expect("service")
    };
    let created = services
        .create(&PostParams::default(), &svc("web", "NodePort", None))
        .await
        .expect("service");
    let spec = created.spec.expect("spec");
    let ip = spec.cluster_ip.expect("cluster IP");
    assert!(
        ip.starts_with("10.96.") && ip != "10.96.0.1" && ip != "10.96.0.10",
        "{ip}"
    );
    let node_port = spec.ports.expect("ports")[0].node_port.expect("node port");
    assert!((30000..=32767).contains(&node_port));
    let taken = api_error(
        services
            .create(
                &PostParams::default(),
                &svc("again", "NodePort", Some(i64::from(node_port))),
            )
            .await
            .expect_err("taken"),
    );
    assert_eq!(taken.code, 422);
    assert!(
        taken.message.contains(&format!(
            "spec.ports[0].nodePort: Invalid value: {node_port}: provided port is already allocated"
        )),
        "{}",
        taken.message
    );

    // Not ready yet: the address is listed as not ready, and the proxy has no endpoint.
    advance(3).await;
    let endpoints: Api<Endpoints> = Api::default_namespaced(client.clone());
    let subset = serde_json::to_value(endpoints.get("web").await.expect("endpoints"))
        .expect("json")["subsets"][0]
        .clone();
    assert!(
        subset.get("addresses").is_none()
            && subset["notReadyAddresses"][0]["targetRef"]["name"] == "web",
        "{subset}"
    );
    assert_eq!(
        subset["ports"][0]["port"], 8000,
        "the named target port resolves"
    );
    let (code, body) = send(
        &cluster,
        "GET",
        "/api/v1/namespaces/default/services/web:80/proxy/",
        "",
        vec![],
    )
    .await;
    assert_eq!(
        (code.as_u16(), body["message"].as_str()),
        (503, Some("no endpoints available for service \"web\""))
    );

    advance(6).await;
    let subset = serde_json::to_value(endpoints.get("web").await.expect("endpoints"))
        .expect("json")["subsets"][0]
        .clone();
    assert_eq!(subset["addresses"][0]["targetRef"]["name"], "web");
    let slices: Api<EndpointSlice> = Api::default_namespaced(client.clone());
    let slice = slices
        .list(&ListParams::default().labels("kubernetes.io/service-name=web"))
        .await
        .expect("slices")
        .items;
    let first = &slice[0].endpoints.as_ref().expect("endpoints")[0];
    assert_eq!(first.conditions.as_ref().and_then(|c| c.ready), Some(true));
    let response = raw_text(
        &cluster,
        "/api/v1/namespaces/default/services/web:80/proxy/",
    )
    .await;
    assert_eq!(response, "Hello, I'm Ada.\n");

    // Another pod reaches the Service by name, as a container would.
    let curl = json!({"name": "curl", "image": "curlimages/curl:8.11.0", "command": ["curl", "-s", "http://web/"]});
    let mut client_pod = pod("client", curl);
    client_pod.spec.as_mut().expect("spec").restart_policy = Some("Never".into());
    pods.create(&PostParams::default(), &client_pod)
        .await
        .expect("client");
    advance(5).await;
    let done = pods.get("client").await.expect("client");
    assert_eq!(
        done.status.and_then(|s| s.phase).as_deref(),
        Some("Succeeded")
    );
    assert_eq!(
        pods.logs("client", &LogParams::default())
            .await
            .expect("logs"),
        "Hello, I'm Ada.\n"
    );
}

pub(crate) async fn raw_text(cluster: &Cluster, path: &str) -> String {
    use http_body_util::BodyExt;
    let response = crate::support::raw(cluster, "GET", path, "", vec![]).await;
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    String::from_utf8_lossy(&bytes).into_owned()
}

#[tokio::test(start_paused = true)]
async fn a_statefulset_starts_in_order_with_its_own_claims() {
    use k8s_openapi::api::apps::v1::StatefulSet;
    use k8s_openapi::api::core::v1::{PersistentVolume, PersistentVolumeClaim, Secret};
    let cluster = cluster();
    let client = cluster.client();
    let secret: Secret = serde_json::from_value(json!({"apiVersion": "v1", "kind": "Secret",
        "metadata": {"name": "root"}, "stringData": {"password": "s3cret"}}))
    .expect("secret");
    Api::<Secret>::default_namespaced(client.clone())
        .create(&PostParams::default(), &secret)
        .await
        .expect("secret");
    let sts: StatefulSet = serde_json::from_value(json!({
        "apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "mysql"},
        "spec": {"serviceName": "mysql", "replicas": 2, "selector": {"matchLabels": {"app": "mysql"}},
            "template": {"metadata": {"labels": {"app": "mysql"}}, "spec": {"containers": [{
                "name": "mysql", "image": "mysql:8.4",
                "env": [{"name": "MYSQL_ROOT_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "root", "key": "password"}}}],
                "readinessProbe": {"tcpSocket": {"port": 3306}, "periodSeconds": 5},
                "volumeMounts": [{"name": "data", "mountPath": "/var/lib/mysql"}]}]}},
            "volumeClaimTemplates": [{"metadata": {"name": "data"},
                "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}}]},
    }))
    .expect("statefulset");
    let sets: Api<StatefulSet> = Api::default_namespaced(client.clone());
    sets.create(&PostParams::default(), &sts)
        .await
        .expect("create");
    advance(5).await;
    let pods: Api<Pod> = Api::default_namespaced(client.clone());
    let names = |list: Vec<Pod>| -> Vec<String> {
        list.into_iter().filter_map(|p| p.metadata.name).collect()
    };
    assert_eq!(
        names(pods.list(&ListParams::default()).await.expect("pods").items),
        ["mysql-0"],
        "one at a time"
    );
    let claims: Api<PersistentVolumeClaim> = Api::default_namespaced(client.clone());
    let claim = claims.get("data-mysql-0").await.expect("claim");
    assert_eq!(
        claim
            .spec
            .as_ref()
            .and_then(|s| s.storage_class_name.as_deref()),
        Some("standard")
    );
    assert_eq!(claim.status.and_then(|s| s.phase).as_deref(), Some("Bound"));
    let volumes: Api<PersistentVolume> = Api::all(client.clone());
    let pv = volumes
        .list(&ListParams::default())
        .await
        .expect("pvs")
        .items
        .remove(0);
    let affinity = serde_json::to_value(&pv.spec).expect("json")["nodeAffinity"]["required"]["nodeSelectorTerms"][0]["matchExpressions"][0]["values"][0].clone();
    assert_eq!(affinity, "kind-worker");

    advance(60).await;
    let mut all = names(pods.list(&ListParams::default()).await.expect("pods").items);
    all.sort();
    assert_eq!(all, ["mysql-0", "mysql-1"]);
    let status = sets
        .get("mysql")
        .await
        .expect("sts")
        .status
        .expect("status");
    assert_eq!(status.ready_replicas, Some(2));
    let logs = pods
        .logs("mysql-1", &LogParams::default())
        .await
        .expect("logs");
    assert!(logs.contains("ready for connections"), "{logs}");
    let events = events_for(&cluster, "mysql").await;
    assert!(
        events.contains(&(
            "SuccessfulCreate".into(),
            "create Claim data-mysql-1 Pod mysql-1 in StatefulSet mysql success".into()
        )),
        "{events:?}"
    );

    // Scaling down removes the highest ordinal; its claim stays.
    sets.patch(
        "mysql",
        &kube::api::PatchParams::default(),
        &kube::api::Patch::Merge(json!({"spec": {"replicas": 1}})),
    )
    .await
    .expect("scale");
    advance(5).await;
    assert_eq!(
        names(pods.list(&ListParams::default()).await.expect("pods").items),
        ["mysql-0"]
    );
    assert!(claims.get("data-mysql-1").await.is_ok());
}

#[tokio::test(start_paused = true)]
async fn jobs_run_to_completion_and_cronjobs_start_them_on_schedule() {
    use k8s_openapi::api::batch::v1::{CronJob, Job};
    let cluster = cluster();
    let client = cluster.client();
    let template = json!({"spec": {"restartPolicy": "Never", "containers": [{"name": "work", "image": "busybox:1.36",
        "command": ["sh", "-c", "echo working; sleep 2; echo done"]}]}});
    let job: Job = serde_json::from_value(
        json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "once"},
        "spec": {"completions": 2, "parallelism": 1, "template": template}}),
    )
    .expect("job");
    let jobs: Api<Job> = Api::default_namespaced(client.clone());
    let created = jobs
        .create(&PostParams::default(), &job)
        .await
        .expect("job");
    let uid = created.metadata.uid.clone().expect("uid");
    let selector = serde_json::to_value(&created.spec.expect("spec").selector).expect("json");
    assert_eq!(
        selector["matchLabels"]["batch.kubernetes.io/controller-uid"],
        uid.as_str()
    );
    advance(20).await;
    let status = jobs.get("once").await.expect("job").status.expect("status");
    assert_eq!(status.succeeded, Some(2));
    let conditions = status.conditions.expect("conditions");
    assert!(
        conditions
            .iter()
            .any(|c| c.type_ == "Complete" && c.status == "True"),
        "{conditions:?}"
    );
    let pods: Api<Pod> = Api::default_namespaced(client.clone());
    let done = pods
        .list(&ListParams::default().labels("job-name=once"))
        .await
        .expect("pods")
        .items;
    assert_eq!(done.len(), 2);
    let name = done[0].metadata.name.clone().expect("name");
    assert_eq!(
        pods.logs(&name, &LogParams::default()).await.expect("logs"),
        "working\ndone\n"
    );
    assert!(
        events_for(&cluster, "once")
            .await
            .contains(&("Completed".to_string(), "Job completed".to_string()))
    );

    let cron: CronJob = serde_json::from_value(
        json!({"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "tick"},
        "spec": {"schedule": "*/1 * * * *", "jobTemplate": {"spec": {"template": template}}}}),
    )
    .expect("cron");
    let crons: Api<CronJob> = Api::default_namespaced(client.clone());
    crons
        .create(&PostParams::default(), &cron)
        .await
        .expect("cron");
    advance(150).await;
    let owned: Vec<String> = jobs
        .list(&ListParams::default())
        .await
        .expect("jobs")
        .items
        .into_iter()
        .filter_map(|j| j.metadata.name)
        .filter(|n| n.starts_with("tick-"))
        .collect();
    assert_eq!(owned.len(), 2, "{owned:?}");
    let status = crons
        .get("tick")
        .await
        .expect("cron")
        .status
        .expect("status");
    assert!(
        status.last_schedule_time.is_some() && status.last_successful_time.is_some(),
        "{status:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_daemonset_runs_on_every_node_it_tolerates() {
    use k8s_openapi::api::apps::v1::DaemonSet;
    let cluster = cluster();
    let client = cluster.client();
    let ds = |name: &str, tolerate: bool| -> DaemonSet {
        let mut spec = json!({"containers": [{"name": "agent", "image": "busybox:1.36", "command": ["sleep", "infinity"]}]});
        if tolerate {
            spec["tolerations"] = json!([{"key": "node-role.kubernetes.io/control-plane", "operator": "Exists", "effect": "NoSchedule"}]);
        }
        serde_json::from_value(
            json!({"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": name},
            "spec": {"selector": {"matchLabels": {"app": name}},
                "template": {"metadata": {"labels": {"app": name}}, "spec": spec}}}),
        )
        .expect("daemonset")
    };
    let sets: Api<DaemonSet> = Api::default_namespaced(client.clone());
    sets.create(&PostParams::default(), &ds("workers", false))
        .await
        .expect("create");
    sets.create(&PostParams::default(), &ds("everywhere", true))
        .await
        .expect("create");
    advance(10).await;
    let pods: Api<Pod> = Api::default_namespaced(client.clone());
    let nodes_of = |list: Vec<Pod>| -> Vec<String> {
        let mut nodes: Vec<String> = list
            .into_iter()
            .filter_map(|p| p.spec.and_then(|s| s.node_name))
            .collect();
        nodes.sort();
        nodes
    };
    assert_eq!(
        nodes_of(
            pods.list(&ListParams::default().labels("app=workers"))
                .await
                .expect("pods")
                .items
        ),
        ["kind-worker"]
    );
    assert_eq!(
        nodes_of(
            pods.list(&ListParams::default().labels("app=everywhere"))
                .await
                .expect("pods")
                .items
        ),
        ["kind-control-plane", "kind-worker"]
    );
    let status = sets
        .get("everywhere")
        .await
        .expect("ds")
        .status
        .expect("status");
    assert_eq!(
        (status.desired_number_scheduled, status.number_ready),
        (2, 2)
    );
}

#[tokio::test(start_paused = true)]
async fn kinds_own_workloads_run_and_token_secrets_authenticate() {
    use k8s_openapi::api::core::v1::Secret;
    let cluster = cluster();
    let client = cluster.client();
    advance(10).await;
    let system: Api<Pod> = Api::namespaced(client.clone(), "kube-system");
    let running: Vec<String> = system
        .list(&ListParams::default())
        .await
        .expect("pods")
        .items
        .into_iter()
        .filter(|p| p.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Running"))
        .filter_map(|p| p.metadata.name)
        .collect();
    assert_eq!(
        running.iter().filter(|n| n.starts_with("coredns-")).count(),
        2,
        "{running:?}"
    );
    assert_eq!(
        running
            .iter()
            .filter(|n| n.starts_with("kube-proxy-"))
            .count(),
        2,
        "{running:?}"
    );
    assert!(
        running.contains(&"etcd-kind-control-plane".to_string()),
        "{running:?}"
    );
    let events: Api<Event> = Api::namespaced(client.clone(), "kube-system");
    let pulled: Vec<String> = events
        .list(&ListParams::default())
        .await
        .expect("events")
        .items
        .into_iter()
        .filter(|e| {
            e.involved_object.name.as_deref() == Some("etcd-kind-control-plane")
                && e.reason.as_deref() == Some("Pulled")
        })
        .filter_map(|e| e.message)
        .collect();
    assert_eq!(
        pulled,
        ["Container image \"registry.k8s.io/etcd:3.5.16-0\" already present on machine"]
    );

    let secret: Secret = serde_json::from_value(json!({"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/service-account-token",
        "metadata": {"name": "default-token", "annotations": {"kubernetes.io/service-account.name": "default"}}})).expect("secret");
    let secrets: Api<Secret> = Api::default_namespaced(client.clone());
    secrets
        .create(&PostParams::default(), &secret)
        .await
        .expect("secret");
    advance(1).await;
    let filled = secrets.get("default-token").await.expect("secret");
    let token = filled.data.expect("data")["token"].0.clone();
    let as_account = cluster.client_with_token(&String::from_utf8(token).expect("utf8"));
    let denied = api_error(
        Api::<Pod>::default_namespaced(as_account)
            .list(&ListParams::default())
            .await
            .expect_err("no rights"),
    );
    assert_eq!(
        denied.message,
        "pods is forbidden: User \"system:serviceaccount:default:default\" cannot list resource \"pods\" in API group \"\" in the namespace \"default\""
    );
}

#[tokio::test(start_paused = true)]
async fn statefulset_pods_are_reachable_by_their_stable_names() {
    let cluster = cluster();
    let post = |path: &'static str, body: Value| {
        let cluster = cluster.clone();
        async move {
            let (code, answer) = send(
                &cluster,
                "POST",
                path,
                "application/json",
                serde_json::to_vec(&body).expect("json"),
            )
            .await;
            assert_eq!(code.as_u16(), 201, "{answer}");
        }
    };
    post(
        "/api/v1/namespaces/default/services",
        json!({"metadata": {"name": "web"},
        "spec": {"clusterIP": "None", "selector": {"app": "web"}, "ports": [{"port": 8000}]}}),
    )
    .await;
    post("/apis/apps/v1/namespaces/default/statefulsets", json!({"apiVersion": "apps/v1", "kind": "StatefulSet",
        "metadata": {"name": "web"}, "spec": {"serviceName": "web", "replicas": 2, "selector": {"matchLabels": {"app": "web"}},
        "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "app", "image": "kubeclass/demo-app:1.0",
            "env": [{"name": "NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}]}]}}}})).await;
    advance(10).await;
    let pods: Api<Pod> = Api::default_namespaced(cluster.client());
    let mut client_pod = pod(
        "client",
        json!({"name": "curl", "image": "curlimages/curl:8.11.0",
        "command": ["sh", "-c", "curl -s http://web-1.web:8000/ && curl -s http://web-0.web.default.svc.cluster.local:8000/"]}),
    );
    client_pod.spec.as_mut().expect("spec").restart_policy = Some("Never".into());
    pods.create(&PostParams::default(), &client_pod)
        .await
        .expect("client");
    advance(5).await;
    assert_eq!(
        pods.logs("client", &LogParams::default())
            .await
            .expect("logs"),
        "Hello, I'm web-1.\nHello, I'm web-0.\n"
    );
}

#[tokio::test(start_paused = true)]
async fn a_local_volume_keeps_its_second_user_on_the_same_node() {
    use k8s_openapi::api::core::v1::PersistentVolumeClaim;
    let cluster = cluster();
    let client = cluster.client();
    let claim: PersistentVolumeClaim = serde_json::from_value(json!({"apiVersion": "v1", "kind": "PersistentVolumeClaim",
        "metadata": {"name": "data"}, "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}})).expect("claim");
    Api::<PersistentVolumeClaim>::default_namespaced(client.clone())
        .create(&PostParams::default(), &claim)
        .await
        .expect("claim");
    let user = |name: &str, node: Option<&str>| -> Pod {
        let mut spec = json!({"containers": [{"name": "app", "image": "nginx:1.27", "volumeMounts": [{"name": "data", "mountPath": "/data"}]}],
            "volumes": [{"name": "data", "persistentVolumeClaim": {"claimName": "data"}}]});
        if let Some(node) = node {
            spec["nodeSelector"] = json!({"kubernetes.io/hostname": node});
            spec["tolerations"] = json!([{"operator": "Exists"}]);
        }
        serde_json::from_value(
            json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name}, "spec": spec}),
        )
        .expect("pod")
    };
    let pods: Api<Pod> = Api::default_namespaced(client.clone());
    pods.create(&PostParams::default(), &user("first", None))
        .await
        .expect("first");
    advance(5).await;
    assert_eq!(
        pods.get("first")
            .await
            .expect("first")
            .spec
            .and_then(|s| s.node_name)
            .as_deref(),
        Some("kind-worker")
    );
    // The claim's volume lives on kind-worker: a second user forced elsewhere cannot have it.
    pods.create(
        &PostParams::default(),
        &user("second", Some("kind-control-plane")),
    )
    .await
    .expect("second");
    advance(2).await;
    let status = pods
        .get("second")
        .await
        .expect("second")
        .status
        .expect("status");
    let condition = status
        .conditions
        .expect("conditions")
        .into_iter()
        .find(|c| c.type_ == "PodScheduled")
        .expect("condition");
    assert_eq!(
        condition.message.as_deref(),
        Some(
            "0/2 nodes are available: 1 node(s) didn't match PersistentVolume's node affinity, 1 node(s) didn't match Pod's node affinity/selector. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling."
        )
    );
}

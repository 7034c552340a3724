//! The admission plugins a workshop's isolation relies on: ServiceAccount, LimitRanger,
//! ResourceQuota and Pod Security, with kube-apiserver's refusals.

use crate::support::api_error;
use k8s_openapi::api::core::v1::{LimitRange, Namespace, Pod, ResourceQuota, Service};
use kube::api::{Api, PostParams};
use kubesim::Cluster;
use serde_json::{Value, json};

fn object<K: serde::de::DeserializeOwned>(value: Value) -> K {
    serde_json::from_value(value).expect("object")
}

fn pod(name: &str, resources: Value) -> Pod {
    object(
        json!({"metadata": {"name": name}, "spec": {"containers": [{"name": "app", "image": "kubeclass/demo-app:1.0", "resources": resources}]}}),
    )
}

async fn namespace(cluster: &Cluster, name: &str, labels: Value) -> kube::Client {
    let client = cluster.client();
    Api::<Namespace>::all(client.clone())
        .create(
            &PostParams::default(),
            &object(json!({"metadata": {"name": name, "labels": labels}})),
        )
        .await
        .expect("namespace");
    client
}

#[tokio::test]
async fn pods_run_as_a_service_account_that_must_exist() {
    let cluster = Cluster::builder().seed(1).build().expect("cluster");
    let client = namespace(&cluster, "ws", json!({})).await;
    let pods: Api<Pod> = Api::namespaced(client, "ws");
    let created = pods
        .create(&PostParams::default(), &pod("web", json!({})))
        .await
        .expect("create");
    let spec = created.spec.expect("spec");
    assert_eq!(spec.service_account_name.as_deref(), Some("default"));
    let volume = spec
        .volumes
        .unwrap_or_default()
        .into_iter()
        .find(|v| v.name.starts_with("kube-api-access-"))
        .expect("token volume");
    let mounts = spec.containers[0].volume_mounts.clone().unwrap_or_default();
    assert!(mounts.iter().any(|m| m.name == volume.name
        && m.mount_path == "/var/run/secrets/kubernetes.io/serviceaccount"));

    let mut other = pod("other", json!({}));
    other.spec.as_mut().expect("spec").service_account_name = Some("robot".into());
    let e = api_error(
        pods.create(&PostParams::default(), &other)
            .await
            .expect_err("no such account"),
    );
    assert_eq!(
        (e.code, e.message.as_str()),
        (
            403,
            "pods \"other\" is forbidden: error looking up service account ws/robot: serviceaccount \"robot\" not found"
        )
    );
}

#[tokio::test]
async fn limit_ranges_default_and_bound_containers() {
    let cluster = Cluster::builder().seed(2).build().expect("cluster");
    let client = namespace(&cluster, "ws", json!({})).await;
    Api::<LimitRange>::namespaced(client.clone(), "ws")
        .create(&PostParams::default(), &object(json!({"metadata": {"name": "limits"}, "spec": {"limits": [{"type": "Container",
            "default": {"cpu": "200m", "memory": "64Mi"}, "defaultRequest": {"cpu": "50m", "memory": "32Mi"}, "max": {"cpu": "500m", "memory": "256Mi"}}]}})))
        .await
        .expect("limitrange");
    let pods: Api<Pod> = Api::namespaced(client, "ws");
    let created = pods
        .create(&PostParams::default(), &pod("web", json!({})))
        .await
        .expect("create");
    let resources =
        serde_json::to_value(&created.spec.expect("spec").containers[0].resources).expect("json");
    assert_eq!(
        resources,
        json!({"limits": {"cpu": "200m", "memory": "64Mi"}, "requests": {"cpu": "50m", "memory": "32Mi"}})
    );
    let e = api_error(
        pods.create(
            &PostParams::default(),
            &pod("big", json!({"limits": {"cpu": "1"}})),
        )
        .await
        .expect_err("over max"),
    );
    assert_eq!(
        (e.code, e.message.as_str()),
        (
            403,
            "pods \"big\" is forbidden: maximum cpu usage per Container is 500m, but limit is 1"
        )
    );
}

#[tokio::test]
async fn resource_quotas_count_and_refuse() {
    let cluster = Cluster::builder().seed(3).build().expect("cluster");
    let client = namespace(&cluster, "ws", json!({})).await;
    Api::<ResourceQuota>::namespaced(client.clone(), "ws")
        .create(&PostParams::default(), &object(json!({"metadata": {"name": "workshop"}, "spec": {"hard": {"pods": "1", "services.nodeports": "0", "requests.cpu": "1"}}})))
        .await
        .expect("quota");
    let pods: Api<Pod> = Api::namespaced(client.clone(), "ws");
    let e = api_error(
        pods.create(&PostParams::default(), &pod("bare", json!({})))
            .await
            .expect_err("no requests"),
    );
    assert_eq!(
        e.message,
        "pods \"bare\" is forbidden: failed quota: workshop: must specify requests.cpu"
    );
    pods.create(
        &PostParams::default(),
        &pod("one", json!({"requests": {"cpu": "100m"}})),
    )
    .await
    .expect("first pod");
    let e = api_error(
        pods.create(
            &PostParams::default(),
            &pod("two", json!({"requests": {"cpu": "100m"}})),
        )
        .await
        .expect_err("second pod"),
    );
    assert_eq!(
        (e.code, e.message.as_str()),
        (
            403,
            "pods \"two\" is forbidden: exceeded quota: workshop, requested: pods=1, used: pods=1, limited: pods=1"
        )
    );
    let services: Api<Service> = Api::namespaced(client, "ws");
    let e = api_error(
        services
            .create(&PostParams::default(), &object(json!({"metadata": {"name": "web"}, "spec": {"type": "NodePort", "ports": [{"port": 80}]}})))
            .await
            .expect_err("node ports"),
    );
    assert_eq!(
        e.message,
        "services \"web\" is forbidden: exceeded quota: workshop, requested: services.nodeports=1, used: services.nodeports=0, limited: services.nodeports=0"
    );
}

#[tokio::test]
async fn pod_security_enforces_the_namespace_level() {
    let cluster = Cluster::builder().seed(4).build().expect("cluster");
    let client = namespace(
        &cluster,
        "ws",
        json!({"pod-security.kubernetes.io/enforce": "restricted"}),
    )
    .await;
    let pods: Api<Pod> = Api::namespaced(client, "ws");
    let e = api_error(
        pods.create(&PostParams::default(), &pod("loose", json!({})))
            .await
            .expect_err("restricted"),
    );
    assert_eq!(e.code, 403);
    assert_eq!(
        e.message,
        "pods \"loose\" is forbidden: violates PodSecurity \"restricted:latest\": allowPrivilegeEscalation != false (container \"app\" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container \"app\" must set securityContext.capabilities.drop=[\"ALL\"]), runAsNonRoot != true (pod or container \"app\" must set securityContext.runAsNonRoot=true), seccompProfile (pod or container \"app\" must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\")"
    );
    let tight: Pod = object(json!({"metadata": {"name": "tight"}, "spec": {
        "securityContext": {"runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}},
        "containers": [{"name": "app", "image": "kubeclass/demo-app:1.0", "securityContext": {"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}}}]}}));
    pods.create(&PostParams::default(), &tight)
        .await
        .expect("a restricted-compliant pod is admitted");
}

#[tokio::test]
async fn workloads_that_would_violate_pod_security_are_admitted_with_a_warning() {
    let cluster = Cluster::builder().seed(5).build().expect("cluster");
    namespace(
        &cluster,
        "ws",
        json!({"pod-security.kubernetes.io/enforce": "baseline"}),
    )
    .await;
    let deployment = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
        "spec": {"selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}},
        "spec": {"containers": [{"name": "app", "image": "nginx", "securityContext": {"privileged": true}}]}}}});
    let response = crate::support::raw(
        &cluster,
        "POST",
        "/apis/apps/v1/namespaces/ws/deployments",
        "application/json",
        deployment.to_string().into_bytes(),
    )
    .await;
    assert_eq!(response.status().as_u16(), 201);
    let warning = response
        .headers()
        .get("warning")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    assert_eq!(
        warning,
        r#"299 - "would violate PodSecurity \"baseline:latest\": privileged (container \"app\" must not set securityContext.privileged=true)""#
    );
}

#[tokio::test]
async fn quota_status_counts_what_the_namespace_uses() {
    let cluster = Cluster::builder().seed(6).build().expect("cluster");
    let client = namespace(&cluster, "ws", json!({})).await;
    let quotas: Api<ResourceQuota> = Api::namespaced(client.clone(), "ws");
    quotas
        .create(&PostParams::default(), &object(json!({"metadata": {"name": "workshop"}, "spec": {"hard": {"pods": "5", "requests.memory": "1Gi"}}})))
        .await
        .expect("quota");
    let pods: Api<Pod> = Api::namespaced(client, "ws");
    for name in ["a", "b"] {
        pods.create(
            &PostParams::default(),
            &pod(name, json!({"requests": {"memory": "64Mi"}})),
        )
        .await
        .expect("pod");
    }
    for _ in 0..200 {
        let status = quotas
            .get("workshop")
            .await
            .expect("get")
            .status
            .unwrap_or_default();
        let used = status.used.unwrap_or_default();
        if used.get("pods").map(|q| q.0.as_str()) == Some("2") {
            assert_eq!(
                used.get("requests.memory").map(|q| q.0.as_str()),
                Some("128Mi")
            );
            assert_eq!(
                status
                    .hard
                    .unwrap_or_default()
                    .get("pods")
                    .map(|q| q.0.as_str()),
                Some("5")
            );
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    panic!("quota status never counted the pods");
}

fn node_port_error(name: &str) -> String {
    format!(
        "services \"{name}\" is forbidden: exceeded quota: workshop, requested: services.nodeports=1, used: services.nodeports=0, limited: services.nodeports=0"
    )
}

#[tokio::test]
async fn a_service_turned_node_port_is_charged_by_every_kind_of_update() {
    let cluster = Cluster::builder().seed(8).build().expect("cluster");
    let client = namespace(&cluster, "ws", json!({})).await;
    Api::<ResourceQuota>::namespaced(client.clone(), "ws")
        .create(&PostParams::default(), &object(json!({"metadata": {"name": "workshop"}, "spec": {"hard": {"services.nodeports": "0"}}})))
        .await
        .expect("quota");
    let services: Api<Service> = Api::namespaced(client, "ws");
    for name in ["put", "merge", "apply"] {
        services
            .create(
                &PostParams::default(),
                &object(json!({"metadata": {"name": name}, "spec": {"ports": [{"port": 80}]}})),
            )
            .await
            .expect("a ClusterIP service takes no node port");
    }
    let mut current = services.get("put").await.expect("get");
    current.spec.as_mut().expect("spec").type_ = Some("NodePort".into());
    let e = api_error(
        services
            .replace("put", &PostParams::default(), &current)
            .await
            .expect_err("PUT"),
    );
    assert_eq!((e.code, e.message), (403, node_port_error("put")));
    let e = api_error(
        services
            .patch(
                "merge",
                &kube::api::PatchParams::default(),
                &kube::api::Patch::Merge(json!({"spec": {"type": "NodePort"}})),
            )
            .await
            .expect_err("merge patch"),
    );
    assert_eq!(e.message, node_port_error("merge"));
    let e = api_error(
        services
            .patch(
                "apply",
                &kube::api::PatchParams::apply("tenant").force(),
                &kube::api::Patch::Apply(json!({"apiVersion": "v1", "kind": "Service",
                    "metadata": {"name": "apply"}, "spec": {"type": "NodePort", "ports": [{"port": 80}]}})),
            )
            .await
            .expect_err("server-side apply"),
    );
    assert_eq!(e.message, node_port_error("apply"));
    // Changing what takes no more than before is not charged.
    services
        .patch(
            "merge",
            &kube::api::PatchParams::default(),
            &kube::api::Patch::Merge(json!({"metadata": {"labels": {"a": "b"}}})),
        )
        .await
        .expect("a label");
}

#[tokio::test(start_paused = true)]
async fn a_scale_up_is_held_to_the_pod_quota() {
    use k8s_openapi::api::apps::v1::Deployment;
    use k8s_openapi::api::core::v1::Event;
    let cluster = Cluster::builder().seed(9).build().expect("cluster");
    let client = namespace(&cluster, "ws", json!({})).await;
    Api::<ResourceQuota>::namespaced(client.clone(), "ws")
        .create(
            &PostParams::default(),
            &object(json!({"metadata": {"name": "workshop"}, "spec": {"hard": {"pods": "2"}}})),
        )
        .await
        .expect("quota");
    let deployments: Api<Deployment> = Api::namespaced(client.clone(), "ws");
    deployments
        .create(&PostParams::default(), &object(json!({"metadata": {"name": "web"}, "spec": {"replicas": 2,
            "selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}},
            "spec": {"containers": [{"name": "app", "image": "kubeclass/demo-app:1.0"}]}}}})))
        .await
        .expect("deployment");
    deployments
        .patch_scale(
            "web",
            &kube::api::PatchParams::default(),
            &kube::api::Patch::Merge(json!({"spec": {"replicas": 3}})),
        )
        .await
        .expect("scale");
    let pods: Api<Pod> = Api::namespaced(client.clone(), "ws");
    let events: Api<Event> = Api::namespaced(client, "ws");
    for _ in 0..600 {
        let refused = events
            .list(&Default::default())
            .await
            .expect("events")
            .items
            .into_iter()
            .filter(|e| e.reason.as_deref() == Some("FailedCreate"))
            .filter_map(|e| e.message)
            .find(|m| m.contains("exceeded quota"));
        if let Some(message) = refused {
            assert!(
                message.ends_with("is forbidden: exceeded quota: workshop, requested: pods=1, used: pods=2, limited: pods=2"),
                "{message}"
            );
            assert_eq!(
                pods.list(&Default::default())
                    .await
                    .expect("pods")
                    .items
                    .len(),
                2
            );
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the third pod was never refused");
}

#[tokio::test]
async fn pod_security_judges_updates_and_re_applies() {
    let cluster = Cluster::builder().seed(10).build().expect("cluster");
    let client = namespace(
        &cluster,
        "ws",
        json!({"pod-security.kubernetes.io/enforce": "baseline"}),
    )
    .await;
    let pods: Api<Pod> = Api::namespaced(client.clone(), "ws");
    let apply = |spec: Value| {
        let pods = pods.clone();
        async move {
            pods.patch(
                "web",
                &kube::api::PatchParams::apply("tenant").force(),
                &kube::api::Patch::Apply(json!({"apiVersion": "v1", "kind": "Pod",
                    "metadata": {"name": "web"}, "spec": spec})),
            )
            .await
        }
    };
    let harmless = json!({"containers": [{"name": "app", "image": "nginx"}]});
    apply(harmless).await.expect("a harmless pod");
    for (what, spec) in [
        (
            "privileged",
            json!({"containers": [{"name": "app", "image": "nginx", "securityContext": {"privileged": true}}]}),
        ),
        (
            "hostNetwork",
            json!({"hostNetwork": true, "containers": [{"name": "app", "image": "nginx"}]}),
        ),
        (
            "hostPath",
            json!({"volumes": [{"name": "root", "hostPath": {"path": "/"}}],
            "containers": [{"name": "app", "image": "nginx", "volumeMounts": [{"name": "root", "mountPath": "/host"}]}]}),
        ),
        (
            "serviceAccount",
            json!({"serviceAccountName": "other", "containers": [{"name": "app", "image": "nginx"}]}),
        ),
        (
            "resources",
            json!({"containers": [{"name": "app", "image": "nginx", "resources": {"limits": {"cpu": "64"}}}]}),
        ),
    ] {
        let e = api_error(apply(spec).await.expect_err(what));
        assert_eq!((e.code, e.reason.as_str()), (422, "Invalid"), "{what}");
        assert!(
            e.message.starts_with("Pod \"web\" is invalid: spec: Forbidden: pod updates may not change fields other than"),
            "{what}: {}",
            e.message
        );
    }
    // The namespace tightens; a pod admitted before keeps its metadata updates, but an
    // image change is judged against the new level.
    Api::<Namespace>::all(client)
        .patch(
            "ws",
            &kube::api::PatchParams::default(),
            &kube::api::Patch::Merge(json!({"metadata": {"labels": {"pod-security.kubernetes.io/enforce": "restricted"}}})),
        )
        .await
        .expect("tighten");
    pods.patch(
        "web",
        &kube::api::PatchParams::default(),
        &kube::api::Patch::Merge(json!({"metadata": {"labels": {"tier": "web"}}})),
    )
    .await
    .expect("a label");
    let e = api_error(
        pods.patch(
            "web",
            &kube::api::PatchParams::default(),
            &kube::api::Patch::Strategic(
                json!({"spec": {"containers": [{"name": "app", "image": "nginx:1.27"}]}}),
            ),
        )
        .await
        .expect_err("new image"),
    );
    assert_eq!(e.code, 403);
    assert!(
        e.message.starts_with("pods \"web\" is forbidden: violates PodSecurity \"restricted:latest\": allowPrivilegeEscalation != false"),
        "{}",
        e.message
    );
}

/// POSTs `body` as raw JSON (numbers stay numbers, as kubectl sends `cpu: 1`).
async fn post_raw(client: &kube::Client, path: &str, body: Value) -> Result<Value, kube::Error> {
    let request = http::Request::post(path)
        .header("content-type", "application/json")
        .body(serde_json::to_vec(&body).expect("json"))
        .expect("request");
    client.request::<Value>(request).await
}

#[tokio::test]
async fn quantities_given_as_numbers_are_stored_canonical_and_counted() {
    let cluster = Cluster::builder().seed(1).build().expect("cluster");
    let client = namespace(&cluster, "ws", json!({})).await;
    let quota = post_raw(
        &client,
        "/api/v1/namespaces/ws/resourcequotas",
        json!({"apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": "q"},
            "spec": {"hard": {"requests.cpu": 2, "requests.memory": 1000000000}}}),
    )
    .await
    .expect("quota");
    assert_eq!(
        quota["spec"]["hard"],
        json!({"requests.cpu": "2", "requests.memory": "1G"})
    );
    let pod = |name: &str, cpu: Value| {
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
            "spec": {"containers": [{"name": "app", "image": "kubeclass/demo-app:1.0",
                "resources": {"requests": {"cpu": cpu, "memory": "256Mi"}}}]}})
    };
    let one = post_raw(&client, "/api/v1/namespaces/ws/pods", pod("one", json!(1)))
        .await
        .expect("one CPU fits");
    assert_eq!(
        one["spec"]["containers"][0]["resources"]["requests"],
        json!({"cpu": "1", "memory": "256Mi"})
    );
    // `cpu: 1` counted as one CPU: another 1.5 would make 2.5 of 2.
    let refused = post_raw(
        &client,
        "/api/v1/namespaces/ws/pods",
        pod("two", json!(1.5)),
    )
    .await
    .expect_err("over the quota");
    assert_eq!(
        api_error(refused).message,
        "pods \"two\" is forbidden: exceeded quota: q, requested: requests.cpu=1500m, used: requests.cpu=1, limited: requests.cpu=2"
    );
    post_raw(
        &client,
        "/api/v1/namespaces/ws/pods",
        pod("three", json!(0.5)),
    )
    .await
    .expect("half a CPU still fits");
}

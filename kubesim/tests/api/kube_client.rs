//! kube-rs against kubesim, in-process: typed and dynamic clients, every verb, patch
//! types, subresources, discovery, and kube-runtime's watcher. These are the behaviours
//! the lesson loop relies on, checked with the real client library.

use crate::support::api_error;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{ConfigMap, Namespace};
use kube::api::{Api, DeleteParams, ListParams, Patch, PatchParams, PostParams};
use kube::core::{DynamicObject, GroupVersionKind};
use kube::discovery::{ApiResource, Discovery};
use kubesim::Cluster;
use serde_json::json;

pub(crate) fn cluster() -> Cluster {
    Cluster::builder()
        .seed(42)
        .start_time("2026-01-01T00:00:00Z".parse().expect("time"))
        .build()
        .expect("cluster")
}

pub(crate) fn configmap(name: &str, labels: serde_json::Value) -> ConfigMap {
    serde_json::from_value(json!({
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": name, "labels": labels},
        "data": {"greeting": "hello"}
    }))
    .expect("configmap")
}

fn deployment(name: &str, replicas: i32) -> Deployment {
    serde_json::from_value(json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {"metadata": {"labels": {"app": name}}, "spec": {"containers": [
                {"name": "app", "image": "kubeclass/demo-app:1.0", "ports": [{"containerPort": 8000}]}
            ]}}
        }
    }))
    .expect("deployment")
}

#[tokio::test]
async fn create_get_list_update_delete_a_configmap() {
    let client = cluster().client();
    let cms: Api<ConfigMap> = Api::default_namespaced(client);
    let created = cms
        .create(
            &PostParams::default(),
            &configmap("app", json!({"tier": "web"})),
        )
        .await
        .expect("create");
    assert_eq!(created.metadata.namespace.as_deref(), Some("default"));
    assert_eq!(
        created
            .metadata
            .creation_timestamp
            .as_ref()
            .map(|t| t.0.to_string()),
        Some("2026-01-01T00:00:00Z".into())
    );
    assert!(created.metadata.uid.is_some() && created.metadata.resource_version.is_some());

    let again = api_error(
        cms.create(&PostParams::default(), &configmap("app", json!({})))
            .await
            .expect_err("duplicate"),
    );
    assert_eq!(
        (again.code, again.reason.as_str(), again.message.as_str()),
        (409, "AlreadyExists", "configmaps \"app\" already exists")
    );

    cms.create(
        &PostParams::default(),
        &configmap("db", json!({"tier": "data"})),
    )
    .await
    .expect("create");
    let web = cms
        .list(&ListParams::default().labels("tier=web"))
        .await
        .expect("list");
    assert_eq!(
        web.items
            .iter()
            .filter_map(|c| c.metadata.name.clone())
            .collect::<Vec<_>>(),
        ["app"]
    );
    let by_name = cms
        .list(&ListParams::default().fields("metadata.name=db"))
        .await
        .expect("list");
    assert_eq!(by_name.items.len(), 1);

    let mut changed = cms.get("app").await.expect("get");
    changed.data = Some([("greeting".to_string(), "bonjour".to_string())].into());
    let replaced = cms
        .replace("app", &PostParams::default(), &changed)
        .await
        .expect("replace");
    assert_ne!(
        replaced.metadata.resource_version,
        changed.metadata.resource_version
    );
    // Writing with the stale version is a conflict, in the real words.
    let stale = api_error(
        cms.replace("app", &PostParams::default(), &changed)
            .await
            .expect_err("conflict"),
    );
    assert_eq!(stale.code, 409);
    assert_eq!(
        stale.message,
        "Operation cannot be fulfilled on configmaps \"app\": the object has been modified; please apply your changes to the latest version and try again"
    );

    cms.delete("app", &DeleteParams::default())
        .await
        .expect("delete");
    let gone = api_error(cms.get("app").await.expect_err("gone"));
    assert_eq!(
        (gone.code, gone.reason.as_str(), gone.message.as_str()),
        (404, "NotFound", "configmaps \"app\" not found")
    );
}

#[tokio::test]
async fn every_patch_type() {
    let client = cluster().client();
    let deployments: Api<Deployment> = Api::default_namespaced(client);
    deployments
        .create(&PostParams::default(), &deployment("web", 2))
        .await
        .expect("create");
    let pp = PatchParams::default();

    let merged = deployments
        .patch("web", &pp, &Patch::Merge(json!({"spec": {"replicas": 3}})))
        .await
        .expect("merge");
    assert_eq!(merged.spec.replicas, Some(3));
    assert_eq!(merged.metadata.generation, Some(2));

    let ops: json_patch::Patch =
        serde_json::from_value(json!([{"op": "replace", "path": "/spec/replicas", "value": 1}]))
            .expect("ops");
    let patched = deployments
        .patch("web", &pp, &Patch::Json::<()>(ops))
        .await
        .expect("json patch");
    assert_eq!(patched.spec.replicas, Some(1));

    // Strategic merge adds a container by name instead of replacing the list.
    let sidecar = json!({"spec": {"template": {"spec": {"containers": [{"name": "sidecar", "image": "busybox"}]}}}});
    let strategic = deployments
        .patch("web", &pp, &Patch::Strategic(sidecar))
        .await
        .expect("strategic");
    let names: Vec<String> = strategic
        .spec
        .template
        .spec
        .map(|s| s.containers.into_iter().map(|c| c.name).collect())
        .unwrap_or_default();
    // kube-apiserver puts an item new to the server before the server's own.
    assert_eq!(names, ["sidecar", "app"]);

    let applied = deployments
        .patch(
            "api",
            &PatchParams::apply("kubeclass"),
            &Patch::Apply(deployment("api", 2)),
        )
        .await
        .expect("apply creates");
    assert_eq!(applied.metadata.name.as_deref(), Some("api"));

    let missing = api_error(
        deployments
            .patch("nope", &pp, &Patch::Merge(json!({})))
            .await
            .expect_err("404"),
    );
    assert_eq!(missing.message, "deployments.apps \"nope\" not found");
}

#[tokio::test]
async fn scale_and_status_subresources() {
    let client = cluster().client();
    let deployments: Api<Deployment> = Api::default_namespaced(client.clone());
    deployments
        .create(&PostParams::default(), &deployment("web", 2))
        .await
        .expect("create");
    let scale = deployments.get_scale("web").await.expect("scale");
    assert_eq!(scale.spec.and_then(|s| s.replicas), Some(2));
    deployments
        .patch_scale(
            "web",
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"replicas": 5}})),
        )
        .await
        .expect("scale up");
    assert_eq!(
        deployments.get("web").await.expect("get").spec.replicas,
        Some(5)
    );

    // Status is written through /status only; a main-resource write leaves it alone.
    // (A Service: no controller rewrites its status.)
    let services: Api<k8s_openapi::api::core::v1::Service> = Api::default_namespaced(client);
    let service = serde_json::from_value(json!({"apiVersion": "v1", "kind": "Service",
        "metadata": {"name": "lb"}, "spec": {"type": "LoadBalancer", "selector": {"app": "web"},
        "ports": [{"port": 80}]}}))
    .expect("service");
    services
        .create(&PostParams::default(), &service)
        .await
        .expect("create");
    let status = json!({"status": {"loadBalancer": {"ingress": [{"ip": "172.18.0.200"}]}}});
    services
        .patch_status("lb", &PatchParams::default(), &Patch::Merge(status))
        .await
        .expect("status");
    let ip = |s: &k8s_openapi::api::core::v1::Service| {
        s.status
            .as_ref()
            .and_then(|s| s.load_balancer.as_ref())
            .and_then(|l| l.ingress.as_ref())
            .and_then(|i| i[0].ip.clone())
    };
    let mut svc = services.get("lb").await.expect("get");
    assert_eq!(ip(&svc).as_deref(), Some("172.18.0.200"));
    svc.status = None;
    let after = services
        .replace("lb", &PostParams::default(), &svc)
        .await
        .expect("replace");
    assert_eq!(ip(&after).as_deref(), Some("172.18.0.200"));
}

#[tokio::test]
async fn namespaces_must_exist() {
    let client = cluster().client();
    let cms: Api<ConfigMap> = Api::namespaced(client.clone(), "nowhere");
    let e = api_error(
        cms.create(&PostParams::default(), &configmap("a", json!({})))
            .await
            .expect_err("no namespace"),
    );
    assert_eq!(
        (e.code, e.message.as_str()),
        (404, "namespaces \"nowhere\" not found")
    );
    let namespaces: Api<Namespace> = Api::all(client);
    let names: Vec<String> = namespaces
        .list(&ListParams::default())
        .await
        .expect("list")
        .items
        .into_iter()
        .filter_map(|n| n.metadata.name)
        .collect();
    assert_eq!(
        names,
        [
            "cert-manager",
            "default",
            "ingress-nginx",
            "kube-node-lease",
            "kube-public",
            "kube-system",
            "local-path-storage"
        ]
    );
}

#[tokio::test]
async fn pagination_with_limit_and_continue() {
    let client = cluster().client();
    let cms: Api<ConfigMap> = Api::default_namespaced(client);
    for i in 0..7 {
        cms.create(
            &PostParams::default(),
            &configmap(&format!("cm-{i}"), json!({})),
        )
        .await
        .expect("create");
    }
    let mut names = Vec::new();
    let mut params = ListParams::default().limit(3);
    loop {
        let page = cms.list(&params).await.expect("page");
        assert!(page.items.len() <= 3);
        names.extend(page.items.into_iter().filter_map(|c| c.metadata.name));
        match page.metadata.continue_ {
            Some(token) if !token.is_empty() => params = params.continue_token(&token),
            _ => break,
        }
    }
    assert_eq!(names, (0..7).map(|i| format!("cm-{i}")).collect::<Vec<_>>());
}

#[tokio::test]
async fn generate_name_and_dry_run() {
    let client = cluster().client();
    let cms: Api<ConfigMap> = Api::default_namespaced(client);
    let mut cm = configmap("", json!({}));
    cm.metadata.name = None;
    cm.metadata.generate_name = Some("web-".into());
    let created = cms
        .create(&PostParams::default(), &cm)
        .await
        .expect("create");
    let name = created.metadata.name.expect("name");
    assert!(name.starts_with("web-") && name.len() == 9, "{name}");
    let dry = cms
        .create(
            &PostParams {
                dry_run: true,
                ..Default::default()
            },
            &configmap("dry", json!({})),
        )
        .await
        .expect("dry run");
    assert_eq!(dry.metadata.name.as_deref(), Some("dry"));
    assert!(
        cms.get_opt("dry").await.expect("get").is_none(),
        "a dry run stores nothing"
    );
}

#[tokio::test]
async fn discovery_and_dynamic_objects() {
    let client = cluster().client();
    let version = client.apiserver_version().await.expect("version");
    assert_eq!(
        (version.major.as_str(), version.minor.as_str()),
        ("1", "34")
    );
    let discovery = Discovery::new(client.clone())
        .run()
        .await
        .expect("discovery");
    let (resource, caps) = discovery
        .resolve_gvk(&GroupVersionKind::gvk("apps", "v1", "Deployment"))
        .expect("deployments");
    assert_eq!(resource.plural, "deployments");
    assert_eq!(caps.scope, kube::discovery::Scope::Namespaced);
    let api: Api<DynamicObject> = Api::namespaced_with(client.clone(), "default", &resource);
    let object: DynamicObject =
        serde_json::from_value(serde_json::to_value(deployment("dyn", 1)).expect("json"))
            .expect("dynamic");
    api.create(&PostParams::default(), &object)
        .await
        .expect("create through discovery");
    let typed: Api<Deployment> = Api::default_namespaced(client.clone());
    assert!(typed.get_opt("dyn").await.expect("get").is_some());

    let pods = ApiResource::erase::<k8s_openapi::api::core::v1::Pod>(&());
    // kube-public holds no pods (the Deployment's are in default).
    let pod_api: Api<DynamicObject> = Api::namespaced_with(client, "kube-public", &pods);
    assert!(
        pod_api
            .list(&ListParams::default())
            .await
            .expect("list")
            .items
            .is_empty()
    );
}

#[tokio::test(start_paused = true)]
async fn server_side_apply_tracks_owners_and_refuses_conflicts() {
    let client = cluster().client();
    let deployments: Api<Deployment> = Api::default_namespaced(client);
    let apply = PatchParams::apply("kubeclass");
    let first = deployments
        .patch("web", &apply, &Patch::Apply(deployment("web", 2)))
        .await
        .expect("apply");
    let managers = first.metadata.managed_fields.clone().unwrap_or_default();
    assert_eq!(managers.len(), 1);
    assert_eq!(
        (
            managers[0].manager.as_deref(),
            managers[0].operation.as_deref()
        ),
        (Some("kubeclass"), Some("Apply"))
    );

    // Once its controllers have settled, applying the same thing again changes nothing:
    // same resourceVersion.
    tokio::time::sleep(std::time::Duration::from_secs(60)).await;
    let settled = deployments.get("web").await.expect("get");
    let again = deployments
        .patch("web", &apply, &Patch::Apply(deployment("web", 2)))
        .await
        .expect("apply");
    assert_eq!(
        again.metadata.resource_version,
        settled.metadata.resource_version,
        "{}\n{}",
        serde_json::to_string(&settled).unwrap_or_default(),
        serde_json::to_string(&again).unwrap_or_default()
    );

    // Someone else scales it; kubeclass's next apply of 2 replicas now conflicts.
    deployments
        .patch(
            "web",
            &PatchParams {
                field_manager: Some("kubectl".into()),
                ..Default::default()
            },
            &Patch::Merge(json!({"spec": {"replicas": 4}})),
        )
        .await
        .expect("scale");
    let conflict = api_error(
        deployments
            .patch("web", &apply, &Patch::Apply(deployment("web", 2)))
            .await
            .expect_err("conflict"),
    );
    assert_eq!(conflict.code, 409);
    assert_eq!(
        conflict.message,
        "Apply failed with 1 conflict: conflict with \"kubectl\" using apps/v1: .spec.replicas"
    );
    // force takes it back.
    let forced = deployments
        .patch(
            "web",
            &apply.clone().force(),
            &Patch::Apply(deployment("web", 2)),
        )
        .await
        .expect("force");
    assert_eq!(forced.spec.replicas, Some(2));

    // A label kubeclass stops applying is removed.
    let mut labelled = deployment("web", 2);
    labelled.metadata.labels = Some([("team".to_string(), "a".to_string())].into());
    let with_label = deployments
        .patch("web", &apply.clone().force(), &Patch::Apply(labelled))
        .await
        .expect("apply");
    assert!(with_label.metadata.labels.is_some());
    let without = deployments
        .patch(
            "web",
            &apply.clone().force(),
            &Patch::Apply(deployment("web", 2)),
        )
        .await
        .expect("apply");
    assert_eq!(without.metadata.labels, None);
}

#[tokio::test]
async fn autoscalers_written_as_v1_read_as_v2_and_back() {
    use k8s_openapi::api::autoscaling::{v1, v2};
    let client = cluster().client();
    let v1_api: Api<v1::HorizontalPodAutoscaler> = Api::default_namespaced(client.clone());
    let hpa: v1::HorizontalPodAutoscaler = serde_json::from_value(json!({"metadata": {"name": "web"},
        "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}, "minReplicas": 2, "maxReplicas": 5, "targetCPUUtilizationPercentage": 50}}))
    .expect("hpa");
    v1_api
        .create(&PostParams::default(), &hpa)
        .await
        .expect("create as v1");
    let v2_api: Api<v2::HorizontalPodAutoscaler> = Api::default_namespaced(client);
    let as_v2 = v2_api.get("web").await.expect("read as v2");
    let metric = &as_v2.spec.metrics.expect("metrics")[0];
    assert_eq!(
        metric
            .resource
            .as_ref()
            .and_then(|r| r.target.average_utilization),
        Some(50)
    );
    let back = v1_api
        .list(&ListParams::default())
        .await
        .expect("list as v1");
    assert_eq!(
        back.items[0].spec.target_cpu_utilization_percentage,
        Some(50)
    );
}

//! Pod spec immutability through kube-rs (catalogue P-25): an update, a patch or a
//! server-side apply may change only what kube-apiserver lets a Pod update change, and
//! anything else is 422 with its message and a diff.

use crate::support::api_error;
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, Patch, PatchParams, PostParams};
use kubesim::Cluster;
use serde_json::json;

const FORBIDDEN: &str = "Pod \"web\" is invalid: spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)\n  core.PodSpec{\n";

/// PUT of the current pod changed by `change`, again when the kubelet wrote in between.
async fn replace(pods: &Api<Pod>, change: impl Fn(&mut Pod)) -> kube::Result<Pod> {
    loop {
        let mut pod = pods.get("web").await?;
        change(&mut pod);
        match pods.replace("web", &PostParams::default(), &pod).await {
            Err(kube::Error::Api(s)) if s.code == 409 => continue,
            other => return other,
        }
    }
}

async fn web(cluster: &Cluster) -> Api<Pod> {
    let pods: Api<Pod> = Api::default_namespaced(cluster.client());
    let pod = serde_json::from_value(json!({"metadata": {"name": "web"}, "spec": {
        "activeDeadlineSeconds": 600,
        "tolerations": [{"key": "dedicated", "operator": "Equal", "value": "web", "effect": "NoSchedule"}],
        "containers": [{"name": "app", "image": "nginx:1.26", "env": [{"name": "MODE", "value": "a"}]}]}}))
    .expect("pod");
    pods.create(&PostParams::default(), &pod)
        .await
        .expect("create");
    pods
}

#[tokio::test]
async fn a_pod_spec_changes_only_in_its_updatable_fields() {
    let cluster = Cluster::builder().seed(31).build().expect("cluster");
    let pods = web(&cluster).await;
    // Images, a shorter deadline and an added toleration may change, by any verb.
    pods.patch("web", &PatchParams::default(), &Patch::Strategic(json!({"spec": {
        "activeDeadlineSeconds": 300,
        "containers": [{"name": "app", "image": "nginx:1.27"}],
        "tolerations": [{"key": "dedicated", "operator": "Equal", "value": "web", "effect": "NoSchedule"},
            {"key": "spot", "operator": "Exists", "effect": "NoSchedule"}]}})))
        .await
        .expect("updatable fields");
    replace(&pods, |p| {
        p.spec.as_mut().expect("spec").containers[0].image = Some("nginx:1.28".into())
    })
    .await
    .expect("PUT of an image");

    // Anything else is refused, whichever way it comes.
    let e = api_error(
        replace(&pods, |p| {
            p.spec.as_mut().expect("spec").containers[0].env = None
        })
        .await
        .expect_err("env"),
    );
    assert_eq!((e.code, e.reason.as_str()), (422, "Invalid"));
    assert!(e.message.starts_with(FORBIDDEN), "{}", e.message);
    let details = e.details.expect("details");
    assert_eq!(
        (
            details.causes[0].field.as_str(),
            details.causes[0].reason.as_str()
        ),
        ("spec", "FieldValueForbidden")
    );
    let e = api_error(
        pods.patch(
            "web",
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"hostPID": true}})),
        )
        .await
        .expect_err("hostPID"),
    );
    assert!(e.message.starts_with(FORBIDDEN), "{}", e.message);
    assert!(
        e.message.contains("\n+ \tHostPID: true,\n"),
        "{}",
        e.message
    );
    let e = api_error(
        pods.patch("web", &PatchParams::apply("tenant").force(), &Patch::Apply(json!({"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "web"}, "spec": {"containers": [{"name": "app", "image": "nginx:1.28",
                "ports": [{"containerPort": 80, "hostPort": 80}]}]}})))
            .await
            .expect_err("hostPort"),
    );
    assert!(e.message.starts_with(FORBIDDEN), "{}", e.message);
}

#[tokio::test]
async fn pod_update_mistakes_get_kube_apiservers_messages() {
    let cluster = Cluster::builder().seed(32).build().expect("cluster");
    let pods = web(&cluster).await;
    let cases = [
        (
            json!({"spec": {"activeDeadlineSeconds": 900}}),
            "Pod \"web\" is invalid: spec.activeDeadlineSeconds: Invalid value: 900: must be less than or equal to previous value",
        ),
        (
            json!({"spec": {"tolerations": [{"key": "dedicated", "operator": "Exists", "effect": "NoSchedule"}]}}),
            "Pod \"web\" is invalid: spec.tolerations: Forbidden: existing toleration can not be modified except its tolerationSeconds",
        ),
        (
            json!({"spec": {"containers": [{"name": "app", "image": "nginx:1.26"}, {"name": "sidecar", "image": "busybox"}]}}),
            "Pod \"web\" is invalid: spec.containers: Forbidden: pod updates may not add or remove containers",
        ),
    ];
    for (patch, expected) in cases {
        let e = api_error(
            pods.patch("web", &PatchParams::default(), &Patch::Merge(patch.clone()))
                .await
                .expect_err("refused"),
        );
        assert_eq!((e.code, e.message.as_str()), (422, expected), "{patch}");
    }
}

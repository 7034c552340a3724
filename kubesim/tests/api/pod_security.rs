//! Pod Security admission through the API: every baseline and restricted control with
//! the exact words kube-apiserver 1.34 refuses a Pod with, the `-version` labels, the
//! `warn` (Warning header) and `audit` (the cluster's audit log) modes, workload
//! templates admitted with a warning, and the namespace labels themselves.

use crate::support::raw;
use http_body_util::BodyExt;
use kubesim::Cluster;
use serde_json::{Value, json};

struct Answer {
    code: u16,
    warnings: Vec<String>,
    body: Value,
}

async fn request(cluster: &Cluster, method: &str, path: &str, kind: &str, body: Value) -> Answer {
    let response = raw(cluster, method, path, kind, body.to_string().into_bytes()).await;
    let code = response.status().as_u16();
    let warnings = response
        .headers()
        .get_all("warning")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .map(|v| {
            // `299 - "text"`: the text is a JSON string.
            serde_json::from_str::<String>(v.trim_start_matches("299 - ")).expect("warning")
        })
        .collect();
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    Answer {
        code,
        warnings,
        body,
    }
}

async fn namespace(cluster: &Cluster, name: &str, labels: Value) -> Answer {
    let ns = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": labels}});
    request(
        cluster,
        "POST",
        "/api/v1/namespaces",
        "application/json",
        ns,
    )
    .await
}

async fn pod(cluster: &Cluster, namespace: &str, name: &str, spec: Value) -> Answer {
    let pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name}, "spec": spec});
    let path = format!("/api/v1/namespaces/{namespace}/pods");
    request(cluster, "POST", &path, "application/json", pod).await
}

fn container(name: &str, extra: Value) -> Value {
    let mut c = json!({"name": name, "image": "nginx"});
    for (k, v) in extra.as_object().into_iter().flatten() {
        c[k] = v.clone();
    }
    c
}

/// A spec that passes `restricted`, with `pod` and `app` merged into its pod and
/// container security contexts and `extra` into the spec.
fn hardened(pod_security: Value, app_security: Value, extra: Value) -> Value {
    let mut spec = json!({
        "securityContext": {"runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}},
        "containers": [{"name": "app", "image": "nginx",
            "securityContext": {"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}}}]});
    for (k, v) in pod_security.as_object().into_iter().flatten() {
        spec["securityContext"][k] = v.clone();
    }
    for (k, v) in app_security.as_object().into_iter().flatten() {
        spec["containers"][0]["securityContext"][k] = v.clone();
    }
    for (k, v) in extra.as_object().into_iter().flatten() {
        spec[k] = v.clone();
    }
    spec
}

async fn refused(cluster: &Cluster, namespace: &str, name: &str, spec: Value) -> String {
    let answer = pod(cluster, namespace, name, spec).await;
    assert_eq!(answer.code, 403, "{name}: {}", answer.body);
    assert_eq!(answer.body["reason"], "Forbidden");
    assert_eq!(answer.body["details"]["kind"], "pods");
    answer.body["message"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[tokio::test]
async fn every_baseline_control_refuses_with_kube_apiservers_words() {
    let cluster = Cluster::builder().seed(21).build().expect("cluster");
    namespace(
        &cluster,
        "base",
        json!({"pod-security.kubernetes.io/enforce": "baseline"}),
    )
    .await;
    let cases = [
        (
            json!({"hostNetwork": true, "hostPID": true, "hostIPC": true, "containers": [container("a", json!({}))]}),
            "host namespaces (hostNetwork=true, hostPID=true, hostIPC=true)",
        ),
        (
            json!({"containers": [container("a", json!({"securityContext": {"privileged": true}})),
                container("b", json!({"securityContext": {"privileged": true}}))]}),
            "privileged (containers \"a\", \"b\" must not set securityContext.privileged=true)",
        ),
        (
            json!({"containers": [container("a", json!({"securityContext": {"capabilities": {"add": ["SYS_ADMIN", "NET_RAW", "CHOWN"]}}})),
                container("b", json!({"securityContext": {"capabilities": {"add": ["NET_ADMIN"]}}}))]}),
            "non-default capabilities (containers \"a\", \"b\" must not include \"NET_ADMIN\", \"NET_RAW\", \"SYS_ADMIN\" in securityContext.capabilities.add)",
        ),
        (
            json!({"volumes": [{"name": "root", "hostPath": {"path": "/"}}], "containers": [container("a", json!({}))]}),
            "hostPath volumes (volume \"root\")",
        ),
        (
            json!({"containers": [container("a", json!({"ports": [{"containerPort": 80, "hostPort": 8080}]})),
                container("b", json!({"ports": [{"containerPort": 81, "hostPort": 10000}]}))]}),
            "hostPort (containers \"a\", \"b\" use hostPorts 10000, 8080)",
        ),
        (
            json!({"containers": [container("a", json!({"livenessProbe": {"httpGet": {"host": "169.254.169.254", "path": "/", "port": 80}}}))]}),
            "probe or lifecycle host (container \"a\" uses probe or lifecycle host \"169.254.169.254\")",
        ),
        (
            json!({"containers": [container("a", json!({"securityContext": {"appArmorProfile": {"type": "Unconfined"}}}))]}),
            "forbidden AppArmor profile (container \"a\" must not set AppArmor profile type to \"Unconfined\")",
        ),
        (
            json!({"securityContext": {"seLinuxOptions": {"type": "spc_t"}},
                "containers": [container("a", json!({"securityContext": {"seLinuxOptions": {"user": "root"}}}))]}),
            "seLinuxOptions (pod and container \"a\" set forbidden securityContext.seLinuxOptions: type \"spc_t\"; user may not be set)",
        ),
        (
            json!({"containers": [container("a", json!({"securityContext": {"procMount": "Unmasked"}}))]}),
            "procMount (container \"a\" must not set securityContext.procMount to \"Unmasked\")",
        ),
        (
            json!({"securityContext": {"seccompProfile": {"type": "Unconfined"}}, "containers": [container("a", json!({}))]}),
            "seccompProfile (pod must not set securityContext.seccompProfile.type to \"Unconfined\")",
        ),
        (
            json!({"securityContext": {"sysctls": [{"name": "kernel.msgmax", "value": "1"}, {"name": "net.ipv4.tcp_rmem", "value": "1"}]},
                "containers": [container("a", json!({}))]}),
            "forbidden sysctls (kernel.msgmax)",
        ),
        (
            json!({"hostNetwork": true, "securityContext": {"windowsOptions": {"hostProcess": true}},
                "containers": [container("a", json!({"securityContext": {"windowsOptions": {"hostProcess": true}}}))]}),
            "host namespaces (hostNetwork=true), hostProcess (pod and container \"a\" must not set securityContext.windowsOptions.hostProcess=true)",
        ),
    ];
    for (i, (spec, expected)) in cases.into_iter().enumerate() {
        let name = format!("p{i}");
        assert_eq!(
            refused(&cluster, "base", &name, spec).await,
            format!(
                "pods \"{name}\" is forbidden: violates PodSecurity \"baseline:latest\": {expected}"
            )
        );
    }
    // What baseline allows: its default capabilities, safe sysctls, container SELinux
    // types, RuntimeDefault profiles.
    let allowed = json!({"securityContext": {"sysctls": [{"name": "net.ipv4.ip_unprivileged_port_start", "value": "0"}],
            "seLinuxOptions": {"type": "container_engine_t"}, "seccompProfile": {"type": "RuntimeDefault"}},
        "containers": [container("a", json!({"securityContext": {"capabilities": {"add": ["CHOWN", "NET_BIND_SERVICE"]},
            "appArmorProfile": {"type": "RuntimeDefault"}}}))]});
    let answer = pod(&cluster, "base", "fine", allowed.clone()).await;
    assert_eq!(answer.code, 201, "{}", answer.body);
    // A version from before container_engine_t was allowed.
    namespace(
        &cluster,
        "old",
        json!({"pod-security.kubernetes.io/enforce": "baseline",
        "pod-security.kubernetes.io/enforce-version": "v1.30"}),
    )
    .await;
    assert_eq!(
        refused(&cluster, "old", "fine", allowed).await,
        "pods \"fine\" is forbidden: violates PodSecurity \"baseline:v1.30\": seLinuxOptions (pod set forbidden securityContext.seLinuxOptions: type \"container_engine_t\")"
    );
}

#[tokio::test]
async fn every_restricted_control_refuses_with_kube_apiservers_words() {
    let cluster = Cluster::builder().seed(22).build().expect("cluster");
    namespace(
        &cluster,
        "tight",
        json!({"pod-security.kubernetes.io/enforce": "restricted"}),
    )
    .await;
    let answer = pod(
        &cluster,
        "tight",
        "ok",
        hardened(
            json!({}),
            json!({"capabilities": {"drop": ["ALL"], "add": ["NET_BIND_SERVICE"]}}),
            json!({}),
        ),
    )
    .await;
    assert_eq!(answer.code, 201, "{}", answer.body);
    let nfs = json!({"volumes": [{"name": "data", "nfs": {"server": "nfs", "path": "/"}},
        {"name": "root", "hostPath": {"path": "/"}}, {"name": "tmp", "emptyDir": {}}]});
    let cases = [
        (
            hardened(json!({}), json!({}), nfs),
            "restricted volume types (volumes \"data\", \"root\" use restricted volume types \"hostPath\", \"nfs\")",
        ),
        (
            hardened(json!({"runAsUser": 0}), json!({}), json!({})),
            "runAsUser=0 (pod must not set runAsUser=0)",
        ),
        (
            hardened(
                json!({}),
                json!({"capabilities": {"drop": ["ALL"], "add": ["CHOWN"]}}),
                json!({}),
            ),
            "unrestricted capabilities (container \"app\" must not include \"CHOWN\" in securityContext.capabilities.add)",
        ),
        (
            hardened(json!({}), json!({"runAsNonRoot": false}), json!({})),
            "runAsNonRoot != true (container \"app\" must not set securityContext.runAsNonRoot=false)",
        ),
        (
            hardened(
                json!({}),
                json!({"allowPrivilegeEscalation": true}),
                json!({}),
            ),
            "allowPrivilegeEscalation != false (container \"app\" must set securityContext.allowPrivilegeEscalation=false)",
        ),
        (
            hardened(
                json!({}),
                json!({"seccompProfile": {"type": "Unconfined"}}),
                json!({}),
            ),
            "seccompProfile (container \"app\" must not set securityContext.seccompProfile.type to \"Unconfined\")",
        ),
        (
            hardened(json!({}), json!({"privileged": true}), json!({})),
            "privileged (container \"app\" must not set securityContext.privileged=true)",
        ),
    ];
    for (i, (spec, expected)) in cases.into_iter().enumerate() {
        let name = format!("r{i}");
        assert_eq!(
            refused(&cluster, "tight", &name, spec).await,
            format!(
                "pods \"{name}\" is forbidden: violates PodSecurity \"restricted:latest\": {expected}"
            )
        );
    }
}

#[tokio::test]
async fn warn_and_audit_modes_speak_without_refusing() {
    let cluster = Cluster::builder().seed(23).build().expect("cluster");
    namespace(&cluster, "warned", json!({"pod-security.kubernetes.io/enforce": "baseline",
        "pod-security.kubernetes.io/warn": "restricted", "pod-security.kubernetes.io/warn-version": "v1.24"})).await;
    let plain = json!({"containers": [container("app", json!({}))]});
    let answer = pod(&cluster, "warned", "web", plain.clone()).await;
    assert_eq!(answer.code, 201);
    assert_eq!(
        answer.warnings,
        [
            "would violate PodSecurity \"restricted:v1.24\": allowPrivilegeEscalation != false (container \"app\" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container \"app\" must set securityContext.capabilities.drop=[\"ALL\"]), runAsNonRoot != true (pod or container \"app\" must set securityContext.runAsNonRoot=true), seccompProfile (pod or container \"app\" must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\")"
        ]
    );

    namespace(
        &cluster,
        "audited",
        json!({"pod-security.kubernetes.io/audit": "baseline"}),
    )
    .await;
    let privileged =
        json!({"containers": [container("app", json!({"securityContext": {"privileged": true}}))]});
    let answer = pod(&cluster, "audited", "root", privileged).await;
    assert_eq!((answer.code, answer.warnings.len()), (201, 0));
    let event = cluster
        .audit_events()
        .into_iter()
        .find(|e| e.namespace == "audited" && e.name == "root")
        .expect("audited");
    assert_eq!(
        (event.verb.as_str(), event.resource.as_str(), event.allowed),
        ("create", "pods", true)
    );
    assert_eq!(event.user, "kubernetes-admin");
    assert_eq!(
        event.annotations,
        [
            ("pod-security.kubernetes.io/audit-violations".to_string(),
             "would violate PodSecurity \"baseline:latest\": privileged (container \"app\" must not set securityContext.privileged=true)".to_string()),
            ("pod-security.kubernetes.io/enforce-policy".to_string(), "privileged:latest".to_string()),
        ]
        .into_iter()
        .collect()
    );
}

#[tokio::test]
async fn workload_templates_are_admitted_with_the_would_violate_warning() {
    let cluster = Cluster::builder().seed(24).build().expect("cluster");
    namespace(
        &cluster,
        "base",
        json!({"pod-security.kubernetes.io/enforce": "baseline"}),
    )
    .await;
    let template = json!({"metadata": {"labels": {"app": "w"}},
        "spec": {"restartPolicy": "Never", "containers": [container("app", json!({"securityContext": {"privileged": true}}))]}});
    let mut always = template.clone();
    always["spec"]["restartPolicy"] = json!("Always");
    let selector = json!({"matchLabels": {"app": "w"}});
    let workloads = [
        (
            "apps/v1",
            "deployments",
            "Deployment",
            json!({"selector": selector, "template": always}),
        ),
        (
            "apps/v1",
            "replicasets",
            "ReplicaSet",
            json!({"selector": selector, "template": always}),
        ),
        (
            "apps/v1",
            "statefulsets",
            "StatefulSet",
            json!({"selector": selector, "serviceName": "w", "template": always}),
        ),
        (
            "apps/v1",
            "daemonsets",
            "DaemonSet",
            json!({"selector": selector, "template": always}),
        ),
        ("batch/v1", "jobs", "Job", json!({"template": template})),
        (
            "batch/v1",
            "cronjobs",
            "CronJob",
            json!({"schedule": "*/5 * * * *", "jobTemplate": {"spec": {"template": template}}}),
        ),
    ];
    let expected = "would violate PodSecurity \"baseline:latest\": privileged (container \"app\" must not set securityContext.privileged=true)";
    for (api_version, plural, kind, spec) in workloads {
        let object = json!({"apiVersion": api_version, "kind": kind, "metadata": {"name": "w"}, "spec": spec});
        let path = format!("/apis/{api_version}/namespaces/base/{plural}");
        let answer = request(&cluster, "POST", &path, "application/json", object).await;
        assert_eq!(answer.code, 201, "{kind}: {}", answer.body);
        assert_eq!(answer.warnings, [expected], "{kind}");
    }
    // An update is warned about too.
    let answer = request(
        &cluster,
        "PATCH",
        "/apis/apps/v1/namespaces/base/deployments/w",
        "application/merge-patch+json",
        json!({"metadata": {"labels": {"x": "y"}}}),
    )
    .await;
    assert_eq!(answer.code, 200);
    assert_eq!(answer.warnings, [expected]);
}

#[tokio::test]
async fn namespace_labels_are_checked_and_raising_enforce_warns_about_existing_pods() {
    let cluster = Cluster::builder().seed(25).build().expect("cluster");
    let answer = namespace(
        &cluster,
        "bad",
        json!({"pod-security.kubernetes.io/enforce": "strict"}),
    )
    .await;
    assert_eq!(answer.code, 422);
    assert_eq!(
        answer.body["message"],
        "Namespace \"bad\" is invalid: metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: \"strict\": must be one of privileged, baseline, restricted"
    );
    namespace(&cluster, "loose", json!({})).await;
    let privileged =
        json!({"containers": [container("app", json!({"securityContext": {"privileged": true}}))]});
    for name in ["b", "a"] {
        assert_eq!(
            pod(&cluster, "loose", name, privileged.clone()).await.code,
            201
        );
    }
    let host = json!({"hostNetwork": true, "containers": [container("app", json!({}))]});
    assert_eq!(pod(&cluster, "loose", "c", host).await.code, 201);
    let answer = request(
        &cluster,
        "PATCH",
        "/api/v1/namespaces/loose",
        "application/merge-patch+json",
        json!({"metadata": {"labels": {"pod-security.kubernetes.io/enforce": "baseline"}}}),
    )
    .await;
    assert_eq!(answer.code, 200, "{}", answer.body);
    assert_eq!(
        answer.warnings,
        [
            "existing pods in namespace \"loose\" violate the new PodSecurity enforce level \"baseline:latest\"",
            "a (and 1 other pod): privileged",
            "c: host namespaces",
        ]
    );
    let answer = request(
        &cluster,
        "PATCH",
        "/api/v1/namespaces/loose",
        "application/merge-patch+json",
        json!({"metadata": {"labels": {"pod-security.kubernetes.io/audit-version": "1.30"}}}),
    )
    .await;
    assert_eq!(
        answer.body["message"],
        "Namespace \"loose\" is invalid: metadata.labels[pod-security.kubernetes.io/audit-version]: Invalid value: \"1.30\": must be \"latest\" or \"v1.x\""
    );
}

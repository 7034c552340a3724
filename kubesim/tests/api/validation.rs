//! The validation catalogue (`kubesim/docs/validation-catalogue.md`), case by case: each
//! mistake is sent as a real create (or update) and must get kube-apiserver's 422 with the
//! same message. Case ids match the catalogue.

use kubesim::Cluster;
use serde_json::{Value, json};

async fn send(cluster: &Cluster, method: &str, path: &str, body: &Value) -> (u16, Value) {
    let (status, value) = crate::support::send(
        cluster,
        method,
        path,
        "application/json",
        body.to_string().into_bytes(),
    )
    .await;
    (status.as_u16(), value)
}

fn pod(name: &str, spec: Value) -> Value {
    json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name}, "spec": spec})
}

fn container(extra: Value) -> Value {
    let mut c = json!({"name": "web", "image": "nginx"});
    for (k, v) in extra.as_object().into_iter().flatten() {
        c[k] = v.clone();
    }
    c
}

fn pod_with(extra: Value) -> Value {
    pod("web", json!({"containers": [container(extra)]}))
}

fn deployment(spec_patch: Value) -> Value {
    let mut d = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
        "spec": {"selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}},
        "spec": {"containers": [{"name": "web", "image": "nginx"}]}}}});
    kubesim::patch::merge(&mut d, &json!({"spec": spec_patch}));
    d
}

fn service(name: &str, spec: Value) -> Value {
    json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": name}, "spec": spec})
}

const PODS: &str = "/api/v1/namespaces/default/pods";
const DEPLOYMENTS: &str = "/apis/apps/v1/namespaces/default/deployments";
const SERVICES: &str = "/api/v1/namespaces/default/services";
const SUBDOMAIN: &str = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL: &str = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

fn creates() -> Vec<(&'static str, &'static str, Value, String)> {
    vec![
        ("N-01", PODS, pod("My_App", json!({"containers": [container(json!({}))]})), format!("Pod \"My_App\" is invalid: metadata.name: Invalid value: \"My_App\": {SUBDOMAIN}")),
        ("N-03", SERVICES, service("1web", json!({"ports": [{"port": 80}]})), "Service \"1web\" is invalid: metadata.name: Invalid value: \"1web\": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')".into()),
        ("N-04", SERVICES, service(&"s".repeat(64), json!({"ports": [{"port": 80}]})), format!("Service \"{0}\" is invalid: metadata.name: Invalid value: \"{0}\": must be no more than 63 characters", "s".repeat(64))),
        ("N-05", "/api/v1/namespaces", json!({"metadata": {"name": "Dev_Team"}}), format!("Namespace \"Dev_Team\" is invalid: metadata.name: Invalid value: \"Dev_Team\": {LABEL}")),
        ("N-06", "/api/v1/namespaces", json!({"metadata": {"name": "team.a"}}), "Namespace \"team.a\" is invalid: metadata.name: Invalid value: \"team.a\": must not contain dots".into()),
        ("N-07", "/apis/apps/v1/namespaces/default/statefulsets", json!({"metadata": {"name": "db.primary"}, "spec": {"selector": {"matchLabels": {"a": "b"}}, "template": {"metadata": {"labels": {"a": "b"}}, "spec": {"containers": [{"name": "db", "image": "mysql"}]}}}}), "StatefulSet.apps \"db.primary\" is invalid: metadata.name: Invalid value: \"db.primary\": must not contain dots".into()),
        ("N-08", PODS, json!({"metadata": {}, "spec": {"containers": [container(json!({}))]}}), "Pod \"\" is invalid: metadata.name: Required value: name or generateName is required".into()),
        ("N-09", PODS, json!({"metadata": {"name": "web", "labels": {"app": "my app"}}, "spec": {"containers": [container(json!({}))]}}), "Pod \"web\" is invalid: metadata.labels: Invalid value: \"my app\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')".into()),
        ("N-10", PODS, json!({"metadata": {"name": "web", "labels": {"app name": "x"}}, "spec": {"containers": [container(json!({}))]}}), "Pod \"web\" is invalid: metadata.labels: Invalid value: \"app name\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')".into()),
        ("P-01", PODS, pod("web", json!({"containers": []})), "Pod \"web\" is invalid: spec.containers: Required value".into()),
        ("P-02", PODS, pod("web", json!({"containers": [{"image": "nginx"}]})), "Pod \"web\" is invalid: spec.containers[0].name: Required value".into()),
        ("P-03", PODS, pod("web", json!({"containers": [{"name": "Web_App", "image": "nginx"}]})), format!("Pod \"web\" is invalid: spec.containers[0].name: Invalid value: \"Web_App\": {LABEL}")),
        ("P-04", PODS, pod("web", json!({"containers": [{"name": "app", "image": "nginx"}, {"name": "app", "image": "busybox"}]})), "Pod \"web\" is invalid: spec.containers[1].name: Duplicate value: \"app\"".into()),
        ("P-05", PODS, pod("web", json!({"containers": [{"name": "web"}]})), "Pod \"web\" is invalid: spec.containers[0].image: Required value".into()),
        ("P-06", PODS, pod_with(json!({"image": "nginx "})), "Pod \"web\" is invalid: spec.containers[0].image: Invalid value: \"nginx \": must not have leading or trailing whitespace".into()),
        ("P-07", PODS, pod("web", json!({"restartPolicy": "Sometimes", "containers": [container(json!({}))]})), "Pod \"web\" is invalid: spec.restartPolicy: Unsupported value: \"Sometimes\": supported values: \"Always\", \"OnFailure\", \"Never\"".into()),
        ("P-08", PODS, pod_with(json!({"imagePullPolicy": "always"})), "Pod \"web\" is invalid: spec.containers[0].imagePullPolicy: Unsupported value: \"always\": supported values: \"Always\", \"IfNotPresent\", \"Never\"".into()),
        ("P-09", PODS, pod_with(json!({"ports": [{"containerPort": 70000}]})), "Pod \"web\" is invalid: spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive".into()),
        ("P-10", PODS, pod_with(json!({"ports": [{"name": "http"}]})), "Pod \"web\" is invalid: spec.containers[0].ports[0].containerPort: Required value".into()),
        ("P-11", PODS, pod_with(json!({"ports": [{"name": "http", "containerPort": 80}, {"name": "http", "containerPort": 81}]})), "Pod \"web\" is invalid: spec.containers[0].ports[1].name: Duplicate value: \"http\"".into()),
        ("P-12", PODS, pod_with(json!({"ports": [{"name": "metrics-endpoint", "containerPort": 9090}]})), "Pod \"web\" is invalid: spec.containers[0].ports[0].name: Invalid value: \"metrics-endpoint\": must be no more than 15 characters".into()),
        ("P-13", PODS, pod_with(json!({"ports": [{"containerPort": 80, "protocol": "tcp"}]})), "Pod \"web\" is invalid: spec.containers[0].ports[0].protocol: Unsupported value: \"tcp\": supported values: \"SCTP\", \"TCP\", \"UDP\"".into()),
        ("P-14", PODS, pod_with(json!({"env": [{"name": "DB=HOST", "value": "x"}]})), "Pod \"web\" is invalid: spec.containers[0].env[0].name: Invalid value: \"DB=HOST\": a valid environment variable name must consist only of printable ASCII characters other than '='".into()),
        ("P-15", PODS, pod_with(json!({"env": [{"name": "", "value": "x"}]})), "Pod \"web\" is invalid: spec.containers[0].env[0].name: Required value".into()),
        ("P-16", PODS, pod_with(json!({"volumeMounts": [{"name": "data", "mountPath": "/data"}]})), "Pod \"web\" is invalid: spec.containers[0].volumeMounts[0].name: Not found: \"data\"".into()),
        ("P-17", PODS, pod_with(json!({"livenessProbe": {"httpGet": {"path": "/", "port": 80}, "tcpSocket": {"port": 80}}})), "Pod \"web\" is invalid: spec.containers[0].livenessProbe.tcpSocket: Forbidden: may not specify more than 1 handler type".into()),
        ("P-18", PODS, pod_with(json!({"livenessProbe": {"periodSeconds": 5}})), "Pod \"web\" is invalid: spec.containers[0].livenessProbe: Required value: must specify a handler type".into()),
        ("P-19", PODS, pod_with(json!({"readinessProbe": {"httpGet": {"path": "/", "port": 80}, "periodSeconds": -5}})), "Pod \"web\" is invalid: spec.containers[0].readinessProbe.periodSeconds: Invalid value: -5: must be greater than or equal to 0".into()),
        ("P-20", PODS, pod_with(json!({"livenessProbe": {"httpGet": {"path": "/", "port": 80}, "initialDelaySeconds": -10}})), "Pod \"web\" is invalid: spec.containers[0].livenessProbe.initialDelaySeconds: Invalid value: -10: must be greater than or equal to 0".into()),
        ("P-21", PODS, pod_with(json!({"livenessProbe": {"httpGet": {"path": "/", "port": 80}, "successThreshold": 3}})), "Pod \"web\" is invalid: spec.containers[0].livenessProbe.successThreshold: Invalid value: 3: must be 1".into()),
        ("W-01", DEPLOYMENTS, { let mut d = deployment(json!({})); d["spec"].as_object_mut().expect("spec").remove("selector"); d }, "Deployment.apps \"web\" is invalid: [spec.selector: Required value, spec.template.metadata.labels: Invalid value: {\"app\":\"web\"}: `selector` does not match template `labels`]".into()),
        ("W-02", DEPLOYMENTS, deployment(json!({"template": {"metadata": {"labels": {"app": "webapp"}}}})), "Deployment.apps \"web\" is invalid: spec.template.metadata.labels: Invalid value: {\"app\":\"webapp\"}: `selector` does not match template `labels`".into()),
        ("W-03", DEPLOYMENTS, deployment(json!({"template": {"metadata": {"labels": null}}})), "Deployment.apps \"web\" is invalid: spec.template.metadata.labels: Invalid value: null: `selector` does not match template `labels`".into()),
        ("W-04", DEPLOYMENTS, deployment(json!({"selector": {"matchLabels": null}})), "Deployment.apps \"web\" is invalid: spec.selector: Invalid value: {}: empty selector is invalid for deployment".into()),
        ("W-05", DEPLOYMENTS, deployment(json!({"replicas": -1})), "Deployment.apps \"web\" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0".into()),
        ("W-06", DEPLOYMENTS, deployment(json!({"template": {"spec": {"restartPolicy": "Never"}}})), "Deployment.apps \"web\" is invalid: spec.template.spec.restartPolicy: Unsupported value: \"Never\": supported values: \"Always\"".into()),
        ("W-08", DEPLOYMENTS, deployment(json!({"strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 0, "maxUnavailable": 0}}})), "Deployment.apps \"web\" is invalid: spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0".into()),
        ("S-01", SERVICES, service("web", json!({"selector": {"app": "web"}})), "Service \"web\" is invalid: spec.ports: Required value".into()),
        ("S-02", SERVICES, service("web", json!({"ports": [{"targetPort": 8000}]})), "Service \"web\" is invalid: spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive".into()),
        ("S-03", SERVICES, service("web", json!({"ports": [{"port": 80, "targetPort": 70000}]})), "Service \"web\" is invalid: spec.ports[0].targetPort: Invalid value: 70000: must be between 1 and 65535, inclusive".into()),
        ("S-04", SERVICES, service("web", json!({"type": "Nodeport", "ports": [{"port": 80}]})), "Service \"web\" is invalid: spec.type: Unsupported value: \"Nodeport\": supported values: \"ClusterIP\", \"ExternalName\", \"LoadBalancer\", \"NodePort\"".into()),
        ("S-05", SERVICES, service("web", json!({"type": "NodePort", "ports": [{"port": 80, "nodePort": 80}]})), "Service \"web\" is invalid: spec.ports[0].nodePort: Invalid value: 80: provided port is not in the valid range. The range of valid ports is 30000-32767".into()),
        ("S-07", SERVICES, service("web", json!({"ports": [{"port": 80, "nodePort": 30080}]})), "Service \"web\" is invalid: spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'".into()),
        ("S-08", SERVICES, service("web", json!({"ports": [{"name": "http", "port": 80}, {"name": "http", "port": 81}]})), "Service \"web\" is invalid: spec.ports[1].name: Duplicate value: \"http\"".into()),
        ("S-09", SERVICES, service("web", json!({"ports": [{"port": 80}, {"port": 443}]})), "Service \"web\" is invalid: [spec.ports[0].name: Required value, spec.ports[1].name: Required value]".into()),
        ("S-12", SERVICES, service("web", json!({"ports": [{"port": 80, "protocol": "tcp"}]})), "Service \"web\" is invalid: spec.ports[0].protocol: Unsupported value: \"tcp\": supported values: \"SCTP\", \"TCP\", \"UDP\"".into()),
        ("C-01", "/api/v1/namespaces/default/configmaps", json!({"metadata": {"name": "cfg"}, "data": {"app/config.yaml": "x"}}), "ConfigMap \"cfg\" is invalid: data[app/config.yaml]: Invalid value: \"app/config.yaml\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')".into()),
        ("C-07", "/api/v1/namespaces/default/secrets", json!({"metadata": {"name": "tls"}, "type": "kubernetes.io/tls", "data": {}}), "Secret \"tls\" is invalid: [data[tls.crt]: Required value, data[tls.key]: Required value]".into()),
    ]
}

#[tokio::test]
async fn every_catalogued_create_mistake_gets_kube_apiservers_answer() {
    let cluster = Cluster::builder().build().expect("cluster");
    let mut failures = Vec::new();
    let cases = creates();
    for (id, path, body, expected) in &cases {
        let (code, status) = send(&cluster, "POST", path, body).await;
        let message = status["message"].as_str().unwrap_or_default();
        if code != 422 || status["reason"] != "Invalid" || message != expected {
            failures.push(format!(
                "{id}: got {code} {message}\n      want 422 {expected}"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases differ:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
    // Nothing invalid was stored.
    let (_, pods) = send(&cluster, "GET", PODS, &Value::Null).await;
    assert_eq!(pods["items"].as_array().map(Vec::len), Some(0));
}

#[tokio::test]
async fn catalogued_update_mistakes() {
    let cluster = Cluster::builder().build().expect("cluster");
    let mut failures = Vec::new();
    // W-07: the selector is immutable.
    send(&cluster, "POST", DEPLOYMENTS, &deployment(json!({}))).await;
    let changed = deployment(
        json!({"selector": {"matchLabels": {"app": "web2"}}, "template": {"metadata": {"labels": {"app": "web2"}}}}),
    );
    let (code, s) = send(&cluster, "PUT", &format!("{DEPLOYMENTS}/web"), &changed).await;
    let want = "Deployment.apps \"web\" is invalid: spec.selector: Invalid value: {\"matchLabels\":{\"app\":\"web2\"}}: field is immutable";
    if code != 422 || s["message"] != want {
        failures.push(format!("W-07: {code} {}", s["message"]));
    }
    // S-11: the cluster IP may not change.
    send(
        &cluster,
        "POST",
        SERVICES,
        &service(
            "web",
            json!({"clusterIP": "10.96.0.20", "ports": [{"port": 80}]}),
        ),
    )
    .await;
    let (code, s) = send(
        &cluster,
        "PUT",
        &format!("{SERVICES}/web"),
        &service(
            "web",
            json!({"clusterIP": "10.96.0.50", "ports": [{"port": 80}]}),
        ),
    )
    .await;
    if code != 422
        || s["message"]
            != "Service \"web\" is invalid: spec.clusterIPs[0]: Invalid value: [\"10.96.0.50\"]: may not change once set"
    {
        failures.push(format!("S-11: {code} {}", s["message"]));
    }
    // C-04 and C-08: immutable ConfigMap data, Secret type.
    let cms = "/api/v1/namespaces/default/configmaps";
    send(
        &cluster,
        "POST",
        cms,
        &json!({"metadata": {"name": "cfg"}, "immutable": true, "data": {"a": "1"}}),
    )
    .await;
    let (code, s) = send(
        &cluster,
        "PUT",
        &format!("{cms}/cfg"),
        &json!({"metadata": {"name": "cfg"}, "immutable": true, "data": {"a": "2"}}),
    )
    .await;
    if code != 422
        || s["message"]
            != "ConfigMap \"cfg\" is invalid: data: Forbidden: field is immutable when `immutable` is set"
    {
        failures.push(format!("C-04: {code} {}", s["message"]));
    }
    let secrets = "/api/v1/namespaces/default/secrets";
    send(
        &cluster,
        "POST",
        secrets,
        &json!({"metadata": {"name": "s"}, "data": {"a": "MQ=="}}),
    )
    .await;
    let (code, s) = send(&cluster, "PUT", &format!("{secrets}/s"), &json!({"metadata": {"name": "s"}, "type": "kubernetes.io/tls", "data": {"tls.crt": "MQ==", "tls.key": "MQ=="}})).await;
    if code != 422
        || s["message"]
            != "Secret \"s\" is invalid: type: Invalid value: \"kubernetes.io/tls\": field is immutable"
    {
        failures.push(format!("C-08: {code} {}", s["message"]));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

//! Defaulting, as kube-apiserver applies it to every write: the fields `kubectl get -o
//! yaml` shows although nobody wrote them. Only fields that are absent are filled.

use serde_json::{Value, json};

fn set(object: &mut Value, field: &str, value: Value) {
    if object.is_object() && object.get(field).is_none_or(Value::is_null) {
        object[field] = value;
    }
}

/// Fills the defaults of an object of `kind`.
pub fn apply(kind: &str, object: &mut Value) {
    match kind {
        "Pod" => pod_spec(&mut object["spec"], true),
        "Deployment" => {
            let spec = &mut object["spec"];
            set(spec, "replicas", json!(1));
            set(spec, "revisionHistoryLimit", json!(10));
            set(spec, "progressDeadlineSeconds", json!(600));
            set(spec, "strategy", json!({"type": "RollingUpdate"}));
            if spec["strategy"]["type"] == "RollingUpdate" {
                set(&mut spec["strategy"], "rollingUpdate", json!({}));
                set(
                    &mut spec["strategy"]["rollingUpdate"],
                    "maxSurge",
                    json!("25%"),
                );
                set(
                    &mut spec["strategy"]["rollingUpdate"],
                    "maxUnavailable",
                    json!("25%"),
                );
            }
            pod_spec(&mut spec["template"]["spec"], false);
        }
        "ReplicaSet" => {
            set(&mut object["spec"], "replicas", json!(1));
            pod_spec(&mut object["spec"]["template"]["spec"], false);
        }
        "StatefulSet" => {
            let spec = &mut object["spec"];
            set(spec, "replicas", json!(1));
            set(spec, "podManagementPolicy", json!("OrderedReady"));
            set(spec, "revisionHistoryLimit", json!(10));
            set(
                spec,
                "updateStrategy",
                json!({"type": "RollingUpdate", "rollingUpdate": {"partition": 0}}),
            );
            set(
                spec,
                "persistentVolumeClaimRetentionPolicy",
                json!({"whenDeleted": "Retain", "whenScaled": "Retain"}),
            );
            for claim in spec["volumeClaimTemplates"]
                .as_array_mut()
                .into_iter()
                .flatten()
            {
                set(&mut claim["spec"], "volumeMode", json!("Filesystem"));
            }
            pod_spec(&mut spec["template"]["spec"], false);
        }
        "DaemonSet" => {
            set(&mut object["spec"], "revisionHistoryLimit", json!(10));
            set(
                &mut object["spec"],
                "updateStrategy",
                json!({"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 0, "maxUnavailable": 1}}),
            );
            pod_spec(&mut object["spec"]["template"]["spec"], false);
        }
        "Job" => {
            let spec = &mut object["spec"];
            set(spec, "backoffLimit", json!(6));
            set(spec, "completions", json!(1));
            set(spec, "parallelism", json!(1));
            set(spec, "completionMode", json!("NonIndexed"));
            set(spec, "suspend", json!(false));
            pod_spec(&mut spec["template"]["spec"], false);
        }
        "Service" => service(&mut object["spec"]),
        "Secret" => {
            set(object, "type", json!("Opaque"));
            merge_string_data(object);
        }
        "PersistentVolumeClaim" => set(&mut object["spec"], "volumeMode", json!("Filesystem")),
        "HorizontalPodAutoscaler" => hpa(object),
        // The role's API group, and a User's or Group's, is RBAC's own; a
        // ServiceAccount's the core group.
        "RoleBinding" | "ClusterRoleBinding" => {
            let role = &mut object["roleRef"];
            if role.is_object() && role["apiGroup"].as_str().is_none_or(str::is_empty) {
                role["apiGroup"] = json!("rbac.authorization.k8s.io");
            }
            let subjects = object.get_mut("subjects").and_then(Value::as_array_mut);
            for subject in subjects.into_iter().flatten() {
                let unset = subject["apiGroup"].as_str().is_none_or(str::is_empty);
                if unset && matches!(subject["kind"].as_str(), Some("User" | "Group")) {
                    subject["apiGroup"] = json!("rbac.authorization.k8s.io");
                }
            }
        }
        _ => {}
    }
}

/// autoscaling's defaults: one replica at least; for v2, CPU at 80% when no metric is
/// given, and each direction of a `behavior` filled from the controller's built-in
/// rules (scale up by 4 pods or 100% every 15 s, down by 100% every 15 s).
fn hpa(object: &mut Value) {
    set(&mut object["spec"], "minReplicas", json!(1));
    if object["apiVersion"] != "autoscaling/v2" {
        return;
    }
    let spec = &mut object["spec"];
    if spec["metrics"].as_array().is_none_or(Vec::is_empty) {
        spec["metrics"] = json!([{"type": "Resource", "resource": {"name": "cpu",
            "target": {"type": "Utilization", "averageUtilization": 80}}}]);
    }
    if !spec["behavior"].is_object() {
        return;
    }
    for direction in ["scaleUp", "scaleDown"] {
        let mut rules = hpa_built_in_rules(direction);
        if let Some(given) = spec["behavior"][direction].as_object() {
            for (field, value) in given.iter().filter(|(_, v)| !v.is_null()) {
                rules[field] = value.clone();
            }
        }
        spec["behavior"][direction] = rules;
    }
}

/// The HPA controller's built-in scaling rules for `scaleUp` or `scaleDown`
/// (autoscaling/v2's `GenerateHPAScaleUpRules`/`…DownRules`): what a `behavior` leaves
/// out is filled from them, and the controller follows them for an object without them.
pub fn hpa_built_in_rules(direction: &str) -> Value {
    if direction == "scaleUp" {
        json!({"stabilizationWindowSeconds": 0, "selectPolicy": "Max", "policies": [
            {"type": "Pods", "value": 4, "periodSeconds": 15},
            {"type": "Percent", "value": 100, "periodSeconds": 15}]})
    } else {
        json!({"selectPolicy": "Max", "policies": [
            {"type": "Percent", "value": 100, "periodSeconds": 15}]})
    }
}

fn pod_spec(spec: &mut Value, is_pod: bool) {
    if !spec.is_object() {
        return;
    }
    set(spec, "restartPolicy", json!("Always"));
    set(spec, "dnsPolicy", json!("ClusterFirst"));
    set(spec, "schedulerName", json!("default-scheduler"));
    set(spec, "terminationGracePeriodSeconds", json!(30));
    set(spec, "securityContext", json!({}));
    if is_pod {
        set(spec, "enableServiceLinks", json!(true));
        set(spec, "priority", json!(0));
        set(spec, "preemptionPolicy", json!("PreemptLowerPriority"));
    }
    for v in spec
        .get_mut("volumes")
        .and_then(Value::as_array_mut)
        .into_iter()
        .flatten()
    {
        volume(v);
    }
    for field in ["initContainers", "containers"] {
        // `get_mut`, not `[]`: indexing a missing key would write a `null` there.
        for c in spec
            .get_mut(field)
            .and_then(Value::as_array_mut)
            .into_iter()
            .flatten()
        {
            container(c);
        }
    }
}

/// A volume as `SetDefaults_Volume` and its sources' defaults leave it: no source means
/// an emptyDir; files projected from ConfigMaps, Secrets and the downward API are 0644
/// (420) unless the volume says otherwise; a hostPath's type is empty.
fn volume(v: &mut Value) {
    let Some(map) = v.as_object_mut() else {
        return;
    };
    if map.len() == 1 && map.contains_key("name") {
        map.insert("emptyDir".into(), json!({}));
    }
    for source in ["configMap", "secret", "downwardAPI", "projected"] {
        if let Some(s) = map.get_mut(source).filter(|s| s.is_object()) {
            set(s, "defaultMode", json!(420));
        }
    }
    if let Some(s) = map.get_mut("hostPath").filter(|s| s.is_object()) {
        set(s, "type", json!(""));
    }
}

fn container(c: &mut Value) {
    let image = c["image"].as_str().unwrap_or_default().to_string();
    let tag = image
        .rsplit('/')
        .next()
        .and_then(|last| last.split_once(':'))
        .map(|(_, t)| t);
    let pull = if image.contains('@') || tag.is_some_and(|t| t != "latest") {
        "IfNotPresent"
    } else {
        "Always"
    };
    set(c, "imagePullPolicy", json!(pull));
    set(c, "terminationMessagePath", json!("/dev/termination-log"));
    set(c, "terminationMessagePolicy", json!("File"));
    set(c, "resources", json!({}));
    for p in c
        .get_mut("ports")
        .and_then(Value::as_array_mut)
        .into_iter()
        .flatten()
    {
        set(p, "protocol", json!("TCP"));
    }
    for probe in ["livenessProbe", "readinessProbe", "startupProbe"] {
        let Some(p) = c.get_mut(probe) else {
            continue;
        };
        if p.is_object() {
            set(p, "timeoutSeconds", json!(1));
            set(p, "periodSeconds", json!(10));
            set(p, "successThreshold", json!(1));
            set(p, "failureThreshold", json!(3));
            if p["httpGet"].is_object() {
                set(&mut p["httpGet"], "scheme", json!("HTTP"));
            }
        }
    }
}

fn service(spec: &mut Value) {
    if !spec.is_object() {
        return;
    }
    set(spec, "type", json!("ClusterIP"));
    set(spec, "sessionAffinity", json!("None"));
    let kind = spec["type"].as_str().unwrap_or("ClusterIP").to_string();
    if kind != "ExternalName" {
        set(spec, "ipFamilies", json!(["IPv4"]));
        set(spec, "ipFamilyPolicy", json!("SingleStack"));
        set(spec, "internalTrafficPolicy", json!("Cluster"));
    }
    if kind == "NodePort" || kind == "LoadBalancer" {
        set(spec, "externalTrafficPolicy", json!("Cluster"));
    }
    for p in spec
        .get_mut("ports")
        .and_then(Value::as_array_mut)
        .into_iter()
        .flatten()
    {
        set(p, "protocol", json!("TCP"));
        let port = p["port"].clone();
        set(p, "targetPort", port);
    }
}

/// `stringData` is write-only: it is merged into `data`, base64-encoded.
fn merge_string_data(secret: &mut Value) {
    use base64::Engine;
    let Some(strings) = secret.get("stringData").and_then(Value::as_object).cloned() else {
        return;
    };
    for (k, v) in strings {
        let encoded =
            base64::engine::general_purpose::STANDARD.encode(v.as_str().unwrap_or_default());
        if !secret["data"].is_object() {
            secret["data"] = json!({});
        }
        secret["data"][k] = json!(encoded);
    }
    if let Value::Object(map) = secret {
        map.remove("stringData");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_minimal_deployment_gets_what_kubectl_shows() {
        let mut d = json!({"spec": {"template": {"spec": {"containers": [
            {"name": "app", "image": "kubeclass/demo-app:1.0", "ports": [{"containerPort": 8000}], "readinessProbe": {"httpGet": {"path": "/healthz", "port": 8000}}},
            {"name": "side", "image": "busybox"}
        ]}}}});
        apply("Deployment", &mut d);
        assert_eq!(d["spec"]["replicas"], 1);
        assert_eq!(
            d["spec"]["strategy"],
            json!({"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}})
        );
        let c = &d["spec"]["template"]["spec"]["containers"];
        assert_eq!(
            (
                c[0]["imagePullPolicy"].as_str(),
                c[1]["imagePullPolicy"].as_str()
            ),
            (Some("IfNotPresent"), Some("Always"))
        );
        assert_eq!(c[0]["ports"][0]["protocol"], "TCP");
        assert_eq!(c[0]["readinessProbe"]["periodSeconds"], 10);
        assert_eq!(c[0]["readinessProbe"]["httpGet"]["scheme"], "HTTP");
        assert_eq!(d["spec"]["template"]["spec"]["restartPolicy"], "Always");
    }

    #[test]
    fn services_and_secrets() {
        let mut s = json!({"spec": {"ports": [{"port": 80}]}});
        apply("Service", &mut s);
        assert_eq!(s["spec"]["type"], "ClusterIP");
        assert_eq!(
            s["spec"]["ports"][0],
            json!({"port": 80, "protocol": "TCP", "targetPort": 80})
        );
        let mut secret = json!({"stringData": {"USER": "ada"}});
        apply("Secret", &mut secret);
        assert_eq!(secret, json!({"type": "Opaque", "data": {"USER": "YWRh"}}));
    }
}

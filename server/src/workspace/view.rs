//! How an object is shown to the attendee: kind, name, owners (for the owner tree), status
//! and the spec fields the panels show — never a Secret's data.

use kube::discovery::ApiResource;
use serde_json::{Value, json};

/// The kinds the objects panel shows, in its order.
pub fn kinds() -> Vec<ApiResource> {
    let r = |group: &str, version: &str, kind: &str, plural: &str| ApiResource {
        group: group.into(),
        version: version.into(),
        api_version: if group.is_empty() {
            version.into()
        } else {
            format!("{group}/{version}")
        },
        kind: kind.into(),
        plural: plural.into(),
    };
    vec![
        r("apps", "v1", "Deployment", "deployments"),
        r("apps", "v1", "StatefulSet", "statefulsets"),
        r("apps", "v1", "ReplicaSet", "replicasets"),
        r("", "v1", "Pod", "pods"),
        r("", "v1", "Service", "services"),
        r("networking.k8s.io", "v1", "Ingress", "ingresses"),
        r(
            "autoscaling",
            "v2",
            "HorizontalPodAutoscaler",
            "horizontalpodautoscalers",
        ),
        r("batch", "v1", "Job", "jobs"),
        r("", "v1", "ConfigMap", "configmaps"),
        r("", "v1", "Secret", "secrets"),
        r("", "v1", "PersistentVolumeClaim", "persistentvolumeclaims"),
        r("", "v1", "ServiceAccount", "serviceaccounts"),
        r("rbac.authorization.k8s.io", "v1", "Role", "roles"),
        r(
            "rbac.authorization.k8s.io",
            "v1",
            "RoleBinding",
            "rolebindings",
        ),
    ]
}

/// Whether the workshop, not the attendee, made this object (the default account).
pub fn is_workshop_own(kind: &str, object: &Value) -> bool {
    kind == "ServiceAccount" && object["metadata"]["name"] == "default"
}

/// The object as the panels show it, in its short namespace.
pub fn summary(kind: &str, namespace: &str, object: &Value) -> Value {
    let meta = &object["metadata"];
    let owners: Vec<Value> = meta["ownerReferences"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|o| json!({"kind": o["kind"], "name": o["name"]}))
        .collect();
    json!({
        "namespace": namespace, "kind": kind, "name": meta["name"], "uid": meta["uid"],
        "created": meta["creationTimestamp"], "owners": owners,
        "status": object.get("status").cloned().unwrap_or(Value::Null),
        "spec": spec_summary(kind, object),
    })
}

fn spec_summary(kind: &str, object: &Value) -> Value {
    let spec = &object["spec"];
    match kind {
        "Deployment" | "StatefulSet" | "ReplicaSet" => json!({"replicas": spec["replicas"]}),
        "Service" => {
            json!({"type": spec["type"], "clusterIP": spec["clusterIP"], "ports": spec["ports"]})
        }
        "Pod" => {
            json!({"nodeName": spec["nodeName"], "containers": spec["containers"].as_array().map(|c| {
                c.iter().map(|c| json!({"name": c["name"], "image": c["image"]})).collect::<Vec<_>>()
            })})
        }
        "HorizontalPodAutoscaler" => {
            json!({"minReplicas": spec["minReplicas"], "maxReplicas": spec["maxReplicas"], "scaleTargetRef": spec["scaleTargetRef"]})
        }
        "Ingress" => json!({"rules": spec["rules"]}),
        "ConfigMap" => {
            json!({"keys": object["data"].as_object().map(|d| d.keys().cloned().collect::<Vec<_>>())})
        }
        "Secret" => {
            json!({"type": object["type"], "keys": object["data"].as_object().map(|d| d.keys().cloned().collect::<Vec<_>>())})
        }
        _ => Value::Null,
    }
}

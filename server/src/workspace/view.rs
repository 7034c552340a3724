//! How an object is shown to the attendee: kind, name, owners (for the owner tree), the
//! columns the API server prints for it, status and the spec fields the panels show —
//! never a Secret's data.

use crate::watch::shared::Item;
use app::model::live::{EventObject, EventView, ObjectView, OwnerRef};
use serde_json::{Value, json};

/// Whether the workshop or the cluster, not the attendee, made this object (the default
/// account, the CA bundle, the isolation policy's objects).
pub fn is_workshop_own(kind: &str, object: &Value) -> bool {
    let name = object["metadata"]["name"].as_str().unwrap_or_default();
    (kind == "ServiceAccount" && name == "default")
        // The cluster's CA bundle, which kube-controller-manager puts in every namespace.
        || (kind == "ConfigMap" && name == "kube-root-ca.crt")
        || super::policy::RESERVED.contains(&(kind, name))
}

/// The object as the panels show it, in its short namespace.
pub fn summary(kind: &str, namespace: &str, item: &Item) -> ObjectView {
    let object = &item.object;
    let meta = &object["metadata"];
    let text = |v: &Value| v.as_str().unwrap_or_default().to_string();
    ObjectView {
        namespace: namespace.to_string(),
        kind: kind.to_string(),
        name: text(&meta["name"]),
        uid: text(&meta["uid"]),
        created: meta["creationTimestamp"].as_str().map(str::to_string),
        deleting: meta.get("deletionTimestamp").is_some_and(|t| !t.is_null()),
        owners: meta["ownerReferences"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|o| OwnerRef {
                kind: text(&o["kind"]),
                name: text(&o["name"]),
            })
            .collect(),
        labels: serde_json::from_value(meta["labels"].clone()).unwrap_or_default(),
        columns: item.columns.clone(),
        status: object.get("status").cloned().unwrap_or(Value::Null),
        spec: spec_summary(kind, object),
    }
}

/// An Event as the events timeline shows it, in its short namespace.
pub fn event(namespace: &str, event: &Value) -> EventView {
    let text = |v: &Value| v.as_str().map(str::to_string);
    EventView {
        namespace: namespace.to_string(),
        reason: text(&event["reason"]),
        message: text(&event["message"]),
        kind: text(&event["type"]),
        count: event["count"].as_u64(),
        last_timestamp: text(&event["lastTimestamp"]).or_else(|| text(&event["eventTime"])),
        object: EventObject {
            kind: text(&event["involvedObject"]["kind"]),
            name: text(&event["involvedObject"]["name"]),
        },
    }
}

fn spec_summary(kind: &str, object: &Value) -> Value {
    let spec = &object["spec"];
    match kind {
        "Deployment" | "StatefulSet" | "ReplicaSet" => json!({"replicas": spec["replicas"]}),
        "PersistentVolumeClaim" => {
            json!({"storageClassName": spec["storageClassName"], "accessModes": spec["accessModes"]})
        }
        "Service" => {
            json!({"type": spec["type"], "clusterIP": spec["clusterIP"], "ports": spec["ports"], "selector": spec["selector"]})
        }
        "Pod" => {
            let claims: Vec<&Value> = spec["volumes"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|v| v["persistentVolumeClaim"].get("claimName"))
                .collect();
            json!({"nodeName": spec["nodeName"], "claims": claims, "containers": spec["containers"].as_array().map(|c| {
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

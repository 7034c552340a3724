//! The objects panel's owner tree: Deployment → ReplicaSet → Pods, StatefulSet → Pods →
//! claims, Service → endpoints (the ready pods its selector picks), everything else at the
//! top, each namespace on its own.

use crate::model::kinds;
use crate::model::live::ObjectView;
use std::collections::BTreeSet;

/// One line of the tree.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub depth: usize,
    pub kind: String,
    pub name: String,
    /// The object, for its columns and details; `None` for an endpoint line.
    pub object: Option<ObjectView>,
}

/// Where a kind appears at the top of a namespace: the panel's order from the kind
/// registry (workloads first, then how they are reached, then what they use).
fn top_rank(kind: &str) -> u8 {
    kinds::by_kind(kind)
        .and_then(|k| k.panel)
        .unwrap_or(u8::MAX)
}

/// The tree of one namespace's objects, in display order.
pub fn rows(objects: &[ObjectView]) -> Vec<Row> {
    let present = |kind: &str, name: &str| objects.iter().any(|o| o.kind == kind && o.name == name);
    // Claims a pod mounts appear under that pod, not at the top.
    let mounted: BTreeSet<&str> = objects
        .iter()
        .filter(|o| o.kind == "Pod")
        .flat_map(|p| p.spec["claims"].as_array().into_iter().flatten())
        .filter_map(|c| c.as_str())
        .collect();
    let mut tops: Vec<&ObjectView> = objects
        .iter()
        .filter(|o| !o.owners.iter().any(|r| present(&r.kind, &r.name)))
        .filter(|o| !(o.kind == "PersistentVolumeClaim" && mounted.contains(o.name.as_str())))
        .collect();
    tops.sort_by(|a, b| (top_rank(&a.kind), &a.name).cmp(&(top_rank(&b.kind), &b.name)));
    let mut out = Vec::new();
    for top in tops {
        push(objects, top, 0, &mut out);
    }
    out
}

fn push(objects: &[ObjectView], object: &ObjectView, depth: usize, out: &mut Vec<Row>) {
    out.push(Row {
        depth,
        kind: object.kind.clone(),
        name: object.name.clone(),
        object: Some(object.clone()),
    });
    if depth > 4 {
        return;
    }
    let mut children: Vec<&ObjectView> = objects
        .iter()
        .filter(|o| {
            o.owners
                .iter()
                .any(|r| r.kind == object.kind && r.name == object.name)
        })
        .collect();
    children.sort_by(|a, b| a.name.cmp(&b.name));
    for child in children {
        push(objects, child, depth + 1, out);
    }
    match object.kind.as_str() {
        "Pod" => {
            for claim in object.spec["claims"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|c| c.as_str())
            {
                if let Some(pvc) = objects
                    .iter()
                    .find(|o| o.kind == "PersistentVolumeClaim" && o.name == claim)
                {
                    push(objects, pvc, depth + 1, out);
                }
            }
        }
        "Service" => {
            for endpoint in endpoints(objects, object) {
                out.push(Row {
                    depth: depth + 1,
                    kind: "Endpoint".into(),
                    name: endpoint,
                    object: None,
                });
            }
        }
        _ => {}
    }
}

/// `IP:port (pod NAME)` for each ready pod the Service's selector picks, as its
/// Endpoints would list them.
fn endpoints(objects: &[ObjectView], service: &ObjectView) -> Vec<String> {
    let Some(selector) = service.spec["selector"]
        .as_object()
        .filter(|s| !s.is_empty())
    else {
        return Vec::new();
    };
    let port = service.spec["ports"][0]["targetPort"]
        .as_i64()
        .or_else(|| service.spec["ports"][0]["port"].as_i64())
        .map(|p| p.to_string())
        .or_else(|| {
            service.spec["ports"][0]["targetPort"]
                .as_str()
                .map(str::to_string)
        })
        .unwrap_or_default();
    let mut found: Vec<String> = objects
        .iter()
        .filter(|o| o.kind == "Pod" && !o.deleting)
        .filter(|p| {
            selector
                .iter()
                .all(|(k, v)| v.as_str() == p.labels.get(k).map(String::as_str))
        })
        .filter(|p| {
            p.status["conditions"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|c| c["type"] == "Ready" && c["status"] == "True")
        })
        .filter_map(|p| {
            Some(format!(
                "{}:{port} (pod {})",
                p.status["podIP"].as_str()?,
                p.name
            ))
        })
        .collect();
    found.sort();
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::live::OwnerRef;
    use serde_json::{Value, json};

    fn object(
        kind: &str,
        name: &str,
        owner: Option<(&str, &str)>,
        spec: Value,
        status: Value,
    ) -> ObjectView {
        ObjectView {
            namespace: "server".into(),
            kind: kind.into(),
            name: name.into(),
            uid: format!("{kind}/{name}"),
            created: None,
            deleting: false,
            owners: owner
                .map(|(k, n)| {
                    vec![OwnerRef {
                        kind: k.into(),
                        name: n.into(),
                    }]
                })
                .unwrap_or_default(),
            labels: [("app".to_string(), "web".to_string())].into(),
            columns: Vec::new(),
            status,
            spec,
        }
    }

    #[test]
    fn pods_hang_under_their_replica_set_and_deployment_and_services_list_ready_endpoints() {
        let ready =
            json!({"podIP": "10.244.1.5", "conditions": [{"type": "Ready", "status": "True"}]});
        let objects = vec![
            object(
                "Service",
                "web",
                None,
                json!({"selector": {"app": "web"}, "ports": [{"port": 80, "targetPort": 8000}]}),
                json!({}),
            ),
            object(
                "Pod",
                "web-1-b",
                Some(("ReplicaSet", "web-1")),
                json!({}),
                json!({"podIP": "10.244.1.6"}),
            ),
            object(
                "Pod",
                "web-1-a",
                Some(("ReplicaSet", "web-1")),
                json!({}),
                ready,
            ),
            object(
                "ReplicaSet",
                "web-1",
                Some(("Deployment", "web")),
                json!({}),
                json!({}),
            ),
            object("Deployment", "web", None, json!({}), json!({})),
        ];
        let lines: Vec<(usize, String)> = rows(&objects)
            .into_iter()
            .map(|r| (r.depth, format!("{}/{}", r.kind, r.name)))
            .collect();
        assert_eq!(
            lines,
            [
                (0, "Deployment/web".to_string()),
                (1, "ReplicaSet/web-1".into()),
                (2, "Pod/web-1-a".into()),
                (2, "Pod/web-1-b".into()),
                (0, "Service/web".into()),
                (1, "Endpoint/10.244.1.5:8000 (pod web-1-a)".into()),
            ]
        );
    }

    #[test]
    fn a_stateful_pods_claim_hangs_under_it() {
        let objects = vec![
            object(
                "PersistentVolumeClaim",
                "data-db-0",
                None,
                json!({}),
                json!({}),
            ),
            object(
                "Pod",
                "db-0",
                Some(("StatefulSet", "db")),
                json!({"claims": ["data-db-0"]}),
                json!({}),
            ),
            object("StatefulSet", "db", None, json!({}), json!({})),
        ];
        let lines: Vec<(usize, String)> = rows(&objects)
            .into_iter()
            .map(|r| (r.depth, r.name))
            .collect();
        assert_eq!(
            lines,
            [
                (0, "db".to_string()),
                (1, "db-0".into()),
                (2, "data-db-0".into())
            ]
        );
    }
}

//! The RBAC objects every cluster starts with: `cluster-admin`, the aggregated `admin`,
//! `edit` and `view`, and what every authenticated user may do (discovery, health,
//! reviewing their own access).

use crate::resources::VERBS;
use serde_json::{Value, json};

/// The ClusterRoles and ClusterRoleBindings every cluster starts with: `cluster-admin`,
/// the aggregated `admin`, `edit` and `view`, and what every authenticated user may do
/// (discovery, health, reviewing their own access).
pub fn default_objects() -> Vec<(&'static str, Value)> {
    let rule = |groups: &[&str], resources: &[&str], verbs: &[&str]| json!({"apiGroups": groups, "resources": resources, "verbs": verbs});
    let read = ["get", "list", "watch"];
    let write = ["create", "delete", "deletecollection", "patch", "update"];
    let view_rules = vec![
        rule(
            &[""],
            &[
                "configmaps",
                "endpoints",
                "persistentvolumeclaims",
                "persistentvolumeclaims/status",
                "pods",
                "pods/log",
                "pods/status",
                "replicationcontrollers",
                "services",
                "services/status",
                "serviceaccounts",
                "events",
                "limitranges",
                "resourcequotas",
                "resourcequotas/status",
                "namespaces",
                "namespaces/status",
            ],
            &read,
        ),
        rule(
            &["apps"],
            &[
                "controllerrevisions",
                "daemonsets",
                "daemonsets/status",
                "deployments",
                "deployments/scale",
                "deployments/status",
                "replicasets",
                "replicasets/scale",
                "replicasets/status",
                "statefulsets",
                "statefulsets/scale",
                "statefulsets/status",
            ],
            &read,
        ),
        rule(
            &["autoscaling"],
            &[
                "horizontalpodautoscalers",
                "horizontalpodautoscalers/status",
            ],
            &read,
        ),
        rule(
            &["batch"],
            &["cronjobs", "cronjobs/status", "jobs", "jobs/status"],
            &read,
        ),
        rule(
            &["networking.k8s.io"],
            &["ingresses", "ingresses/status", "networkpolicies"],
            &read,
        ),
        rule(
            &["policy"],
            &["poddisruptionbudgets", "poddisruptionbudgets/status"],
            &read,
        ),
        rule(&["discovery.k8s.io"], &["endpointslices"], &read),
        rule(&["metrics.k8s.io"], &["pods"], &read),
    ];
    let edit_rules = vec![
        rule(
            &[""],
            &[
                "pods",
                "pods/attach",
                "pods/exec",
                "pods/portforward",
                "pods/proxy",
                "pods/eviction",
                "configmaps",
                "endpoints",
                "persistentvolumeclaims",
                "replicationcontrollers",
                "replicationcontrollers/scale",
                "secrets",
                "serviceaccounts",
                "services",
                "services/proxy",
            ],
            &write,
        ),
        rule(
            &[""],
            &[
                "secrets",
                "pods/attach",
                "pods/exec",
                "pods/portforward",
                "pods/proxy",
                "services/proxy",
            ],
            &read,
        ),
        rule(&[""], &["serviceaccounts"], &["impersonate"]),
        rule(&[""], &["serviceaccounts/token"], &["create"]),
        rule(
            &["apps"],
            &[
                "daemonsets",
                "deployments",
                "deployments/rollback",
                "deployments/scale",
                "replicasets",
                "replicasets/scale",
                "statefulsets",
                "statefulsets/scale",
            ],
            &write,
        ),
        rule(&["autoscaling"], &["horizontalpodautoscalers"], &write),
        rule(&["batch"], &["cronjobs", "jobs"], &write),
        rule(
            &["networking.k8s.io"],
            &["ingresses", "networkpolicies"],
            &write,
        ),
        rule(&["policy"], &["poddisruptionbudgets"], &write),
    ];
    let admin_rules = vec![
        rule(
            &["rbac.authorization.k8s.io"],
            &["roles", "rolebindings"],
            VERBS,
        ),
        rule(
            &["authorization.k8s.io"],
            &["localsubjectaccessreviews"],
            &["create"],
        ),
    ];
    // As upstream: `view` is aggregated into `edit`, `edit` into `admin`, so `admin` holds
    // everything `view` and `edit` do.
    let aggregate = |name: &str, labels: &[&str], into: Option<&str>| {
        let mut meta_labels = json!({"kubernetes.io/bootstrapping": "rbac-defaults"});
        if let Some(into) = into {
            meta_labels[format!("rbac.authorization.k8s.io/aggregate-to-{into}")] = json!("true");
        }
        json!({
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
            "metadata": {"name": name, "labels": meta_labels},
            "aggregationRule": {"clusterRoleSelectors": labels.iter().map(|l| json!({"matchLabels": {*l: "true"}})).collect::<Vec<_>>()},
            "rules": [],
        })
    };
    let part = |name: &str, label: &str, rules: Vec<Value>| {
        json!({
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
            "metadata": {"name": name, "labels": {"kubernetes.io/bootstrapping": "rbac-defaults", label: "true"}},
            "rules": rules,
        })
    };
    let role = |name: &str, rules: Vec<Value>| {
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
            "metadata": {"name": name, "labels": {"kubernetes.io/bootstrapping": "rbac-defaults"}}, "rules": rules})
    };
    let binding = |name: &str, role: &str, group: &str| {
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
            "metadata": {"name": name, "labels": {"kubernetes.io/bootstrapping": "rbac-defaults"}},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role},
            "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": group}]})
    };
    vec![
        (
            "clusterroles",
            role(
                "cluster-admin",
                vec![
                    rule(&["*"], &["*"], &["*"]),
                    json!({"nonResourceURLs": ["*"], "verbs": ["*"]}),
                ],
            ),
        ),
        (
            "clusterroles",
            aggregate(
                "admin",
                &["rbac.authorization.k8s.io/aggregate-to-admin"],
                None,
            ),
        ),
        (
            "clusterroles",
            aggregate(
                "edit",
                &["rbac.authorization.k8s.io/aggregate-to-edit"],
                Some("admin"),
            ),
        ),
        (
            "clusterroles",
            aggregate(
                "view",
                &["rbac.authorization.k8s.io/aggregate-to-view"],
                Some("edit"),
            ),
        ),
        (
            "clusterroles",
            part(
                "system:aggregate-to-admin",
                "rbac.authorization.k8s.io/aggregate-to-admin",
                admin_rules,
            ),
        ),
        (
            "clusterroles",
            part(
                "system:aggregate-to-edit",
                "rbac.authorization.k8s.io/aggregate-to-edit",
                edit_rules,
            ),
        ),
        (
            "clusterroles",
            part(
                "system:aggregate-to-view",
                "rbac.authorization.k8s.io/aggregate-to-view",
                view_rules,
            ),
        ),
        (
            "clusterroles",
            role(
                "system:discovery",
                vec![
                    json!({"nonResourceURLs": ["/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez", "/readyz", "/version", "/version/", "/openapi", "/openapi/*"], "verbs": ["get"]}),
                ],
            ),
        ),
        (
            "clusterroles",
            role(
                "system:basic-user",
                vec![
                    rule(
                        &["authorization.k8s.io"],
                        &["selfsubjectaccessreviews", "selfsubjectrulesreviews"],
                        &["create"],
                    ),
                    rule(
                        &["authentication.k8s.io"],
                        &["selfsubjectreviews"],
                        &["create"],
                    ),
                ],
            ),
        ),
        (
            "clusterrolebindings",
            binding("cluster-admin", "cluster-admin", "system:masters"),
        ),
        (
            "clusterrolebindings",
            binding(
                "system:discovery",
                "system:discovery",
                "system:authenticated",
            ),
        ),
        (
            "clusterrolebindings",
            binding(
                "system:basic-user",
                "system:basic-user",
                "system:authenticated",
            ),
        ),
    ]
}

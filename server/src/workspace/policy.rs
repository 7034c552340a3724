//! The isolation every workspace namespace gets.
//!
//! - **Pod Security `baseline`** (enforced; `restricted` audited). `restricted` is
//!   stricter, but every lesson would break under it: their pods set no
//!   `securityContext` (runAsNonRoot, seccomp `RuntimeDefault`, dropped capabilities),
//!   and images like mysql and nginx start as root. `baseline` still refuses what lets a
//!   pod escape: privileged containers, host namespaces, hostPath volumes, host ports.
//! - **ResourceQuota**: enough for the biggest lesson (two MySQL replicas next to the app,
//!   an HPA scaling to six) and no more: a room of attendees shares one cluster.
//! - **LimitRange**: defaults for containers that say nothing (so the quota can count
//!   them) and a per-container ceiling.
//! - **NetworkPolicy**: pods accept traffic only from the same workspace and from the
//!   ingress controller.
//! - **The tenant RoleBinding**: the tenant role (`deploy/rbac/tenant.yaml`) for the
//!   workspace's group, in this namespace only: what the attendee may do here.
//!
//! These objects' names are reserved: the attendee may not write them (RBAC: the tenant
//! role cannot touch quotas, limit ranges or network policies; kubeclass's filter refuses
//! the names), and a reconcile loop puts them back if they go missing or change.

use crate::kinds::api_resource;
use app::model::kinds;
use kube::discovery::ApiResource;
use serde_json::{Value, json};

/// The RoleBinding that gives the attendee the tenant role in a namespace.
pub const TENANT_BINDING: &str = "kubeclass-tenant";

/// The names of the platform's objects in every workspace namespace, by kind: the
/// attendee may not write them.
pub const RESERVED: &[(&str, &str)] = &[
    ("RoleBinding", TENANT_BINDING),
    ("ResourceQuota", QUOTA),
    ("LimitRange", LIMITS),
    ("NetworkPolicy", ISOLATION),
];
const QUOTA: &str = "workspace-quota";
const LIMITS: &str = "workspace-limits";
const ISOLATION: &str = "workspace-isolation";

/// Labels on a workspace namespace.
pub fn namespace_labels(id: &str) -> Value {
    json!({
        super::WORKSPACE_LABEL: id,
        "app.kubernetes.io/managed-by": "kubeclass",
        "pod-security.kubernetes.io/enforce": "baseline",
        "pod-security.kubernetes.io/enforce-version": "latest",
        "pod-security.kubernetes.io/audit": "restricted",
    })
}

/// The policy objects of one workspace namespace.
pub fn objects(id: &str, namespace: &str) -> Vec<(ApiResource, Value)> {
    let labels = json!({super::WORKSPACE_LABEL: id});
    let group = crate::identity::group(&super::Workspace::new(id, ""));
    vec![
        (
            registered("RoleBinding"),
            json!({
                "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
                "metadata": {"name": TENANT_BINDING, "namespace": namespace, "labels": labels},
                "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": crate::platform::TENANT_CLUSTER_ROLE},
                "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": group}],
            }),
        ),
        (
            registered("ResourceQuota"),
            json!({
                "apiVersion": "v1", "kind": "ResourceQuota",
                "metadata": {"name": QUOTA, "namespace": namespace, "labels": labels},
                "spec": {"hard": {
                    "pods": "20", "requests.cpu": "2", "requests.memory": "3Gi",
                    "limits.cpu": "6", "limits.memory": "6Gi",
                    "services": "10", "services.nodeports": "2", "services.loadbalancers": "1",
                    "persistentvolumeclaims": "4", "requests.storage": "10Gi",
                    "configmaps": "20", "secrets": "20",
                }},
            }),
        ),
        (
            registered("LimitRange"),
            json!({
                "apiVersion": "v1", "kind": "LimitRange",
                "metadata": {"name": LIMITS, "namespace": namespace, "labels": labels},
                "spec": {"limits": [{"type": "Container",
                    "defaultRequest": {"cpu": "50m", "memory": "64Mi"},
                    "default": {"cpu": "500m", "memory": "256Mi"},
                    "max": {"cpu": "1", "memory": "1Gi"}}]},
            }),
        ),
        (
            registered("NetworkPolicy"),
            json!({
                "apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
                "metadata": {"name": ISOLATION, "namespace": namespace, "labels": labels},
                "spec": {"podSelector": {}, "policyTypes": ["Ingress"], "ingress": [{"from": [
                    {"namespaceSelector": {"matchLabels": {super::WORKSPACE_LABEL: id}}},
                    {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "ingress-nginx"}}},
                ]}]},
            }),
        ),
    ]
}

/// The resource of a kind the registry has (the policy's kinds all are).
fn registered(kind: &str) -> ApiResource {
    kinds::by_kind(kind).map_or_else(
        || ApiResource::from_gvk(&kube::api::GroupVersionKind::gvk("", "v1", kind)),
        api_resource,
    )
}

//! The one table of Kubernetes kinds kubeclass knows: how lessons and kubectl name them,
//! where the objects panel shows them, in which order manifests are installed, and what a
//! workspace may hold. Check parsing, the objects panel, the set of watched kinds, the
//! apply pipeline's order and refusals, the workspace policy and the server's
//! `ApiResource`s all read it, so adding a kind means adding one line here.
//! Kinds outside the table (custom resources found by discovery) may still be applied:
//! namespaced ones go into the workspace, cluster-scoped ones are refused.

use serde::Serialize;

/// Where objects of a kind live, and so whether (and how) a workspace may hold them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Scope {
    /// Lives in a namespace: the workspace maps it into its own.
    Namespaced,
    /// Cluster-scoped, held by a workspace under a name of its own
    /// (`<prefix>-<workspace>-<name>`): Namespaces, ClusterIssuers.
    WorkspaceNamed,
    /// Cluster-scoped and the platform's: no workspace may create it.
    Cluster,
}

/// A Kubernetes resource kind as kubeclass knows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct KindInfo {
    /// API group ("" for core).
    pub group: &'static str,
    /// Preferred version.
    pub version: &'static str,
    /// The `kind` field of the object.
    pub kind: &'static str,
    /// The plural resource name used in URLs.
    pub plural: &'static str,
    pub scope: Scope,
    /// Other names kubectl accepts (singular and short names).
    #[serde(skip)]
    pub aliases: &'static [&'static str],
    /// Position among the objects panel's top-level rows (workloads first, then how they
    /// are reached, then what they use); `None`: the panel does not show the kind.
    #[serde(skip)]
    pub panel: Option<u8>,
    /// Install order, as kubectl and helm do it: what others refer to comes first.
    #[serde(skip)]
    pub rank: u8,
}

/// The install rank of kinds outside the table: after everything known.
pub const LAST_RANK: u8 = 13;

use Scope::{Cluster, Namespaced, WorkspaceNamed};

/// One row of [`KINDS`]: its columns in the table's order.
#[allow(clippy::too_many_arguments)]
const fn kind(
    group: &'static str,
    version: &'static str,
    kind: &'static str,
    plural: &'static str,
    scope: Scope,
    aliases: &'static [&'static str],
    panel: Option<u8>,
    rank: u8,
) -> KindInfo {
    KindInfo {
        group,
        version,
        kind,
        plural,
        scope,
        aliases,
        panel,
        rank,
    }
}

/// Every kind kubeclass knows. Columns: group, version, kind, plural, scope, other names,
/// panel position, install rank.
#[rustfmt::skip]
pub const KINDS: &[KindInfo] = &[
    kind("", "v1", "Namespace", "namespaces", WorkspaceNamed, &["namespace", "ns"], None, 0),
    kind("apiextensions.k8s.io", "v1", "CustomResourceDefinition", "customresourcedefinitions", Cluster, &["customresourcedefinition", "crd", "crds"], None, 1),
    kind("cert-manager.io", "v1", "ClusterIssuer", "clusterissuers", WorkspaceNamed, &["clusterissuer"], None, 2),
    kind("cert-manager.io", "v1", "Issuer", "issuers", Namespaced, &["issuer"], None, 2),
    kind("", "v1", "ServiceAccount", "serviceaccounts", Namespaced, &["serviceaccount", "sa"], Some(11), 3),
    kind("rbac.authorization.k8s.io", "v1", "Role", "roles", Namespaced, &["role"], Some(12), 4),
    kind("rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterroles", Cluster, &["clusterrole"], None, 4),
    kind("rbac.authorization.k8s.io", "v1", "RoleBinding", "rolebindings", Namespaced, &["rolebinding"], Some(13), 5),
    kind("rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", "clusterrolebindings", Cluster, &["clusterrolebinding"], None, 5),
    kind("", "v1", "ResourceQuota", "resourcequotas", Namespaced, &["resourcequota", "quota"], None, 6),
    kind("", "v1", "LimitRange", "limitranges", Namespaced, &["limitrange", "limits"], None, 6),
    kind("networking.k8s.io", "v1", "NetworkPolicy", "networkpolicies", Namespaced, &["networkpolicy", "netpol"], None, 6),
    kind("", "v1", "ConfigMap", "configmaps", Namespaced, &["configmap", "cm"], Some(8), 7),
    kind("", "v1", "Secret", "secrets", Namespaced, &["secret"], Some(9), 7),
    kind("", "v1", "PersistentVolumeClaim", "persistentvolumeclaims", Namespaced, &["persistentvolumeclaim", "pvc"], Some(10), 8),
    kind("", "v1", "Service", "services", Namespaced, &["service", "svc"], Some(5), 9),
    kind("apps", "v1", "Deployment", "deployments", Namespaced, &["deployment", "deploy"], Some(0), 10),
    kind("apps", "v1", "StatefulSet", "statefulsets", Namespaced, &["statefulset", "sts"], Some(1), 10),
    kind("apps", "v1", "ReplicaSet", "replicasets", Namespaced, &["replicaset", "rs"], Some(2), 10),
    kind("apps", "v1", "DaemonSet", "daemonsets", Namespaced, &["daemonset", "ds"], None, 10),
    kind("", "v1", "Pod", "pods", Namespaced, &["pod", "po"], Some(3), 10),
    kind("batch", "v1", "Job", "jobs", Namespaced, &["job"], Some(4), 10),
    kind("batch", "v1", "CronJob", "cronjobs", Namespaced, &["cronjob", "cj"], None, 10),
    kind("autoscaling", "v2", "HorizontalPodAutoscaler", "horizontalpodautoscalers", Namespaced, &["horizontalpodautoscaler", "hpa"], Some(7), 11),
    kind("policy", "v1", "PodDisruptionBudget", "poddisruptionbudgets", Namespaced, &["poddisruptionbudget", "pdb"], None, 11),
    kind("networking.k8s.io", "v1", "Ingress", "ingresses", Namespaced, &["ingress", "ing"], Some(6), 12),
    kind("cert-manager.io", "v1", "Certificate", "certificates", Namespaced, &["certificate", "cert", "certs"], None, 12),
    kind("cert-manager.io", "v1", "CertificateRequest", "certificaterequests", Namespaced, &["certificaterequest", "cr", "crs"], None, LAST_RANK),
    kind("", "v1", "PersistentVolume", "persistentvolumes", Cluster, &["persistentvolume", "pv"], None, LAST_RANK),
    kind("", "v1", "Endpoints", "endpoints", Namespaced, &["ep"], None, LAST_RANK),
    kind("discovery.k8s.io", "v1", "EndpointSlice", "endpointslices", Namespaced, &["endpointslice"], None, LAST_RANK),
    kind("", "v1", "Event", "events", Namespaced, &["event", "ev"], None, LAST_RANK),
    kind("", "v1", "Node", "nodes", Cluster, &["node", "no"], None, LAST_RANK),
    kind("networking.k8s.io", "v1", "IngressClass", "ingressclasses", Cluster, &["ingressclass"], None, LAST_RANK),
    kind("storage.k8s.io", "v1", "StorageClass", "storageclasses", Cluster, &["storageclass", "sc"], None, LAST_RANK),
];

impl KindInfo {
    /// Whether objects of this kind live in a namespace.
    pub fn namespaced(&self) -> bool {
        self.scope == Namespaced
    }

    /// `apps/v1`, or `v1` for the core group.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.to_string()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }
}

/// Finds a kind by any name kubectl accepts for it (case-insensitive): the plural, the
/// singular, a short name, or the kind itself.
pub fn lookup(name: &str) -> Option<&'static KindInfo> {
    let name = name.to_ascii_lowercase();
    KINDS.iter().find(|k| {
        k.plural == name || k.kind.eq_ignore_ascii_case(&name) || k.aliases.contains(&name.as_str())
    })
}

/// Finds a kind by its `apiVersion` and `kind`, as written in a manifest. Any version of
/// the group matches: `autoscaling/v1` and `autoscaling/v2` name the same resource.
pub fn by_api_version(api_version: &str, kind: &str) -> Option<&'static KindInfo> {
    let (group, version) = api_version.rsplit_once('/').unwrap_or(("", api_version));
    let group = if version.is_empty() { "" } else { group };
    KINDS.iter().find(|k| k.kind == kind && k.group == group)
}

/// Finds a kind by its `kind` field alone (the objects panel and events name kinds so).
pub fn by_kind(kind: &str) -> Option<&'static KindInfo> {
    KINDS.iter().find(|k| k.kind == kind)
}

/// The kinds the objects panel shows, in its order.
pub fn panel() -> impl Iterator<Item = &'static KindInfo> {
    let mut shown: Vec<&'static KindInfo> = KINDS.iter().filter(|k| k.panel.is_some()).collect();
    shown.sort_by_key(|k| k.panel);
    shown.into_iter()
}

/// Install rank of a kind by its `kind` field ([`LAST_RANK`] for kinds outside the table).
pub fn rank(kind: &str) -> u8 {
    by_kind(kind).map_or(LAST_RANK, |k| k.rank)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kubectl_names_resolve_to_one_kind() {
        assert_eq!(lookup("deploy").map(|k| k.kind), Some("Deployment"));
        assert_eq!(
            lookup("HPA").map(|k| k.kind),
            Some("HorizontalPodAutoscaler")
        );
        assert_eq!(lookup("Pods").map(|k| k.kind), Some("Pod"));
        assert_eq!(
            lookup("clusterissuer").map(KindInfo::namespaced),
            Some(false)
        );
        assert!(lookup("deploymnet").is_none());
    }

    #[test]
    fn every_alias_is_unique() {
        let mut seen = std::collections::BTreeSet::new();
        for k in KINDS {
            for name in k.aliases.iter().chain([&k.plural]) {
                assert!(seen.insert(*name), "{name} names two kinds");
            }
        }
    }

    #[test]
    fn the_panel_shows_workloads_first_and_each_position_once() {
        let order: Vec<&str> = panel().map(|k| k.kind).collect();
        assert_eq!(
            order[..4],
            ["Deployment", "StatefulSet", "ReplicaSet", "Pod"]
        );
        let mut positions: Vec<u8> = KINDS.iter().filter_map(|k| k.panel).collect();
        positions.sort_unstable();
        positions.dedup();
        assert_eq!(positions.len(), order.len());
        assert!(
            order
                .iter()
                .all(|k| by_kind(k).is_some_and(KindInfo::namespaced))
        );
    }

    #[test]
    fn what_others_refer_to_installs_first() {
        assert!(rank("Namespace") < rank("ConfigMap"));
        assert!(rank("ConfigMap") < rank("Deployment"));
        assert!(rank("Deployment") < rank("Ingress"));
        assert_eq!(rank("Widget"), LAST_RANK);
    }
}

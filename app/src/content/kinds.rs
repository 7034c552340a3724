//! The resource kinds a lesson may name in a check, with the names kubectl accepts for
//! them (singular, plural, short). One table, so the check grammar and (later) the check
//! evaluator agree on what `deploy` or `hpa` means.

/// A Kubernetes resource kind as lessons refer to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct KindInfo {
    /// API group ("" for core).
    pub group: &'static str,
    /// Preferred version.
    pub version: &'static str,
    /// The `kind` field of the object.
    pub kind: &'static str,
    /// The plural resource name used in URLs.
    pub plural: &'static str,
    /// Whether objects of this kind live in a namespace.
    pub namespaced: bool,
    /// Extra names kubectl accepts (singular and short names).
    #[serde(skip)]
    pub aliases: &'static [&'static str],
}

macro_rules! kinds {
    ($( $group:literal $version:literal $kind:ident $plural:literal $ns:literal [$($alias:literal),*] ),* $(,)?) => {
        /// Every kind a check may name.
        pub const KINDS: &[KindInfo] = &[
            $( KindInfo { group: $group, version: $version, kind: stringify!($kind), plural: $plural, namespaced: $ns, aliases: &[$($alias),*] } ),*
        ];
    };
}

kinds! {
    "" "v1" Pod "pods" true ["pod", "po"],
    "" "v1" Service "services" true ["service", "svc"],
    "" "v1" ConfigMap "configmaps" true ["configmap", "cm"],
    "" "v1" Secret "secrets" true ["secret"],
    "" "v1" ServiceAccount "serviceaccounts" true ["serviceaccount", "sa"],
    "" "v1" PersistentVolumeClaim "persistentvolumeclaims" true ["persistentvolumeclaim", "pvc"],
    "" "v1" PersistentVolume "persistentvolumes" false ["persistentvolume", "pv"],
    "" "v1" Endpoints "endpoints" true ["ep"],
    "" "v1" Event "events" true ["event", "ev"],
    "discovery.k8s.io" "v1" EndpointSlice "endpointslices" true ["endpointslice"],
    "" "v1" Namespace "namespaces" false ["namespace", "ns"],
    "" "v1" Node "nodes" false ["node", "no"],
    "" "v1" ResourceQuota "resourcequotas" true ["resourcequota", "quota"],
    "" "v1" LimitRange "limitranges" true ["limitrange", "limits"],
    "apps" "v1" Deployment "deployments" true ["deployment", "deploy"],
    "apps" "v1" ReplicaSet "replicasets" true ["replicaset", "rs"],
    "apps" "v1" StatefulSet "statefulsets" true ["statefulset", "sts"],
    "apps" "v1" DaemonSet "daemonsets" true ["daemonset", "ds"],
    "batch" "v1" Job "jobs" true ["job"],
    "batch" "v1" CronJob "cronjobs" true ["cronjob", "cj"],
    "autoscaling" "v2" HorizontalPodAutoscaler "horizontalpodautoscalers" true ["horizontalpodautoscaler", "hpa"],
    "networking.k8s.io" "v1" Ingress "ingresses" true ["ingress", "ing"],
    "networking.k8s.io" "v1" IngressClass "ingressclasses" false ["ingressclass"],
    "networking.k8s.io" "v1" NetworkPolicy "networkpolicies" true ["networkpolicy", "netpol"],
    "rbac.authorization.k8s.io" "v1" Role "roles" true ["role"],
    "rbac.authorization.k8s.io" "v1" RoleBinding "rolebindings" true ["rolebinding"],
    "rbac.authorization.k8s.io" "v1" ClusterRole "clusterroles" false ["clusterrole"],
    "rbac.authorization.k8s.io" "v1" ClusterRoleBinding "clusterrolebindings" false ["clusterrolebinding"],
    "storage.k8s.io" "v1" StorageClass "storageclasses" false ["storageclass", "sc"],
    "policy" "v1" PodDisruptionBudget "poddisruptionbudgets" true ["poddisruptionbudget", "pdb"],
    "cert-manager.io" "v1" Certificate "certificates" true ["certificate", "cert", "certs"],
    "cert-manager.io" "v1" CertificateRequest "certificaterequests" true ["certificaterequest", "cr", "crs"],
    "cert-manager.io" "v1" Issuer "issuers" true ["issuer"],
    "cert-manager.io" "v1" ClusterIssuer "clusterissuers" false ["clusterissuer"],
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
        assert_eq!(lookup("clusterissuer").map(|k| k.namespaced), Some(false));
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
}

//! The catalogue of resources the API serves: one [`Resource`] per (group, version,
//! plural), with what discovery says about it. Everything that routes, stores or
//! describes an object finds its resource here.

/// Verbs a resource answers to, as discovery lists them.
pub const VERBS: &[&str] = &[
    "create",
    "delete",
    "deletecollection",
    "get",
    "list",
    "patch",
    "update",
    "watch",
];
/// Verbs of read-only, computed resources (metrics) and of review resources.
pub const READ_VERBS: &[&str] = &["get", "list"];
const CREATE_ONLY: &[&str] = &["create"];

/// One served resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Resource {
    /// API group; `""` for the core group.
    pub group: &'static str,
    /// The version served.
    pub version: &'static str,
    /// The kind of its objects.
    pub kind: &'static str,
    /// Lower-case plural, as in URLs.
    pub plural: &'static str,
    /// Lower-case singular, as discovery lists it.
    pub singular: &'static str,
    /// Short names kubectl accepts (`po`, `deploy`).
    pub short_names: &'static [&'static str],
    /// Whether its objects live in namespaces.
    pub namespaced: bool,
    /// Verbs discovery lists for it.
    pub verbs: &'static [&'static str],
    /// Categories (`all`) kubectl expands.
    pub categories: &'static [&'static str],
    /// Subresources served with their own verbs (`status`, `scale`, …).
    pub subresources: &'static [&'static str],
}

impl Resource {
    /// `apps/v1`, or `v1` for the core group.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.to_string()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// `deployments.apps`, or `pods` for the core group: how error messages name it.
    pub fn qualified_plural(&self) -> String {
        if self.group.is_empty() {
            self.plural.to_string()
        } else {
            format!("{}.{}", self.plural, self.group)
        }
    }

    /// Whether objects of this resource carry a `status` written through its own endpoint.
    pub fn has_status(&self) -> bool {
        self.subresources.contains(&"status")
    }

    /// The key objects of this resource are stored under: versions of one group share it.
    pub fn storage_key(&self) -> (&'static str, &'static str) {
        (self.group, self.plural)
    }
}

macro_rules! resources {
    ($( $group:literal $version:literal $kind:ident $plural:literal $singular:literal
        [$($short:literal),*] $ns:literal $verbs:ident [$($cat:literal),*] [$($sub:literal),*] ),* $(,)?) => {
        /// Every built-in resource, in discovery order.
        pub const BUILTIN: &[Resource] = &[
            $( Resource {
                group: $group, version: $version, kind: stringify!($kind), plural: $plural, singular: $singular,
                short_names: &[$($short),*], namespaced: $ns, verbs: $verbs, categories: &[$($cat),*],
                subresources: &[$($sub),*],
            } ),*
        ];
    };
}

resources! {
    "" "v1" Binding "bindings" "binding" [] true CREATE_ONLY [] [],
    "" "v1" ConfigMap "configmaps" "configmap" ["cm"] true VERBS [] [],
    "" "v1" Endpoints "endpoints" "endpoints" ["ep"] true VERBS [] [],
    "" "v1" Event "events" "event" ["ev"] true VERBS [] [],
    "" "v1" LimitRange "limitranges" "limitrange" ["limits"] true VERBS [] [],
    "" "v1" Namespace "namespaces" "namespace" ["ns"] false VERBS [] ["status", "finalize"],
    "" "v1" Node "nodes" "node" ["no"] false VERBS [] ["status", "proxy"],
    "" "v1" PersistentVolumeClaim "persistentvolumeclaims" "persistentvolumeclaim" ["pvc"] true VERBS [] ["status"],
    "" "v1" PersistentVolume "persistentvolumes" "persistentvolume" ["pv"] false VERBS [] ["status"],
    "" "v1" Pod "pods" "pod" ["po"] true VERBS ["all"] ["status", "log", "binding", "eviction", "proxy", "exec", "attach", "portforward", "ephemeralcontainers"],
    "" "v1" ResourceQuota "resourcequotas" "resourcequota" ["quota"] true VERBS [] ["status"],
    "" "v1" Secret "secrets" "secret" [] true VERBS [] [],
    "" "v1" ServiceAccount "serviceaccounts" "serviceaccount" ["sa"] true VERBS [] ["token"],
    "" "v1" Service "services" "service" ["svc"] true VERBS ["all"] ["status", "proxy"],
    "apps" "v1" ControllerRevision "controllerrevisions" "controllerrevision" [] true VERBS [] [],
    "apps" "v1" DaemonSet "daemonsets" "daemonset" ["ds"] true VERBS ["all"] ["status"],
    "apps" "v1" Deployment "deployments" "deployment" ["deploy"] true VERBS ["all"] ["status", "scale"],
    "apps" "v1" ReplicaSet "replicasets" "replicaset" ["rs"] true VERBS ["all"] ["status", "scale"],
    "apps" "v1" StatefulSet "statefulsets" "statefulset" ["sts"] true VERBS ["all"] ["status", "scale"],
    "authentication.k8s.io" "v1" SelfSubjectReview "selfsubjectreviews" "selfsubjectreview" [] false CREATE_ONLY [] [],
    "authentication.k8s.io" "v1" TokenReview "tokenreviews" "tokenreview" [] false CREATE_ONLY [] [],
    "authorization.k8s.io" "v1" LocalSubjectAccessReview "localsubjectaccessreviews" "localsubjectaccessreview" [] true CREATE_ONLY [] [],
    "authorization.k8s.io" "v1" SelfSubjectAccessReview "selfsubjectaccessreviews" "selfsubjectaccessreview" [] false CREATE_ONLY [] [],
    "authorization.k8s.io" "v1" SelfSubjectRulesReview "selfsubjectrulesreviews" "selfsubjectrulesreview" [] false CREATE_ONLY [] [],
    "authorization.k8s.io" "v1" SubjectAccessReview "subjectaccessreviews" "subjectaccessreview" [] false CREATE_ONLY [] [],
    "autoscaling" "v2" HorizontalPodAutoscaler "horizontalpodautoscalers" "horizontalpodautoscaler" ["hpa"] true VERBS ["all"] ["status"],
    "autoscaling" "v1" HorizontalPodAutoscaler "horizontalpodautoscalers" "horizontalpodautoscaler" ["hpa"] true VERBS ["all"] ["status"],
    "batch" "v1" CronJob "cronjobs" "cronjob" ["cj"] true VERBS ["all"] ["status"],
    "batch" "v1" Job "jobs" "job" [] true VERBS ["all"] ["status"],
    "discovery.k8s.io" "v1" EndpointSlice "endpointslices" "endpointslice" [] true VERBS [] [],
    "events.k8s.io" "v1" Event "events" "event" ["ev"] true VERBS [] [],
    "networking.k8s.io" "v1" IngressClass "ingressclasses" "ingressclass" [] false VERBS [] [],
    "networking.k8s.io" "v1" Ingress "ingresses" "ingress" ["ing"] true VERBS [] ["status"],
    "networking.k8s.io" "v1" NetworkPolicy "networkpolicies" "networkpolicy" ["netpol"] true VERBS [] [],
    "policy" "v1" PodDisruptionBudget "poddisruptionbudgets" "poddisruptionbudget" ["pdb"] true VERBS [] ["status"],
    "rbac.authorization.k8s.io" "v1" ClusterRoleBinding "clusterrolebindings" "clusterrolebinding" [] false VERBS [] [],
    "rbac.authorization.k8s.io" "v1" ClusterRole "clusterroles" "clusterrole" [] false VERBS [] [],
    "rbac.authorization.k8s.io" "v1" RoleBinding "rolebindings" "rolebinding" [] true VERBS [] [],
    "rbac.authorization.k8s.io" "v1" Role "roles" "role" [] true VERBS [] [],
    "storage.k8s.io" "v1" StorageClass "storageclasses" "storageclass" ["sc"] false VERBS [] [],
    "apiextensions.k8s.io" "v1" CustomResourceDefinition "customresourcedefinitions" "customresourcedefinition" ["crd", "crds"] false VERBS ["api-extensions"] ["status"],
    "metrics.k8s.io" "v1beta1" NodeMetrics "nodes" "" [] false READ_VERBS [] [],
    "metrics.k8s.io" "v1beta1" PodMetrics "pods" "" [] true READ_VERBS [] [],
}

/// The groups in discovery order, each with its versions (preferred first), among `all`.
pub fn groups_of(all: &[&'static Resource]) -> Vec<(&'static str, Vec<&'static str>)> {
    let mut groups: Vec<(&'static str, Vec<&'static str>)> = Vec::new();
    for r in all.iter().filter(|r| !r.group.is_empty()) {
        match groups.iter_mut().find(|(g, _)| *g == r.group) {
            Some((_, versions)) if !versions.contains(&r.version) => versions.push(r.version),
            Some(_) => {}
            None => groups.push((r.group, vec![r.version])),
        }
    }
    groups
}

/// The built-in groups in discovery order.
pub fn groups() -> Vec<(&'static str, Vec<&'static str>)> {
    groups_of(&builtin())
}

/// Every built-in resource, as references (to mix with custom ones).
pub fn builtin() -> Vec<&'static Resource> {
    BUILTIN.iter().collect()
}

/// The resources among `all` served at `group/version`.
pub fn in_group_version<'a>(
    all: &'a [&'static Resource],
    group: &'a str,
    version: &'a str,
) -> impl Iterator<Item = &'static Resource> + 'a {
    all.iter()
        .copied()
        .filter(move |r| r.group == group && r.version == version)
}

/// Finds the resource at `group/version/plural`.
pub fn find(group: &str, version: &str, plural: &str) -> Option<&'static Resource> {
    BUILTIN
        .iter()
        .find(|r| r.group == group && r.version == version && r.plural == plural)
}

/// Finds the resource for an object's `apiVersion` and `kind`.
pub fn for_kind(api_version: &str, kind: &str) -> Option<&'static Resource> {
    let (group, version) = api_version.rsplit_once('/').unwrap_or(("", api_version));
    BUILTIN
        .iter()
        .find(|r| r.group == group && r.version == version && r.kind == kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_list_their_versions_preferred_first() {
        let groups = groups();
        let autoscaling = groups
            .iter()
            .find(|(g, _)| *g == "autoscaling")
            .expect("autoscaling");
        assert_eq!(autoscaling.1, vec!["v2", "v1"]);
        assert!(groups.iter().all(|(g, _)| !g.is_empty()));
    }

    #[test]
    fn lookups() {
        assert_eq!(
            find("apps", "v1", "deployments").map(|r| r.kind),
            Some("Deployment")
        );
        assert_eq!(
            for_kind("v1", "Pod").map(|r| r.qualified_plural()),
            Some("pods".into())
        );
        assert_eq!(
            for_kind("apps/v1", "Deployment").map(|r| r.qualified_plural()),
            Some("deployments.apps".into())
        );
        assert!(find("apps", "v1beta1", "deployments").is_none());
    }
}

//! RBAC as kube-apiserver evaluates it: a request is allowed when any rule of any Role or
//! ClusterRole bound to the user (or one of their groups, or their ServiceAccount) matches
//! its verb, API group, resource (with subresource), name and namespace. Aggregated
//! ClusterRoles gather the rules of the roles their selectors match. Members of
//! `system:masters` are allowed everything.

use super::user::UserInfo;
use crate::store::Store;
use serde_json::Value;
use std::sync::Arc;

/// What a request wants to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attributes {
    /// `get`, `list`, `create`, … (or `impersonate`).
    pub verb: String,
    /// For resource requests.
    pub group: String,
    /// The resource's plural; empty for non-resource requests.
    pub resource: String,
    /// `status`, `log`, …; empty for the resource itself.
    pub subresource: String,
    /// The namespace; empty for cluster-scoped requests.
    pub namespace: String,
    /// The object's name; empty for collections.
    pub name: String,
    /// For non-resource requests (`/version`, `/healthz`, discovery).
    pub path: Option<String>,
}

impl Attributes {
    /// A resource request.
    pub fn resource(
        verb: &str,
        group: &str,
        resource: &str,
        subresource: &str,
        namespace: &str,
        name: &str,
    ) -> Attributes {
        Attributes {
            verb: verb.into(),
            group: group.into(),
            resource: resource.into(),
            subresource: subresource.into(),
            namespace: namespace.into(),
            name: name.into(),
            path: None,
        }
    }

    /// A non-resource request.
    pub fn non_resource(verb: &str, path: &str) -> Attributes {
        Attributes {
            path: Some(path.into()),
            ..Attributes::resource(verb, "", "", "", "", "")
        }
    }

    /// `pods/log`, or `pods`.
    pub fn full_resource(&self) -> String {
        if self.subresource.is_empty() {
            self.resource.clone()
        } else {
            format!("{}/{}", self.resource, self.subresource)
        }
    }

    /// The Forbidden message kube-apiserver writes for these attributes.
    pub fn forbidden_message(&self, user: &UserInfo) -> String {
        if let Some(path) = &self.path {
            return format!(
                "forbidden: User \"{}\" cannot {} path \"{path}\"",
                user.username, self.verb
            );
        }
        let what = if self.name.is_empty() {
            self.resource_with_group()
        } else {
            format!("{} \"{}\"", self.resource_with_group(), self.name)
        };
        let scope = if self.namespace.is_empty() {
            "at the cluster scope".to_string()
        } else {
            format!("in the namespace \"{}\"", self.namespace)
        };
        format!(
            "{what} is forbidden: User \"{}\" cannot {} resource \"{}\" in API group \"{}\" {scope}",
            user.username,
            self.verb,
            self.full_resource(),
            self.group
        )
    }

    fn resource_with_group(&self) -> String {
        let r = self.full_resource();
        if self.group.is_empty() {
            r
        } else {
            format!("{r}.{}", self.group)
        }
    }
}

/// What a binding's `roleRef` grants.
#[derive(Debug, Clone, PartialEq)]
pub enum Referenced {
    /// The role's rules.
    Rules(Vec<Value>),
    /// The role does not exist: (its resource's plural, its name).
    Missing(&'static str, String),
}

/// Evaluates RBAC against the store's current roles and bindings.
#[derive(Debug, Clone)]
pub struct Authorizer {
    store: Arc<Store>,
}

impl Authorizer {
    /// An authorizer reading `store`.
    pub fn new(store: Arc<Store>) -> Authorizer {
        Authorizer { store }
    }

    /// Whether `user` may do what `attrs` describe.
    pub fn allows(&self, user: &UserInfo, attrs: &Attributes) -> bool {
        if user.is_master() {
            return true;
        }
        self.rules_for(user, &attrs.namespace)
            .iter()
            .any(|rule| rule_matches(rule, attrs))
    }

    /// Why `user` may do what `attrs` describe, as kube-apiserver's RBAC authorizer says
    /// it in a SubjectAccessReview's `status.reason` (`RBAC: allowed by RoleBinding
    /// "name/namespace" of ClusterRole "edit" to User "jane"`): the first binding (cluster
    /// role bindings first, then the namespace's role bindings, each by name) with a rule
    /// that allows it, and the binding's first subject that is `user`. `None` when
    /// nothing allows it.
    pub fn allowed_by(&self, user: &UserInfo, attrs: &Attributes) -> Option<String> {
        let mut kinds = vec![("clusterrolebindings", None)];
        if !attrs.namespace.is_empty() {
            kinds.push(("rolebindings", Some(attrs.namespace.as_str())));
        }
        for (plural, namespace) in kinds {
            let (mut bindings, _) =
                self.store
                    .list("rbac.authorization.k8s.io", plural, namespace, None);
            bindings.sort_by(|(a, _), (b, _)| a.name.cmp(&b.name));
            let ns = namespace.unwrap_or_default();
            for (key, binding) in &bindings {
                let Some(subject) = binding_subject(binding, user, ns) else {
                    continue;
                };
                let Referenced::Rules(rules) = self.referenced_rules(&binding["roleRef"], ns)
                else {
                    continue;
                };
                if !rules.iter().any(|rule| rule_matches(rule, attrs)) {
                    continue;
                }
                let role_ref = &binding["roleRef"];
                let (what, name) = match namespace {
                    None => ("ClusterRoleBinding", key.name.clone()),
                    Some(ns) => ("RoleBinding", format!("{}/{ns}", key.name)),
                };
                return Some(format!(
                    "RBAC: allowed by {what} {:?} of {} {:?} to {subject}",
                    name,
                    role_ref["kind"].as_str().unwrap_or_default(),
                    role_ref["name"].as_str().unwrap_or_default(),
                ));
            }
        }
        None
    }

    /// Every rule that applies to `user` in `namespace` (cluster-wide rules included).
    pub fn rules_for(&self, user: &UserInfo, namespace: &str) -> Vec<Value> {
        self.rules_and_errors(user, namespace).0
    }

    /// Every rule that applies to `user` in `namespace`, and the bindings' roles that
    /// could not be found (`roles.rbac.authorization.k8s.io "x" not found`), as the API
    /// server's rule resolver reports them.
    pub fn rules_and_errors(&self, user: &UserInfo, namespace: &str) -> (Vec<Value>, Vec<String>) {
        let (mut rules, mut errors) = (Vec::new(), Vec::new());
        let mut add = |referenced: Referenced| match referenced {
            Referenced::Rules(found) => rules.extend(found),
            Referenced::Missing(plural, name) => errors.push(format!(
                "{plural}.rbac.authorization.k8s.io \"{name}\" not found"
            )),
        };
        let (bindings, _) = self.store.list(
            "rbac.authorization.k8s.io",
            "clusterrolebindings",
            None,
            None,
        );
        for (_, binding) in bindings.iter().filter(|(_, b)| binds(b, user, "")) {
            add(self.referenced_rules(&binding["roleRef"], ""));
        }
        if !namespace.is_empty() {
            let (bindings, _) = self.store.list(
                "rbac.authorization.k8s.io",
                "rolebindings",
                Some(namespace),
                None,
            );
            for (_, binding) in bindings.iter().filter(|(_, b)| binds(b, user, namespace)) {
                add(self.referenced_rules(&binding["roleRef"], namespace));
            }
        }
        (rules, errors)
    }

    /// The rules a binding's `roleRef` grants (a Role in the binding's `namespace`, or a
    /// ClusterRole).
    pub fn referenced_rules(&self, role_ref: &Value, namespace: &str) -> Referenced {
        let name = role_ref["name"].as_str().unwrap_or_default();
        match role_ref["kind"].as_str() {
            Some("Role") => match self.store.get(&crate::store::Key::new(
                "rbac.authorization.k8s.io",
                "roles",
                namespace,
                name,
            )) {
                Ok(role) => {
                    Referenced::Rules(role["rules"].as_array().cloned().unwrap_or_default())
                }
                Err(_) => Referenced::Missing("roles", name.to_string()),
            },
            Some("ClusterRole") => self.cluster_role_rules(name).map_or_else(
                || Referenced::Missing("clusterroles", name.to_string()),
                Referenced::Rules,
            ),
            _ => Referenced::Rules(Vec::new()),
        }
    }

    /// A ClusterRole's rules: what it holds, aggregated ones included (the aggregation
    /// controller writes those in, as on a real cluster).
    fn cluster_role_rules(&self, name: &str) -> Option<Vec<Value>> {
        let role = self
            .store
            .get(&crate::store::Key::new(
                "rbac.authorization.k8s.io",
                "clusterroles",
                "",
                name,
            ))
            .ok()?;
        Some(role["rules"].as_array().cloned().unwrap_or_default())
    }
}

/// The first subject of `binding` that is `user`, described as kube-apiserver's RBAC
/// authorizer does (`User "jane"`, `ServiceAccount "robot/team-a"`).
fn binding_subject(binding: &Value, user: &UserInfo, namespace: &str) -> Option<String> {
    binding["subjects"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|s| {
            let one = serde_json::json!({"subjects": [s]});
            binds(&one, user, namespace)
        })
        .map(|s| {
            let kind = s["kind"].as_str().unwrap_or_default();
            let name = s["name"].as_str().unwrap_or_default();
            if kind == "ServiceAccount" {
                let ns = s["namespace"]
                    .as_str()
                    .filter(|n| !n.is_empty())
                    .unwrap_or(namespace);
                format!("{kind} {:?}", format!("{name}/{ns}"))
            } else {
                format!("{kind} {name:?}")
            }
        })
}

fn binds(binding: &Value, user: &UserInfo, namespace: &str) -> bool {
    binding["subjects"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|s| {
            let name = s["name"].as_str().unwrap_or_default();
            match s["kind"].as_str() {
                Some("User") => user.username == name,
                Some("Group") => user.groups.iter().any(|g| g == name),
                Some("ServiceAccount") => {
                    let ns = s["namespace"]
                        .as_str()
                        .filter(|n| !n.is_empty())
                        .unwrap_or(namespace);
                    user.username == format!("system:serviceaccount:{ns}:{name}")
                }
                _ => false,
            }
        })
}

fn contains(list: &Value, wanted: &str) -> bool {
    list.as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .any(|v| v == "*" || v == wanted)
}

fn rule_matches(rule: &Value, attrs: &Attributes) -> bool {
    if !contains(&rule["verbs"], &attrs.verb) {
        return false;
    }
    if let Some(path) = &attrs.path {
        return rule["nonResourceURLs"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .any(|url| {
                url == "*"
                    || url == path
                    || url
                        .strip_suffix('*')
                        .is_some_and(|prefix| path.starts_with(prefix))
            });
    }
    let resource_ok = rule["resources"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .any(|r| {
            r == "*"
                || r == attrs.full_resource()
                || (!attrs.subresource.is_empty() && r == format!("*/{}", attrs.subresource))
        });
    let names = rule["resourceNames"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    let name_ok = names.is_empty()
        || (!attrs.name.is_empty()
            && names
                .iter()
                .any(|n| n.as_str() == Some(attrs.name.as_str())));
    contains(&rule["apiGroups"], &attrs.group) && resource_ok && name_ok
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn forbidden_messages_read_like_kube_apiservers() {
        let sa = UserInfo::service_account("server", "go-http-app");
        let list = Attributes::resource("list", "", "pods", "", "server", "");
        assert_eq!(
            list.forbidden_message(&sa),
            "pods is forbidden: User \"system:serviceaccount:server:go-http-app\" cannot list resource \"pods\" in API group \"\" in the namespace \"server\""
        );
        let get = Attributes::resource("get", "apps", "deployments", "scale", "", "web");
        assert_eq!(
            get.forbidden_message(&sa),
            "deployments/scale.apps \"web\" is forbidden: User \"system:serviceaccount:server:go-http-app\" cannot get resource \"deployments/scale\" in API group \"apps\" at the cluster scope"
        );
    }

    #[test]
    fn rules_match_verbs_groups_resources_and_names() {
        let rule = json!({"apiGroups": [""], "resources": ["services", "pods/log"], "verbs": ["get", "list"], "resourceNames": []});
        assert!(rule_matches(
            &rule,
            &Attributes::resource("list", "", "services", "", "ns", "")
        ));
        assert!(rule_matches(
            &rule,
            &Attributes::resource("get", "", "pods", "log", "ns", "p")
        ));
        assert!(!rule_matches(
            &rule,
            &Attributes::resource("get", "", "pods", "", "ns", "p")
        ));
        assert!(!rule_matches(
            &rule,
            &Attributes::resource("delete", "", "services", "", "ns", "s")
        ));
        let named = json!({"apiGroups": ["*"], "resources": ["*"], "verbs": ["get"], "resourceNames": ["one"]});
        assert!(rule_matches(
            &named,
            &Attributes::resource("get", "apps", "deployments", "", "ns", "one")
        ));
        assert!(!rule_matches(
            &named,
            &Attributes::resource("get", "apps", "deployments", "", "ns", "two")
        ));
    }
}

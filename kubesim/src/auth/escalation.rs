//! RBAC's escalation prevention, as kube-apiserver's policy-based RBAC storage applies
//! it: writing a Role or ClusterRole that grants what the writer does not hold is
//! refused unless they may `escalate` that role; writing a RoleBinding or
//! ClusterRoleBinding to a role whose permissions the writer does not hold is refused
//! unless they may `bind` that role. Without this, anyone allowed to write RBAC objects
//! in one namespace (a tenant with the `admin` role) could grant themselves anything:
//! wildcards, `impersonate`, `cluster-admin`. Members of `system:masters` are not
//! limited. What is held is judged rule by rule down to one verb, group, resource and
//! name ("covers"), and what is missing is listed as the API server lists it.

use super::rbac::{Attributes, Authorizer, Referenced};
use super::user::UserInfo;
use serde_json::{Value, json};

const GROUP: &str = "rbac.authorization.k8s.io";

/// One policy rule, its lists read out of the object.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Rule {
    api_groups: Vec<String>,
    resources: Vec<String>,
    non_resource_urls: Vec<String>,
    resource_names: Vec<String>,
    verbs: Vec<String>,
}

impl Rule {
    fn of(rule: &Value) -> Rule {
        let list = |field: &str| -> Vec<String> {
            rule[field]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        };
        Rule {
            api_groups: list("apiGroups"),
            resources: list("resources"),
            non_resource_urls: list("nonResourceURLs"),
            resource_names: list("resourceNames"),
            verbs: list("verbs"),
        }
    }

    /// The rule as one rule per group, resource, verb and name (or per URL and verb).
    fn breakdown(&self) -> Vec<Rule> {
        let one = |s: &String| vec![s.clone()];
        let mut out = Vec::new();
        for group in &self.api_groups {
            for resource in &self.resources {
                for verb in &self.verbs {
                    let names: Vec<Vec<String>> = if self.resource_names.is_empty() {
                        vec![Vec::new()]
                    } else {
                        self.resource_names.iter().map(one).collect()
                    };
                    for resource_names in names {
                        out.push(Rule {
                            api_groups: one(group),
                            resources: one(resource),
                            verbs: one(verb),
                            resource_names,
                            ..Rule::default()
                        });
                    }
                }
            }
        }
        for url in &self.non_resource_urls {
            for verb in &self.verbs {
                out.push(Rule {
                    non_resource_urls: one(url),
                    verbs: one(verb),
                    ..Rule::default()
                });
            }
        }
        out
    }

    /// Whether this (held) rule covers an atomic rule from [`Rule::breakdown`].
    fn covers(&self, sub: &Rule) -> bool {
        let all = |set: &[String], wildcard: &str, wanted: &[String]| {
            set.iter().any(|s| s == wildcard) || wanted.iter().all(|w| set.contains(w))
        };
        let resources = self.resources.iter().any(|r| r == "*")
            || sub.resources.iter().all(|wanted| {
                self.resources.contains(wanted)
                    || wanted.split_once('/').is_some_and(|(_, sub)| {
                        self.resources.iter().any(|r| *r == format!("*/{sub}"))
                    })
            });
        let urls = sub.non_resource_urls.iter().all(|path| {
            self.non_resource_urls.iter().any(|owner| {
                owner == path
                    || owner
                        .strip_suffix('*')
                        .is_some_and(|prefix| path.starts_with(prefix))
            })
        });
        let names = if sub.resource_names.is_empty() {
            self.resource_names.is_empty()
        } else {
            self.resource_names.is_empty()
                || sub
                    .resource_names
                    .iter()
                    .all(|n| self.resource_names.contains(n))
        };
        all(&self.verbs, "*", &sub.verbs)
            && all(&self.api_groups, "*", &sub.api_groups)
            && resources
            && urls
            && names
    }

    /// `{APIGroups:["apps"], Resources:["deployments"], Verbs:["create" "delete"]}`:
    /// Go's `%q` of each non-empty list.
    fn compact_string(&self) -> String {
        let quoted = |list: &[String]| {
            let items: Vec<String> = list.iter().map(|s| json!(s).to_string()).collect();
            format!("[{}]", items.join(" "))
        };
        let parts: Vec<String> = [
            ("APIGroups", &self.api_groups),
            ("Resources", &self.resources),
            ("NonResourceURLs", &self.non_resource_urls),
            ("ResourceNames", &self.resource_names),
            ("Verbs", &self.verbs),
        ]
        .iter()
        .filter(|(_, list)| !list.is_empty())
        .map(|(name, list)| format!("{name}:{}", quoted(list)))
        .collect();
        format!("{{{}}}", parts.join(", "))
    }
}

/// The missing atomic rules with the verbs of rules on the same group, resource and
/// name merged (the API server's `CompactRules`).
fn compact(missing: Vec<Rule>) -> Vec<Rule> {
    let mut merged: Vec<Rule> = Vec::new();
    for rule in missing {
        let simple = rule.non_resource_urls.is_empty()
            && rule.api_groups.len() == 1
            && rule.resources.len() == 1
            && rule.resource_names.len() <= 1;
        let same = |r: &&mut Rule| {
            r.non_resource_urls.is_empty()
                && r.api_groups == rule.api_groups
                && r.resources == rule.resources
                && r.resource_names == rule.resource_names
        };
        match merged.iter_mut().find(same).filter(|_| simple) {
            Some(existing) => existing.verbs.extend(rule.verbs),
            None => merged.push(rule),
        }
    }
    merged
}

/// Everything, as `cluster-admin` holds it: what using an aggregationRule requires.
fn full_authority() -> Vec<Value> {
    vec![
        json!({"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}),
        json!({"nonResourceURLs": ["*"], "verbs": ["*"]}),
    ]
}

/// Refuses `rules` unless `user` already holds all of them in `namespace` (`""`: only
/// what cluster-wide bindings give). The error is the API server's, to follow
/// `<resource> "<name>" is forbidden: `.
pub fn confirm_no_escalation(
    rbac: &Authorizer,
    user: &UserInfo,
    namespace: &str,
    rules: &[Value],
) -> Result<(), String> {
    let (held, resolution_errors) = rbac.rules_and_errors(user, namespace);
    let held: Vec<Rule> = held.iter().map(Rule::of).collect();
    let missing: Vec<Rule> = rules
        .iter()
        .flat_map(|r| Rule::of(r).breakdown())
        .filter(|sub| !held.iter().any(|owner| owner.covers(sub)))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let mut lines: Vec<String> = compact(missing).iter().map(Rule::compact_string).collect();
    lines.sort();
    lines.dedup();
    let groups: Vec<String> = user.groups.iter().map(|g| json!(g).to_string()).collect();
    let mut message = format!(
        "user {} (groups=[{}]) is attempting to grant RBAC permissions not currently held:\n{}",
        json!(user.username),
        groups.join(" "),
        lines.join("\n")
    );
    if !resolution_errors.is_empty() {
        let aggregate = match resolution_errors.as_slice() {
            [one] => one.clone(),
            many => format!("[{}]", many.join(", ")),
        };
        message.push_str(&format!("; resolution errors: [{aggregate}]"));
    }
    Err(message)
}

/// Whether `user` may write the Role or ClusterRole (`plural`) `name` in `namespace`
/// granting `rules` (`aggregated`: with an aggregationRule, now or before). The error
/// follows `<resource> "<name>" is forbidden: `.
pub fn check_role(
    rbac: &Authorizer,
    user: &UserInfo,
    plural: &str,
    namespace: &str,
    name: &str,
    rules: &[Value],
    aggregated: bool,
) -> Result<(), String> {
    let may_escalate = rbac.allows(
        user,
        &Attributes::resource("escalate", GROUP, plural, "", namespace, name),
    );
    if user.is_master() || may_escalate {
        return Ok(());
    }
    confirm_no_escalation(rbac, user, namespace, rules)?;
    if aggregated && confirm_no_escalation(rbac, user, namespace, &full_authority()).is_err() {
        return Err("must have cluster-admin privileges to use the aggregationRule".into());
    }
    Ok(())
}

/// Whether `user` may write a binding in `namespace` to `role_ref`: they may `bind` the
/// role, or hold everything it grants. The error follows `<resource> "<name>" is
/// forbidden: `; `Ok(Some(..))` when the role does not exist (the API server answers
/// 404 for it).
pub fn check_binding(
    rbac: &Authorizer,
    user: &UserInfo,
    namespace: &str,
    role_ref: &Value,
) -> Result<Option<(&'static str, String)>, String> {
    if user.is_master() {
        return Ok(None);
    }
    let name = role_ref["name"].as_str().unwrap_or_default();
    let plural = match role_ref["kind"].as_str() {
        Some("Role") => "roles",
        Some("ClusterRole") => "clusterroles",
        _ => return Ok(None),
    };
    let may_bind = rbac.allows(
        user,
        &Attributes::resource("bind", GROUP, plural, "", namespace, name),
    );
    if may_bind {
        return Ok(None);
    }
    match rbac.referenced_rules(role_ref, namespace) {
        Referenced::Rules(rules) => {
            confirm_no_escalation(rbac, user, namespace, &rules).map(|()| None)
        }
        Referenced::Missing(plural, name) => Ok(Some((plural, name))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn held_rules_cover_atomic_rules_as_kube_apiserver_judges() {
        let owner = Rule::of(
            &json!({"apiGroups": [""], "resources": ["pods", "*/log"], "verbs": ["get", "list"]}),
        );
        let wanted = Rule::of(
            &json!({"apiGroups": [""], "resources": ["pods", "pods/log", "secrets"], "verbs": ["get", "*"]}),
        );
        let missing: Vec<String> = compact(
            wanted
                .breakdown()
                .into_iter()
                .filter(|sub| !owner.covers(sub))
                .collect(),
        )
        .iter()
        .map(Rule::compact_string)
        .collect();
        assert_eq!(
            missing,
            [
                "{APIGroups:[\"\"], Resources:[\"pods\"], Verbs:[\"*\"]}",
                "{APIGroups:[\"\"], Resources:[\"pods/log\"], Verbs:[\"*\"]}",
                "{APIGroups:[\"\"], Resources:[\"secrets\"], Verbs:[\"get\" \"*\"]}",
            ]
        );
        let star = Rule::of(&json!({"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}));
        assert!(wanted.breakdown().iter().all(|sub| star.covers(sub)));
        let named = Rule::of(
            &json!({"apiGroups": [""], "resources": ["secrets"], "verbs": ["get"], "resourceNames": ["a"]}),
        );
        let any_secret =
            Rule::of(&json!({"apiGroups": [""], "resources": ["secrets"], "verbs": ["get"]}));
        assert!(
            !named.covers(&any_secret.breakdown()[0]),
            "a named grant does not cover all names"
        );
    }
}

//! Roles and bindings, as rbac's validation has it: rules that say which verbs on which
//! resources of which API groups (or which non-resource URLs), bindings whose role they
//! cannot change afterwards and whose subjects are of a known kind.

use super::errors::Errors;
use serde_json::{Value, json};

const GROUP: &str = "rbac.authorization.k8s.io";

/// A Role's or ClusterRole's rules.
pub fn validate_role(kind: &str, object: &Value, errors: &mut Errors) {
    let namespaced = kind == "Role";
    for (i, rule) in object["rules"].as_array().into_iter().flatten().enumerate() {
        validate_rule(rule, namespaced, &format!("rules[{i}]"), errors);
    }
}

fn list_len(value: &Value) -> usize {
    value.as_array().map_or(0, Vec::len)
}

fn validate_rule(rule: &Value, namespaced: bool, at: &str, errors: &mut Errors) {
    if list_len(&rule["verbs"]) == 0 {
        errors.required(
            &format!("{at}.verbs"),
            "verbs must contain at least one value",
        );
    }
    if list_len(&rule["nonResourceURLs"]) > 0 {
        let urls = &rule["nonResourceURLs"];
        let field = format!("{at}.nonResourceURLs");
        if namespaced {
            errors.invalid(
                &field,
                urls,
                "namespaced rules cannot apply to non-resource URLs",
            );
        }
        let resources = ["apiGroups", "resources", "resourceNames"]
            .iter()
            .any(|f| list_len(&rule[*f]) > 0);
        if resources {
            errors.invalid(
                &field,
                urls,
                "rules cannot apply to both regular resources and non-resource URLs",
            );
        }
        return;
    }
    if list_len(&rule["apiGroups"]) == 0 {
        errors.required(
            &format!("{at}.apiGroups"),
            "resource rules must supply at least one api group",
        );
    }
    if list_len(&rule["resources"]) == 0 {
        errors.required(
            &format!("{at}.resources"),
            "resource rules must supply at least one resource",
        );
    }
}

/// A RoleBinding's or ClusterRoleBinding's role and subjects; on update, its role as it
/// was.
pub fn validate_binding(kind: &str, object: &Value, old: Option<&Value>, errors: &mut Errors) {
    let role = &object["roleRef"];
    if let Some(old) = old
        && old["roleRef"] != *role
    {
        // Go prints the struct with its field names.
        let shown =
            json!({"APIGroup": role["apiGroup"], "Kind": role["kind"], "Name": role["name"]});
        errors.invalid("roleRef", &shown, "cannot change roleRef");
        return;
    }
    let group = role["apiGroup"].as_str().unwrap_or_default();
    if group != GROUP {
        errors.not_supported("roleRef.apiGroup", &json!(group), &[GROUP]);
    }
    let role_kind = role["kind"].as_str().unwrap_or_default();
    if !matches!(role_kind, "Role" | "ClusterRole") {
        errors.not_supported("roleRef.kind", &json!(role_kind), &["Role", "ClusterRole"]);
    }
    let name = role["name"].as_str().unwrap_or_default();
    if name.is_empty() {
        errors.required("roleRef.name", "");
    } else {
        for problem in super::meta::path_segment_problems(name) {
            errors.invalid("roleRef.name", &json!(name), &problem);
        }
    }
    let namespaced = kind == "RoleBinding";
    for (i, subject) in object["subjects"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
    {
        validate_subject(subject, namespaced, &format!("subjects[{i}]"), errors);
    }
}

fn validate_subject(subject: &Value, namespaced: bool, at: &str, errors: &mut Errors) {
    let name = subject["name"].as_str().unwrap_or_default();
    if name.is_empty() {
        errors.required(&format!("{at}.name"), "");
    }
    let group = subject["apiGroup"].as_str().unwrap_or_default();
    match subject["kind"].as_str().unwrap_or_default() {
        "ServiceAccount" => {
            if !name.is_empty() && !super::meta::is_dns1123_subdomain(name) {
                errors.invalid(
                    &format!("{at}.name"),
                    &json!(name),
                    super::meta::DNS1123_SUBDOMAIN,
                );
            }
            if !group.is_empty() {
                errors.not_supported(&format!("{at}.apiGroup"), &json!(group), &[""]);
            }
            if !namespaced && subject["namespace"].as_str().unwrap_or_default().is_empty() {
                errors.required(&format!("{at}.namespace"), "");
            }
        }
        "User" | "Group" => {
            if group != GROUP {
                errors.not_supported(&format!("{at}.apiGroup"), &json!(group), &[GROUP]);
            }
        }
        other => errors.not_supported(
            &format!("{at}.kind"),
            &json!(other),
            &["ServiceAccount", "User", "Group"],
        ),
    }
}

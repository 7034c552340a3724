//! Discovery: `/version`, `/api`, `/apis`, and the resource lists of each group version,
//! in the legacy form (what kubectl 1.20 and `kube::Discovery::run` read) and the
//! aggregated form (`apidiscovery.k8s.io/v2`, one request for everything).

use crate::resources::{self, Resource};
use crate::version::{self, MAJOR, MINOR};
use serde_json::{Value, json};

/// `/version`.
pub fn version() -> Value {
    json!({
        "major": MAJOR,
        "minor": MINOR,
        "gitVersion": version::git_version(),
        "gitCommit": "0000000000000000000000000000000000000000",
        "gitTreeState": "clean",
        "buildDate": "2026-01-01T00:00:00Z",
        "goVersion": "go1.24.0",
        "compiler": "gc",
        "platform": "linux/amd64",
    })
}

/// `/api`.
pub fn legacy_versions() -> Value {
    json!({
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1:6443"}],
    })
}

fn group_json(group: &str, versions: &[&str]) -> Value {
    let gv = |v: &str| json!({"groupVersion": format!("{group}/{v}"), "version": v});
    json!({
        "name": group,
        "versions": versions.iter().map(|v| gv(v)).collect::<Vec<_>>(),
        "preferredVersion": gv(versions[0]),
    })
}

/// `/apis`, for the served resources `all`.
pub fn groups(all: &[&'static Resource]) -> Value {
    json!({
        "kind": "APIGroupList",
        "apiVersion": "v1",
        "groups": resources::groups_of(all).iter().map(|(g, vs)| group_json(g, vs)).collect::<Vec<_>>(),
    })
}

/// `/apis/GROUP`, if the group exists.
pub fn group(name: &str, all: &[&'static Resource]) -> Option<Value> {
    let groups = resources::groups_of(all);
    let (group, versions) = groups.iter().find(|(g, _)| *g == name)?;
    let mut value = group_json(group, versions);
    value["kind"] = json!("APIGroup");
    value["apiVersion"] = json!("v1");
    Some(value)
}

/// What each subresource answers with and to.
fn subresource_meta(resource: &Resource, sub: &str) -> (Value, &'static [&'static str]) {
    let kind = |group: &str, version: &str, kind: &str| json!({"group": group, "version": version, "kind": kind});
    let own = kind(resource.group, resource.version, resource.kind);
    match sub {
        "status" | "ephemeralcontainers" => (own, &["get", "patch", "update"]),
        "scale" => (
            kind("autoscaling", "v1", "Scale"),
            &["get", "patch", "update"],
        ),
        "log" => (own, &["get"]),
        "binding" => (kind("", "v1", "Binding"), &["create"]),
        "eviction" => (kind("policy", "v1", "Eviction"), &["create"]),
        "token" => (
            kind("authentication.k8s.io", "v1", "TokenRequest"),
            &["create"],
        ),
        "finalize" => (own, &["update"]),
        "proxy" => (
            kind("", "v1", &format!("{}ProxyOptions", resource.kind)),
            &["create", "delete", "get", "patch", "update"],
        ),
        _ => (
            kind(
                "",
                "v1",
                &format!("{}{}Options", resource.kind, capitalise(sub)),
            ),
            &["create", "get"],
        ),
    }
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
        .unwrap_or_default()
}

/// A resource's short names and categories, when it has any (both discovery forms
/// leave the fields out otherwise).
fn add_names(entry: &mut Value, r: &Resource) {
    if !r.short_names.is_empty() {
        entry["shortNames"] = json!(r.short_names);
    }
    if !r.categories.is_empty() {
        entry["categories"] = json!(r.categories);
    }
}

/// The hash kube-apiserver lists as a resource's `storageVersionHash`: the first 8 bytes
/// of SHA-256 over `group/version/kind` of the version it is stored as, in base64.
/// (Clients such as the storage version migrator compare it; kubesim stores every
/// resource as served, except the kinds kube-apiserver stores as another version.)
fn storage_version_hash(r: &Resource) -> String {
    use base64::Engine;
    use sha2::Digest;
    let stored = match (r.group, r.kind) {
        ("events.k8s.io", "Event") => "/v1/Event".to_string(),
        ("autoscaling", "HorizontalPodAutoscaler") => {
            "autoscaling/v2/HorizontalPodAutoscaler".into()
        }
        // kube-apiserver still stores CRDs as v1beta1.
        ("apiextensions.k8s.io", "CustomResourceDefinition") => {
            "apiextensions.k8s.io/v1beta1/CustomResourceDefinition".into()
        }
        _ => format!("{}/{}/{}", r.group, r.version, r.kind),
    };
    let digest = sha2::Sha256::digest(stored.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(&digest[..8])
}

/// `/api/v1` or `/apis/GROUP/VERSION`, if served.
pub fn resource_list(group: &str, version: &str, all: &[&'static Resource]) -> Option<Value> {
    let mut list = Vec::new();
    for r in resources::in_group_version(all, group, version) {
        let mut entry = json!({
            "name": r.plural,
            "singularName": r.singular,
            "namespaced": r.namespaced,
            "kind": r.kind,
            "verbs": r.verbs,
        });
        add_names(&mut entry, r);
        // Only what is stored has a storage version (not bindings, not reviews).
        if r.verbs.contains(&"get") {
            entry["storageVersionHash"] = json!(storage_version_hash(r));
        }
        list.push(entry);
        for sub in r.subresources {
            let (kind, verbs) = subresource_meta(r, sub);
            let mut entry = json!({
                "name": format!("{}/{sub}", r.plural),
                "singularName": "",
                "namespaced": r.namespaced,
                "kind": kind["kind"],
                "verbs": verbs,
            });
            if kind["group"] != json!(r.group) || kind["version"] != json!(r.version) {
                entry["group"] = kind["group"].clone();
                entry["version"] = kind["version"].clone();
            }
            list.push(entry);
        }
    }
    if list.is_empty() {
        return None;
    }
    let group_version = if group.is_empty() {
        version.to_string()
    } else {
        format!("{group}/{version}")
    };
    Some(
        json!({"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": group_version, "resources": list}),
    )
}

/// The media type clients ask for aggregated discovery with.
pub const AGGREGATED_MEDIA_TYPE: &str =
    "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";

/// Aggregated discovery for `/api` (`legacy`) or `/apis`.
pub fn aggregated(legacy: bool, all: &[&'static Resource]) -> Value {
    let groups: Vec<(&str, Vec<&str>)> = if legacy {
        vec![("", vec!["v1"])]
    } else {
        resources::groups_of(all)
    };
    let items: Vec<Value> = groups
        .iter()
        .map(|(group, versions)| {
            let versions: Vec<Value> = versions
                .iter()
                .map(|version| {
                    let resources: Vec<Value> = resources::in_group_version(all, group, version)
                        .map(|r| {
                            let mut entry = json!({
                                "resource": r.plural,
                                "responseKind": {"group": r.group, "version": r.version, "kind": r.kind},
                                "scope": if r.namespaced { "Namespaced" } else { "Cluster" },
                                "singularResource": r.singular,
                                "verbs": r.verbs,
                            });
                            add_names(&mut entry, r);
                            if !r.subresources.is_empty() {
                                entry["subresources"] = r
                                    .subresources
                                    .iter()
                                    .map(|sub| {
                                        let (kind, verbs) = subresource_meta(r, sub);
                                        json!({"subresource": sub, "responseKind": kind, "verbs": verbs})
                                    })
                                    .collect();
                            }
                            entry
                        })
                        .collect();
                    json!({"version": version, "resources": resources, "freshness": "Current"})
                })
                .collect();
            json!({"metadata": {"name": group}, "versions": versions})
        })
        .collect();
    json!({"kind": "APIGroupDiscoveryList", "apiVersion": "apidiscovery.k8s.io/v2", "metadata": {}, "items": items})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_lists_carry_subresources() {
        let all = resources::builtin();
        let list = resource_list("apps", "v1", &all).expect("apps/v1");
        let names: Vec<&str> = list["resources"]
            .as_array()
            .expect("array")
            .iter()
            .filter_map(|r| r["name"].as_str())
            .collect();
        assert!(names.contains(&"deployments") && names.contains(&"deployments/scale"));
        let scale = list["resources"]
            .as_array()
            .expect("array")
            .iter()
            .find(|r| r["name"] == "deployments/scale")
            .expect("scale");
        assert_eq!(
            (scale["group"].as_str(), scale["kind"].as_str()),
            (Some("autoscaling"), Some("Scale"))
        );
        assert!(resource_list("apps", "v9", &all).is_none());
    }
}

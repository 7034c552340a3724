//! The OpenAPI documents clients read to validate manifests and explain fields: v2 as JSON
//! and as the protobuf kubectl up to 1.26 asks for (`/openapi/v2`), and v3 as JSON
//! (`/openapi/v3` and one document per group version). Schemas come from k8s-openapi's
//! JSON Schemas of the built-in types, with `x-kubernetes-group-version-kind` on each kind.
//! They are built once, on first request.

pub mod decode;
mod proto;
pub mod unknown;

use schemars::generate::SchemaSettings;
use serde_json::{Map, Value, json};
use std::sync::OnceLock;

macro_rules! kinds {
    ($gen:ident, $( $ty:path => ($group:literal, $version:literal, $kind:literal) ),* $(,)?) => {{
        let mut gvks: Vec<(String, Value)> = Vec::new();
        $(
            let schema = $gen.subschema_for::<$ty>();
            let name = schema.as_object().and_then(|o| o.get("$ref")).and_then(Value::as_str).and_then(|r| r.rsplit('/').next()).unwrap_or_default().to_string();
            gvks.push((name, json!({"group": $group, "version": $version, "kind": $kind})));
        )*
        gvks
    }};
}

/// Every definition, keyed by its OpenAPI name (`io.k8s.api.apps.v1.Deployment`), with
/// references in the form `settings` gives them.
fn definitions(settings: SchemaSettings) -> Map<String, Value> {
    use k8s_openapi::api::{
        apps, autoscaling, batch, core, discovery, networking, policy, rbac, storage,
    };
    let mut generator = settings.into_generator();
    let gvks = kinds!(generator,
        core::v1::Binding => ("", "v1", "Binding"),
        core::v1::ConfigMap => ("", "v1", "ConfigMap"),
        core::v1::Endpoints => ("", "v1", "Endpoints"),
        core::v1::Event => ("", "v1", "Event"),
        core::v1::LimitRange => ("", "v1", "LimitRange"),
        core::v1::Namespace => ("", "v1", "Namespace"),
        core::v1::Node => ("", "v1", "Node"),
        core::v1::PersistentVolumeClaim => ("", "v1", "PersistentVolumeClaim"),
        core::v1::PersistentVolume => ("", "v1", "PersistentVolume"),
        core::v1::Pod => ("", "v1", "Pod"),
        core::v1::ResourceQuota => ("", "v1", "ResourceQuota"),
        core::v1::Secret => ("", "v1", "Secret"),
        core::v1::ServiceAccount => ("", "v1", "ServiceAccount"),
        core::v1::Service => ("", "v1", "Service"),
        apps::v1::ControllerRevision => ("apps", "v1", "ControllerRevision"),
        apps::v1::DaemonSet => ("apps", "v1", "DaemonSet"),
        apps::v1::Deployment => ("apps", "v1", "Deployment"),
        apps::v1::ReplicaSet => ("apps", "v1", "ReplicaSet"),
        apps::v1::StatefulSet => ("apps", "v1", "StatefulSet"),
        autoscaling::v2::HorizontalPodAutoscaler => ("autoscaling", "v2", "HorizontalPodAutoscaler"),
        autoscaling::v1::HorizontalPodAutoscaler => ("autoscaling", "v1", "HorizontalPodAutoscaler"),
        autoscaling::v1::Scale => ("autoscaling", "v1", "Scale"),
        batch::v1::CronJob => ("batch", "v1", "CronJob"),
        batch::v1::Job => ("batch", "v1", "Job"),
        discovery::v1::EndpointSlice => ("discovery.k8s.io", "v1", "EndpointSlice"),
        networking::v1::IngressClass => ("networking.k8s.io", "v1", "IngressClass"),
        networking::v1::Ingress => ("networking.k8s.io", "v1", "Ingress"),
        networking::v1::NetworkPolicy => ("networking.k8s.io", "v1", "NetworkPolicy"),
        policy::v1::PodDisruptionBudget => ("policy", "v1", "PodDisruptionBudget"),
        rbac::v1::ClusterRoleBinding => ("rbac.authorization.k8s.io", "v1", "ClusterRoleBinding"),
        rbac::v1::ClusterRole => ("rbac.authorization.k8s.io", "v1", "ClusterRole"),
        rbac::v1::RoleBinding => ("rbac.authorization.k8s.io", "v1", "RoleBinding"),
        rbac::v1::Role => ("rbac.authorization.k8s.io", "v1", "Role"),
        storage::v1::StorageClass => ("storage.k8s.io", "v1", "StorageClass"),
    );
    let mut definitions = generator.take_definitions(true);
    add_patch_strategies(&mut definitions);
    for (name, gvk) in gvks {
        if let Some(Value::Object(schema)) = definitions.get_mut(&name) {
            schema.insert("x-kubernetes-group-version-kind".into(), json!([gvk]));
        }
    }
    definitions
}

/// Settings for Swagger 2.0 definitions: `#/definitions/` references that keep their
/// sibling descriptions, as Kubernetes' own document has them (kubectl does not follow
/// `allOf` wrappers when it validates or computes patches).
fn swagger2() -> SchemaSettings {
    let mut settings = SchemaSettings::draft07();
    settings.transforms.clear();
    settings.meta_schema = None;
    settings
}

/// The patch and list metadata Kubernetes' own document carries
/// (`x-kubernetes-patch-merge-key`, `x-kubernetes-patch-strategy`,
/// `x-kubernetes-list-type`, `x-kubernetes-list-map-keys`), from that document itself
/// ([`crate::patch_schema`]): without it kubectl treats keyed lists as atomic and re-sends
/// whole container lists on every apply.
fn add_patch_strategies(definitions: &mut Map<String, Value>) {
    for (name, schema) in definitions.iter_mut() {
        let Some(ty) = crate::patch_schema::named(name) else {
            continue;
        };
        let Some(properties) = schema.get_mut("properties").and_then(Value::as_object_mut) else {
            continue;
        };
        for (field, property) in properties.iter_mut() {
            let Some(meta) = ty.field(field) else {
                continue;
            };
            if let Some(key) = &meta.merge_key {
                property["x-kubernetes-patch-merge-key"] = json!(key);
            }
            if let Some(strategy) = &meta.strategy {
                property["x-kubernetes-patch-strategy"] = json!(strategy);
            }
            if let Some(list) = &meta.list_type {
                property["x-kubernetes-list-type"] = json!(list);
            }
            if !meta.map_keys.is_empty() {
                property["x-kubernetes-list-map-keys"] = json!(meta.map_keys);
            }
        }
    }
}

/// The Swagger 2.0 document.
pub fn v2() -> &'static Value {
    static DOC: OnceLock<Value> = OnceLock::new();
    DOC.get_or_init(|| {
        json!({
            "swagger": "2.0",
            "info": {"title": "Kubernetes", "version": crate::version::git_version()},
            "paths": {},
            "definitions": definitions(swagger2()),
        })
    })
}

/// The Swagger 2.0 document as gnostic's `openapi.v2.Document` protobuf.
pub fn v2_protobuf() -> &'static [u8] {
    static BYTES: OnceLock<Vec<u8>> = OnceLock::new();
    BYTES.get_or_init(|| proto::encode(v2()))
}

fn group_versions() -> Vec<String> {
    let mut out = vec!["api/v1".to_string()];
    for (group, versions) in crate::resources::groups() {
        for v in versions {
            out.push(format!("apis/{group}/{v}"));
        }
    }
    out
}

/// A custom resource's served version and its structural schema, as its CRD defines it:
/// what the v3 documents add for `kubectl explain` of custom resources.
pub type Custom = (&'static crate::resources::Resource, Value);

/// `/openapi/v3`: where each group version's document is, custom ones included.
pub fn v3_index(custom: &[Custom]) -> Value {
    let mut versions = group_versions();
    for (resource, _) in custom {
        let gv = format!("apis/{}/{}", resource.group, resource.version);
        if !versions.contains(&gv) {
            versions.push(gv);
        }
    }
    let paths: Map<String, Value> = versions
        .into_iter()
        .map(|gv| {
            let url = format!("/openapi/v3/{gv}?hash={}", crate::version::MINOR);
            (gv, json!({"serverRelativeURL": url}))
        })
        .collect();
    json!({"paths": paths})
}

/// `/openapi/v3/GROUP-VERSION`: an OpenAPI 3.0 document with every built-in schema and
/// those of the group version's custom resources (named as kube-apiserver names them,
/// `com.example.v1.Widget`).
pub fn v3(group_version: &str, custom: &[Custom]) -> Option<Value> {
    static SCHEMAS: OnceLock<Map<String, Value>> = OnceLock::new();
    let custom: Vec<&Custom> = custom
        .iter()
        .filter(|(r, _)| format!("apis/{}/{}", r.group, r.version) == group_version)
        .collect();
    if custom.is_empty() && !group_versions().iter().any(|gv| gv == group_version) {
        return None;
    }
    let builtin = SCHEMAS.get_or_init(|| definitions(SchemaSettings::openapi3()));
    let schemas = if custom.is_empty() {
        Value::Object(builtin.clone())
    } else {
        let mut schemas = builtin.clone();
        for (resource, schema) in &custom {
            schemas.insert(
                custom_schema_name(resource),
                custom_schema(resource, schema, builtin),
            );
        }
        Value::Object(schemas)
    };
    let mut paths = paths(group_version, crate::resources::builtin());
    paths.extend(self::paths(
        group_version,
        custom.iter().map(|(r, _)| *r).collect(),
    ));
    Some(json!({
        "openapi": "3.0.0",
        "info": {"title": "Kubernetes", "version": crate::version::git_version()},
        "paths": paths,
        "components": {"schemas": schemas},
    }))
}

/// kube-apiserver's name for a custom kind's schema: the group reversed, the version, the
/// kind (`widgets.example.com` v1 → `com.example.v1.Widget`).
fn custom_schema_name(resource: &crate::resources::Resource) -> String {
    let group: Vec<&str> = resource.group.split('.').rev().collect();
    format!("{}.{}.{}", group.join("."), resource.version, resource.kind)
}

/// A CRD's structural schema as its OpenAPI schema: its group-version-kind, and the
/// fields every object has (`apiVersion`, `kind`, `metadata`) as every built-in kind has
/// them (taken from the Deployment's schema, wording and all).
fn custom_schema(
    resource: &crate::resources::Resource,
    schema: &Value,
    builtin: &Map<String, Value>,
) -> Value {
    let mut schema = schema.clone();
    if !schema.is_object() {
        schema = json!({"type": "object"});
    }
    schema["x-kubernetes-group-version-kind"] = json!([
        {"group": resource.group, "version": resource.version, "kind": resource.kind}
    ]);
    let common = builtin
        .get("io.k8s.api.apps.v1.Deployment")
        .map_or(Value::Null, |d| d["properties"].clone());
    let properties = schema
        .as_object_mut()
        .map(|o| o.entry("properties").or_insert_with(|| json!({})));
    if let Some(Value::Object(properties)) = properties {
        for field in ["apiVersion", "kind", "metadata"] {
            if let Some(described) = common.get(field) {
                properties.insert(field.into(), described.clone());
            }
        }
    }
    schema
}

/// The read paths of a group version's `resources` (`/apis/apps/v1/namespaces/{namespace}/
/// deployments` and `…/{name}`), each operation with its `x-kubernetes-group-version-kind`:
/// how `kubectl explain` finds a resource's kind in the document.
fn paths(
    group_version: &str,
    resources: Vec<&'static crate::resources::Resource>,
) -> Map<String, Value> {
    let (group, version) = match group_version.split('/').collect::<Vec<_>>()[..] {
        ["api", version] => ("", version),
        ["apis", group, version] => (group, version),
        _ => return Map::new(),
    };
    let mut paths = Map::new();
    for resource in crate::resources::in_group_version(&resources, group, version) {
        let scope = if resource.namespaced {
            "namespaces/{namespace}/"
        } else {
            ""
        };
        let list = format!("/{group_version}/{scope}{}", resource.plural);
        let gvk = json!({"group": group, "version": version, "kind": resource.kind});
        let operation = |action: &str, description: String| {
            json!({"get": {
                "description": description,
                "x-kubernetes-action": action,
                "x-kubernetes-group-version-kind": gvk,
            }})
        };
        let kind = resource.kind;
        paths.insert(
            format!("{list}/{{name}}"),
            operation("get", format!("read the specified {kind}")),
        );
        paths.insert(
            list,
            operation("list", format!("list or watch objects of kind {kind}")),
        );
    }
    paths
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_carry_their_group_version_kind_and_refs_resolve() {
        let doc = v2();
        let deployment = &doc["definitions"]["io.k8s.api.apps.v1.Deployment"];
        assert_eq!(
            deployment["x-kubernetes-group-version-kind"],
            json!([{"group": "apps", "version": "v1", "kind": "Deployment"}])
        );
        let spec_ref = deployment["properties"]["spec"]["$ref"]
            .as_str()
            .expect("spec ref");
        let name = spec_ref.trim_start_matches("#/definitions/");
        assert!(
            doc["definitions"][name]["properties"]["replicas"].is_object(),
            "{spec_ref}"
        );
        assert!(!v2_protobuf().is_empty());
        assert!(v3("apis/nope/v1", &[]).is_none());
        let apps = v3("apis/apps/v1", &[]).expect("apps/v1");
        assert_eq!(
            apps["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments"]["get"]["x-kubernetes-group-version-kind"],
            json!({"group": "apps", "version": "v1", "kind": "Deployment"})
        );
        let widgets = crate::resources::Resource {
            group: "example.com",
            version: "v1",
            kind: "Widget",
            plural: "widgets",
            singular: "widget",
            short_names: &[],
            namespaced: true,
            verbs: &[],
            categories: &[],
            subresources: &[],
        };
        let widgets: &'static crate::resources::Resource = Box::leak(Box::new(widgets));
        let custom = [(
            widgets,
            json!({"type": "object", "properties": {"spec": {"type": "object"}}}),
        )];
        let index = v3_index(&custom);
        assert!(index["paths"]["apis/example.com/v1"].is_object(), "{index}");
        let doc = v3("apis/example.com/v1", &custom).expect("custom group version");
        let widget = &doc["components"]["schemas"]["com.example.v1.Widget"];
        assert_eq!(
            widget["x-kubernetes-group-version-kind"],
            json!([{"group": "example.com", "version": "v1", "kind": "Widget"}])
        );
        assert!(
            widget["properties"]["metadata"]
                .to_string()
                .contains("ObjectMeta"),
            "{widget}"
        );
        assert!(widget["properties"]["spec"].is_object());
        assert!(doc["paths"]["/apis/example.com/v1/namespaces/{namespace}/widgets"].is_object());
        let core = v3("api/v1", &[]).expect("v1");
        assert_eq!(
            core["paths"]["/api/v1/nodes/{name}"]["get"]["x-kubernetes-action"],
            "get"
        );
    }
}

//! The OpenAPI documents clients read to validate manifests and explain fields: v2 as JSON
//! and as the protobuf kubectl up to 1.26 asks for (`/openapi/v2`), and v3 as JSON
//! (`/openapi/v3` and one document per group version). Schemas come from k8s-openapi's
//! JSON Schemas of the built-in types, with `x-kubernetes-group-version-kind` on each kind.
//! They are built once, on first request.

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

/// The strategic-merge-patch metadata Kubernetes' own document carries
/// (`x-kubernetes-patch-merge-key`, `x-kubernetes-patch-strategy`): without it kubectl
/// treats keyed lists as atomic and re-sends whole container lists on every apply.
fn add_patch_strategies(definitions: &mut Map<String, Value>) {
    for (name, schema) in definitions.iter_mut() {
        let Some(properties) = schema.get_mut("properties").and_then(Value::as_object_mut) else {
            continue;
        };
        for (field, property) in properties.iter_mut() {
            if property["type"] != "array" {
                continue;
            }
            let key = match (name.as_str(), field.as_str()) {
                (
                    "io.k8s.api.core.v1.Container" | "io.k8s.api.core.v1.EphemeralContainer",
                    "ports",
                ) => Some("containerPort"),
                ("io.k8s.api.core.v1.ServiceSpec", "ports") => Some("port"),
                (
                    _,
                    "containers"
                    | "initContainers"
                    | "ephemeralContainers"
                    | "env"
                    | "volumes"
                    | "imagePullSecrets",
                ) => Some("name"),
                (_, "volumeMounts" | "volumeDevices") => Some("mountPath"),
                (_, "conditions") => Some("type"),
                (_, "ownerReferences") => Some("uid"),
                (_, "hostAliases") => Some("ip"),
                (_, "finalizers") => {
                    property["x-kubernetes-patch-strategy"] = json!("merge");
                    None
                }
                _ => None,
            };
            if let Some(key) = key {
                property["x-kubernetes-patch-merge-key"] = json!(key);
                property["x-kubernetes-patch-strategy"] = json!("merge");
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

/// `/openapi/v3`: where each group version's document is.
pub fn v3_index() -> Value {
    let paths: Map<String, Value> = group_versions()
        .into_iter()
        .map(|gv| {
            let url = format!("/openapi/v3/{gv}?hash={}", crate::version::MINOR);
            (gv, json!({"serverRelativeURL": url}))
        })
        .collect();
    json!({"paths": paths})
}

/// `/openapi/v3/GROUP-VERSION`: an OpenAPI 3.0 document with every schema.
pub fn v3(group_version: &str) -> Option<Value> {
    static SCHEMAS: OnceLock<Map<String, Value>> = OnceLock::new();
    if !group_versions().iter().any(|gv| gv == group_version) {
        return None;
    }
    let schemas = SCHEMAS.get_or_init(|| definitions(SchemaSettings::openapi3()));
    Some(json!({
        "openapi": "3.0.0",
        "info": {"title": "Kubernetes", "version": crate::version::git_version()},
        "paths": paths(group_version),
        "components": {"schemas": schemas},
    }))
}

/// The read paths of a group version's resources (`/apis/apps/v1/namespaces/{namespace}/
/// deployments` and `…/{name}`), each operation with its `x-kubernetes-group-version-kind`:
/// how `kubectl explain` finds a resource's kind in the document.
fn paths(group_version: &str) -> Map<String, Value> {
    let (group, version) = match group_version.split('/').collect::<Vec<_>>()[..] {
        ["api", version] => ("", version),
        ["apis", group, version] => (group, version),
        _ => return Map::new(),
    };
    let all = crate::resources::builtin();
    let mut paths = Map::new();
    for resource in crate::resources::in_group_version(&all, group, version) {
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
        assert!(v3("apis/nope/v1").is_none());
        let apps = v3("apis/apps/v1").expect("apps/v1");
        assert_eq!(
            apps["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments"]["get"]["x-kubernetes-group-version-kind"],
            json!({"group": "apps", "version": "v1", "kind": "Deployment"})
        );
        let core = v3("api/v1").expect("v1");
        assert_eq!(
            core["paths"]["/api/v1/nodes/{name}"]["get"]["x-kubernetes-action"],
            "get"
        );
    }
}

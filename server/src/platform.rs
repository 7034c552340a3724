//! The platform's footing in a cluster: the tenant and platform roles of `deploy/rbac/`
//! (compiled in, so the server and its tests load exactly the files a trainer applies to a
//! real cluster), installed into the embedded cluster with its admin credentials, and the
//! check, on any cluster, that kubeclass's own identity has what it needs.

use crate::kinds::api_resource;
use app::model::kinds;
use kube::api::{Api, DynamicObject, Patch, PatchParams};

/// The tenant role (`deploy/rbac/tenant.yaml`).
pub const TENANT_ROLE: &str = include_str!("../../deploy/rbac/tenant.yaml");
/// kubeclass's own identity and rights (`deploy/rbac/platform.yaml`).
pub const PLATFORM_ROLE: &str = include_str!("../../deploy/rbac/platform.yaml");

/// The ClusterRole the tenant RoleBindings name.
pub const TENANT_CLUSTER_ROLE: &str = "kubeclass-tenant";

/// Why the platform cannot stand on this cluster.
#[derive(Debug, thiserror::Error)]
pub enum PlatformError {
    #[error("installing {what}: {source}")]
    Install {
        what: String,
        #[source]
        source: kube::Error,
    },
    #[error("deploy/rbac: {0}")]
    Manifest(String),
    #[error(
        "kubeclass's identity may not {0}: apply deploy/rbac/tenant.yaml and deploy/rbac/platform.yaml, and run kubeclass as the ServiceAccount kubeclass/kubeclass (deploy/README.md)"
    )]
    Missing(String),
    #[error("asking the cluster what kubeclass may do: {0}")]
    Review(#[from] kube::Error),
}

/// How long the token installed for kubeclass lasts (it is asked for again at every
/// start).
const TOKEN_SECONDS: i64 = 365 * 24 * 3600;

/// Installs the roles into a cluster with administrator credentials (the embedded one)
/// and returns a token for kubeclass's ServiceAccount: the server's client presents it,
/// so there too the server holds only the platform role's rights.
pub async fn install(admin: &kube::Client) -> Result<String, PlatformError> {
    for text in [TENANT_ROLE, PLATFORM_ROLE] {
        for document in serde_yaml::Deserializer::from_str(text) {
            let object: DynamicObject = serde::Deserialize::deserialize(document)
                .map_err(|e| PlatformError::Manifest(e.to_string()))?;
            apply(admin, &object).await?;
        }
    }
    let request = serde_json::json!({
        "apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest",
        "spec": {"expirationSeconds": TOKEN_SECONDS},
    });
    let http = http::Request::post("/api/v1/namespaces/kubeclass/serviceaccounts/kubeclass/token")
        .header(http::header::CONTENT_TYPE, "application/json")
        .body(serde_json::to_vec(&request).unwrap_or_default())
        .map_err(|e| PlatformError::Manifest(e.to_string()))?;
    let answer: serde_json::Value =
        admin
            .request(http)
            .await
            .map_err(|source| PlatformError::Install {
                what: "a token for kubeclass's ServiceAccount".into(),
                source,
            })?;
    answer["status"]["token"]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| PlatformError::Manifest("the TokenRequest gave no token".into()))
}

async fn apply(admin: &kube::Client, object: &DynamicObject) -> Result<(), PlatformError> {
    let types = object.types.clone().unwrap_or_default();
    let resource = kinds::by_api_version(&types.api_version, &types.kind)
        .map(api_resource)
        .ok_or_else(|| PlatformError::Manifest(format!("unexpected kind {}", types.kind)))?;
    let name = object.metadata.name.clone().unwrap_or_default();
    let api: Api<DynamicObject> = match &object.metadata.namespace {
        Some(ns) => Api::namespaced_with(admin.clone(), ns, &resource),
        None => Api::all_with(admin.clone(), &resource),
    };
    let what = format!("{} {name}", types.kind);
    api.patch(
        &name,
        &PatchParams::apply("kubeclass-platform").force(),
        &Patch::Apply(object),
    )
    .await
    .map_err(|source| PlatformError::Install { what, source })?;
    Ok(())
}

/// Checks that the platform's client may do what kubeclass needs: create namespaces,
/// bind the tenant role, impersonate, watch what a room's checks read (Pods standing
/// for the rest: an older role has none of them). A cluster where it may not is refused at start-up
/// with what to do about it.
pub async fn check(platform: &kube::Client) -> Result<(), PlatformError> {
    let needs = [
        ("create namespaces", "", "namespaces", "create", None),
        (
            "bind the tenant role",
            "rbac.authorization.k8s.io",
            "clusterroles",
            "bind",
            Some(TENANT_CLUSTER_ROLE),
        ),
        ("impersonate users", "", "users", "impersonate", None),
        ("impersonate groups", "", "groups", "impersonate", None),
        (
            "watch Pods across namespaces (a trainer's room view)",
            "",
            "pods",
            "watch",
            None,
        ),
    ];
    for (what, group, resource, verb, name) in needs {
        let review: serde_json::Value = serde_json::json!({
            "apiVersion": "authorization.k8s.io/v1",
            "kind": "SelfSubjectAccessReview",
            "spec": {"resourceAttributes": {"group": group, "resource": resource, "verb": verb, "name": name}},
        });
        let request = http::Request::post("/apis/authorization.k8s.io/v1/selfsubjectaccessreviews")
            .header(http::header::CONTENT_TYPE, "application/json")
            .body(serde_json::to_vec(&review).unwrap_or_default())
            .map_err(|e| PlatformError::Manifest(e.to_string()))?;
        let answer: serde_json::Value = platform.request(request).await?;
        if answer["status"]["allowed"] != true {
            return Err(PlatformError::Missing(what.into()));
        }
    }
    Ok(())
}

//! Kinds on the server's side: `ApiResource`s for the kinds of the registry
//! (`app::model::kinds`), and discovery for the rest (custom resources), cached and
//! refreshed when a kind is not found (a CRD may just have arrived).

use app::model::kinds::KindInfo;
use kube::api::GroupVersionKind;
use kube::discovery::{ApiCapabilities, ApiResource};
use std::time::Duration;
use tokio::sync::RwLock;
use tokio::time::Instant;

/// The `ApiResource` of a registry kind.
pub fn api_resource(kind: &KindInfo) -> ApiResource {
    ApiResource {
        group: kind.group.into(),
        version: kind.version.into(),
        api_version: kind.api_version(),
        kind: kind.kind.into(),
        plural: kind.plural.into(),
    }
}

/// How often discovery may run again when a kind is not found.
const REFRESH: Duration = Duration::from_secs(10);

/// The cluster's discovery, shared by every apply.
#[derive(Default)]
pub struct Discovery {
    cached: RwLock<Option<(kube::Discovery, Instant)>>,
}

impl Discovery {
    /// The resource and capabilities of a group/version/kind, if the cluster serves it.
    pub async fn resolve(
        &self,
        client: &kube::Client,
        gvk: &GroupVersionKind,
    ) -> Option<(ApiResource, ApiCapabilities)> {
        if let Some(found) = self
            .cached
            .read()
            .await
            .as_ref()
            .and_then(|(d, _)| d.resolve_gvk(gvk))
        {
            return Some(found);
        }
        let mut cached = self.cached.write().await;
        let stale = cached.as_ref().is_none_or(|(_, at)| at.elapsed() > REFRESH);
        if stale && let Ok(fresh) = kube::Discovery::new(client.clone()).run().await {
            *cached = Some((fresh, Instant::now()));
        }
        cached.as_ref().and_then(|(d, _)| d.resolve_gvk(gvk))
    }
}

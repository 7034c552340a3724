//! A workspace's namespaces in the cluster: listed by the workspace's label, created on
//! first use with the isolation policy, deleted on reset.

use super::{MANAGER, SHORT_NAME, Workspace, WorkspaceError};
use k8s_openapi::api::core::v1::Namespace;
use kube::api::{Api, DeleteParams, ListParams, Patch, PatchParams};
use serde_json::json;

/// How often a wipe that waits removes stuck finalizers again, past half its time.
const RELEASE_AGAIN: std::time::Duration = std::time::Duration::from_secs(5);

/// How long a new namespace's default ServiceAccount is waited for.
const ACCOUNT_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// Waits (a while at most) for a new namespace's default ServiceAccount: the controller
/// manager makes it moments after the namespace, and until then the API server refuses
/// every Pod there (`error looking up service account`).
async fn default_account(client: &kube::Client, namespace: &str) {
    let accounts: Api<k8s_openapi::api::core::v1::ServiceAccount> =
        Api::namespaced(client.clone(), namespace);
    let deadline = tokio::time::Instant::now() + ACCOUNT_WAIT;
    while tokio::time::Instant::now() < deadline {
        if let Ok(Some(_)) = accounts.get_opt("default").await {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    tracing::warn!(%namespace, "no default ServiceAccount after {ACCOUNT_WAIT:?}");
}

impl Workspace {
    /// The workspace's namespaces now: (short, real).
    pub async fn namespaces(
        &self,
        client: &kube::Client,
    ) -> Result<Vec<(String, String)>, WorkspaceError> {
        let api: Api<Namespace> = Api::all(client.clone());
        let list = api
            .list(&ListParams::default().labels(&self.selector()))
            .await?;
        let mut names: Vec<(String, String)> = list
            .items
            .into_iter()
            .filter(|n| n.metadata.deletion_timestamp.is_none())
            .filter_map(|n| {
                let real = n.metadata.name?;
                let short = self.short_name(&real)?.to_string();
                Some((short, real))
            })
            .collect();
        names.sort();
        Ok(names)
    }

    /// Makes sure the namespaces for `shorts` exist with their policy, given those that
    /// `existing` (as [`Workspace::namespaces`] listed them) says are there; returns the
    /// real names of the namespaces it created. Every name and the workspace's cap are
    /// checked before anything is created.
    pub async fn ensure(
        &self,
        client: &kube::Client,
        existing: &[(String, String)],
        shorts: &[String],
    ) -> Result<Vec<String>, WorkspaceError> {
        let valid = |s: &str| {
            !s.is_empty()
                && s.len() <= 20
                && s.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        };
        if let Some(bad) = shorts.iter().find(|s| !valid(s)) {
            return Err(WorkspaceError::BadName(bad.clone()));
        }
        let mut missing: Vec<&String> = shorts
            .iter()
            .filter(|short| !existing.iter().any(|(s, _)| s == *short))
            .collect();
        missing.sort();
        missing.dedup();
        if existing.len() + missing.len() > self.max_namespaces {
            return Err(WorkspaceError::TooManyNamespaces(self.max_namespaces));
        }
        let mut created = Vec::new();
        for short in missing {
            created.push(self.create_namespace(client, short).await?);
        }
        Ok(created)
    }

    /// Creates one namespace with its policy objects; returns its real name.
    async fn create_namespace(
        &self,
        client: &kube::Client,
        short: &str,
    ) -> Result<String, WorkspaceError> {
        let real = self.namespace(short);
        let namespace = json!({
            "apiVersion": "v1", "kind": "Namespace",
            "metadata": {"name": real, "labels": super::policy::namespace_labels(&self.id), "annotations": {SHORT_NAME: short}},
        });
        let params = PatchParams::apply(MANAGER).force();
        Api::<Namespace>::all(client.clone())
            .patch(&real, &params, &Patch::Apply(&namespace))
            .await?;
        for (resource, object) in super::policy::objects(&self.id, &real) {
            let api: Api<kube::api::DynamicObject> =
                Api::namespaced_with(client.clone(), &real, &resource);
            let name = object["metadata"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            api.patch(&name, &params, &Patch::Apply(&object)).await?;
        }
        default_account(client, &real).await;
        Ok(real)
    }

    /// Deletes every namespace of the workspace (and so everything in it). It comes back
    /// empty on next use.
    pub async fn reset(&self, client: &kube::Client) -> Result<usize, WorkspaceError> {
        let api: Api<Namespace> = Api::all(client.clone());
        let namespaces = self.namespaces(client).await?;
        for (_, real) in &namespaces {
            match api.delete(real, &DeleteParams::default()).await {
                Ok(_) | Err(kube::Error::Api(_)) => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(namespaces.len())
    }

    /// Deletes every namespace of the workspace and waits until the cluster has removed
    /// them (their objects first), so the workspace can be made again from nothing.
    /// Objects still held by a finalizer half way through are released
    /// ([`super::finalizers::release`]).
    pub async fn wipe(
        &self,
        client: &kube::Client,
        within: std::time::Duration,
    ) -> Result<usize, WorkspaceError> {
        let deleted = self.reset(client).await?;
        let api: Api<Namespace> = Api::all(client.clone());
        let listed = ListParams::default().labels(&self.selector());
        let start = tokio::time::Instant::now();
        // When finalizers were last released (again every few seconds: the namespace
        // controller may reach an object after the first release).
        let mut released: Option<tokio::time::Instant> = None;
        loop {
            // Terminating ones included: they still hold their objects.
            let left: Vec<String> = api
                .list(&listed)
                .await?
                .items
                .into_iter()
                .filter_map(|n| n.metadata.name)
                .collect();
            let Some(first) = left.first() else {
                return Ok(deleted);
            };
            // Half the time waited: what is left is held by a finalizer nobody removes.
            if start.elapsed() >= within / 2
                && released.is_none_or(|at| at.elapsed() >= RELEASE_AGAIN)
            {
                for namespace in &left {
                    super::finalizers::release(client, namespace).await?;
                }
                released = Some(tokio::time::Instant::now());
            }
            if start.elapsed() >= within {
                return Err(WorkspaceError::StillTerminating(first.clone(), within));
            }
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
    }
}

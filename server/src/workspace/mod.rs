//! An attendee's workspace: the real namespaces `<prefix>-<id>-<short>` behind the short
//! names lessons use, each labelled as kubeclass's and given the isolation policy
//! ([`policy`]); the apply pipeline that puts manifests there ([`apply`]) from text parsed
//! within budgets ([`documents`]).

pub mod apply;
pub mod checks;
pub mod diff;
pub mod documents;
pub mod policy;
pub mod view;

use k8s_openapi::api::core::v1::Namespace;
use kube::api::{Api, DeleteParams, ListParams, Patch, PatchParams};
use serde_json::json;

/// Label on everything kubeclass makes for a workspace: its id.
pub const WORKSPACE_LABEL: &str = "kubeclass.dev/workspace";
/// Annotation on a workspace namespace: the short name lessons use for it.
pub const SHORT_NAME: &str = "kubeclass.dev/short-name";
/// Field manager for kubeclass's own writes (namespaces, policy); attendees' manifests are
/// applied as `kubeclass`.
pub const MANAGER: &str = "kubeclass-workspace";

/// One attendee's namespaces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Workspace {
    /// The attendee's id: lowercase letters and digits.
    pub id: String,
    /// What every namespace name starts with (`kc`).
    pub prefix: String,
    /// How many namespaces the workspace may hold.
    pub max_namespaces: usize,
}

/// A workspace problem, said for the attendee.
#[derive(Debug, thiserror::Error)]
pub enum WorkspaceError {
    #[error("the workspace may hold at most {0} namespaces")]
    TooManyNamespaces(usize),
    #[error(
        "\"{0}\" is not a valid namespace name: lowercase letters, digits and '-', at most 20 characters"
    )]
    BadName(String),
    #[error("the cluster refused: {0}")]
    Cluster(#[from] kube::Error),
}

impl Workspace {
    pub fn new(id: &str, prefix: &str) -> Workspace {
        Workspace {
            id: id.to_string(),
            prefix: prefix.to_string(),
            max_namespaces: 5,
        }
    }

    /// The real namespace behind a short name.
    pub fn namespace(&self, short: &str) -> String {
        format!("{}-{}-{short}", self.prefix, self.id)
    }

    /// The short name of one of this workspace's real namespaces.
    pub fn short_name<'a>(&self, real: &'a str) -> Option<&'a str> {
        real.strip_prefix(&format!("{}-{}-", self.prefix, self.id))
    }

    /// A cluster-scoped object's name for this workspace (a ClusterIssuer, say).
    pub fn cluster_name(&self, name: &str) -> String {
        format!("{}-{}-{name}", self.prefix, self.id)
    }

    fn selector(&self) -> String {
        format!("{WORKSPACE_LABEL}={}", self.id)
    }

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

    /// Makes sure the namespaces for `shorts` exist with their policy.
    pub async fn ensure(
        &self,
        client: &kube::Client,
        shorts: &[String],
    ) -> Result<(), WorkspaceError> {
        let existing = self.namespaces(client).await?;
        let mut count = existing.len();
        for short in shorts {
            if short.is_empty()
                || short.len() > 20
                || !short
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            {
                return Err(WorkspaceError::BadName(short.clone()));
            }
            if existing.iter().any(|(s, _)| s == short) {
                continue;
            }
            count += 1;
            if count > self.max_namespaces {
                return Err(WorkspaceError::TooManyNamespaces(self.max_namespaces));
            }
            self.create_namespace(client, short).await?;
        }
        Ok(())
    }

    async fn create_namespace(
        &self,
        client: &kube::Client,
        short: &str,
    ) -> Result<(), WorkspaceError> {
        let real = self.namespace(short);
        let namespace = json!({
            "apiVersion": "v1", "kind": "Namespace",
            "metadata": {"name": real, "labels": policy::namespace_labels(&self.id), "annotations": {SHORT_NAME: short}},
        });
        let params = PatchParams::apply(MANAGER).force();
        Api::<Namespace>::all(client.clone())
            .patch(&real, &params, &Patch::Apply(&namespace))
            .await?;
        for (resource, object) in policy::objects(&self.id, &real) {
            let api: Api<kube::api::DynamicObject> =
                Api::namespaced_with(client.clone(), &real, &resource);
            let name = object["metadata"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            api.patch(&name, &params, &Patch::Apply(&object)).await?;
        }
        Ok(())
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_map_both_ways() {
        let ws = Workspace::new("a1b2c3", "kc");
        assert_eq!(ws.namespace("server"), "kc-a1b2c3-server");
        assert_eq!(ws.short_name("kc-a1b2c3-server"), Some("server"));
        assert_eq!(ws.short_name("kc-zzzzzz-server"), None);
        assert_eq!(ws.cluster_name("selfsigned"), "kc-a1b2c3-selfsigned");
    }
}

//! The names kubectl accepts for a resource (`pods`, `pod`, `po`, `Pod`,
//! `deployments.apps`), read from the cluster's discovery documents as kubectl reads them
//! (kube-rs' `Discovery` drops short names, which `kubectl get po` needs), cached and
//! read again when a name is not found, so a new CRD's kinds are found within seconds.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::APIResourceList;
use kube::discovery::ApiResource;
use std::time::Duration;
use tokio::sync::RwLock;
use tokio::time::Instant;

/// How often discovery may be read again when a name is not found.
const REFRESH: Duration = Duration::from_secs(5);

/// One resource the cluster serves (its preferred version).
#[derive(Debug, Clone, PartialEq)]
pub struct Resource {
    pub group: String,
    pub version: String,
    pub plural: String,
    pub singular: String,
    pub kind: String,
    pub short_names: Vec<String>,
    pub namespaced: bool,
}

impl Resource {
    pub fn api_resource(&self) -> ApiResource {
        ApiResource {
            group: self.group.clone(),
            version: self.version.clone(),
            api_version: self.api_version(),
            kind: self.kind.clone(),
            plural: self.plural.clone(),
        }
    }

    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// How the API server's messages name the resource: `pods`, `deployments.apps`.
    pub fn qualified(&self) -> String {
        if self.group.is_empty() {
            self.plural.clone()
        } else {
            format!("{}.{}", self.plural, self.group)
        }
    }

    /// How `-o name` and multi-type tables name an object's kind: `pod`, `deployment.apps`.
    pub fn kind_group(&self) -> String {
        let kind = self.kind.to_lowercase();
        if self.group.is_empty() {
            kind
        } else {
            format!("{kind}.{}", self.group)
        }
    }

    /// Whether `name` (as typed, any case) names this resource.
    fn named(&self, name: &str) -> bool {
        let name = name.to_lowercase();
        let (bare, group) = match name.split_once('.') {
            Some((bare, group)) => (bare, Some(group)),
            None => (name.as_str(), None),
        };
        group.is_none_or(|g| g == self.group || format!("{}.{}", self.version, self.group) == g)
            && (bare == self.plural
                || bare == self.singular
                || bare == self.kind.to_lowercase()
                || self.short_names.iter().any(|s| *s == bare))
    }
}

#[cfg(test)]
impl Resource {
    /// `deployments.apps`, as discovery gives it: for tests.
    pub fn deployments() -> Resource {
        Resource {
            group: "apps".into(),
            version: "v1".into(),
            plural: "deployments".into(),
            singular: "deployment".into(),
            kind: "Deployment".into(),
            short_names: vec!["deploy".into()],
            namespaced: true,
        }
    }
}

/// The cluster's resources, shared by every console.
#[derive(Default)]
pub struct Catalog {
    cached: RwLock<Option<(Vec<Resource>, Instant)>>,
}

impl Catalog {
    /// Every resource, in kubectl api-resources' order (by group, then name).
    pub async fn all(&self, client: &kube::Client) -> Result<Vec<Resource>, kube::Error> {
        if let Some((all, _)) = self.cached.read().await.as_ref() {
            return Ok(all.clone());
        }
        self.refresh(client).await
    }

    /// The resource `name` names, if the cluster serves one.
    pub async fn find(
        &self,
        client: &kube::Client,
        name: &str,
    ) -> Result<Option<Resource>, kube::Error> {
        let first = |all: &[Resource]| all.iter().find(|r| r.named(name)).cloned();
        if let Some(found) = self
            .cached
            .read()
            .await
            .as_ref()
            .and_then(|(a, _)| first(a))
        {
            return Ok(Some(found));
        }
        let stale = self
            .cached
            .read()
            .await
            .as_ref()
            .is_none_or(|(_, at)| at.elapsed() > REFRESH);
        if stale {
            return Ok(first(&self.refresh(client).await?));
        }
        Ok(None)
    }

    async fn refresh(&self, client: &kube::Client) -> Result<Vec<Resource>, kube::Error> {
        let mut all = Vec::new();
        for version in client.list_core_api_versions().await?.versions {
            add(
                &mut all,
                "",
                &client.list_core_api_resources(&version).await?,
            );
        }
        for group in client.list_api_groups().await?.groups {
            let Some(preferred) = group
                .preferred_version
                .or(group.versions.into_iter().next())
            else {
                continue;
            };
            let list = client
                .list_api_group_resources(&preferred.group_version)
                .await?;
            add(&mut all, &group.name, &list);
        }
        all.sort_by(|a, b| (&a.group, &a.plural).cmp(&(&b.group, &b.plural)));
        *self.cached.write().await = Some((all.clone(), Instant::now()));
        Ok(all)
    }
}

fn add(all: &mut Vec<Resource>, group: &str, list: &APIResourceList) {
    let version = list
        .group_version
        .rsplit('/')
        .next()
        .unwrap_or(&list.group_version);
    for r in list.resources.iter().filter(|r| !r.name.contains('/')) {
        all.push(Resource {
            group: group.to_string(),
            version: version.to_string(),
            plural: r.name.clone(),
            singular: if r.singular_name.is_empty() {
                r.kind.to_lowercase()
            } else {
                r.singular_name.clone()
            },
            kind: r.kind.clone(),
            short_names: r.short_names.clone().unwrap_or_default(),
            namespaced: r.namespaced,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::Resource;

    #[test]
    fn a_resource_answers_to_every_name_kubectl_accepts() {
        let deployments = Resource::deployments();
        for name in [
            "deployments",
            "deployment",
            "deploy",
            "Deployment",
            "deployments.apps",
            "deploy.v1.apps",
        ] {
            assert!(deployments.named(name), "{name}");
        }
        for name in ["deployments.batch", "pods", "deploys"] {
            assert!(!deployments.named(name), "{name}");
        }
        assert_eq!(deployments.kind_group(), "deployment.apps");
    }
}

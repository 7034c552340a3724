//! Who the server is when it talks to the cluster. The **platform** client is kubeclass's
//! own identity, with the few rights of `deploy/rbac/platform.yaml` (make workspaces,
//! bind the tenant role, impersonate). Every call made on an attendee's behalf goes
//! through their **tenant** client instead: the platform client impersonating the user
//! `kubeclass:attendee:<id>` in the group `kubeclass:workspace:<id>`, which the tenant
//! role binds in the workspace's namespaces only. So the API server's own RBAC, not only
//! kubeclass's filters, keeps an attendee to their workspace.

use crate::workspace::Workspace;
use http::{HeaderValue, Request, Response};
use kube::client::Body;
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;
use std::task::{Context, Poll};

/// The user an attendee acts as.
pub fn user(workspace: &Workspace) -> String {
    format!("kubeclass:attendee:{}", workspace.id)
}

/// The group the tenant role is bound to in a workspace's namespaces.
pub fn group(workspace: &Workspace) -> String {
    format!("kubeclass:workspace:{}", workspace.id)
}

/// Tenant clients kept for reuse (each holds a small buffer task); past this, the cache
/// starts over.
const CACHED: usize = 4096;

/// The platform's client, and each attendee's.
pub struct Identities {
    platform: kube::Client,
    tenants: Mutex<HashMap<String, kube::Client>>,
}

impl Identities {
    pub fn new(platform: kube::Client) -> Identities {
        Identities {
            platform,
            tenants: Mutex::default(),
        }
    }

    /// kubeclass's own client.
    pub fn platform(&self) -> &kube::Client {
        &self.platform
    }

    /// The client that acts as the workspace's attendee.
    pub fn tenant(&self, workspace: &Workspace) -> kube::Client {
        let mut tenants = self.tenants.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(client) = tenants.get(&workspace.id) {
            return client.clone();
        }
        if tenants.len() >= CACHED {
            tenants.clear();
        }
        let client = impersonating(&self.platform, &user(workspace), &[&group(workspace)]);
        tenants.insert(workspace.id.clone(), client.clone());
        client
    }
}

/// A client that sends every request through `through`, as `user` in `groups` (and
/// `system:authenticated`, which every real user is in).
pub fn impersonating(through: &kube::Client, user: &str, groups: &[&str]) -> kube::Client {
    let mut headers = vec![("impersonate-user", user.to_string())];
    headers.extend(
        groups
            .iter()
            .chain(&["system:authenticated"])
            .map(|g| ("impersonate-group", g.to_string())),
    );
    let headers = headers
        .into_iter()
        .filter_map(|(name, value)| Some((name, HeaderValue::from_str(&value).ok()?)))
        .collect();
    kube::Client::new(
        Impersonate {
            inner: through.clone(),
            headers,
        },
        through.default_namespace(),
    )
}

/// The service under an impersonating client: adds the `Impersonate-*` headers, then
/// sends through the platform client (its connection, credentials and base address).
#[derive(Clone)]
struct Impersonate {
    inner: kube::Client,
    headers: Vec<(&'static str, HeaderValue)>,
}

impl tower::Service<Request<Body>> for Impersonate {
    type Response = Response<Body>;
    type Error = kube::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Response<Body>, kube::Error>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, mut request: Request<Body>) -> Self::Future {
        let headers = request.headers_mut();
        // Whatever asked, the identity is ours to set.
        for name in ["impersonate-user", "impersonate-group", "impersonate-uid"] {
            headers.remove(name);
        }
        for (name, value) in &self.headers {
            headers.append(*name, value.clone());
        }
        let inner = self.inner.clone();
        Box::pin(async move { inner.send(request).await })
    }
}

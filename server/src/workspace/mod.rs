//! An attendee's workspace: the real namespaces `<prefix>-<id>-<short>` behind the short
//! names lessons use (this file: the names), each labelled as kubeclass's and given the
//! isolation policy ([`policy`]) when created ([`namespaces`]); how its objects are
//! shown ([`view`], [`diff`]); idle workspaces deleted ([`reclaim`]); the policy's
//! objects kept as made ([`reconcile`]).

pub mod diff;
pub mod finalizers;
pub mod namespaces;
pub mod policy;
pub mod reclaim;
pub mod reconcile;
pub mod view;

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
    /// The domain the workspaces' Ingress hosts are under (`localhost`: browsers send
    /// every `*.localhost` to this machine).
    pub domain: String,
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
    #[error("namespace {0} is still terminating after {1:?} (a finalizer holds it)")]
    StillTerminating(String, std::time::Duration),
}

/// Why an attendee may no longer change their workspace, if their time in a room is
/// over.
pub fn closed(room: &str) -> String {
    format!(
        "your time in the room \"{room}\" is over (it ran out, or your trainer ended it): your workspace is closed and your results are kept"
    )
}

/// The domain of Ingress hosts when none is configured.
pub const DEFAULT_DOMAIN: &str = "localhost";

/// How this server names workspaces: makes each attendee's [`Workspace`].
#[derive(Debug, Clone)]
pub struct Workspaces {
    /// What every namespace name starts with (`kc`).
    pub prefix: String,
    /// What every Ingress host ends with.
    pub domain: String,
}

impl Workspaces {
    /// The workspace of an attendee.
    pub fn of(&self, attendee: &str) -> Workspace {
        Workspace {
            domain: self.domain.clone(),
            ..Workspace::new(attendee, &self.prefix)
        }
    }
}

impl Workspace {
    /// The workspace of attendee `id`, its namespaces named `<prefix>-<id>-…`.
    pub fn new(id: &str, prefix: &str) -> Workspace {
        Workspace {
            id: id.to_string(),
            prefix: prefix.to_string(),
            max_namespaces: 5,
            domain: DEFAULT_DOMAIN.into(),
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

    /// The host an Ingress of the workspace answers for, when a manifest names `host`:
    /// `HOST.<id>.<domain>`, so that every attendee may write the lesson's
    /// `go-http-app.example.com` and none can take another's traffic on the shared
    /// ingress controller.
    pub fn host(&self, host: &str) -> String {
        if host.ends_with(&self.host_suffix()) {
            host.to_string()
        } else {
            format!("{host}{}", self.host_suffix())
        }
    }

    /// The host a manifest named, for one the workspace's Ingress answers for.
    pub fn lesson_host<'a>(&self, real: &'a str) -> &'a str {
        real.strip_suffix(&self.host_suffix()).unwrap_or(real)
    }

    fn host_suffix(&self) -> String {
        format!(".{}.{}", self.id, self.domain)
    }

    /// The label selector of everything kubeclass made for the workspace.
    pub fn selector(&self) -> String {
        format!("{WORKSPACE_LABEL}={}", self.id)
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
        let host = ws.host("go-http-app.example.com");
        assert_eq!(host, "go-http-app.example.com.a1b2c3.localhost");
        assert_eq!(ws.host(&host), host, "mapped once");
        assert_eq!(ws.lesson_host(&host), "go-http-app.example.com");
    }
}

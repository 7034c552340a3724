//! What every stage of the pipeline needs: the cluster as the attendee and as the
//! platform, its kinds, and whose workspace it is.

use crate::kinds::Discovery;
use crate::workspace::Workspace;

/// One request's view of the cluster and the workspace it acts in.
#[derive(Clone)]
pub struct Context<'a> {
    /// Acts as the attendee: every namespaced object goes through it.
    pub tenant: kube::Client,
    /// Acts as kubeclass: namespaces and the cluster-scoped objects a workspace holds
    /// under its own name (checked by the plan first).
    pub platform: &'a kube::Client,
    pub discovery: &'a Discovery,
    pub workspace: &'a Workspace,
    /// The (short) namespace of documents that name none: `default` for a pane, as for
    /// kubectl without `-n`; the console's `apply -f` gives its `-n` or context's.
    pub namespace: &'a str,
}

impl Context<'_> {
    /// The client an object goes through: the platform's for what the workspace holds
    /// under its own name outside its namespaces, the attendee's for everything else.
    pub fn client(&self, platform: bool) -> &kube::Client {
        if platform {
            self.platform
        } else {
            &self.tenant
        }
    }
}

//! What every stage of the pipeline needs: the cluster, its kinds, and whose workspace
//! it is.

use crate::kinds::Discovery;
use crate::workspace::Workspace;

/// One request's view of the cluster and the workspace it acts in.
pub struct Context<'a> {
    pub client: &'a kube::Client,
    pub discovery: &'a Discovery,
    pub workspace: &'a Workspace,
}

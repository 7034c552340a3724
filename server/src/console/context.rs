//! What every console command gets: where it runs (as whom, in which workspace), what it
//! answers, and the API server's errors in kubectl's words.

use super::resources::Catalog;
use crate::workspace::Workspace;

/// Where a command runs: as whom, in which workspace.
pub struct Console<'a> {
    /// The attendee's client (impersonating them).
    pub tenant: kube::Client,
    /// kubeclass's own client: discovery and the workspace's namespaces.
    pub platform: &'a kube::Client,
    pub catalog: &'a Catalog,
    pub workspace: &'a Workspace,
    /// The apply pipeline, as the attendee: what the console creates goes through it, so
    /// the same policy, quotas and namespace mapping judge it as judge a pane's apply.
    pub pipeline: crate::pipeline::Context<'a>,
}

/// What a command printed (stdout and stderr, in order) and its exit code.
#[derive(Debug, Clone, PartialEq)]
pub struct Ran {
    pub output: String,
    pub exit_code: i32,
}

impl Ran {
    /// A refusal or failure: its text and kubectl's exit code 1.
    pub(super) fn error(text: String) -> Ran {
        Ran {
            output: text + "\n",
            exit_code: 1,
        }
    }
}

impl Console<'_> {
    /// `text` with the workspace's real namespaces named by their short names.
    pub(super) fn shorten(&self, text: &str) -> String {
        text.replace(&self.workspace.namespace(""), "")
    }
}

/// An error of the API server as kubectl prints it:
/// `Error from server (NotFound): pods "web" not found`.
pub(super) fn from_server(error: &kube::Error) -> String {
    match error {
        kube::Error::Api(status) if status.reason.is_empty() => {
            format!("Error from server: {}", status.message)
        }
        kube::Error::Api(status) => {
            format!("Error from server ({}): {}", status.reason, status.message)
        }
        other => format!("error: {other}"),
    }
}

//! `--dry-run`, as the commands that write read it.

use super::command::{Invocation, Refusal};

/// `--dry-run`'s value, as kubectl reads it (`none` when absent).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DryRun {
    None,
    Server,
    Client,
}

impl DryRun {
    /// What kubectl adds to `created`, `exposed` and their like.
    pub fn suffix(self) -> &'static str {
        match self {
            DryRun::None => "",
            DryRun::Server => " (server dry run)",
            DryRun::Client => " (dry run)",
        }
    }
}

impl Invocation {
    /// `--dry-run`'s value, or kubectl's words for one it does not know.
    pub fn dry_run(&self) -> Result<DryRun, Refusal> {
        match self.flag("dry-run").unwrap_or("none") {
            "none" => Ok(DryRun::None),
            "server" => Ok(DryRun::Server),
            "client" => Ok(DryRun::Client),
            other => Err(format!(
                "error: Invalid dry-run value ({other}). Must be \"none\", \"server\", or \"client\"."
            )),
        }
    }
}

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
    /// The attendee's contexts (`kubectl config`) live here.
    pub db: &'a crate::db::Database,
    /// The ports `port-forward` opened, for `curl`.
    pub forwards: &'a super::forwards::Forwards,
    /// Where `curl` sends a request for an Ingress host, if the cluster's ingress
    /// controller is known.
    pub ingress: Option<crate::cluster::IngressEntrance>,
    pub workspace: &'a Workspace,
    /// The apply pipeline, as the attendee: what the console creates goes through it, so
    /// the same policy, quotas and namespace mapping judge it as judge a pane's apply.
    pub pipeline: crate::pipeline::Context<'a>,
    /// Where a command that follows (`get -w`, `logs -f`, `rollout status`) prints as it
    /// goes: the tab's live stream, which takes each piece when it can (so a slow tab
    /// slows the command, not the server). Absent for `POST /api/workspace/console`,
    /// whose commands must end.
    pub follow: Option<tokio::sync::mpsc::Sender<String>>,
    /// The lesson panes the line may apply (`apply -f NAME`).
    pub panes: Panes,
    /// The lesson the line was run in (`course/slug`), whose checks judge its answer.
    pub lesson: Option<String>,
    /// The tab's side of the line: its editor and what the attendee types (absent for
    /// the HTTP API).
    pub terminal: Option<std::sync::Arc<Terminal>>,
}

/// The tab's side of a console line: the editor `kubectl edit` opens its object in (as
/// kubectl opens `$EDITOR`), and the lines the attendee types into a command that reads
/// them (`kubectl exec -i … -- sh`), as a terminal gives them.
pub struct Terminal {
    /// The console line.
    pub id: u32,
    pub out: tokio::sync::mpsc::Sender<app::model::live::ServerMessage>,
    /// The editor's answers: the saved text, or `None` when closed unsaved.
    pub answers: tokio::sync::Mutex<tokio::sync::mpsc::Receiver<Option<String>>>,
    /// What the attendee typed, a line at a time.
    pub typed: tokio::sync::Mutex<tokio::sync::mpsc::Receiver<String>>,
}

impl Terminal {
    /// Opens `text` in the tab's editor and waits for the attendee: `Some(Some(text))`
    /// saved, `Some(None)` closed unsaved, `None` the tab went away.
    pub async fn edit(&self, title: &str, text: String) -> Option<Option<String>> {
        let opened = app::model::live::ServerMessage::ConsoleEdit {
            id: self.id,
            title: title.to_string(),
            text,
        };
        self.out.send(opened).await.ok()?;
        self.answers.lock().await.recv().await
    }

    /// The next line the attendee types; `None` once the tab went away.
    pub async fn typed(&self) -> Option<String> {
        self.typed.lock().await.recv().await
    }
}

/// The lesson panes a line may apply or delete (`apply -f NAME`): their text as the
/// page's editor holds it, sent with the line, and the lesson's namespaces, which such an
/// apply may create as the panes' own Apply may.
#[derive(Debug, Default)]
pub struct Panes {
    pub files: std::collections::BTreeMap<String, String>,
    pub namespaces: Vec<String>,
}

/// What a command printed (stdout and stderr, in order) and its exit code.
#[derive(Debug, Clone, PartialEq)]
pub struct Ran {
    pub output: String,
    pub exit_code: i32,
}

impl Ran {
    /// What a command that succeeded printed (exit code 0).
    pub(super) fn ok(output: String) -> Ran {
        Ran {
            output,
            exit_code: 0,
        }
    }
    /// A following command whose reader went away (Ctrl-C, the tab closed): nothing
    /// more to say, and the exit code a shell gives an interrupted command.
    pub(super) fn stopped() -> Ran {
        Ran {
            output: String::new(),
            exit_code: 130,
        }
    }

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

    /// An argument a container gets, with the lesson's namespaces in Service DNS names
    /// written as the real ones ([`super::dns`]).
    pub(super) fn real_dns_names(&self, argument: &str) -> String {
        super::dns::real_names(argument, &self.panes.namespaces, |short| {
            self.workspace.namespace(short)
        })
    }

    /// Whether `command` may follow here; if not, kubectl-style words on where it can.
    pub(super) fn may_follow(&self, command: &str) -> Result<(), Ran> {
        match self.follow {
            Some(_) => Ok(()),
            None => Err(Ran::error(format!(
                "error: \"kubectl {command}\" follows until it is stopped: run it in the page's console, which streams it (over GET /api/stream); this API answers commands that end"
            ))),
        }
    }

    /// What `next` gives, or `None` as soon as nobody reads the command's output any
    /// more (the tab closed, or whoever ran it stopped reading): a command that follows
    /// waits for its next event this way, so it ends even when nothing happens.
    pub(super) async fn unless_stopped<F: std::future::Future>(
        &self,
        next: F,
    ) -> Option<F::Output> {
        let closed = async {
            match &self.follow {
                Some(out) => out.closed().await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            output = next => Some(output),
            () = closed => None,
        }
    }

    /// Prints `text` now, for a command that follows. False once nobody reads it (the
    /// tab closed or pressed Ctrl-C): the command should stop.
    pub(super) async fn print(&self, text: &str) -> bool {
        match &self.follow {
            Some(out) if text.is_empty() => !out.is_closed(),
            Some(out) => out.send(self.shorten(text)).await.is_ok(),
            None => false,
        }
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

//! What one tab watches: the workspace observed for its lesson, the tasks forwarding the
//! watches' changes to it, and its step's checks as last sent.

use crate::identity::Identities;
use crate::observe::{self, Observed};
use crate::watch::Watchers;
use crate::watch::shared::{Change, Watch};
use crate::workspace::{Workspace, view};
use app::content::Lesson;
use app::model::live::{ChangeKind, CheckResult, ServerMessage};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::sync::{Notify, mpsc};

/// How a tab's forwarders reach it.
#[derive(Clone)]
pub struct TabLink {
    pub out: mpsc::Sender<ServerMessage>,
    /// Set when the tab missed changes: it gets a fresh snapshot instead.
    pub slow: Arc<AtomicBool>,
    /// Woken by every change: the checks are due again.
    pub dirty: Arc<Notify>,
}

/// What one tab watches.
pub struct Watching {
    /// `COURSE/SLUG`.
    pub lesson: String,
    pub step: usize,
    pub observed: Observed,
    forwarders: Vec<tokio::task::JoinHandle<()>>,
    /// Whether something changed since the checks were last evaluated.
    pub checks_due: bool,
    pub last_checks: Option<Vec<CheckResult>>,
}

impl Drop for Watching {
    fn drop(&mut self) {
        for f in &self.forwarders {
            f.abort();
        }
    }
}

impl Watching {
    /// Starts watching `namespaces` of the workspace for `lesson`.
    pub fn start(
        (watchers, identities): (&Watchers, &Identities),
        workspace: &Workspace,
        id: &str,
        lesson: Option<&Lesson>,
        step: usize,
        namespaces: &[String],
        link: &TabLink,
    ) -> Watching {
        let kinds = observe::kinds_for(lesson);
        let observed = Observed::start(watchers, identities, workspace, namespaces, &kinds);
        let mut forwarders: Vec<_> = observed
            .watched
            .iter()
            .map(|w| tokio::spawn(forward(w.watch.clone(), w.namespace.clone(), link.clone())))
            .collect();
        // The first snapshot goes at once and may miss what new watches have not listed
        // yet; a complete one follows when they all have.
        let pending: Vec<Arc<Watch>> = observed.watched.iter().map(|w| w.watch.clone()).collect();
        let resend = link.slow.clone();
        forwarders.push(tokio::spawn(async move {
            futures::future::join_all(pending.iter().map(|w| w.listed(Duration::from_secs(10))))
                .await;
            resend.store(true, Ordering::Relaxed);
        }));
        Watching {
            lesson: id.to_string(),
            step,
            observed,
            forwarders,
            checks_due: true,
            last_checks: None,
        }
    }

    /// Everything the tab watches, as the panels show it.
    pub fn snapshot(&self) -> ServerMessage {
        let (objects, events) = self.observed.snapshot();
        ServerMessage::Snapshot { objects, events }
    }
}

/// Forwards one watch's changes to the tab. A full queue marks the tab slow (it gets a
/// snapshot instead) rather than waiting: one slow tab never holds up a watch.
async fn forward(watch: Arc<Watch>, short: Option<String>, link: TabLink) {
    let mut changes = watch.changes.subscribe();
    let shown = app::model::kinds::by_kind(&watch.kind).is_some_and(|k| k.panel.is_some());
    loop {
        let change = match changes.recv().await {
            Ok(change) => change,
            Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {
                link.slow.store(true, Ordering::Relaxed);
                continue;
            }
            Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
        };
        link.dirty.notify_one();
        // Cluster-scoped watches serve checks only.
        let Some(short) = &short else { continue };
        let message = match &change {
            Change::Relisted => {
                link.slow.store(true, Ordering::Relaxed);
                continue;
            }
            Change::Applied(item) if watch.kind == "Event" => ServerMessage::Event {
                event: view::event(short, &item.object),
            },
            Change::Deleted(_) if watch.kind == "Event" => continue,
            _ if !shown => continue,
            Change::Applied(item) if view::is_workshop_own(&watch.kind, &item.object) => continue,
            Change::Applied(item) => ServerMessage::Change {
                change: ChangeKind::Applied,
                object: view::summary(&watch.kind, short, item),
            },
            Change::Deleted(item) => ServerMessage::Change {
                change: ChangeKind::Deleted,
                object: view::summary(&watch.kind, short, item),
            },
        };
        if link.out.try_send(message).is_err() {
            link.slow.store(true, Ordering::Relaxed);
        }
    }
}

//! What one viewer of a workspace observes: the shared watches of the kinds it needs in
//! the workspace's namespaces — the objects panel's kinds, the kinds its lesson's checks
//! name, and Events — read for snapshots ([`Observed::snapshot`]) and for the lesson's
//! checks ([`checks`]). A tab of the live stream holds one; so does the objects view for
//! the length of a request.

pub mod checks;

use crate::identity::Identities;
use crate::kinds::api_resource;
use crate::watch::Watchers;
use crate::watch::shared::{Item, Watch};
use crate::watch::table::Target;
use crate::workspace::{Workspace, view};
use app::content::Lesson;
use app::content::check::Subject;
use app::model::kinds::{self, KindInfo};
use app::model::live::{EventView, ObjectView};
use std::sync::Arc;
use std::time::Duration;

/// One watch and the short namespace it covers (`None`: a cluster-scoped kind).
pub struct Watched {
    pub namespace: Option<String>,
    pub watch: Arc<Watch>,
    /// The real namespace read from the watch, when it watches every namespace (a room's
    /// watch, [`Observed::across`]); `None`: the watch holds only this workspace's.
    pub within: Option<String>,
}

/// The watches one viewer holds.
pub struct Observed {
    pub workspace: Workspace,
    pub watched: Vec<Watched>,
}

/// The kinds a viewer of `lesson` needs: what the objects panel shows, what the lesson's
/// checks name (in any step), and Events.
pub fn kinds_for(lesson: Option<&Lesson>) -> Vec<&'static KindInfo> {
    let mut wanted: Vec<&'static KindInfo> = kinds::panel().collect();
    let named = lesson
        .into_iter()
        .flat_map(|l| l.steps.iter())
        .flat_map(|s| s.checks.iter())
        .filter_map(|c| match &c.subject {
            Subject::Objects { kind, .. } => kinds::by_kind(kind.kind),
            Subject::Outcome(_) => None,
        });
    wanted.extend(named.chain(kinds::by_kind("Event")));
    wanted.sort_by_key(|k| (k.group, k.kind));
    wanted.dedup();
    wanted
}

impl Observed {
    /// Holds the watches of `kinds` for the workspace's short `namespaces` (namespaced
    /// kinds, watched as the attendee) and its label (cluster-scoped ones, which the
    /// attendee may not list: watched as kubeclass, and only the workspace's own).
    pub fn start(
        watchers: &Watchers,
        identities: &Identities,
        workspace: &Workspace,
        namespaces: &[String],
        kinds: &[&KindInfo],
    ) -> Observed {
        let mut watched = Vec::new();
        let tenant = identities.tenant(workspace);
        for kind in kinds {
            let resource = api_resource(kind);
            if kind.namespaced() {
                for short in namespaces {
                    watched.push(Watched {
                        namespace: Some(short.clone()),
                        within: None,
                        watch: watchers.watch(
                            Target {
                                resource: resource.clone(),
                                namespace: Some(workspace.namespace(short)),
                                selector: None,
                            },
                            &tenant,
                        ),
                    });
                }
            } else {
                watched.push(Watched {
                    namespace: None,
                    within: None,
                    watch: watchers.watch(
                        Target {
                            resource,
                            namespace: None,
                            selector: Some(workspace.selector()),
                        },
                        identities.platform(),
                    ),
                });
            }
        }
        Observed {
            workspace: workspace.clone(),
            watched,
        }
    }

    /// The workspace's short `namespaces` as seen by the watches of `kinds` across every
    /// namespace (and every workspace's cluster-scoped objects), which `platform` holds:
    /// one watch per kind however many workspaces are read from it (a trainer's room,
    /// `trainer::room_watch`). Its items are the workspace's only.
    pub fn across(
        watchers: &Watchers,
        platform: &kube::Client,
        workspace: &Workspace,
        namespaces: &[String],
        kinds: &[&KindInfo],
    ) -> Observed {
        let mut watched = Vec::new();
        for kind in kinds {
            let watch = watchers.watch(
                Target {
                    resource: api_resource(kind),
                    namespace: None,
                    selector: None,
                },
                platform,
            );
            if kind.namespaced() {
                for short in namespaces {
                    watched.push(Watched {
                        namespace: Some(short.clone()),
                        within: Some(workspace.namespace(short)),
                        watch: watch.clone(),
                    });
                }
            } else {
                // Cluster-scoped: the checks keep the workspace's own by their names.
                watched.push(Watched {
                    namespace: None,
                    within: None,
                    watch,
                });
            }
        }
        Observed {
            workspace: workspace.clone(),
            watched,
        }
    }

    /// Waits (at most `limit`) until every watch has listed once.
    pub async fn listed(&self, limit: Duration) {
        futures::future::join_all(self.watched.iter().map(|w| w.watch.listed(limit))).await;
    }

    /// Everything observed, as the panels show it: the objects of the panel's kinds in
    /// the workspace's namespaces, and the events there.
    pub fn snapshot(&self) -> (Vec<ObjectView>, Vec<EventView>) {
        let mut objects = Vec::new();
        let mut events = Vec::new();
        for Watched {
            namespace, watch, ..
        } in &self.watched
        {
            let Some(short) = namespace else { continue };
            let shown = kinds::by_kind(&watch.kind).is_some_and(|k| k.panel.is_some());
            for item in watch.items() {
                if watch.kind == "Event" {
                    events.push(view::event(short, &item.object));
                } else if shown && !view::is_workshop_own(&watch.kind, &item.object) {
                    objects.push(view::summary(&watch.kind, short, &item));
                }
            }
        }
        (objects, events)
    }

    /// The objects of `kind` in the short `namespace` (`None`: the workspace's
    /// cluster-scoped ones), as last seen.
    pub fn items(&self, kind: &str, namespace: Option<&str>) -> Vec<Arc<Item>> {
        self.watched
            .iter()
            .filter(|w| w.watch.kind == kind && w.namespace.as_deref() == namespace)
            .flat_map(|w| match &w.within {
                Some(real) => w.watch.items_in(real),
                None => w.watch.items(),
            })
            .collect()
    }
}

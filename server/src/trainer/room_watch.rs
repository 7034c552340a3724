//! The room's watch: while a trainer looks at a room, one watch per kind its lessons'
//! checks name, across every namespace and held by kubeclass, judges every attendee of
//! the room on the step they are on — the step their open tab shows, else the first
//! step of the room they have not passed (their tab may be closed: a laptop shut, a
//! browser gone) — and writes what it finds to [`super::presence`], which the room view
//! reads, recording a step passed when all its checks hold, as the tab does. (Without a
//! tab, the next step is then judged: what a tab shows when its attendee moves on.) So the trainer's grid costs a watch per kind for the whole room (shared by
//! every room, as the watches are shared), not one per attendee, and a change in any
//! attendee's namespace is judged within a tick.
//!
//! It runs while the room view is read and stops a minute after the last read
//! ([`super::room_watches`]). What it
//! never judges: a step whose checks read Secrets (kubeclass never reads them across
//! namespaces: `deploy/rbac/platform.yaml`), left to the attendee's tab.

use super::presence::Presence;
use super::room_watches::Looked;
use crate::db::rooms::Room;
use crate::observe::Observed;
use crate::state::AppState;
use crate::watch::shared::{Change, Watch};
use crate::watch::table::Target;
use app::content::check::Subject;
use app::model::kinds::KindInfo;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

/// How often changed namespaces are judged.
const TICK: Duration = Duration::from_millis(250);
/// Every how many ticks the members and their progress are read again and everyone is
/// judged (what a console line or Try the app answered changes no object).
const REFRESH_TICKS: u32 = 8;
/// The kinds kubeclass does not read across namespaces.
const UNREAD: &[&str] = &["Secret"];

/// A trainer looks at `room`: its watch runs (started now if it was not) for the idle
/// time more ([`super::room_watches`]).
pub fn look(state: &AppState, room: &str) {
    state.room_watches.look(room, |looked| {
        tokio::spawn(follow(state.clone(), room.to_string(), looked))
    });
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The namespaces that changed since the last tick (`all`: the watch relisted or fell
/// behind).
#[derive(Default)]
struct Changed {
    all: bool,
    namespaces: HashSet<String>,
}

/// One attendee of the room, as the watch judges them.
struct Member {
    attendee: String,
    observed: Observed,
    /// The steps they passed.
    passed: HashSet<(String, usize)>,
}

/// Judges the room until nobody has looked at it for the idle time.
async fn follow(state: AppState, id: String, looked: Looked) {
    let Ok(Some(mut room)) = state.db.room(&id).await else {
        return;
    };
    let kinds = kinds_of(&state, &room);
    let changed = Arc::new(Mutex::new(Changed {
        all: true,
        ..Changed::default()
    }));
    let forwarders: Vec<_> = kinds
        .iter()
        .map(|kind| {
            let watch = state.watchers.watch(
                Target {
                    resource: crate::kinds::api_resource(kind),
                    namespace: None,
                    selector: None,
                },
                state.platform(),
            );
            AbortOnDrop(tokio::spawn(note_changes(watch, changed.clone())))
        })
        .collect();
    let namespaces = namespaces_of(&state, &room);
    let mut members: Vec<Member> = Vec::new();
    let mut last = LastJudged::new();
    let mut tick = tokio::time::interval(TICK);
    for round in 0u32.. {
        tick.tick().await;
        if looked.is_over() {
            break;
        }
        if round.is_multiple_of(REFRESH_TICKS) {
            // The room again (what a paced room has open changes), its members and their
            // progress.
            match state.db.room(&id).await {
                Ok(Some(read)) => room = read,
                Ok(None) => break,
                Err(e) => tracing::warn!(room = %id, "reading the room: {e}"),
            }
            match read_members(&state, &room, &namespaces, &kinds).await {
                Ok(read) => members = read,
                Err(e) => tracing::warn!(room = %room.id, "reading the room's members: {e}"),
            }
            lock(&changed).all = true;
        }
        let Changed { all, namespaces } = std::mem::take(&mut *lock(&changed));
        for member in &mut members {
            let touched = all
                || member.observed.watched.iter().any(|w| {
                    w.within
                        .as_ref()
                        .is_some_and(|real| namespaces.contains(real))
                });
            if touched {
                judge(&state, (&room, &kinds), member, &mut last).await;
            }
        }
    }
    drop(forwarders);
}

/// Per attendee, the step last judged and whether all its checks held: a pass is recorded
/// when a step turns done, as the tab records it, not on every judgement that finds it
/// done — so the moments after a trainer's reset, while the watch still holds the
/// objects being deleted, record nothing again.
type LastJudged = HashMap<String, ((String, usize), bool)>;

/// Aborts the task when dropped.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Notes the namespace of every change of `watch` in `changed`.
async fn note_changes(watch: Arc<Watch>, changed: Arc<Mutex<Changed>>) {
    let mut changes = watch.changes.subscribe();
    loop {
        let namespace = match changes.recv().await {
            Ok(Change::Applied(item) | Change::Deleted(item)) => {
                item.object["metadata"]["namespace"]
                    .as_str()
                    .map(str::to_string)
            }
            Ok(Change::Relisted) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => None,
            Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
        };
        let mut changed = lock(&changed);
        match namespace {
            Some(namespace) => {
                changed.namespaces.insert(namespace);
            }
            // A cluster-scoped object, a relist, or changes missed: judge everyone.
            None => changed.all = true,
        }
    }
}

/// The kinds the room's lessons' checks name, but those kubeclass does not read.
fn kinds_of(state: &AppState, room: &Room) -> Vec<&'static KindInfo> {
    let mut kinds: Vec<&'static KindInfo> = room
        .lessons
        .iter()
        .filter_map(|id| state.lesson(id))
        .flat_map(|lesson| lesson.steps.iter())
        .flat_map(|step| step.checks.iter())
        .filter_map(|check| match &check.subject {
            Subject::Objects { kind, .. } => app::model::kinds::by_kind(kind.kind),
            Subject::Outcome(_) => None,
        })
        .filter(|kind| !UNREAD.contains(&kind.kind))
        .collect();
    kinds.sort_by_key(|k| (k.group, k.kind));
    kinds.dedup();
    kinds
}

/// Every short namespace the room's lessons use.
fn namespaces_of(state: &AppState, room: &Room) -> Vec<String> {
    let mut namespaces: Vec<String> = room
        .lessons
        .iter()
        .flat_map(|id| state.lesson_namespaces(Some(id)))
        .collect();
    namespaces.sort();
    namespaces.dedup();
    namespaces
}

async fn read_members(
    state: &AppState,
    room: &Room,
    namespaces: &[String],
    kinds: &[&KindInfo],
) -> Result<Vec<Member>, sqlx::Error> {
    let mut members = Vec::new();
    for member in state.db.members(&room.id).await? {
        let workspace = state.workspace(&member.attendee);
        let observed = Observed::across(
            &state.watchers,
            state.platform(),
            &workspace,
            namespaces,
            kinds,
        );
        let passed = state
            .db
            .progress(&member.attendee)
            .await?
            .into_iter()
            .collect();
        members.push(Member {
            attendee: member.attendee,
            observed,
            passed,
        });
    }
    Ok(members)
}

/// Judges `member` on the step they are on, into the presence; records the step passed
/// when every check holds, as their tab would on that step.
async fn judge(
    state: &AppState,
    (room, kinds): (&Room, &[&KindInfo]),
    member: &mut Member,
    last: &mut LastJudged,
) {
    let Some((lesson, step)) = on_step(state, room, member, &state.presence) else {
        return;
    };
    let Some(checks) = state
        .lesson(&lesson)
        .and_then(|l| l.steps.get(step))
        .map(|s| &s.checks)
    else {
        return;
    };
    let judged_here = checks.iter().all(|check| match &check.subject {
        Subject::Objects { kind, .. } => kinds.iter().any(|k| k.kind == kind.kind),
        Subject::Outcome(_) => true,
    });
    if !judged_here {
        return;
    }
    let answers = if checks
        .iter()
        .any(|c| matches!(c.subject, Subject::Outcome(_)))
    {
        match state.db.answers(&member.attendee, &lesson).await {
            Ok(answers) => answers,
            Err(e) => {
                tracing::warn!("reading the attendee's answers: {e}");
                return;
            }
        }
    } else {
        Vec::new()
    };
    let results = member.observed.evaluate(checks, &answers);
    let troubled = state
        .presence
        .saw(&member.attendee, (&lesson, step), &results, state.db.now());
    if !troubled.is_empty()
        && let Err(e) = state
            .db
            .troubled(&room.id, &member.attendee, (&lesson, step), &troubled)
            .await
    {
        tracing::warn!("noting the checks that troubled an attendee: {e}");
    }
    let done = !results.is_empty() && results.iter().all(|r| r.passed);
    let before = last.insert(member.attendee.clone(), ((lesson.clone(), step), done));
    if done && before != Some(((lesson.clone(), step), true)) {
        match state
            .db
            .complete_step(&member.attendee, &lesson, step)
            .await
        {
            Ok(()) => {
                member.passed.insert((lesson, step));
            }
            Err(e) => tracing::warn!("recording progress: {e}"),
        }
    }
}

/// The step `member` is on: the one their open tab shows, else the room's first they
/// have not passed (within what a paced room has open).
fn on_step(
    state: &AppState,
    room: &Room,
    member: &Member,
    presence: &Presence,
) -> Option<(String, usize)> {
    if let Some((lesson, step)) = presence.shown(&member.attendee) {
        return room.lessons.contains(&lesson).then_some((lesson, step));
    }
    room.lessons.iter().find_map(|id| {
        let steps = state.lesson(id)?.steps.len();
        let open = room.unlocked.as_ref().map_or(Some(steps), |unlocked| {
            app::model::pacing::open_steps(&room.lessons, unlocked, id, steps)
        });
        let open = open.unwrap_or(steps);
        (0..open)
            .find(|step| !member.passed.contains(&(id.clone(), *step)))
            .map(|step| (id.clone(), step))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use serde_yaml::Value;

    /// What kubeclass's own role lets it do with `plural` in `group`.
    fn verbs(group: &str, plural: &str) -> Vec<String> {
        let role = serde_yaml::Deserializer::from_str(crate::platform::PLATFORM_ROLE)
            .map(|doc| Value::deserialize(doc).expect("YAML"))
            .find(|doc| doc["kind"] == "ClusterRole")
            .expect("the platform's ClusterRole");
        let has = |list: &Value, item: &str| {
            list.as_sequence()
                .is_some_and(|l| l.iter().any(|v| v.as_str() == Some(item)))
        };
        role["rules"]
            .as_sequence()
            .expect("rules")
            .iter()
            .filter(|rule| has(&rule["apiGroups"], group) && has(&rule["resources"], plural))
            .filter(|rule| rule.get("resourceNames").is_none())
            .flat_map(|rule| rule["verbs"].as_sequence().cloned().unwrap_or_default())
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect()
    }

    #[test]
    fn kubeclass_may_watch_every_kind_the_lessons_check_but_secrets() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../content");
        let (library, errors) = app::content::Library::load(&dir);
        assert!(errors.is_empty(), "{errors:?}");
        let named: Vec<&KindInfo> = library
            .courses
            .iter()
            .flat_map(|c| &c.lessons)
            .flat_map(|l| &l.steps)
            .flat_map(|s| &s.checks)
            .filter_map(|c| match &c.subject {
                Subject::Objects { kind, .. } => app::model::kinds::by_kind(kind.kind),
                Subject::Outcome(_) => None,
            })
            .collect();
        assert!(
            named.iter().any(|k| k.kind == "Secret"),
            "a lesson checks Secrets"
        );
        for kind in named.iter().filter(|k| !UNREAD.contains(&k.kind)) {
            let verbs = verbs(kind.group, kind.plural);
            assert!(
                verbs.iter().any(|v| v == "list") && verbs.iter().any(|v| v == "watch"),
                "the room's watch reads {} but deploy/rbac/platform.yaml does not let kubeclass list and watch {}: {verbs:?}",
                kind.kind,
                kind.plural
            );
        }
        assert!(
            verbs("", "secrets").is_empty(),
            "kubeclass reads no Secrets across namespaces"
        );
    }
}

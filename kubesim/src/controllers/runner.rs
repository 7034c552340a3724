//! The one loop every controller runs in, and the one [`Context`] they all work with.
//!
//! A controller follows the store's change stream: [`Controller::resync`] looks at
//! everything at start (and again after falling behind the stream, when its view may be
//! stale), [`Controller::changed`] takes each batch of changes, and a controller that
//! must act without a change (a deadline, a retry, a period) says when with
//! [`Controller::wake_at`]. Most controllers reconcile one kind of object; [`Follow`]
//! is that controller, given the kind, what else points at it, and the reconcile.

use crate::auth::Tokens;
use crate::auth::rbac::Authorizer;
use crate::clock::Clock;
use crate::events::Recorder;
use crate::registry::Registry;
use crate::runtime::Runtime;
use crate::store::{Event, EventType, Key, Store};
use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::broadcast::{self, error::RecvError, error::TryRecvError};
use tokio::time::Instant;

/// What every control loop works with.
#[derive(Debug, Clone)]
pub struct Context {
    /// The objects, with the cluster's clock and seeded RNG.
    pub store: Arc<Store>,
    /// Where controllers create objects that must pass admission, as
    /// kube-controller-manager does through the API.
    pub registry: Arc<Registry>,
    /// The containers: what they print, answer and use.
    pub runtime: Arc<Runtime>,
    /// Where events about objects are recorded.
    pub events: Arc<Recorder>,
    /// The bearer tokens the API server accepts (the token controller issues some).
    pub tokens: Arc<Tokens>,
    /// RBAC, for what pods may ask of the API server.
    pub rbac: Authorizer,
}

impl Context {
    /// The cluster's clock.
    pub fn clock(&self) -> &Clock {
        self.store.clock()
    }
}

/// A control loop.
pub trait Controller: Send + 'static {
    /// Looks at everything: at start, and after falling behind the change stream.
    fn resync(&mut self, ctx: &Context);

    /// A batch of changes, in the order they happened.
    fn changed(&mut self, ctx: &Context, batch: &[Arc<Event>]);

    /// When the loop next wants to run without a change, if ever.
    fn wake_at(&self) -> Option<Instant> {
        None
    }

    /// Runs at (or after) [`Controller::wake_at`].
    fn wake(&mut self, ctx: &Context) {
        let _ = ctx;
    }
}

/// Runs `controller` until the store's change stream ends. Changes come first when
/// both a batch and a wake-up are due.
pub async fn run(ctx: Arc<Context>, mut controller: impl Controller) {
    loop {
        let Ok(mut subscription) = ctx.store.subscribe(0) else {
            return;
        };
        controller.resync(&ctx);
        loop {
            let wake_at = controller.wake_at();
            let woken = async {
                match wake_at {
                    Some(at) => tokio::time::sleep_until(at).await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                biased;
                batch = next_batch(&mut subscription.live) => match batch {
                    Ok(batch) => controller.changed(&ctx, &batch),
                    Err(RecvError::Lagged(_)) => break,
                    Err(RecvError::Closed) => return,
                },
                () = woken => controller.wake(&ctx),
            }
        }
    }
}

/// The next change and every one already queued behind it (up to a bound), so a burst of
/// writes is reconciled once instead of once per write.
async fn next_batch(
    live: &mut broadcast::Receiver<Arc<Event>>,
) -> Result<Vec<Arc<Event>>, RecvError> {
    let mut batch = vec![live.recv().await?];
    while batch.len() < 4096 {
        match live.try_recv() {
            Ok(event) => batch.push(event),
            Err(TryRecvError::Lagged(n)) => return Err(RecvError::Lagged(n)),
            Err(_) => break,
        }
    }
    Ok(batch)
}

/// Looking again at owned objects every `period` whose state says so: a deadline passes
/// without any change to watch for.
pub struct Resync {
    /// How often.
    pub period: Duration,
    /// Whether an object is due.
    pub due: fn(&serde_json::Value) -> bool,
}

/// The controller most are: it owns one kind (stored as `GROUP/PLURAL`) and reconciles
/// every object of it at start, then, for each batch of changes, every changed object of
/// that kind and every key `affected` names for other changes; with a [`Resync`], also
/// the owned objects it says are due, every period.
pub struct Follow<A, R> {
    owned: (&'static str, &'static str),
    /// Each resync and when its next period ends: at once when the loop first runs, then
    /// every period (kept across resubscriptions, as an interval would be).
    resyncs: Vec<(Resync, Option<Instant>)>,
    affected: A,
    reconcile: R,
}

impl<A, R> Follow<A, R>
where
    A: Fn(&Context, &Event) -> Vec<Key> + Send + 'static,
    R: Fn(&Context, &Key) + Send + 'static,
{
    /// Follows `owned`, reconciling with `reconcile`.
    pub fn new(owned: (&'static str, &'static str), affected: A, reconcile: R) -> Self {
        Follow {
            owned,
            resyncs: Vec::new(),
            affected,
            reconcile,
        }
    }

    /// Also reconciles the owned objects `resync` says are due, every period (a
    /// controller may have several, each with its own period).
    pub fn with_resync(mut self, resync: Resync) -> Self {
        self.resyncs.push((resync, None));
        self
    }

    fn owned_keys(&self, store: &Store) -> Vec<(Key, Arc<serde_json::Value>)> {
        store.list(self.owned.0, self.owned.1, None, None).0
    }
}

impl<A, R> Controller for Follow<A, R>
where
    A: Fn(&Context, &Event) -> Vec<Key> + Send + 'static,
    R: Fn(&Context, &Key) + Send + 'static,
{
    fn resync(&mut self, ctx: &Context) {
        for (_, next) in &mut self.resyncs {
            next.get_or_insert_with(Instant::now);
        }
        for (key, _) in self.owned_keys(&ctx.store) {
            (self.reconcile)(ctx, &key);
        }
    }

    fn changed(&mut self, ctx: &Context, batch: &[Arc<Event>]) {
        let mut dirty = BTreeSet::new();
        for event in batch {
            let ours = event.key.group == self.owned.0 && event.key.resource == self.owned.1;
            if ours && event.kind != EventType::Deleted {
                dirty.insert(event.key.clone());
            }
            dirty.extend((self.affected)(ctx, event));
        }
        for key in dirty {
            (self.reconcile)(ctx, &key);
        }
    }

    fn wake_at(&self) -> Option<Instant> {
        self.resyncs.iter().filter_map(|(_, next)| *next).min()
    }

    fn wake(&mut self, ctx: &Context) {
        let now = Instant::now();
        let mut ended = Vec::new();
        for (resync, next) in &mut self.resyncs {
            if let Some(at) = next.filter(|at| *at <= now) {
                // Missed periods are caught up one after another, as tokio's intervals do.
                *next = Some(at + resync.period);
                ended.push(resync.due);
            }
        }
        if ended.is_empty() {
            return;
        }
        for (key, object) in self.owned_keys(&ctx.store) {
            if ended.iter().any(|due| due(&object)) {
                (self.reconcile)(ctx, &key);
            }
        }
    }
}

/// For controllers that react to nothing but their own kind.
pub fn nothing_else(_: &Context, _: &Event) -> Vec<Key> {
    Vec::new()
}

/// A controller that acts every `period`, the first time at once, whatever changes (the
/// CronJob controller's resync is all it does).
pub struct Every<F> {
    period: Duration,
    /// When it next acts: at once when the loop first runs, then every period.
    next: Option<Instant>,
    act: F,
}

impl<F: Fn(&Context) + Send + 'static> Every<F> {
    /// Runs `act` every `period`.
    pub fn new(period: Duration, act: F) -> Self {
        Every {
            period,
            next: None,
            act,
        }
    }
}

impl<F: Fn(&Context) + Send + 'static> Controller for Every<F> {
    fn resync(&mut self, _: &Context) {
        self.next.get_or_insert_with(Instant::now);
    }

    fn changed(&mut self, _: &Context, _: &[Arc<Event>]) {}

    fn wake_at(&self) -> Option<Instant> {
        self.next
    }

    fn wake(&mut self, ctx: &Context) {
        self.next = self.next.map(|at| at + self.period);
        (self.act)(ctx);
    }
}

/// A controller that takes changes one by one, in the order they happened, and looks at
/// everything with `resync`.
pub struct EachChange<S, C> {
    resync: S,
    change: C,
}

impl<S, C> EachChange<S, C>
where
    S: Fn(&Context) + Send + 'static,
    C: Fn(&Context, &Event) + Send + 'static,
{
    /// Handles each change with `change`.
    pub fn new(resync: S, change: C) -> Self {
        EachChange { resync, change }
    }
}

impl<S, C> Controller for EachChange<S, C>
where
    S: Fn(&Context) + Send + 'static,
    C: Fn(&Context, &Event) + Send + 'static,
{
    fn resync(&mut self, ctx: &Context) {
        (self.resync)(ctx);
    }

    fn changed(&mut self, ctx: &Context, batch: &[Arc<Event>]) {
        for event in batch {
            (self.change)(ctx, event);
        }
    }
}

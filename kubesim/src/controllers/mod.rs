//! Control loops, one module each, running beside the API server on the cluster's tokio
//! runtime. Each follows the store's changes and writes back through the store, as the
//! real controllers do through the API.

pub mod cronjob;
pub mod daemonset;
pub mod deployment;
pub mod endpoints;
pub mod gc;
pub mod hpa;
pub mod ingress;
pub mod job;
pub mod kubelet;
pub mod namespace;
pub mod quota;
pub mod replicaset;
pub mod scheduler;
pub mod statefulset;
pub mod tokens;
pub mod volumes;

use crate::events::Recorder;
use crate::runtime::Runtime;
use crate::store::Store;
use std::sync::Arc;

/// Starts every control loop. They stop when the store's event stream ends.
pub fn start(
    store: Arc<Store>,
    api: Arc<crate::registry::Registry>,
    runtime: Arc<Runtime>,
    events: Arc<Recorder>,
    tokens: Arc<crate::auth::Tokens>,
) {
    tokio::spawn(tokens::run(store.clone(), tokens));
    tokio::spawn(replicaset::run(store.clone(), api.clone(), events.clone()));
    tokio::spawn(statefulset::run(store.clone(), api.clone(), events.clone()));
    tokio::spawn(job::run(store.clone(), api.clone(), events.clone()));
    tokio::spawn(cronjob::run(store.clone(), api.clone(), events.clone()));
    tokio::spawn(daemonset::run(store.clone(), api, events.clone()));
    tokio::spawn(volumes::run(store.clone(), events.clone()));
    tokio::spawn(deployment::run(store.clone(), events.clone()));
    tokio::spawn(endpoints::run(store.clone()));
    tokio::spawn(namespace::run(store.clone()));
    tokio::spawn(gc::run(store.clone()));
    tokio::spawn(quota::run(store.clone()));
    tokio::spawn(scheduler::run(store.clone(), events.clone()));
    tokio::spawn(hpa::run(store.clone(), runtime.clone(), events.clone()));
    tokio::spawn(crate::certmanager::run(store.clone(), events.clone()));
    tokio::spawn(ingress::run(store.clone(), events.clone()));
    tokio::spawn(kubelet::Kubelet::new(store, runtime, events).run());
}

/// The next change and every one already queued behind it (up to a bound), so a burst of
/// writes is reconciled once instead of once per write.
pub async fn next_batch(
    live: &mut tokio::sync::broadcast::Receiver<Arc<crate::store::Event>>,
) -> Result<Vec<Arc<crate::store::Event>>, tokio::sync::broadcast::error::RecvError> {
    let mut batch = vec![live.recv().await?];
    while batch.len() < 4096 {
        match live.try_recv() {
            Ok(event) => batch.push(event),
            Err(tokio::sync::broadcast::error::TryRecvError::Lagged(n)) => {
                return Err(tokio::sync::broadcast::error::RecvError::Lagged(n));
            }
            Err(_) => break,
        }
    }
    Ok(batch)
}

/// Looking again at owned objects every `period` whose state says so: a deadline passes
/// without any change to watch for.
pub struct Resync {
    pub period: std::time::Duration,
    pub due: fn(&serde_json::Value) -> bool,
}

/// The loop most controllers share: reconcile every object of the kind they own at start
/// (and again after falling behind the change stream), then, for each batch of changes,
/// every changed object of that kind and every key `affected` names for other changes;
/// with `resync`, also the owned objects it says are due, every period.
pub async fn follow(
    store: Arc<Store>,
    owned: (&'static str, &'static str),
    resync: Option<Resync>,
    affected: impl Fn(&Store, &crate::store::Event) -> Vec<crate::store::Key>,
    reconcile: impl Fn(&crate::store::Key),
) {
    use tokio::sync::broadcast::error::RecvError;
    let mut tick = resync.as_ref().map(|r| tokio::time::interval(r.period));
    loop {
        let Ok(mut subscription) = store.subscribe(0) else {
            return;
        };
        for (key, _) in store.list(owned.0, owned.1, None, None).0 {
            reconcile(&key);
        }
        loop {
            let ticked = async {
                match tick.as_mut() {
                    Some(t) => {
                        t.tick().await;
                    }
                    None => std::future::pending::<()>().await,
                }
            };
            let batch = tokio::select! {
                batch = next_batch(&mut subscription.live) => batch,
                () = ticked => {
                    if let Some(resync) = &resync {
                        for (key, object) in store.list(owned.0, owned.1, None, None).0 {
                            if (resync.due)(&object) {
                                reconcile(&key);
                            }
                        }
                    }
                    continue;
                }
            };
            let batch = match batch {
                Ok(batch) => batch,
                Err(RecvError::Lagged(_)) => break,
                Err(RecvError::Closed) => return,
            };
            let mut dirty = std::collections::BTreeSet::new();
            for event in &batch {
                let ours = event.key.group == owned.0 && event.key.resource == owned.1;
                if ours && event.kind != crate::store::EventType::Deleted {
                    dirty.insert(event.key.clone());
                }
                dirty.extend(affected(&store, event));
            }
            for key in dirty {
                reconcile(&key);
            }
        }
    }
}

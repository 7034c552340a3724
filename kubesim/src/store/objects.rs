//! The [`Store`] itself: every object under its key, one cluster-wide resourceVersion
//! counter, uids and generated names from one seeded RNG, and the bounded history of
//! changes watches resume from. Each operation takes one short lock, so what must be
//! atomic is: the version counter, optimistic concurrency, uniqueness, and the order of
//! events.

use super::error::{Result, StoreError};
use super::event::{Event, EventType, Subscription};
use super::fanout::{Fanout, Topic};
#[cfg(feature = "durable")]
use super::journal::Journal;
use super::key::{Key, metadata_mut, resource_version_of};
use crate::clock::Clock;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{Value, json};
use std::collections::{BTreeMap, VecDeque};
use std::ops::Bound;
use std::sync::{Arc, Mutex, MutexGuard};

/// The store. Cheap to share behind an `Arc`; each operation takes one short lock.
#[derive(Debug)]
pub struct Store {
    inner: Mutex<Inner>,
    events: Fanout,
    clock: Clock,
}

#[derive(Debug)]
struct Inner {
    resource_version: u64,
    objects: BTreeMap<Key, Arc<Value>>,
    history: VecDeque<Arc<Event>>,
    history_limit: usize,
    /// Versions at or below this are no longer in `history`.
    compacted: u64,
    rng: ChaCha8Rng,
    /// The write-ahead log, when the store is durable.
    #[cfg(feature = "durable")]
    journal: Option<Journal>,
}

impl Store {
    /// An empty store. `seed` drives uids; `history_limit` is how many events a watch
    /// can resume across.
    pub fn new(clock: Clock, seed: u64, history_limit: usize) -> Store {
        let events = Fanout::default();
        Store {
            inner: Mutex::new(Inner {
                resource_version: 1,
                objects: BTreeMap::new(),
                history: VecDeque::new(),
                history_limit: history_limit.max(1),
                compacted: 1,
                rng: ChaCha8Rng::seed_from_u64(seed),
                #[cfg(feature = "durable")]
                journal: None,
            }),
            events,
            clock,
        }
    }

    /// A store kept in `dir`: recovers what was there, then records every change before
    /// acknowledging it.
    #[cfg(feature = "durable")]
    pub fn open(
        dir: &std::path::Path,
        clock: Clock,
        seed: u64,
        history_limit: usize,
    ) -> Result<Store> {
        let (journal, recovered) = Journal::open(dir)
            .map_err(|e| StoreError::Storage(format!("{}: {e}", dir.display())))?;
        let store = Store::new(clock, seed, history_limit);
        {
            let mut inner = store.lock();
            let rv = recovered.resource_version.max(1);
            inner.resource_version = rv;
            inner.compacted = rv;
            inner.objects = recovered.objects;
            // A restarted store must not hand out the uids it gave before.
            inner.rng = ChaCha8Rng::seed_from_u64(seed ^ rv.wrapping_mul(0x9E37_79B9_7F4A_7C15));
            inner.journal = Some(journal);
        }
        Ok(store)
    }

    /// The cluster's clock.
    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock cannot leave a half-written map entry: every
        // mutation below is a single insert or remove.
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The latest resourceVersion.
    pub fn resource_version(&self) -> u64 {
        self.lock().resource_version
    }

    /// One object.
    pub fn get(&self, key: &Key) -> Result<Arc<Value>> {
        self.lock()
            .objects
            .get(key)
            .cloned()
            .ok_or(StoreError::NotFound)
    }

    /// Every object of a resource (in one namespace, or all when `namespace` is `None`),
    /// sorted by namespace and name, starting after `after` (for `continue`), with the
    /// version the list is consistent at.
    pub fn list(
        &self,
        group: &str,
        resource: &str,
        namespace: Option<&str>,
        after: Option<&Key>,
    ) -> (Vec<(Key, Arc<Value>)>, u64) {
        let mut items = Vec::new();
        let rv = self.scan(group, resource, namespace, after, |key, object| {
            items.push((key.clone(), object.clone()));
            true
        });
        (items, rv)
    }

    /// Visits the objects `list` would return, in order, without copying them; `visit`
    /// returns false to stop. Returns the version the scan is consistent at. The lock is held
    /// throughout, so `visit` must be quick.
    pub fn scan(
        &self,
        group: &str,
        resource: &str,
        namespace: Option<&str>,
        after: Option<&Key>,
        mut visit: impl FnMut(&Key, &Arc<Value>) -> bool,
    ) -> u64 {
        let inner = self.lock();
        let start = match after {
            Some(key) => Bound::Excluded(key.clone()),
            None => Bound::Included(Key::new(group, resource, namespace.unwrap_or(""), "")),
        };
        let in_scope = |k: &Key| {
            k.group == group
                && k.resource == resource
                && namespace.is_none_or(|ns| k.namespace == ns)
        };
        for (k, v) in inner.objects.range((start, Bound::Unbounded)) {
            if !in_scope(k) || !visit(k, v) {
                break;
            }
        }
        inner.resource_version
    }

    /// Every object in `namespace`, of any resource (built-in or custom).
    pub fn in_namespace(&self, namespace: &str) -> Vec<(Key, Arc<Value>)> {
        let inner = self.lock();
        inner
            .objects
            .iter()
            .filter(|(k, _)| k.namespace == namespace)
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    /// Stores a new object: sets its resourceVersion, uid, creationTimestamp and (when it
    /// has a spec) generation.
    pub fn create(&self, key: Key, mut object: Value) -> Result<Arc<Value>> {
        let mut inner = self.lock();
        if inner.objects.contains_key(&key) {
            return Err(StoreError::AlreadyExists);
        }
        // A uid the API server chose ahead (a Job's selector names it) is kept.
        let uid = match object["metadata"]["uid"].as_str() {
            Some(uid) if !uid.is_empty() => uid.to_string(),
            _ => inner.uid(),
        };
        let meta = metadata_mut(&mut object);
        meta.insert("uid".into(), json!(uid));
        meta.insert("creationTimestamp".into(), json!(self.clock.now_rfc3339()));
        if object.get("spec").is_some() {
            metadata_mut(&mut object).insert("generation".into(), json!(1));
        }
        inner.commit(&self.events, EventType::Added, key, object)
    }

    /// Replaces an object. `expected` is the resourceVersion the caller read (None: any).
    /// uid and creationTimestamp cannot change; generation rises when `spec` changes.
    pub fn update(&self, key: Key, mut object: Value, expected: Option<u64>) -> Result<Arc<Value>> {
        let mut inner = self.lock();
        let current = inner
            .objects
            .get(&key)
            .cloned()
            .ok_or(StoreError::NotFound)?;
        if expected.is_some_and(|rv| Some(rv) != resource_version_of(&current)) {
            return Err(StoreError::Conflict);
        }
        let old_meta = current.get("metadata").cloned().unwrap_or_default();
        let meta = metadata_mut(&mut object);
        for field in [
            "uid",
            "creationTimestamp",
            "deletionTimestamp",
            "deletionGracePeriodSeconds",
        ] {
            match old_meta.get(field) {
                Some(v) => meta.insert(field.into(), v.clone()),
                None => meta.remove(field),
            };
        }
        let old_generation = old_meta.get("generation").and_then(Value::as_i64);
        let generation = match old_generation {
            Some(g) if current.get("spec") != object.get("spec") => Some(g + 1),
            other => other,
        };
        if let Some(g) = generation {
            metadata_mut(&mut object).insert("generation".into(), json!(g));
        }
        if *current == object_without_version(&object, &current) {
            return Ok(current); // nothing changed: no new version, no event
        }
        // An object being deleted goes once its last finalizer is removed (a Namespace
        // keeps its own in spec.finalizers, which the namespace controller clears). A pod
        // in its grace period stays until its kubelet has stopped it.
        let deleting = object["metadata"].get("deletionTimestamp").is_some()
            && object["metadata"]["deletionGracePeriodSeconds"]
                .as_i64()
                .unwrap_or(0)
                == 0;
        let none = |list: &Value| list.as_array().is_none_or(Vec::is_empty);
        let finalized =
            none(&object["metadata"]["finalizers"]) && none(&object["spec"]["finalizers"]);
        let kind = if deleting && finalized {
            EventType::Deleted
        } else {
            EventType::Modified
        };
        inner.commit(&self.events, kind, key, object)
    }

    /// Marks an object as being deleted (finalizers or a pod's kubelet to wait for): sets
    /// deletionTimestamp to when the grace period ends, as kube-apiserver does, and
    /// returns the updated object. A second deletion may only shorten the grace period.
    /// Once no grace is left and no finalizer holds it, the object goes.
    pub fn mark_deleting(&self, key: &Key, grace_seconds: i64) -> Result<Arc<Value>> {
        let mut inner = self.lock();
        let current = inner
            .objects
            .get(key)
            .cloned()
            .ok_or(StoreError::NotFound)?;
        let grace_seconds = grace_seconds.max(0);
        if let Some(left) = current["metadata"]["deletionGracePeriodSeconds"].as_i64()
            && current["metadata"].get("deletionTimestamp").is_some()
            && left <= grace_seconds
        {
            return Ok(current);
        }
        let mut object = (*current).clone();
        let ends = self
            .clock
            .now()
            .checked_add(jiff::SignedDuration::from_secs(grace_seconds))
            .unwrap_or_else(|_| self.clock.now());
        let meta = metadata_mut(&mut object);
        meta.insert(
            "deletionTimestamp".into(),
            json!(crate::clock::format_time(ends)),
        );
        meta.insert("deletionGracePeriodSeconds".into(), json!(grace_seconds));
        let none = |list: &Value| list.as_array().is_none_or(Vec::is_empty);
        let finalized =
            none(&object["metadata"]["finalizers"]) && none(&object["spec"]["finalizers"]);
        let kind = if grace_seconds == 0 && finalized {
            EventType::Deleted
        } else {
            EventType::Modified
        };
        inner.commit(&self.events, kind, key.clone(), object)
    }

    /// Removes an object. `expected_uid` is a precondition (None: any).
    pub fn remove(&self, key: &Key, expected_uid: Option<&str>) -> Result<Arc<Value>> {
        let mut inner = self.lock();
        let current = inner
            .objects
            .get(key)
            .cloned()
            .ok_or(StoreError::NotFound)?;
        if expected_uid.is_some_and(|uid| current["metadata"]["uid"].as_str() != Some(uid)) {
            return Err(StoreError::Conflict);
        }
        let object = (*current).clone();
        inner.commit(&self.events, EventType::Deleted, key.clone(), object)
    }

    /// A fresh uid, for an object the API server must know the uid of before storing it.
    pub fn new_uid(&self) -> String {
        self.lock().uid()
    }

    /// Five characters for a generated name, from the alphabet Kubernetes uses (no vowels,
    /// no look-alike digits).
    pub fn random_suffix(&self) -> String {
        const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
        let mut inner = self.lock();
        (0..5)
            .map(|_| ALPHABET[inner.rng.random_range(0..ALPHABET.len())] as char)
            .collect()
    }

    /// A number below `bound` (at least 1), from the seeded RNG: random choices that must
    /// replay the same from the same seed (pod addresses).
    pub fn random_below(&self, bound: usize) -> usize {
        self.lock().rng.random_range(0..bound.max(1))
    }

    /// Subscribes to changes after `after` (0: from now). Fails with
    /// [`StoreError::Gone`] when that version has been compacted away.
    pub fn subscribe(&self, after: u64) -> Result<Subscription> {
        self.subscribe_to(after, None)
    }

    /// Subscribes to the changes of one resource (in one namespace, or all) after
    /// `after`: what an API watch wants. Each topic has its own channel, so a thousand
    /// watches of a thousand namespaces are not each woken for every change.
    pub fn subscribe_to(&self, after: u64, topic: Option<Topic>) -> Result<Subscription> {
        let inner = self.lock();
        let live = self.events.subscribe(topic.clone());
        if after == 0 || after >= inner.resource_version {
            return Ok(Subscription {
                backlog: Vec::new(),
                live,
            });
        }
        if after < inner.compacted {
            return Err(StoreError::Gone {
                requested: after,
                oldest: inner.compacted + 1,
            });
        }
        let backlog = inner
            .history
            .iter()
            .filter(|e| e.resource_version > after)
            .filter(|e| topic.as_ref().is_none_or(|t| t.covers(&e.key)))
            .cloned()
            .collect();
        Ok(Subscription { backlog, live })
    }
}

impl Inner {
    fn uid(&mut self) -> String {
        let bytes: [u8; 16] = self.rng.random();
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        // Version 4 layout, as Kubernetes' uids are.
        format!(
            "{}-{}-4{}-a{}-{}",
            &hex[0..8],
            &hex[8..12],
            &hex[13..16],
            &hex[17..20],
            &hex[20..32]
        )
    }

    /// The one way state changes: a new version, journalled first when durable (a
    /// failed write changes nothing), then applied in memory and announced to watches.
    fn commit(
        &mut self,
        events: &Fanout,
        kind: EventType,
        key: Key,
        mut object: Value,
    ) -> Result<Arc<Value>> {
        let rv = self.resource_version + 1;
        metadata_mut(&mut object).insert("resourceVersion".into(), json!(rv.to_string()));
        let object = Arc::new(object);
        let previous = self.objects.get(&key).cloned();
        let event = Event {
            resource_version: rv,
            kind,
            key,
            object: object.clone(),
            previous,
        };
        self.journal_append(&event)?;
        self.resource_version = rv;
        match kind {
            EventType::Deleted => self.objects.remove(&event.key),
            _ => self.objects.insert(event.key.clone(), object.clone()),
        };
        self.record(events, event);
        self.journal_compact();
        Ok(object)
    }

    /// Records a change in the data directory before it is applied (a failed write
    /// changes nothing). Without the `durable` feature there is nowhere to record it.
    fn journal_append(&mut self, event: &Event) -> Result<()> {
        #[cfg(feature = "durable")]
        if let Some(journal) = &mut self.journal {
            journal
                .append(event)
                .map_err(|e| StoreError::Storage(e.to_string()))?;
        }
        let _ = event;
        Ok(())
    }

    /// Folds the log into a snapshot when it has grown long.
    fn journal_compact(&mut self) {
        #[cfg(feature = "durable")]
        if let Some(journal) = self.journal.as_mut().filter(|j| j.wants_compaction()) {
            // The change is already safe in the log; a failed compaction only means a
            // longer replay next start.
            if let Err(e) = journal.compact(self.resource_version, &self.objects) {
                tracing::warn!("compacting the data directory failed: {e}");
            }
        }
    }

    fn record(&mut self, events: &Fanout, event: Event) {
        let event = Arc::new(event);
        self.history.push_back(event.clone());
        while self.history.len() > self.history_limit {
            if let Some(old) = self.history.pop_front() {
                self.compacted = old.resource_version;
            }
        }
        events.send(event);
    }
}

/// `object` carrying `current`'s resourceVersion, to compare contents alone.
fn object_without_version(object: &Value, current: &Value) -> Value {
    let mut object = object.clone();
    match current["metadata"].get("resourceVersion") {
        Some(rv) => metadata_mut(&mut object).insert("resourceVersion".into(), rv.clone()),
        None => metadata_mut(&mut object).remove("resourceVersion"),
    };
    object
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store(limit: usize) -> Store {
        Store::new(
            Clock::starting_at("2026-01-01T00:00:00Z".parse().expect("time")),
            7,
            limit,
        )
    }

    fn cm(name: &str, value: &str) -> Value {
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": "default"}, "data": {"k": value}})
    }

    fn key(name: &str) -> Key {
        Key::new("", "configmaps", "default", name)
    }

    #[tokio::test]
    async fn create_update_and_optimistic_concurrency() {
        let s = store(100);
        let a = s.create(key("a"), cm("a", "1")).expect("create");
        assert_eq!(a["metadata"]["resourceVersion"], "2");
        assert_eq!(a["metadata"]["creationTimestamp"], "2026-01-01T00:00:00Z");
        assert_eq!(
            s.create(key("a"), cm("a", "1")).unwrap_err(),
            StoreError::AlreadyExists
        );
        let b = s.update(key("a"), cm("a", "2"), Some(2)).expect("update");
        assert_eq!(b["metadata"]["resourceVersion"], "3");
        assert_eq!(b["metadata"]["uid"], a["metadata"]["uid"]);
        assert_eq!(
            s.update(key("a"), cm("a", "3"), Some(2)).unwrap_err(),
            StoreError::Conflict
        );
        // Writing what is already there changes nothing.
        let same = s.update(key("a"), cm("a", "2"), None).expect("no-op");
        assert_eq!(same["metadata"]["resourceVersion"], "3");
    }

    #[tokio::test]
    async fn lists_are_sorted_and_resume_after_a_key() {
        let s = store(100);
        for name in ["c", "a", "b"] {
            s.create(key(name), cm(name, "x")).expect("create");
        }
        s.create(Key::new("", "configmaps", "other", "z"), cm("z", "x"))
            .expect("create");
        let (items, rv) = s.list("", "configmaps", Some("default"), None);
        assert_eq!(
            items
                .iter()
                .map(|(k, _)| k.name.as_str())
                .collect::<Vec<_>>(),
            ["a", "b", "c"]
        );
        assert_eq!(rv, 5);
        let (rest, _) = s.list("", "configmaps", Some("default"), Some(&key("a")));
        assert_eq!(rest.len(), 2);
        assert_eq!(s.list("", "configmaps", None, None).0.len(), 4);
    }

    #[tokio::test]
    async fn watches_replay_history_and_compacted_versions_are_gone() {
        let s = store(2);
        s.create(key("a"), cm("a", "1")).expect("create"); // rv 2
        s.create(key("b"), cm("b", "1")).expect("create"); // rv 3
        s.remove(&key("a"), None).expect("remove"); // rv 4
        let sub = s.subscribe(2).expect("subscribe");
        let kinds: Vec<_> = sub
            .backlog
            .iter()
            .map(|e| (e.resource_version, e.kind))
            .collect();
        assert_eq!(kinds, [(3, EventType::Added), (4, EventType::Deleted)]);
        assert_eq!(
            s.subscribe(1).err(),
            Some(StoreError::Gone {
                requested: 1,
                oldest: 3
            })
        );
        let mut live = s.subscribe(0).expect("subscribe").live;
        s.create(key("c"), cm("c", "1")).expect("create");
        assert_eq!(live.recv().await.expect("event").key.name, "c");
    }

    #[tokio::test]
    async fn a_topic_hears_only_its_namespace_and_resource() {
        let s = store(10);
        let topic = |namespace: Option<&str>| Topic {
            group: String::new(),
            resource: "configmaps".into(),
            namespace: namespace.map(str::to_string),
        };
        let mut mine = s
            .subscribe_to(0, Some(topic(Some("mine"))))
            .expect("subscribe")
            .live;
        let mut all = s
            .subscribe_to(0, Some(topic(None)))
            .expect("subscribe")
            .live;
        let in_namespace = |ns: &str, name: &str| Key::new("", "configmaps", ns, name);
        s.create(in_namespace("theirs", "x"), cm("x", "1"))
            .expect("create");
        s.create(Key::new("", "secrets", "mine", "s"), cm("s", "1"))
            .expect("create");
        s.create(in_namespace("mine", "y"), cm("y", "1"))
            .expect("create");
        assert_eq!(mine.recv().await.expect("event").key.name, "y");
        assert!(
            mine.try_recv().is_err(),
            "nothing else reaches the namespace's watch"
        );
        assert_eq!(all.recv().await.expect("event").key.name, "x");
        assert_eq!(all.recv().await.expect("event").key.name, "y");
        // A topic's backlog is its own events too.
        let resumed = s
            .subscribe_to(1, Some(topic(Some("mine"))))
            .expect("subscribe");
        let names: Vec<&str> = resumed
            .backlog
            .iter()
            .map(|e| e.key.name.as_str())
            .collect();
        assert_eq!(names, ["y"]);
    }

    #[tokio::test]
    async fn the_same_seed_gives_the_same_uids() {
        let uid = |s: &Store| {
            s.create(key("a"), cm("a", "1")).expect("create")["metadata"]["uid"].clone()
        };
        assert_eq!(uid(&store(10)), uid(&store(10)));
        assert_eq!(uid(&store(10)).as_str().map(str::len), Some(36));
    }
}

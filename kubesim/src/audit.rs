//! The audit log: the requests whose admission left audit annotations, as kube-apiserver
//! writes them into its audit events (`annotations` of an `audit.k8s.io/v1` Event). Pod
//! Security's `audit` mode has nowhere else to speak: a violation of the audited level
//! is recorded as `pod-security.kubernetes.io/audit-violations`, the level a Pod was
//! judged by as `pod-security.kubernetes.io/enforce-policy`. Kept in memory, newest last,
//! the oldest dropped beyond [`AuditLog::CAPACITY`]; [`crate::Cluster::audit_events`]
//! reads it.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Mutex;

/// One audited request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEvent {
    /// Who asked (the impersonated user when impersonating); the cluster's own
    /// controllers appear as `system:kube-controller-manager`.
    pub user: String,
    /// `create` or `update` (PATCH and server-side apply of an existing object update).
    pub verb: String,
    /// The resource's plural, with its group: `pods`, `deployments.apps`.
    pub resource: String,
    /// The object's namespace (`""` when cluster-scoped).
    pub namespace: String,
    /// The object's name.
    pub name: String,
    /// Whether the request was admitted.
    pub allowed: bool,
    /// The annotations admission left.
    pub annotations: BTreeMap<String, String>,
}

/// The cluster's audit log.
#[derive(Debug, Default)]
pub struct AuditLog {
    events: Mutex<VecDeque<AuditEvent>>,
}

impl AuditLog {
    /// How many events are kept.
    pub const CAPACITY: usize = 10_000;

    /// Records an event, dropping the oldest beyond capacity.
    pub fn record(&self, event: AuditEvent) {
        let mut events = self.events.lock().unwrap_or_else(|p| p.into_inner());
        if events.len() == Self::CAPACITY {
            events.pop_front();
        }
        events.push_back(event);
    }

    /// Every event kept, oldest first.
    pub fn events(&self) -> Vec<AuditEvent> {
        self.events
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .cloned()
            .collect()
    }
}

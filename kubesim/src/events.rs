//! Events as the cluster's components write them: core/v1 Events about an object, with a
//! reason, a message and the reporting component; a repeat of the same event raises its
//! `count` and `lastTimestamp` instead of adding another, as client-go's recorder does.

use crate::store::{Key, Store, StoreError};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// Who reports an event: `kubelet` on a node, `default-scheduler`, a controller.
#[derive(Debug, Clone, Copy)]
pub struct Source<'a> {
    /// `source.component` and `reportingComponent`.
    pub component: &'a str,
    /// `source.host`: the node, for the kubelet; empty for the control plane.
    pub host: &'a str,
}

impl<'a> Source<'a> {
    /// A control-plane component (no host).
    pub const fn component(component: &'a str) -> Source<'a> {
        Source {
            component,
            host: "",
        }
    }
}

/// Writes Events into the store.
#[derive(Debug)]
pub struct Recorder {
    store: Arc<Store>,
    /// The event already written for (object uid, field path, reason, message).
    seen: Mutex<BTreeMap<(String, String, String, String), Key>>,
}

impl Recorder {
    /// A recorder writing into `store`.
    pub fn new(store: Arc<Store>) -> Recorder {
        Recorder {
            store,
            seen: Mutex::default(),
        }
    }

    /// A Normal event about `object`.
    pub fn normal(&self, object: &Value, source: Source, reason: &str, message: &str) {
        self.record(object, "", source, "Normal", reason, message);
    }

    /// A Warning event about `object`.
    pub fn warning(&self, object: &Value, source: Source, reason: &str, message: &str) {
        self.record(object, "", source, "Warning", reason, message);
    }

    /// An event about one container of a pod (`fieldPath: spec.containers{NAME}`).
    pub fn container(
        &self,
        pod: &Value,
        container: &str,
        source: Source,
        warning: bool,
        reason: &str,
        message: &str,
    ) {
        let path = format!("spec.containers{{{container}}}");
        let kind = if warning { "Warning" } else { "Normal" };
        self.record(pod, &path, source, kind, reason, message);
    }

    fn record(
        &self,
        object: &Value,
        field_path: &str,
        source: Source,
        kind: &str,
        reason: &str,
        message: &str,
    ) {
        let meta = &object["metadata"];
        let uid = meta["uid"].as_str().unwrap_or_default().to_string();
        let namespace = meta["namespace"].as_str().unwrap_or("default");
        let name = meta["name"].as_str().unwrap_or_default();
        let now = self.store.clock().now_rfc3339();
        let id = (
            uid.clone(),
            field_path.to_string(),
            reason.to_string(),
            message.to_string(),
        );
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(key) = seen.get(&id)
            && let Ok(existing) = self.store.get(key)
        {
            let mut event = (*existing).clone();
            event["count"] = json!(event["count"].as_i64().unwrap_or(1) + 1);
            event["lastTimestamp"] = json!(now);
            match self.store.update(key.clone(), event, None) {
                Ok(_) | Err(StoreError::NotFound) => {}
                Err(e) => tracing::warn!("updating event: {e}"),
            }
            return;
        }
        let nanos = self.store.clock().now().as_nanosecond();
        let event_name = format!("{name}.{:x}", nanos as u64 ^ u64::from(crc(&id)));
        let mut involved = json!({
            "kind": object["kind"], "namespace": namespace, "name": name, "uid": uid,
            "apiVersion": object["apiVersion"], "resourceVersion": meta["resourceVersion"],
        });
        if !field_path.is_empty() {
            involved["fieldPath"] = json!(field_path);
        }
        let mut source_json = json!({"component": source.component});
        if !source.host.is_empty() {
            source_json["host"] = json!(source.host);
        }
        let event = json!({
            "apiVersion": "v1", "kind": "Event",
            "metadata": {"name": event_name, "namespace": namespace},
            "involvedObject": involved,
            "reason": reason, "message": message, "source": source_json,
            "firstTimestamp": now, "lastTimestamp": now, "count": 1, "type": kind,
            "eventTime": null, "reportingComponent": source.component,
            "reportingInstance": source.host,
        });
        let key = Key::new("", "events", namespace, &event_name);
        match self.store.create(key.clone(), event) {
            Ok(_) => {
                seen.insert(id, key);
            }
            Err(StoreError::NotFound) => {}
            Err(e) => tracing::debug!("recording event: {e}"),
        }
        if seen.len() > 50_000 {
            seen.clear();
        }
    }
}

/// A small stable hash, so two distinct events in the same nanosecond get distinct names.
fn crc(id: &(String, String, String, String)) -> u32 {
    let mut h: u32 = 2_166_136_261;
    for part in [&id.0, &id.1, &id.2, &id.3] {
        for b in part.bytes() {
            h = (h ^ u32::from(b)).wrapping_mul(16_777_619);
        }
    }
    h
}

//! Watch: a chunked stream of `{"type": …, "object": …}` lines. From version 0 (or with
//! `sendInitialEvents`) it starts with the current objects; from a given version it replays
//! the retained history; then it follows live changes, with bookmarks when asked for, until
//! `timeoutSeconds` or the client goes away. A version older than the history, or a client
//! too slow to keep up, gets an `ERROR` event with 410 Expired, as kube-apiserver sends.

use super::server::ApiServer;
use super::table::{self, request::TableRequest};
use crate::registry::{FieldSelector, LabelSelector, Params, Target, present};
use crate::status::{ApiError, Result};
use crate::store::{Event, EventType, StoreError, Topic};
use axum::body::{Body, Bytes};
use axum::response::Response;
use serde_json::{Value, json};
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{broadcast, mpsc};

/// How often a watch that allows bookmarks gets one.
const BOOKMARK_EVERY: Duration = Duration::from_secs(60);
/// How long a watch lasts when the client sets no timeout.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30 * 60);

struct Filter {
    group: &'static str,
    plural: &'static str,
    namespace: Option<String>,
    labels: LabelSelector,
    fields: FieldSelector,
}

impl Filter {
    fn selects(&self, object: &Value) -> bool {
        self.labels.matches(object) && self.fields.matches(object)
    }

    /// What this watch reports for `event`, if anything. With selectors, an object that
    /// starts matching is ADDED and one that stops matching is DELETED, as kube-apiserver's
    /// watch cache reports them.
    fn event_type(&self, event: &Event) -> Option<&'static str> {
        let ours = event.key.group == self.group
            && event.key.resource == self.plural
            && self
                .namespace
                .as_ref()
                .is_none_or(|ns| *ns == event.key.namespace);
        if !ours {
            return None;
        }
        let now = self.selects(&event.object);
        let before = event.previous.as_deref().is_some_and(|p| self.selects(p));
        match event.kind {
            EventType::Added => now.then_some("ADDED"),
            EventType::Deleted => (now || before).then_some("DELETED"),
            EventType::Modified => match (before, now) {
                (true, true) => Some("MODIFIED"),
                (false, true) => Some("ADDED"),
                (true, false) => Some("DELETED"),
                (false, false) => None,
            },
        }
    }
}

impl ApiServer {
    /// Starts a watch.
    pub fn watch(
        self: &Arc<Self>,
        target: &Target,
        params: &Params,
        table: Option<TableRequest>,
    ) -> Result<Response> {
        let resource = target.resource;
        let (group, plural) = resource.storage_key();
        let filter = Filter {
            group,
            plural,
            namespace: target.namespace.clone(),
            labels: LabelSelector::parse(params.get("labelSelector").unwrap_or(""))?,
            fields: FieldSelector::parse_for(
                params.get("fieldSelector").unwrap_or(""),
                resource.group,
                resource.kind,
            )?,
        };
        let requested = match params.get("resourceVersion") {
            None => 0,
            Some(rv) => rv
                .parse::<u64>()
                .map_err(|_| ApiError::bad_request(format!("invalid resource version: {rv}")))?,
        };
        // The initial-events-end bookmark is for clients that asked for streaming lists;
        // a plain watch from version 0 gets the current objects without it.
        let streaming_list = params.flag("sendInitialEvents");
        let send_initial = streaming_list || requested == 0;
        let bookmarks = params.flag("allowWatchBookmarks");
        let timeout = params
            .get("timeoutSeconds")
            .and_then(|t| t.parse().ok())
            .map(Duration::from_secs)
            .unwrap_or(DEFAULT_TIMEOUT);

        let (initial, from) = if send_initial {
            let (items, rv) = self
                .store
                .list(group, plural, target.namespace.as_deref(), None);
            (items, rv)
        } else {
            (Vec::new(), requested)
        };
        let (tx, rx) = mpsc::channel::<std::result::Result<Bytes, Infallible>>(64);
        let clock = self.store.clock().clone();
        // Tables carry column definitions on the first event only, as kube-apiserver's do.
        let mut headers_sent = false;
        let mut present = move |object: &Value| {
            let object = present(resource, object);
            match &table {
                None => object,
                Some(t) => {
                    let meta = json!({"resourceVersion": object["metadata"]["resourceVersion"]});
                    let rows = table::Rows {
                        version: t.version,
                        objects: &[object],
                        list_meta: meta,
                        include: &t.include,
                        headers: !headers_sent,
                        now: clock.now(),
                    };
                    let converted = table::table(resource.kind, rows);
                    headers_sent = true;
                    converted
                }
            }
        };
        let line = |kind: &str, object: Value| {
            Ok(Bytes::from(format!(
                "{}\n",
                json!({"type": kind, "object": object})
            )))
        };
        let bookmark = move |rv: u64, initial_end: bool| {
            let mut meta = json!({"resourceVersion": rv.to_string()});
            if initial_end {
                meta["annotations"] = json!({"k8s.io/initial-events-end": "true"});
            }
            json!({"kind": resource.kind, "apiVersion": resource.api_version(), "metadata": meta})
        };
        let subscription = self.store.subscribe_to(
            from,
            Some(Topic {
                group: group.to_string(),
                resource: plural.to_string(),
                namespace: target.namespace.clone(),
            }),
        );
        let store = self.store.clone();
        tokio::spawn(async move {
            let mut subscription = match subscription {
                Ok(s) => s,
                Err(StoreError::Gone { requested, oldest }) => {
                    let _ = tx
                        .send(line("ERROR", ApiError::gone(requested, oldest).to_status()))
                        .await;
                    return;
                }
                Err(e) => {
                    let _ = tx
                        .send(line("ERROR", ApiError::internal(e.to_string()).to_status()))
                        .await;
                    return;
                }
            };
            for (_, object) in initial {
                let wanted = filter.labels.matches(&object) && filter.fields.matches(&object);
                if wanted
                    && tx
                        .send(line(EventType::Added.as_str(), present(&object)))
                        .await
                        .is_err()
                {
                    return;
                }
            }
            if streaming_list
                && bookmarks
                && tx
                    .send(line("BOOKMARK", bookmark(from, true)))
                    .await
                    .is_err()
            {
                return;
            }
            let mut last = from;
            for event in std::mem::take(&mut subscription.backlog) {
                if let Some(kind) = filter.event_type(&event)
                    && tx.send(line(kind, present(&event.object))).await.is_err()
                {
                    return;
                }
                last = event.resource_version;
            }
            let deadline = tokio::time::sleep(timeout);
            tokio::pin!(deadline);
            let mut ticker = tokio::time::interval_at(
                tokio::time::Instant::now() + BOOKMARK_EVERY,
                BOOKMARK_EVERY,
            );
            loop {
                tokio::select! {
                    () = &mut deadline => return,
                    () = tx.closed() => return,
                    _ = ticker.tick(), if bookmarks => {
                        let rv = last.max(store.resource_version());
                        if tx.send(line("BOOKMARK", bookmark(rv, false))).await.is_err() { return; }
                    }
                    received = subscription.live.recv() => match received {
                        Ok(event) => {
                            if event.resource_version <= last { continue; }
                            last = event.resource_version;
                            if let Some(kind) = filter.event_type(&event)
                                && tx.send(line(kind, present(&event.object))).await.is_err()
                            {
                                return;
                            }
                        }
                        Err(broadcast::error::RecvError::Lagged(_)) => {
                            let oldest = store.resource_version();
                            let _ = tx.send(line("ERROR", ApiError::gone(last, oldest).to_status())).await;
                            return;
                        }
                        Err(broadcast::error::RecvError::Closed) => return,
                    }
                }
            }
        });
        let stream = futures::stream::unfold(rx, |mut rx| async move {
            rx.recv().await.map(|item| (item, rx))
        });
        Response::builder()
            .header("content-type", "application/json")
            .body(Body::from_stream(stream))
            .map_err(|e| ApiError::internal(e.to_string()))
    }
}

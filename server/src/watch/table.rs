//! Following a kind as the API server prints it: list, then watch, both asking for
//! `Table` output with the full object in every row (`includeObject=Object`), as
//! `kubectl get -w` does. So one request gives both what checks and the owner tree need
//! (the object) and the columns that cluster prints for it (including a CRD's printer
//! columns): kubectl's columns are computed once, by the API server, never by us.
//! Errors back off and relist, as kube-runtime's watcher does.

use super::shared::{Item, Watch};
use app::model::live::Cell;
use futures::{AsyncBufReadExt, StreamExt};
use kube::Resource;
use kube::api::{DynamicObject, ListParams, WatchParams};
use kube::discovery::ApiResource;
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::{Arc, Weak};
use std::time::Duration;

/// What one watch asks for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Target {
    pub resource: ApiResource,
    /// The namespace; `None` for every namespace (cluster-scoped kinds).
    pub namespace: Option<String>,
    /// A label selector (cluster-scoped kinds: the workspace's label).
    pub selector: Option<String>,
}

/// `application/json;as=Table`, with plain JSON as the fallback a server without Table
/// support would answer.
const TABLE: &str = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json";

/// Back-off between failed attempts: doubling from half a second to half a minute.
const BACKOFF: (Duration, Duration) = (Duration::from_millis(500), Duration::from_secs(30));

/// Follows `target` into `watch` until nobody holds the watch. A back-off ends early
/// when `wake` is notified.
pub async fn follow(
    client: kube::Client,
    target: Target,
    watch: Weak<Watch>,
    wake: Arc<tokio::sync::Notify>,
) {
    let mut delay = BACKOFF.0;
    loop {
        let outcome = follow_once(&client, &target, &watch).await;
        if watch.strong_count() == 0 {
            return;
        }
        match outcome {
            // The watch's history was compacted: relist at once.
            Ok(()) => delay = BACKOFF.0,
            Err(e) => {
                tracing::debug!(resource = %target.resource.plural, "watch: {e}; retrying in {delay:?}");
                tokio::select! {
                    () = tokio::time::sleep(delay) => delay = (delay * 2).min(BACKOFF.1),
                    () = wake.notified() => delay = BACKOFF.0,
                }
            }
        }
    }
}

/// One list and the watches that follow it, until the API server says the version is
/// gone (`Ok`) or a request fails (`Err`).
async fn follow_once(
    client: &kube::Client,
    target: &Target,
    watch: &Weak<Watch>,
) -> Result<(), kube::Error> {
    let request = kube::core::Request::new(DynamicObject::url_path(
        &target.resource,
        target.namespace.as_deref(),
    ));
    let mut list = ListParams::default();
    if let Some(selector) = &target.selector {
        list = list.labels(selector);
    }
    // The listing is read in a block of its own, so the future does not keep it (a copy
    // of every object) for as long as it watches.
    let (mut columns, mut version, items) = {
        let table: Value = client
            .request(table_request(
                request.list(&list).map_err(kube::Error::BuildRequest)?,
            ))
            .await?;
        let columns = definitions(&table);
        let version = table["metadata"]["resourceVersion"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let items: BTreeMap<String, Arc<Item>> = rows(&table, &columns)
            .map(|item| (name(&item.object), Arc::new(item)))
            .collect();
        (columns, version, items)
    };
    match watch.upgrade() {
        Some(watch) => watch.relisted(items),
        None => return Ok(()),
    }
    // Bookmarks are asked for by default: they keep the version fresh on quiet watches.
    let mut params = WatchParams::default();
    if let Some(selector) = &target.selector {
        params = params.labels(selector);
    }
    loop {
        let mut http = table_request(
            request
                .watch(&params, &version)
                .map_err(kube::Error::BuildRequest)?,
        );
        // Watch streams are not compressed (see kube-client's request_events).
        http.headers_mut().insert(
            http::header::ACCEPT_ENCODING,
            http::HeaderValue::from_static("identity"),
        );
        let mut lines = client.request_stream(http).await?.lines();
        while let Some(line) = lines.next().await {
            let line = line.map_err(|e| kube::Error::Service(Box::new(e)))?;
            let Ok(event) = serde_json::from_str::<Value>(&line) else {
                continue;
            };
            let Some(watch) = watch.upgrade() else {
                return Ok(());
            };
            let object = &event["object"];
            if let Some(v) = object["metadata"]["resourceVersion"].as_str() {
                version = v.to_string();
            }
            match event["type"].as_str() {
                Some("ADDED" | "MODIFIED" | "DELETED") => {
                    // Later events carry no column definitions: keep the first ones.
                    if object["columnDefinitions"].is_array() {
                        columns = definitions(object);
                    }
                    for item in rows(object, &columns) {
                        let (name, item) = (name(&item.object), Arc::new(item));
                        if let Some(v) = item.object["metadata"]["resourceVersion"].as_str() {
                            version = v.to_string();
                        }
                        if event["type"] == "DELETED" {
                            watch.deleted(&name, item);
                        } else {
                            watch.applied(name, item);
                        }
                    }
                }
                Some("ERROR") if object["code"] == 410 => return Ok(()),
                Some("ERROR") => {
                    let message = object["message"].as_str().unwrap_or("watch error");
                    return Err(kube::Error::Service(message.to_string().into()));
                }
                _ => {} // BOOKMARK: only its resourceVersion matters
            }
        }
    }
}

/// Asks for a Table with the full object in every row.
fn table_request(mut request: http::Request<Vec<u8>>) -> http::Request<Vec<u8>> {
    let uri = request.uri().to_string();
    let separator = if uri.contains('?') { '&' } else { '?' };
    if let Ok(uri) = format!("{uri}{separator}includeObject=Object").parse() {
        *request.uri_mut() = uri;
    }
    request
        .headers_mut()
        .insert(http::header::ACCEPT, http::HeaderValue::from_static(TABLE));
    request
}

/// A column `kubectl get` prints: (position in the row, name).
type Column = (usize, String);

/// The columns of priority 0 other than NAME (the tree shows names itself).
fn definitions(table: &Value) -> Vec<Column> {
    table["columnDefinitions"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
        .filter(|(_, c)| c["priority"].as_i64().unwrap_or(0) == 0 && c["name"] != "Name")
        .map(|(i, c)| (i, c["name"].as_str().unwrap_or_default().to_string()))
        .collect()
}

/// The rows of a Table (or, from a server without Table support, a list or an object)
/// as items.
fn rows<'a>(table: &'a Value, columns: &'a [Column]) -> impl Iterator<Item = Item> + 'a {
    let rows: Vec<&Value> = match table["kind"].as_str() {
        Some("Table") => table["rows"].as_array().into_iter().flatten().collect(),
        _ if table["items"].is_array() => table["items"].as_array().into_iter().flatten().collect(),
        _ => vec![table],
    };
    rows.into_iter().map(move |row| match row.get("cells") {
        Some(cells) => Item {
            object: kept(&row["object"]),
            columns: columns
                .iter()
                .map(|(i, name)| Cell {
                    name: name.clone(),
                    value: printed(&cells[*i]),
                })
                .collect(),
        },
        None => Item {
            object: kept(row),
            columns: Vec::new(),
        },
    })
}

/// An object as a watch keeps it: without `metadata.managedFields`, which nothing the
/// page shows or checks reads and which is often the larger part of an object.
fn kept(object: &Value) -> Value {
    let mut object = object.clone();
    if let Some(metadata) = object.get_mut("metadata").and_then(Value::as_object_mut) {
        metadata.remove("managedFields");
    }
    object
}

/// A cell as kubectl prints it.
fn printed(cell: &Value) -> String {
    match cell {
        Value::String(s) => s.clone(),
        Value::Null => "<none>".into(),
        other => other.to_string(),
    }
}

/// An object's key in the store: `NAMESPACE/NAME` (a watch of every namespace holds
/// the same name many times), or `NAME` for a cluster-scoped object.
fn name(object: &Value) -> String {
    let metadata = &object["metadata"];
    let name = metadata["name"].as_str().unwrap_or_default();
    match metadata["namespace"].as_str() {
        Some(namespace) => format!("{namespace}/{name}"),
        None => name.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn rows_keep_the_printed_columns_but_name() {
        let table = json!({"kind": "Table", "columnDefinitions": [
            {"name": "Name", "priority": 0}, {"name": "Ready", "priority": 0},
            {"name": "IP", "priority": 1}, {"name": "Restarts", "priority": 0}],
            "rows": [{"cells": ["web", "1/1", "10.244.1.2", 0], "object": {"metadata": {"name": "web", "managedFields": [{"manager": "kubectl"}]}}}]});
        let columns = definitions(&table);
        let items: Vec<Item> = rows(&table, &columns).collect();
        assert_eq!(name(&items[0].object), "web");
        assert_eq!(
            name(&json!({"metadata": {"name": "web", "namespace": "a"}})),
            "a/web"
        );
        assert_eq!(items[0].object["metadata"].get("managedFields"), None);
        let cells: Vec<(&str, &str)> = items[0]
            .columns
            .iter()
            .map(|c| (c.name.as_str(), c.value.as_str()))
            .collect();
        assert_eq!(cells, [("Ready", "1/1"), ("Restarts", "0")]);
    }

    #[test]
    fn the_request_asks_for_a_table_with_objects() {
        let request = table_request(
            http::Request::get("/api/v1/namespaces/a/pods?watch=true")
                .body(Vec::new())
                .expect("request"),
        );
        assert_eq!(
            request.uri(),
            "/api/v1/namespaces/a/pods?watch=true&includeObject=Object"
        );
        assert!(
            request.headers()[http::header::ACCEPT]
                .to_str()
                .expect("ascii")
                .starts_with("application/json;as=Table")
        );
    }
}

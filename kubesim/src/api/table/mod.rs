//! `kubectl get` output: when the client asks for `application/json;as=Table;g=meta.k8s.io`,
//! objects are answered as a `Table` with the columns kube-apiserver's printers produce
//! (READY, STATUS, RESTARTS, AGE, CLUSTER-IP, PORT(S), TARGETS, …). The rules come from
//! `kubesim/docs/table-output.md`; kinds without a printer get NAME and CREATED AT.

mod columns;
mod computed;
pub mod format;
mod printers;
pub mod request;

use columns::{Column, columns};
use format::age;
#[cfg(test)]
use format::human_duration;
use printers::cells;

use jiff::Timestamp;
use serde_json::{Value, json};

/// The Table version a request asked for, if any (`v1` or `v1beta1`).
pub fn requested(accept: &str) -> Option<&'static str> {
    for clause in accept.split(',') {
        let mut parts = clause.split(';').map(str::trim);
        let media = parts.next().unwrap_or("");
        if media != "application/json" && media != "application/yaml" {
            continue;
        }
        let params: Vec<(&str, &str)> = parts.filter_map(|p| p.split_once('=')).collect();
        let get = |k: &str| params.iter().find(|(key, _)| *key == k).map(|(_, v)| *v);
        if get("as") == Some("Table") && get("g") == Some("meta.k8s.io") {
            match get("v") {
                Some("v1") => return Some("v1"),
                Some("v1beta1") => return Some("v1beta1"),
                _ => {}
            }
        }
        // A plain clause ranks before any later Table clause.
        get("as")?;
    }
    None
}

/// A row's cells (and, for finished pods, its conditions).
fn row(kind: &str, object: &Value, now: Timestamp) -> Value {
    let mut row = json!({"cells": cells(kind, object, now)});
    match object["status"]["phase"].as_str() {
        Some("Succeeded") if kind == "Pod" => {
            row["conditions"] = json!([{"type": "Completed", "status": "True", "reason": "Succeeded", "message": "The pod has completed successfully."}])
        }
        Some("Failed") if kind == "Pod" => {
            row["conditions"] = json!([{"type": "Completed", "status": "True", "reason": "Failed", "message": "The pod failed."}])
        }
        _ => {}
    }
    row
}

/// What a row carries of its object: `includeObject=None|Metadata|Object`.
fn row_object(object: &Value, include: &str) -> Value {
    match include {
        "None" => Value::Null,
        "Object" => object.clone(),
        _ => {
            json!({"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": object["metadata"]})
        }
    }
}

/// What a Table is made of besides its columns.
pub struct Rows<'a> {
    /// The Table version asked for (`v1`, `v1beta1`).
    pub version: &'a str,
    /// The objects, one row each.
    pub objects: &'a [Value],
    /// The list's metadata (or the object's resourceVersion for a single GET).
    pub list_meta: Value,
    /// What each row carries of its object (`includeObject`).
    pub include: &'a str,
    /// Whether the column definitions are sent (not for watch events after the first).
    pub headers: bool,
    /// The time ages are counted to.
    pub now: Timestamp,
}

impl Rows<'_> {
    /// The Table, with `definitions` and the rows' `cells`.
    fn table(self, definitions: Vec<Value>, cells: impl Fn(&Value) -> Value) -> Value {
        let rows: Vec<Value> = self
            .objects
            .iter()
            .map(|o| {
                let mut row = cells(o);
                row["object"] = row_object(o, self.include);
                row
            })
            .collect();
        json!({
            "kind": "Table",
            "apiVersion": format!("meta.k8s.io/{}", self.version),
            "metadata": self.list_meta,
            "columnDefinitions": if self.headers { Value::Array(definitions) } else { Value::Null },
            "rows": rows,
        })
    }
}

/// A Table of custom resources with their CRD's additionalPrinterColumns (NAME and AGE
/// when it declares none).
pub fn custom(columns: &[Value], rows: Rows) -> Value {
    let now = rows.now;
    let mut definitions = vec![
        json!({"name": "Name", "type": "string", "format": "name", "description": "", "priority": 0}),
    ];
    let age_only = columns.is_empty();
    if age_only {
        definitions.push(
            json!({"name": "Age", "type": "date", "format": "", "description": "", "priority": 0}),
        );
    }
    for c in columns {
        definitions.push(json!({"name": c["name"], "type": c["type"], "format": c["format"].as_str().unwrap_or(""),
            "description": c["description"].as_str().unwrap_or(""), "priority": c["priority"].as_i64().unwrap_or(0)}));
    }
    rows.table(definitions, |o| {
        let mut cells = vec![o["metadata"]["name"].clone()];
        if age_only {
            cells.push(json!(age(now, &o["metadata"]["creationTimestamp"])));
        }
        for c in columns {
            let value = crate::crd::column_value(o, c["jsonPath"].as_str().unwrap_or_default());
            cells.push(match c["type"].as_str() {
                Some("date") => json!(age(now, &value)),
                _ => value,
            });
        }
        json!({"cells": cells})
    })
}

/// A Table of objects of `kind`, with the columns of its printer.
pub fn table(kind: &str, rows: Rows) -> Value {
    let now = rows.now;
    let definitions: Vec<Value> = columns(kind)
        .iter()
        .map(|Column(name, typ, priority)| {
            json!({"name": name, "type": typ, "format": if *name == "Name" { "name" } else { "" }, "description": "", "priority": priority})
        })
        .collect();
    rows.table(definitions, |o| row(kind, o, now))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_read_like_kubectl() {
        for (seconds, shown) in [
            (0, "0s"),
            (90, "90s"),
            (119, "119s"),
            (120, "2m"),
            (150, "2m30s"),
            (599, "9m59s"),
            (600, "10m"),
            (185 * 60, "3h5m"),
            (8 * 3600, "8h"),
            (50 * 3600, "2d2h"),
            (192 * 3600, "8d"),
            (731 * 86400, "2y1d"),
            (2920 * 86400, "8y"),
            (-5, "<invalid>"),
        ] {
            assert_eq!(human_duration(seconds), shown, "{seconds}s");
        }
    }

    #[test]
    fn kubectls_accept_header_asks_for_a_v1_table() {
        let kubectl = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";
        assert_eq!(requested(kubectl), Some("v1"));
        assert_eq!(requested("application/json"), None);
        assert_eq!(requested("application/json;as=Table"), None);
    }

    #[test]
    fn pods_services_and_deployments() {
        let now: Timestamp = "2026-01-01T00:10:00Z".parse().expect("time");
        let pod = json!({
            "metadata": {"name": "web-1", "creationTimestamp": "2026-01-01T00:05:00Z"},
            "spec": {"containers": [{"name": "a"}, {"name": "b"}], "nodeName": "kind-worker"},
            "status": {"phase": "Running", "podIP": "10.244.1.5", "containerStatuses": [
                {"name": "a", "ready": true, "restartCount": 0, "state": {"running": {}}},
                {"name": "b", "ready": false, "restartCount": 3, "state": {"waiting": {"reason": "CrashLoopBackOff"}},
                 "lastState": {"terminated": {"finishedAt": "2026-01-01T00:08:00Z", "exitCode": 1}}}
            ]}
        });
        assert_eq!(
            cells("Pod", &pod, now),
            vec![
                json!("web-1"),
                json!("1/2"),
                json!("CrashLoopBackOff"),
                json!("3 (2m ago)"),
                json!("5m"),
                json!("10.244.1.5"),
                json!("kind-worker"),
                json!("<none>"),
                json!("<none>")
            ]
        );
        let svc = json!({"metadata": {"name": "web"}, "spec": {"type": "NodePort", "clusterIP": "10.96.0.10", "selector": {"tier": "fe", "app": "web"},
            "ports": [{"port": 80, "nodePort": 30080, "protocol": "TCP"}, {"port": 443, "protocol": "TCP"}]}});
        let c = cells("Service", &svc, now);
        assert_eq!(
            (
                c[1].as_str(),
                c[2].as_str(),
                c[3].as_str(),
                c[4].as_str(),
                c[6].as_str()
            ),
            (
                Some("NodePort"),
                Some("10.96.0.10"),
                Some("<none>"),
                Some("80:30080/TCP,443/TCP"),
                Some("app=web,tier=fe")
            )
        );
        let d = json!({"metadata": {"name": "web"}, "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}}}, "status": {"readyReplicas": 2, "updatedReplicas": 3, "availableReplicas": 2}});
        assert_eq!(
            cells("Deployment", &d, now)[1..4],
            [json!("2/3"), json!(3), json!(2)]
        );
    }
}

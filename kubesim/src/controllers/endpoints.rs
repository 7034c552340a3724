//! Endpoints and EndpointSlices: for each Service with a selector, the addresses of the
//! pods it selects — ready ones as addresses, the others as not ready — and the ports they
//! serve on, kept current as pods come, go and change readiness.

use super::runner::{Context, Controller, Follow};
use crate::pods::is_ready;
use crate::runtime::network::target_port;
use crate::store::{Event, Key, Store, StoreError};
use serde_json::{Value, json};
use std::sync::Arc;

const MANAGED_BY: &str = "endpointslice-controller.k8s.io";

/// The controller: Services, and the pods they select.
pub fn controller() -> impl Controller {
    Follow::new(("", "services"), affected, |ctx: &Context, key: &Key| {
        if ctx.store.get(key).is_err() {
            remove(&ctx.store, key);
        } else {
            reconcile(&ctx.store, key);
        }
    })
}

fn affected(ctx: &Context, event: &Event) -> Vec<Key> {
    match (event.key.group.as_str(), event.key.resource.as_str()) {
        // A deleted Service takes its endpoints (reconcile finds it gone).
        ("", "services") => vec![event.key.clone()],
        ("", "pods") => {
            let labels = &event.object["metadata"]["labels"];
            ctx.store
                .list("", "services", Some(&event.key.namespace), None)
                .0
                .into_iter()
                .filter(|(_, svc)| crate::labels::map_selects(&svc["spec"]["selector"], labels))
                .map(|(key, _)| key)
                .collect()
        }
        _ => Vec::new(),
    }
}

/// A Service's endpoint objects go with it.
fn remove(store: &Store, key: &Key) {
    let _ = store.remove(&Key::new("", "endpoints", &key.namespace, &key.name), None);
    for (slice_key, _) in slices_of(store, key) {
        let _ = store.remove(&slice_key, None);
    }
}

fn slices_of(store: &Store, key: &Key) -> Vec<(Key, Arc<Value>)> {
    store
        .list(
            "discovery.k8s.io",
            "endpointslices",
            Some(&key.namespace),
            None,
        )
        .0
        .into_iter()
        .filter(|(_, s)| s["metadata"]["labels"]["kubernetes.io/service-name"] == key.name.as_str())
        .collect()
}

fn reconcile(store: &Store, key: &Key) {
    let Ok(service) = store.get(key) else {
        return;
    };
    let selector = &service["spec"]["selector"];
    if selector.as_object().is_none_or(|s| s.is_empty()) {
        return; // without a selector, endpoints are the user's to write
    }
    let mut pods: Vec<Arc<Value>> = store
        .list("", "pods", Some(&key.namespace), None)
        .0
        .into_iter()
        .map(|(_, p)| p)
        .filter(|p| {
            crate::labels::map_selects(selector, &p["metadata"]["labels"])
                && p["status"]["podIP"]
                    .as_str()
                    .is_some_and(|ip| !ip.is_empty())
                && !matches!(p["status"]["phase"].as_str(), Some("Succeeded" | "Failed"))
        })
        .collect();
    pods.sort_by_key(|p| {
        p["status"]["podIP"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    });
    let ports = &service["spec"]["ports"];
    let port_list = |pod: Option<&Value>| -> Vec<Value> {
        ports
            .as_array()
            .into_iter()
            .flatten()
            .map(|p| {
                let number = pod.map_or_else(
                    || {
                        p["targetPort"]
                            .as_i64()
                            .unwrap_or_else(|| p["port"].as_i64().unwrap_or(0))
                    },
                    |pod| i64::from(target_port(&p["targetPort"], &p["port"], pod)),
                );
                let mut port =
                    json!({"port": number, "protocol": p["protocol"].as_str().unwrap_or("TCP")});
                if let Some(name) = p["name"].as_str() {
                    port["name"] = json!(name);
                }
                port
            })
            .collect()
    };
    let address = |pod: &Value| {
        json!({"ip": pod["status"]["podIP"], "nodeName": pod["spec"]["nodeName"],
            "targetRef": {"kind": "Pod", "name": pod["metadata"]["name"], "namespace": key.namespace,
                "uid": pod["metadata"]["uid"]}})
    };
    let serving: Vec<&Arc<Value>> = pods
        .iter()
        .filter(|p| p["metadata"].get("deletionTimestamp").is_none())
        .collect();
    let ready: Vec<Value> = serving
        .iter()
        .filter(|p| is_ready(p))
        .map(|p| address(p))
        .collect();
    let not_ready: Vec<Value> = serving
        .iter()
        .filter(|p| !is_ready(p))
        .map(|p| address(p))
        .collect();
    let mut endpoints = json!({
        "apiVersion": "v1", "kind": "Endpoints",
        "metadata": {"name": key.name, "namespace": key.namespace, "labels": service["metadata"]["labels"]},
    });
    if endpoints["metadata"]["labels"].is_null() {
        endpoints["metadata"]["labels"] = json!({});
    }
    if !serving.is_empty() {
        let mut subset = json!({"ports": port_list(serving.first().map(|p| &***p))});
        if !ready.is_empty() {
            subset["addresses"] = json!(ready);
        }
        if !not_ready.is_empty() {
            subset["notReadyAddresses"] = json!(not_ready);
        }
        endpoints["subsets"] = json!([subset]);
    }
    write(
        store,
        Key::new("", "endpoints", &key.namespace, &key.name),
        endpoints,
    );

    let slice_endpoints: Vec<Value> = pods
        .iter()
        .map(|p| {
            let terminating = p["metadata"].get("deletionTimestamp").is_some();
            json!({"addresses": [p["status"]["podIP"]],
                "conditions": {"ready": is_ready(p) && !terminating, "serving": is_ready(p), "terminating": terminating},
                "nodeName": p["spec"]["nodeName"],
                "targetRef": {"kind": "Pod", "name": p["metadata"]["name"], "namespace": key.namespace, "uid": p["metadata"]["uid"]}})
        })
        .collect();
    let existing = slices_of(store, key);
    let name = existing.first().map_or_else(
        || format!("{}-{}", key.name, store.random_suffix()),
        |(k, _)| k.name.clone(),
    );
    let slice = json!({
        "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
        "metadata": {"name": name, "namespace": key.namespace, "generateName": format!("{}-", key.name),
            "labels": {"kubernetes.io/service-name": key.name, "endpointslice.kubernetes.io/managed-by": MANAGED_BY},
            "ownerReferences": [{"apiVersion": "v1", "kind": "Service", "name": key.name,
                "uid": service["metadata"]["uid"], "controller": true, "blockOwnerDeletion": true}]},
        "addressType": "IPv4",
        "endpoints": slice_endpoints,
        // A slice's port always carries its name, "" when the Service's port has none, as
        // the endpointslice controller writes it (kubectl describe service dereferences it).
        "ports": port_list(pods.first().map(|p| &**p)).into_iter().map(|mut port| {
            if port.get("name").is_none() {
                port["name"] = json!("");
            }
            port
        }).collect::<Vec<_>>(),
    });
    write(
        store,
        Key::new("discovery.k8s.io", "endpointslices", &key.namespace, &name),
        slice,
    );
}

/// Creates or replaces `object` when it differs from what is stored.
fn write(store: &Store, key: Key, mut object: Value) {
    match store.get(&key) {
        Ok(current) => {
            for field in ["uid", "creationTimestamp", "resourceVersion"] {
                object["metadata"][field] = current["metadata"][field].clone();
            }
            if *current != object {
                let _ = store.update(key, object, crate::store::resource_version_of(&current));
            }
        }
        Err(StoreError::NotFound) => {
            let _ = store.create(key, object);
        }
        Err(_) => {}
    }
}

//! The ResourceQuota admission plugin: a write that would take the namespace past a
//! quota's hard limits is refused with kube-apiserver's `exceeded quota` message, and a Pod
//! that leaves out a compute resource the quota tracks is refused with `failed quota`.
//! A create is charged all it uses; an update what it adds to what the object used
//! before (a Service turned from ClusterIP to NodePort takes node ports, a claim grown
//! takes storage), as kube-apiserver charges the non-negative difference. Usage is
//! counted from the store, so it is always current.

use super::attributes::{Attributes, Operation};
use crate::quantity::{self, Milli};
use crate::resources::Resource;
use crate::status::ApiError;
use serde_json::Value;
use std::collections::BTreeMap;

const COMPUTE: &[&str] = &[
    "requests.cpu",
    "requests.memory",
    "limits.cpu",
    "limits.memory",
    "cpu",
    "memory",
    "requests.ephemeral-storage",
    "limits.ephemeral-storage",
];

/// What one object counts for, in quota resource names (values in thousandths).
pub fn usage(resource: &Resource, object: &Value) -> BTreeMap<String, Milli> {
    let mut u = BTreeMap::new();
    let one = 1000;
    let group_suffix = if resource.group.is_empty() {
        String::new()
    } else {
        format!(".{}", resource.group)
    };
    u.insert(format!("count/{}{group_suffix}", resource.plural), one);
    match resource.kind {
        "Pod" => {
            if matches!(
                object["status"]["phase"].as_str(),
                Some("Succeeded" | "Failed")
            ) {
                return BTreeMap::new();
            }
            u.insert("pods".into(), one);
            for c in object["spec"]["containers"]
                .as_array()
                .into_iter()
                .flatten()
            {
                for (kind, prefix) in [("requests", "requests."), ("limits", "limits.")] {
                    for (r, v) in c["resources"][kind].as_object().into_iter().flatten() {
                        let q = v.as_str().and_then(quantity::parse).unwrap_or(0);
                        *u.entry(format!("{prefix}{r}")).or_insert(0) += q;
                        if kind == "requests" {
                            *u.entry(r.clone()).or_insert(0) += q;
                        }
                    }
                }
            }
        }
        "Service" => {
            u.insert("services".into(), one);
            let kind = object["spec"]["type"].as_str().unwrap_or("ClusterIP");
            let ports = object["spec"]["ports"].as_array().map_or(0, Vec::len) as Milli;
            if kind == "NodePort" || kind == "LoadBalancer" {
                u.insert("services.nodeports".into(), ports * one);
            }
            if kind == "LoadBalancer" {
                u.insert("services.loadbalancers".into(), one);
            }
        }
        "PersistentVolumeClaim" => {
            u.insert("persistentvolumeclaims".into(), one);
            let storage = object["spec"]["resources"]["requests"]["storage"]
                .as_str()
                .and_then(quantity::parse)
                .unwrap_or(0);
            u.insert("requests.storage".into(), storage);
        }
        "ConfigMap" => {
            u.insert("configmaps".into(), one);
        }
        "Secret" => {
            u.insert("secrets".into(), one);
        }
        "ResourceQuota" => {
            u.insert("resourcequotas".into(), one);
        }
        _ => {}
    }
    u
}

fn show(resource: &str, milli: Milli) -> String {
    let binary = resource.contains("memory") || resource.contains("storage");
    format!("{resource}={}", quantity::format(milli, binary))
}

/// What a write adds: all the object uses on create, on update only what it uses
/// beyond the object it replaces (which is already counted).
fn charge(attrs: &Attributes, object: &Value) -> BTreeMap<String, Milli> {
    let mut wanted = usage(attrs.resource, object);
    if let (Operation::Update, Some(old)) = (attrs.operation, attrs.old) {
        let before = usage(attrs.resource, old);
        for (k, v) in wanted.iter_mut() {
            *v = (*v - before.get(k).copied().unwrap_or(0)).max(0);
        }
    }
    wanted.retain(|_, v| *v != 0);
    wanted
}

/// Refuses a write that a quota in `namespace` does not allow.
pub fn check(attrs: &Attributes, object: &Value) -> Result<(), ApiError> {
    let (store, resource, namespace) = (attrs.store, attrs.resource, attrs.namespace);
    if namespace.is_empty() {
        return Ok(());
    }
    let quotas = store.list("", "resourcequotas", Some(namespace), None).0;
    if quotas.is_empty() {
        return Ok(());
    }
    let wanted = charge(attrs, object);
    let creating = attrs.operation == Operation::Create;
    for (_, quota) in &quotas {
        let quota_name = quota["metadata"]["name"].as_str().unwrap_or_default();
        let hard: BTreeMap<String, Milli> = quota["spec"]["hard"]
            .as_object()
            .into_iter()
            .flatten()
            .filter_map(|(k, v)| {
                Some((
                    k.clone(),
                    v.as_str()
                        .and_then(quantity::parse)
                        .or_else(|| v.as_i64().map(|n| n as Milli * 1000))?,
                ))
            })
            .collect();
        if resource.kind == "Pod" && creating {
            let mut missing: Vec<&str> = Vec::new();
            for r in COMPUTE.iter().filter(|r| hard.contains_key(**r)) {
                let (kind, res) = r.split_once('.').unwrap_or(("requests", r));
                let unset = object["spec"]["containers"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|c| c["resources"][kind].get(res).is_none());
                if unset {
                    missing.push(r);
                }
            }
            if !missing.is_empty() {
                missing.sort();
                return Err(attrs.forbidden(&format!(
                    "failed quota: {quota_name}: must specify {}",
                    missing.join(",")
                )));
            }
        }
        let relevant: Vec<&String> = hard.keys().filter(|k| wanted.contains_key(*k)).collect();
        if relevant.is_empty() {
            continue;
        }
        let mut used: BTreeMap<&String, Milli> = relevant.iter().map(|k| (*k, 0)).collect();
        for (group, plural) in [resource.storage_key()] {
            for (_, existing) in store.list(group, plural, Some(namespace), None).0 {
                let counted = usage(resource, &existing);
                for (k, total) in used.iter_mut() {
                    *total += counted.get(*k).copied().unwrap_or(0);
                }
            }
        }
        let exceeded: Vec<&String> = relevant
            .iter()
            .copied()
            .filter(|k| used[*k] + wanted[*k] > hard[*k])
            .collect();
        if !exceeded.is_empty() {
            let list = |values: &dyn Fn(&String) -> Milli| {
                exceeded
                    .iter()
                    .map(|k| show(k, values(k)))
                    .collect::<Vec<_>>()
                    .join(",")
            };
            return Err(attrs.forbidden(&format!(
                "exceeded quota: {quota_name}, requested: {}, used: {}, limited: {}",
                list(&|k| wanted[k]),
                list(&|k| used[k]),
                list(&|k| hard[k])
            )));
        }
    }
    Ok(())
}

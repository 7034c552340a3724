//! The workspace's ResourceQuotas, judged across the whole request. Each document's dry
//! run meets the quota alone, so twenty-one ConfigMaps against a quota of twenty would
//! each pass it, and the real apply would stop after the twentieth with half of the
//! request applied. Here the new objects of a request (as their dry runs returned them,
//! defaults included) are added up per namespace and held against what each quota has
//! left, before anything is applied.

use super::send::Checked;
use kube::api::{Api, ListParams};
use kubesim::quantity::{Milli, parse};
use serde_json::Value;
use std::collections::BTreeMap;

/// Object counts a quota can name for a kind, besides `count/<resource>`.
const COUNTED: &[(&str, &str)] = &[
    ("Pod", "pods"),
    ("Service", "services"),
    ("ConfigMap", "configmaps"),
    ("Secret", "secrets"),
    ("PersistentVolumeClaim", "persistentvolumeclaims"),
    ("ReplicationController", "replicationcontrollers"),
];

/// What creating `object` (of `kind`, resource `plural` in `group`) takes from a quota, by
/// quota resource name, in thousandths (counts: 1000 each).
fn takes(kind: &str, plural: &str, group: &str, object: &Value) -> BTreeMap<String, Milli> {
    let mut took: BTreeMap<String, Milli> = BTreeMap::new();
    let mut add = |name: &str, amount: Milli| *took.entry(name.to_string()).or_default() += amount;
    let count = if group.is_empty() {
        format!("count/{plural}")
    } else {
        format!("count/{plural}.{group}")
    };
    add(&count, 1000);
    if let Some((_, name)) = COUNTED.iter().find(|(k, _)| *k == kind) {
        add(name, 1000);
    }
    let spec = &object["spec"];
    match kind {
        "Service" => {
            let ports = spec["ports"].as_array().map_or(0, Vec::len) as Milli;
            match spec["type"].as_str() {
                Some("NodePort") => add("services.nodeports", ports * 1000),
                Some("LoadBalancer") => {
                    add("services.loadbalancers", 1000);
                    add("services.nodeports", ports * 1000);
                }
                _ => {}
            }
        }
        "PersistentVolumeClaim" => {
            if let Some(size) = spec["resources"]["requests"]["storage"]
                .as_str()
                .and_then(parse)
            {
                add("requests.storage", size);
            }
        }
        "Pod" => {
            for container in spec["containers"].as_array().into_iter().flatten() {
                for side in ["requests", "limits"] {
                    for resource in ["cpu", "memory"] {
                        let declared = &container["resources"][side][resource];
                        let Some(amount) = declared.as_str().and_then(parse) else {
                            continue;
                        };
                        add(&format!("{side}.{resource}"), amount);
                        if side == "requests" {
                            add(resource, amount); // plain `cpu` and `memory` mean requests
                        }
                    }
                }
            }
        }
        _ => {}
    }
    took
}

/// The first new object that would take a quota past its limit (its index among
/// `checked`), and the API server's kind of message for it; `None` when the whole
/// request fits.
pub async fn check(tenant: &kube::Client, checked: &[Checked]) -> Option<(usize, String)> {
    let mut by_namespace: BTreeMap<&str, Vec<(usize, &Checked)>> = BTreeMap::new();
    for (i, c) in checked.iter().enumerate() {
        if let (None, Some(namespace)) = (&c.live, &c.planned.namespace) {
            by_namespace.entry(namespace).or_default().push((i, c));
        }
    }
    for (namespace, new) in by_namespace {
        let api: Api<k8s_openapi::api::core::v1::ResourceQuota> =
            Api::namespaced(tenant.clone(), namespace);
        let Ok(quotas) = api.list(&ListParams::default()).await else {
            continue; // the apply meets the quota one object at a time, as before
        };
        for quota in quotas.items {
            let status = serde_json::to_value(&quota.status).unwrap_or_default();
            let name = quota.metadata.name.unwrap_or_default();
            let amount = |v: &Value| v.as_str().and_then(parse).unwrap_or(0);
            let mut requested: BTreeMap<String, Milli> = BTreeMap::new();
            for (i, c) in &new {
                let after = c.after.as_ref().unwrap_or(&c.planned.object);
                let resource = &c.planned.resource;
                for (key, took) in takes(
                    &c.planned.outcome.kind,
                    &resource.plural,
                    &resource.group,
                    after,
                ) {
                    let Some(hard) = status["hard"].get(&key).map(amount) else {
                        continue;
                    };
                    let used = amount(&status["used"][&key]);
                    let total = requested.entry(key.clone()).or_default();
                    *total += took;
                    if used + *total > hard {
                        return Some((
                            *i,
                            format!(
                                "exceeded quota: {name}, requested: {key}={}, used: {key}={}, limited: {key}={} (this request as a whole; nothing was applied)",
                                show(*total),
                                show(used),
                                show(hard)
                            ),
                        ));
                    }
                }
            }
        }
    }
    None
}

/// A quantity as kube-apiserver's quota messages print it (whole numbers plainly).
fn show(milli: Milli) -> String {
    if milli % 1000 == 0 {
        (milli / 1000).to_string()
    } else {
        format!("{milli}m")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn what_a_new_object_takes_from_a_quota() {
        let cm = takes("ConfigMap", "configmaps", "", &json!({}));
        assert_eq!((cm["configmaps"], cm["count/configmaps"]), (1000, 1000));
        let svc = takes(
            "Service",
            "services",
            "",
            &json!({"spec": {"type": "NodePort", "ports": [{}, {}]}}),
        );
        assert_eq!(svc["services.nodeports"], 2000);
        let pod = takes(
            "Pod",
            "pods",
            "",
            &json!({"spec": {"containers": [
            {"resources": {"requests": {"cpu": "250m", "memory": "64Mi"}, "limits": {"cpu": "1"}}},
            {"resources": {"requests": {"cpu": "250m"}}}]}}),
        );
        assert_eq!(
            (pod["requests.cpu"], pod["cpu"], pod["limits.cpu"]),
            (500, 500, 1000)
        );
        assert_eq!(pod["requests.memory"], 64 * 1024 * 1024 * 1000);
        let deploy = takes("Deployment", "deployments", "apps", &json!({}));
        assert_eq!(
            deploy.keys().collect::<Vec<_>>(),
            ["count/deployments.apps"]
        );
    }
}

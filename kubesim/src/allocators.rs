//! What the API server hands out when a Service is written: a cluster IP from kind's
//! service range (10.96.0.0/16) and node ports from 30000–32767, each unique in the
//! cluster; a taken address or port is refused with kube-apiserver's message.

use crate::status::Cause;
use crate::store::Store;
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// The range's first usable address is the `kubernetes` Service's; `.10` is kube-dns's.
const RESERVED: [u32; 2] = [1, 10];
const SERVICE_HOSTS: u32 = 65_534;
const NODE_PORTS: std::ops::RangeInclusive<i64> = 30_000..=32_767;

fn ip_of(n: u32) -> String {
    format!("10.96.{}.{}", n >> 8, n & 0xff)
}

/// A stable starting point derived from the service's name, so addresses look spread as
/// the real (random) allocator's do, yet every run gives the same ones.
fn spread(text: &str, modulo: u32) -> u32 {
    let mut h: u32 = 2_166_136_261;
    for b in text.bytes() {
        h = (h ^ u32::from(b)).wrapping_mul(16_777_619);
    }
    h % modulo
}

/// Fills in `spec.clusterIP(s)` and node ports; `old` is the stored Service on update
/// (its addresses and ports are kept). Returns the causes of an Invalid error.
pub fn allocate_service(store: &Store, service: &mut Value, old: Option<&Value>) -> Vec<Cause> {
    let mut causes = Vec::new();
    let (taken_ips, taken_ports) = in_use(store, old);
    let kind = service["spec"]["type"]
        .as_str()
        .unwrap_or("ClusterIP")
        .to_string();
    if kind == "ExternalName" {
        return causes;
    }
    let name = format!(
        "{}/{}",
        service["metadata"]["namespace"]
            .as_str()
            .unwrap_or_default(),
        service["metadata"]["name"].as_str().unwrap_or_default()
    );
    let spec = &mut service["spec"];
    let kept_ip = old
        .and_then(|o| o["spec"]["clusterIP"].as_str())
        .map(str::to_string);
    let requested = spec["clusterIP"].as_str().unwrap_or_default().to_string();
    let ip = if !requested.is_empty() {
        if requested != "None"
            && kept_ip.as_deref() != Some(&requested)
            && taken_ips.contains(&requested)
        {
            causes.push(Cause {
                reason: "FieldValueInvalid",
                message: format!("Invalid value: []string{{\"{requested}\"}}: failed to allocate IP {requested}: provided IP is already allocated"),
                field: "spec.clusterIPs".into(),
            });
        }
        requested
    } else if let Some(kept) = kept_ip {
        kept
    } else {
        let start = spread(&name, SERVICE_HOSTS);
        (0..SERVICE_HOSTS)
            .map(|i| (start + i) % SERVICE_HOSTS + 1)
            .filter(|n| !RESERVED.contains(n))
            .map(ip_of)
            .find(|ip| !taken_ips.contains(ip))
            .unwrap_or_default()
    };
    spec["clusterIP"] = json!(ip);
    spec["clusterIPs"] = json!([ip]);
    if kind == "NodePort" || kind == "LoadBalancer" {
        let mut taken = taken_ports;
        let old_ports: Vec<Value> = old
            .and_then(|o| o["spec"]["ports"].as_array().cloned())
            .unwrap_or_default();
        for (i, port) in spec["ports"]
            .as_array_mut()
            .into_iter()
            .flatten()
            .enumerate()
        {
            match port["nodePort"].as_i64().filter(|p| *p != 0) {
                Some(wanted) => {
                    let ours = old_ports
                        .iter()
                        .any(|p| p["nodePort"].as_i64() == Some(wanted));
                    if !ours && !taken.insert(wanted) {
                        causes.push(Cause {
                            reason: "FieldValueInvalid",
                            message: format!(
                                "Invalid value: {wanted}: provided port is already allocated"
                            ),
                            field: format!("spec.ports[{i}].nodePort"),
                        });
                    }
                }
                None => {
                    let kept = old_ports
                        .iter()
                        .find(|p| p["port"] == port["port"] && p["protocol"] == port["protocol"])
                        .and_then(|p| p["nodePort"].as_i64());
                    let size = (NODE_PORTS.end() - NODE_PORTS.start() + 1) as u32;
                    let start = spread(&format!("{name}:{i}"), size);
                    let chosen = kept.or_else(|| {
                        (0..size)
                            .map(|k| NODE_PORTS.start() + i64::from((start + k) % size))
                            .find(|p| !taken.contains(p))
                    });
                    if let Some(p) = chosen {
                        taken.insert(p);
                        port["nodePort"] = json!(p);
                    }
                }
            }
        }
    }
    if kind == "LoadBalancer" && service["status"]["loadBalancer"].is_null() {
        service["status"] = json!({"loadBalancer": {}});
    }
    causes
}

/// What an update keeps and releases before validation: the cluster IP already handed
/// out stays when the client leaves it empty (as `kubectl apply` does), and when the
/// Service changes to a type without node ports, the node ports it was given are released
/// — unless the client changed them in the same write (kube-apiserver's
/// `dropTypeDependentFields`; validation then says they may not be used).
pub fn prepare_service_update(service: &mut Value, old: &Value) {
    if service["spec"]["clusterIP"]
        .as_str()
        .is_none_or(str::is_empty)
    {
        service["spec"]["clusterIP"] = old["spec"]["clusterIP"].clone();
        service["spec"]["clusterIPs"] = old["spec"]["clusterIPs"].clone();
    }
    let kind = service["spec"]["type"].as_str().unwrap_or("ClusterIP");
    let old_kind = old["spec"]["type"].as_str().unwrap_or("ClusterIP");
    if kind == old_kind || matches!(kind, "NodePort" | "LoadBalancer") {
        return;
    }
    let old_ports: Vec<Value> = old["spec"]["ports"].as_array().cloned().unwrap_or_default();
    for (i, port) in service["spec"]["ports"]
        .as_array_mut()
        .into_iter()
        .flatten()
        .enumerate()
    {
        let unchanged = old_ports
            .get(i)
            .is_some_and(|o| o["nodePort"] == port["nodePort"]);
        if unchanged && let Value::Object(map) = port {
            map.remove("nodePort");
        }
    }
    if service["spec"]["healthCheckNodePort"] == old["spec"]["healthCheckNodePort"]
        && let Value::Object(spec) = &mut service["spec"]
    {
        spec.remove("healthCheckNodePort");
    }
    if let Value::Object(spec) = &mut service["spec"] {
        spec.remove("externalTrafficPolicy");
    }
}

/// Cluster IPs and node ports held by Services other than `except`.
fn in_use(store: &Store, except: Option<&Value>) -> (BTreeSet<String>, BTreeSet<i64>) {
    let skip = except.and_then(|o| o["metadata"]["uid"].as_str());
    let mut ips = BTreeSet::new();
    let mut ports = BTreeSet::new();
    for (_, svc) in store.list("", "services", None, None).0 {
        if skip.is_some() && svc["metadata"]["uid"].as_str() == skip {
            continue;
        }
        if let Some(ip) = svc["spec"]["clusterIP"].as_str() {
            ips.insert(ip.to_string());
        }
        for p in svc["spec"]["ports"].as_array().into_iter().flatten() {
            if let Some(n) = p["nodePort"].as_i64() {
                ports.insert(n);
            }
        }
    }
    (ips, ports)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_skip_the_reserved_ones() {
        assert_eq!(ip_of(1), "10.96.0.1");
        assert_eq!(ip_of(300), "10.96.1.44");
    }
}

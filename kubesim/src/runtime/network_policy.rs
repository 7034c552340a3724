//! NetworkPolicy as a CNI that enforces it (Calico, Cilium, kindnet's policy support):
//! a pod selected by a policy with `Ingress` in its types accepts only what one of those
//! policies' ingress rules allows; a pod selected by one with `Egress` may only connect
//! where one of their egress rules allows. A rule allows a peer — `podSelector` in the
//! policy's namespace, `namespaceSelector`, both together, or an `ipBlock` — on its
//! `ports` (numbers or named container ports, `endPort` ranges, TCP unless said
//! otherwise); no `from`/`to` means every peer, no `ports` every port. `policyTypes`
//! defaults to `Ingress`, plus `Egress` when the policy has egress rules, so
//! `podSelector: {}` with no rules denies everything. Pods on the host network (and the
//! node itself) are outside policies, as with common CNIs. Every connection a model
//! makes is TCP.

use crate::labels::selector_selects;
use crate::pods::named_port;
use crate::store::{Key, Store};
use serde_json::Value;

const INGRESS: &str = "Ingress";
const EGRESS: &str = "Egress";

/// Whether pod `from` may open a TCP connection to `port` of pod `to`: `from`'s egress
/// and `to`'s ingress both allow it.
pub fn allows(store: &Store, from: &Value, to: &Value, port: u16) -> bool {
    if host_network(from) || host_network(to) {
        return true;
    }
    direction_allows(store, EGRESS, from, to, port)
        && direction_allows(store, INGRESS, to, from, port)
}

fn host_network(pod: &Value) -> bool {
    pod["spec"]["hostNetwork"] == true
}

/// Whether the policies of `subject` (the pod they isolate) allow traffic with `peer`
/// in `direction`, to `port` of the destination.
fn direction_allows(
    store: &Store,
    direction: &str,
    subject: &Value,
    peer: &Value,
    port: u16,
) -> bool {
    let namespace = subject["metadata"]["namespace"]
        .as_str()
        .unwrap_or_default();
    let policies: Vec<_> = store
        .list(
            "networking.k8s.io",
            "networkpolicies",
            Some(namespace),
            None,
        )
        .0
        .into_iter()
        .map(|(_, p)| p)
        .filter(|p| types(p).contains(&direction))
        .filter(|p| selector_selects(&p["spec"]["podSelector"], &subject["metadata"]["labels"]))
        .collect();
    if policies.is_empty() {
        return true;
    }
    // The destination's named ports are what a rule's port names mean.
    let destination = if direction == INGRESS { subject } else { peer };
    let (rules_field, peers_field) = if direction == INGRESS {
        ("ingress", "from")
    } else {
        ("egress", "to")
    };
    policies.iter().any(|policy| {
        policy["spec"][rules_field]
            .as_array()
            .into_iter()
            .flatten()
            .any(|rule| {
                let peers = rule[peers_field].as_array().filter(|p| !p.is_empty());
                let peer_ok = peers.is_none_or(|peers| {
                    peers
                        .iter()
                        .any(|p| peer_matches(store, p, namespace, peer))
                });
                let ports = rule["ports"].as_array().filter(|p| !p.is_empty());
                let port_ok = ports
                    .is_none_or(|ports| ports.iter().any(|p| port_matches(p, destination, port)));
                peer_ok && port_ok
            })
    })
}

/// `spec.policyTypes`, or what it defaults to.
fn types(policy: &Value) -> Vec<&str> {
    let spec = &policy["spec"];
    match spec["policyTypes"].as_array() {
        Some(types) => types.iter().filter_map(Value::as_str).collect(),
        None if spec["egress"].is_array() => vec![INGRESS, EGRESS],
        None => vec![INGRESS],
    }
}

/// Whether `pod` is the peer a rule's `from`/`to` entry names, for a policy in
/// `policy_namespace`.
fn peer_matches(store: &Store, peer: &Value, policy_namespace: &str, pod: &Value) -> bool {
    if let Some(block) = peer.get("ipBlock").filter(|b| b.is_object()) {
        let ip = pod["status"]["podIP"].as_str().unwrap_or_default();
        let within = |cidr: &Value| cidr.as_str().is_some_and(|c| in_cidr(ip, c));
        return within(&block["cidr"])
            && !block["except"].as_array().into_iter().flatten().any(within);
    }
    let namespace = pod["metadata"]["namespace"].as_str().unwrap_or_default();
    let namespace_ok = match peer.get("namespaceSelector").filter(|s| !s.is_null()) {
        Some(selector) => store
            .get(&Key::new("", "namespaces", "", namespace))
            .is_ok_and(|ns| selector_selects(selector, &ns["metadata"]["labels"])),
        None => namespace == policy_namespace,
    };
    let pod_ok = peer
        .get("podSelector")
        .filter(|s| !s.is_null())
        .is_none_or(|selector| selector_selects(selector, &pod["metadata"]["labels"]));
    namespace_ok && pod_ok
}

/// Whether a rule's port entry allows TCP `port` on `destination`.
fn port_matches(entry: &Value, destination: &Value, port: u16) -> bool {
    if entry["protocol"].as_str().is_some_and(|p| p != "TCP") {
        return false;
    }
    let first = match &entry["port"] {
        Value::Null => return true,
        Value::Number(n) => n.as_u64().and_then(|n| u16::try_from(n).ok()),
        Value::String(name) => name.parse().ok().or_else(|| named_port(destination, name)),
        _ => None,
    };
    let Some(first) = first else {
        return false;
    };
    let last = entry["endPort"]
        .as_u64()
        .and_then(|n| u16::try_from(n).ok())
        .unwrap_or(first);
    (first..=last).contains(&port)
}

/// An IPv4 address as a number.
fn ipv4(text: &str) -> Option<u32> {
    let octets: Vec<u8> = text
        .split('.')
        .map(|o| o.parse().ok())
        .collect::<Option<_>>()?;
    let octets: [u8; 4] = octets.try_into().ok()?;
    Some(u32::from_be_bytes(octets))
}

/// Whether `ip` is in `cidr` (`10.244.0.0/16`).
fn in_cidr(ip: &str, cidr: &str) -> bool {
    let (network, bits) = cidr.split_once('/').unwrap_or((cidr, "32"));
    let (Some(ip), Some(network), Ok(bits)) = (ipv4(ip), ipv4(network), bits.parse::<u32>()) else {
        return false;
    };
    let mask = u32::MAX.checked_shl(32 - bits.min(32)).unwrap_or(0);
    ip & mask == network & mask
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn ports_and_blocks_match_as_policies_mean_them() {
        let pod =
            json!({"spec": {"containers": [{"ports": [{"name": "http", "containerPort": 8000}]}]}});
        assert!(port_matches(&json!({"port": "http"}), &pod, 8000));
        assert!(port_matches(
            &json!({"port": 8000, "endPort": 8100}),
            &pod,
            8080
        ));
        assert!(!port_matches(&json!({"port": 80}), &pod, 8000));
        assert!(!port_matches(
            &json!({"protocol": "UDP", "port": 8000}),
            &pod,
            8000
        ));
        assert!(port_matches(&json!({"protocol": "TCP"}), &pod, 1));
        assert!(in_cidr("10.244.1.7", "10.244.0.0/16"));
        assert!(!in_cidr("10.245.1.7", "10.244.0.0/16"));
        assert!(in_cidr("1.2.3.4", "0.0.0.0/0"));
        assert_eq!(
            types(&json!({"spec": {"egress": []}})),
            ["Ingress", "Egress"]
        );
    }
}

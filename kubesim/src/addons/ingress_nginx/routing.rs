//! How nginx routes a request: by the `nginx` Ingresses' rules, host (wildcards
//! included) then path — exact before prefix, longest path first — to a Service port.

use crate::store::Store;
use serde_json::Value;

/// Whether the nginx controller serves this Ingress.
pub(super) fn ours(ingress: &Value) -> bool {
    ingress["spec"]["ingressClassName"] == "nginx"
        || ingress["metadata"]["annotations"]["kubernetes.io/ingress.class"] == "nginx"
}

/// Where nginx sends a request for `host` and `path`: (namespace, Service, port — a number
/// or a port name). `None`: nginx answers 404 itself.
pub fn route(store: &Store, host: &str, path: &str) -> Option<(String, String, String)> {
    let path = path.split('?').next().unwrap_or("/");
    let mut best: Option<(u8, usize, (String, String, String))> = None;
    for (key, ingress) in store.list("networking.k8s.io", "ingresses", None, None).0 {
        if !ours(&ingress) {
            continue;
        }
        for rule in ingress["spec"]["rules"].as_array().into_iter().flatten() {
            let rule_host = rule["host"].as_str().unwrap_or("");
            if !host_matches(rule_host, host) {
                continue;
            }
            for p in rule["http"]["paths"].as_array().into_iter().flatten() {
                let wanted = p["path"].as_str().unwrap_or("/");
                let exact = p["pathType"] == "Exact";
                let matched = if exact {
                    path == wanted
                } else {
                    prefix_matches(wanted, path)
                };
                if !matched {
                    continue;
                }
                let service = &p["backend"]["service"];
                let port = service["port"]["number"]
                    .as_i64()
                    .map(|n| n.to_string())
                    .or_else(|| service["port"]["name"].as_str().map(str::to_string))
                    .unwrap_or_default();
                let target = (
                    key.namespace.clone(),
                    service["name"].as_str().unwrap_or_default().to_string(),
                    port,
                );
                let rank = (u8::from(exact), wanted.len());
                if best.as_ref().is_none_or(|(e, l, _)| (*e, *l) < rank) {
                    best = Some((rank.0, rank.1, target));
                }
            }
        }
    }
    best.map(|(_, _, target)| target)
}

/// The TLS Secret an nginx Ingress names for `host`: (namespace, name). The first one
/// found serves the host; ingress-nginx likewise serves one certificate per host.
pub fn tls_secret(store: &Store, host: &str) -> Option<(String, String)> {
    let ingresses = store.list("networking.k8s.io", "ingresses", None, None).0;
    ingresses
        .into_iter()
        .filter(|(_, i)| ours(i))
        .find_map(|(key, ingress)| {
            ingress["spec"]["tls"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|tls| {
                    tls["hosts"].as_array().into_iter().flatten().any(|h| {
                        h.as_str()
                            .is_some_and(|h| !h.is_empty() && host_matches(h, host))
                    })
                })
                .map(|tls| {
                    let name = tls["secretName"].as_str().unwrap_or_default();
                    (key.namespace.clone(), name.to_string())
                })
        })
}

fn host_matches(rule: &str, host: &str) -> bool {
    match rule.strip_prefix("*.") {
        _ if rule.is_empty() => true,
        Some(suffix) => host.split_once('.').is_some_and(|(_, rest)| rest == suffix),
        None => rule == host,
    }
}

/// Prefix matching by path elements: `/app` matches `/app` and `/app/x`, not `/apple`.
fn prefix_matches(prefix: &str, path: &str) -> bool {
    let prefix = prefix.trim_end_matches('/');
    prefix.is_empty() || path == prefix || path.starts_with(&format!("{prefix}/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_match_whole_elements_and_hosts_wildcards() {
        assert!(prefix_matches("/", "/anything"));
        assert!(prefix_matches("/app", "/app/x"));
        assert!(!prefix_matches("/app", "/apple"));
        assert!(host_matches("*.example.com", "a.example.com"));
        assert!(!host_matches("*.example.com", "a.b.example.com"));
        assert!(host_matches("", "anything"));
    }
}

//! What must differ between two servers, replaced by a placeholder on both sides before
//! comparing: uids, timestamps, resourceVersions and continue tokens, generated name
//! suffixes (generateName, the token volume's `kube-api-access-xxxxx`), cluster IPs and
//! node ports, the server's address, and managedFields written by controllers. Each
//! rule keeps the value's presence, so "set on one side only" is still a difference.

use serde_json::{Map, Value};

/// Normalises `value` in place.
pub fn normalise(value: &mut Value) {
    walk(value, None);
}

fn walk(value: &mut Value, key: Option<&str>) {
    match value {
        Value::Object(map) => {
            generated_name(map);
            if let Some(Value::Array(entries)) = map.get_mut("managedFields") {
                entries.retain(|e| e["subresource"] != "status");
            }
            for (k, v) in map.iter_mut() {
                walk(v, Some(k.as_str()));
            }
        }
        Value::Array(items) => {
            for item in items {
                walk(item, key);
            }
        }
        Value::String(s) => {
            if let Some(replacement) = string_placeholder(key, s) {
                *s = replacement;
            }
        }
        Value::Number(_) => {
            if matches!(key, Some("nodePort" | "healthCheckNodePort")) {
                *value = Value::String("<node-port>".into());
            }
        }
        _ => {}
    }
}

/// `metadata.name` made from `generateName`: the random suffix goes.
fn generated_name(map: &mut Map<String, Value>) {
    let Some(prefix) = map.get("generateName").and_then(Value::as_str) else {
        return;
    };
    let prefix = prefix.to_string();
    if let Some(Value::String(name)) = map.get_mut("name")
        && name.starts_with(&prefix)
    {
        *name = format!("{prefix}<suffix>");
    }
}

fn string_placeholder(key: Option<&str>, s: &str) -> Option<String> {
    match key {
        Some("resourceVersion") => return Some("<rv>".into()),
        Some("continue") if !s.is_empty() => return Some("<continue>".into()),
        Some("clusterIP" | "clusterIPs") if s != "None" && !s.is_empty() => {
            return Some("<cluster-ip>".into());
        }
        Some("serverAddress") => return Some("<address>".into()),
        _ => {}
    }
    if is_timestamp(s) {
        return Some("<time>".into());
    }
    if is_uuid(s) {
        return Some("<uid>".into());
    }
    if let Some(rest) = s.strip_prefix("kube-api-access-")
        && rest.len() == 5
    {
        return Some("kube-api-access-<suffix>".into());
    }
    too_old_version(s)
}

/// RFC 3339 in UTC, as Kubernetes writes times (`2025-01-02T03:04:05Z`, with optional
/// fractions as in managedFields and events).
fn is_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| {
        b.get(r)
            .is_some_and(|part| part.iter().all(u8::is_ascii_digit))
    };
    b.len() >= 20
        && digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10)
        && b[10] == b'T'
        && digits(11..13)
        && b[13] == b':'
        && digits(14..16)
        && b[16] == b':'
        && digits(17..19)
        && s.ends_with('Z')
}

fn is_uuid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.bytes().all(|c| c.is_ascii_hexdigit()))
}

/// `too old resource version: 12 (345)`: both numbers are the server's own.
fn too_old_version(s: &str) -> Option<String> {
    const TEXT: &str = "too old resource version: ";
    let start = s.find(TEXT)?;
    let tail = &s[start + TEXT.len()..];
    let end = tail.find(')').map(|i| i + 1).unwrap_or(tail.len());
    Some(format!("{}{TEXT}<rv> (<rv>){}", &s[..start], &tail[end..]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn server_chosen_values_become_placeholders() {
        let mut v = json!({"metadata": {"generateName": "web-", "name": "web-x7k2p",
            "uid": "0c6a3e4e-9d67-4d2c-8a8e-0f5b6d1f2a3b", "resourceVersion": "42",
            "creationTimestamp": "2025-01-02T03:04:05Z",
            "managedFields": [{"manager": "a"}, {"manager": "c", "subresource": "status"}]},
            "spec": {"clusterIP": "10.96.3.4", "ports": [{"nodePort": 30001}],
                "volumes": [{"name": "kube-api-access-abcde"}]},
            "message": "too old resource version: 1 (250)"});
        normalise(&mut v);
        assert_eq!(
            v,
            json!({"metadata": {"generateName": "web-", "name": "web-<suffix>", "uid": "<uid>",
                "resourceVersion": "<rv>", "creationTimestamp": "<time>",
                "managedFields": [{"manager": "a"}]},
                "spec": {"clusterIP": "<cluster-ip>", "ports": [{"nodePort": "<node-port>"}],
                    "volumes": [{"name": "kube-api-access-<suffix>"}]},
                "message": "too old resource version: <rv> (<rv>)"})
        );
    }
}

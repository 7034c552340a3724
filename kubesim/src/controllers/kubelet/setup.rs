//! What a container starts with, resolved from the pod spec and the objects it names:
//! its environment (values, ConfigMap and Secret keys, pod fields) and the files its
//! volumes mount. A missing reference is the error the kubelet reports.

use crate::store::{Key, Store};
use base64::Engine;
use serde_json::Value;
use std::collections::BTreeMap;

/// Why a container cannot be created yet (`CreateContainerConfigError`).
pub type ConfigError = String;

/// The data of a ConfigMap (text) or Secret (decoded) in the pod's namespace.
fn data_of(
    store: &Store,
    namespace: &str,
    secret: bool,
    name: &str,
) -> Option<BTreeMap<String, String>> {
    let plural = if secret { "secrets" } else { "configmaps" };
    let object = store.get(&Key::new("", plural, namespace, name)).ok()?;
    let mut data = BTreeMap::new();
    for (k, v) in object["data"].as_object().into_iter().flatten() {
        let text = v.as_str().unwrap_or_default();
        let value = if secret {
            base64::engine::general_purpose::STANDARD
                .decode(text)
                .map(|b| String::from_utf8_lossy(&b).into_owned())
                .unwrap_or_default()
        } else {
            text.to_string()
        };
        data.insert(k.clone(), value);
    }
    if secret {
        for (k, v) in object["stringData"].as_object().into_iter().flatten() {
            data.insert(k.clone(), v.as_str().unwrap_or_default().to_string());
        }
    }
    Some(data)
}

fn kind_name(secret: bool) -> (&'static str, &'static str) {
    if secret {
        ("secret", "Secret")
    } else {
        ("configmap", "ConfigMap")
    }
}

/// The container's environment, as the kubelet builds it: `envFrom` first, then `env`.
pub fn environment(
    store: &Store,
    pod: &Value,
    container: &Value,
) -> Result<BTreeMap<String, String>, ConfigError> {
    let namespace = pod["metadata"]["namespace"].as_str().unwrap_or("default");
    let mut env = BTreeMap::new();
    for source in container["envFrom"].as_array().into_iter().flatten() {
        let prefix = source["prefix"].as_str().unwrap_or_default();
        for (field, secret) in [("configMapRef", false), ("secretRef", true)] {
            let reference = &source[field];
            if reference.is_null() {
                continue;
            }
            let name = reference["name"].as_str().unwrap_or_default();
            match data_of(store, namespace, secret, name) {
                Some(data) => {
                    env.extend(data.into_iter().map(|(k, v)| (format!("{prefix}{k}"), v)))
                }
                None if reference["optional"] == true => {}
                None => return Err(format!("{} \"{name}\" not found", kind_name(secret).0)),
            }
        }
    }
    for var in container["env"].as_array().into_iter().flatten() {
        let name = var["name"].as_str().unwrap_or_default().to_string();
        if let Some(value) = var["value"].as_str() {
            env.insert(name, expand(value, &env));
            continue;
        }
        let from = &var["valueFrom"];
        for (field, secret) in [("configMapKeyRef", false), ("secretKeyRef", true)] {
            let reference = &from[field];
            if reference.is_null() {
                continue;
            }
            let object = reference["name"].as_str().unwrap_or_default();
            let key = reference["key"].as_str().unwrap_or_default();
            let optional = reference["optional"] == true;
            let (lower, title) = kind_name(secret);
            match data_of(store, namespace, secret, object) {
                Some(data) => match data.get(key) {
                    Some(v) => {
                        env.insert(name.clone(), v.clone());
                    }
                    None if optional => {}
                    None => {
                        return Err(format!(
                            "couldn't find key {key} in {title} {namespace}/{object}"
                        ));
                    }
                },
                None if optional => {}
                None => return Err(format!("{lower} \"{object}\" not found")),
            }
        }
        if let Some(path) = from["fieldRef"]["fieldPath"].as_str() {
            env.insert(name.clone(), field_value(pod, path));
        }
        if let Some(resource) = from["resourceFieldRef"]["resource"].as_str() {
            let (kind, what) = resource.split_once('.').unwrap_or(("requests", resource));
            let value = container["resources"][kind][what].as_str().unwrap_or("0");
            env.insert(name.clone(), value.to_string());
        }
    }
    Ok(env)
}

/// `$(VAR)` references to earlier variables, as the kubelet expands them.
fn expand(value: &str, env: &BTreeMap<String, String>) -> String {
    let mut out = String::new();
    let mut rest = value;
    while let Some(i) = rest.find("$(") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 2..];
        match after.find(')') {
            Some(end) => {
                let name = &after[..end];
                match env.get(name) {
                    Some(v) => out.push_str(v),
                    None => out.push_str(&rest[i..i + 3 + end]),
                }
                rest = &after[end + 1..];
            }
            None => {
                out.push_str(&rest[i..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// The downward API: `metadata.name`, `status.podIP`, … (the console's `describe pod`
/// shows what each environment variable so set reads).
pub fn field_value(pod: &Value, path: &str) -> String {
    let value = match path {
        "metadata.name" => &pod["metadata"]["name"],
        "metadata.namespace" => &pod["metadata"]["namespace"],
        "metadata.uid" => &pod["metadata"]["uid"],
        "spec.nodeName" => &pod["spec"]["nodeName"],
        "spec.serviceAccountName" => &pod["spec"]["serviceAccountName"],
        "status.podIP" => &pod["status"]["podIP"],
        "status.hostIP" => &pod["status"]["hostIP"],
        other => {
            let (map, key) = other
                .strip_prefix("metadata.labels['")
                .map(|k| ("labels", k))
                .or_else(|| {
                    other
                        .strip_prefix("metadata.annotations['")
                        .map(|k| ("annotations", k))
                })
                .unwrap_or(("", ""));
            &pod["metadata"][map][key.trim_end_matches("']")]
        }
    };
    value.as_str().unwrap_or_default().to_string()
}

/// Checks that every volume the pod mounts can be set up; the `FailedMount` message when
/// one cannot.
pub fn volumes_ready(store: &Store, pod: &Value) -> Result<(), String> {
    let namespace = pod["metadata"]["namespace"].as_str().unwrap_or("default");
    for volume in pod["spec"]["volumes"].as_array().into_iter().flatten() {
        let name = volume["name"].as_str().unwrap_or_default();
        for (field, secret, name_field) in
            [("configMap", false, "name"), ("secret", true, "secretName")]
        {
            let source = &volume[field];
            if source.is_null() || source["optional"] == true {
                continue;
            }
            let object = source[name_field].as_str().unwrap_or_default();
            if data_of(store, namespace, secret, object).is_none() {
                return Err(format!(
                    "MountVolume.SetUp failed for volume \"{name}\" : {} \"{object}\" not found",
                    kind_name(secret).0
                ));
            }
        }
    }
    Ok(())
}

/// The files a container sees: ConfigMap and Secret volumes (each key a file, or the
/// `items` chosen, or one key through `subPath`) and the ServiceAccount token.
pub fn files(
    store: &Store,
    pod: &Value,
    container: &Value,
    token: &str,
) -> BTreeMap<String, String> {
    let namespace = pod["metadata"]["namespace"].as_str().unwrap_or("default");
    let volumes: BTreeMap<&str, &Value> = pod["spec"]["volumes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| Some((v["name"].as_str()?, v)))
        .collect();
    let mut files = BTreeMap::new();
    for mount in container["volumeMounts"].as_array().into_iter().flatten() {
        let Some(volume) = mount["name"].as_str().and_then(|n| volumes.get(n)) else {
            continue;
        };
        let path = mount["mountPath"]
            .as_str()
            .unwrap_or_default()
            .trim_end_matches('/');
        let sub_path = mount["subPath"].as_str().filter(|s| !s.is_empty());
        let mut contents = BTreeMap::new();
        for (field, secret, name_field) in
            [("configMap", false, "name"), ("secret", true, "secretName")]
        {
            let source = &volume[field];
            if source.is_null() {
                continue;
            }
            let object = source[name_field].as_str().unwrap_or_default();
            let data = data_of(store, namespace, secret, object).unwrap_or_default();
            match source["items"].as_array() {
                Some(items) => {
                    for item in items {
                        let (Some(key), Some(to)) = (item["key"].as_str(), item["path"].as_str())
                        else {
                            continue;
                        };
                        if let Some(v) = data.get(key) {
                            contents.insert(to.to_string(), v.clone());
                        }
                    }
                }
                None => contents.extend(data),
            }
        }
        if volume["projected"].is_object() && !token.is_empty() {
            contents.insert("token".into(), token.to_string());
            contents.insert("namespace".into(), namespace.to_string());
            contents.insert("ca.crt".into(), "-----BEGIN CERTIFICATE-----\n".into());
        }
        match sub_path {
            Some(sub) => {
                if let Some(v) = contents.get(sub) {
                    files.insert(path.to_string(), v.clone());
                }
            }
            None => {
                for (k, v) in contents {
                    files.insert(format!("{path}/{k}"), v);
                }
            }
        }
    }
    if let Some(resolv) = resolv_conf(pod, namespace) {
        files.insert("/etc/resolv.conf".into(), resolv);
    }
    files
}

/// The `/etc/resolv.conf` the kubelet writes for a pod that uses the cluster's DNS (the
/// default `ClusterFirst` policy): the search list starts with the pod's own namespace, so
/// `SERVICE` and `SERVICE.NAMESPACE` resolve, as on kind (whose DNS Service is 10.96.0.10).
fn resolv_conf(pod: &Value, namespace: &str) -> Option<String> {
    let policy = pod["spec"]["dnsPolicy"].as_str().unwrap_or("ClusterFirst");
    matches!(policy, "ClusterFirst" | "ClusterFirstWithHostNet").then(|| {
        format!(
            "search {namespace}.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n"
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn dependent_variables_expand() {
        let mut env = BTreeMap::new();
        env.insert("A".to_string(), "x".to_string());
        assert_eq!(expand("$(A)-$(B)", &env), "x-$(B)");
    }

    #[test]
    fn downward_api_fields() {
        let pod = json!({"metadata": {"name": "p", "labels": {"app": "web"}}, "status": {"podIP": "10.244.1.2"}});
        assert_eq!(field_value(&pod, "metadata.name"), "p");
        assert_eq!(field_value(&pod, "status.podIP"), "10.244.1.2");
        assert_eq!(field_value(&pod, "metadata.labels['app']"), "web");
    }
}

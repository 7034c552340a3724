//! `kubectl describe ingress`: kubectl's layout of a networking/v1 Ingress, each backend
//! with the ready addresses of its Service's Endpoints, as kubectl reads them.

use super::text::{Facts, Text, texts};
use serde_json::Value;

pub fn describe(facts: &Facts<'_>) -> String {
    let (meta, spec, status) = facts.parts();
    let mut text = Text::default();
    text.field("Name", meta["name"].as_str().unwrap_or_default());
    text.labels("Labels", &meta["labels"]);
    text.field("Namespace", facts.namespace);
    let addresses: Vec<&str> = status["loadBalancer"]["ingress"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|i| i["ip"].as_str().or(i["hostname"].as_str()))
        .collect();
    text.field("Address", &addresses.join(","));
    text.field(
        "Ingress Class",
        spec["ingressClassName"].as_str().unwrap_or("<none>"),
    );
    let default = &spec["defaultBackend"];
    let default_text = if default.is_object() {
        backend(facts, default)
    } else {
        "<default>".to_string()
    };
    text.field("Default backend", &default_text);
    if let Some(tls) = spec["tls"].as_array().filter(|t| !t.is_empty()) {
        text.at(0, "TLS:\n");
        for entry in tls {
            let hosts = texts(&entry["hosts"]).join(",");
            match entry["secretName"].as_str().filter(|s| !s.is_empty()) {
                Some(secret) => text.at(1, &format!("{secret} terminates {hosts}\n")),
                None => text.at(1, &format!("SNI routes {hosts}\n")),
            }
        }
    }
    text.at(0, "Rules:\n  Host\tPath\tBackends\n");
    text.at(1, "----\t----\t--------\n");
    let mut count = 0;
    for rule in spec["rules"].as_array().into_iter().flatten() {
        let Some(paths) = rule["http"]["paths"].as_array() else {
            continue;
        };
        count += 1;
        let host = rule["host"]
            .as_str()
            .filter(|h| !h.is_empty())
            .unwrap_or("*");
        text.at(1, &format!("{host}\t\n"));
        for path in paths {
            text.at(
                2,
                &format!(
                    "\t{} \t{}\n",
                    path["path"].as_str().unwrap_or_default(),
                    backend(facts, &path["backend"])
                ),
            );
        }
    }
    if count == 0 {
        text.at(1, &format!("*\t*\t{default_text}\n"));
    }
    text.annotations("Annotations", &meta["annotations"]);
    text.events(facts.events, facts.now);
    text.done()
}

/// `web:80 (10.244.1.5:8000,10.244.2.6:8000)`: a Service backend and the ready addresses
/// of its port, or kubectl's words for what it could not read.
fn backend(facts: &Facts<'_>, backend: &Value) -> String {
    let service = &backend["service"];
    let Some(name) = service["name"].as_str() else {
        return String::new();
    };
    let number = service["port"]["number"].as_i64().unwrap_or(0);
    let port_name = service["port"]["name"].as_str().unwrap_or_default();
    let shown = if number != 0 {
        format!("{name}:{number}")
    } else {
        format!("{name}:{port_name}")
    };
    let named = |list: &[Value]| list.iter().find(|o| o["metadata"]["name"] == name).cloned();
    // (kubectl reads the Service first.)
    let Some(svc) = named(facts.services) else {
        return format!("{shown} (<error: services \"{name}\" not found>)");
    };
    let Some(endpoints) = named(facts.related) else {
        return format!("{shown} (<error: endpoints \"{name}\" not found>)");
    };
    // The Service port the backend means, by number or by name.
    let mut wanted = String::new();
    for port in svc["spec"]["ports"].as_array().into_iter().flatten() {
        let port_own = port["name"].as_str().unwrap_or_default();
        if (number != 0 && port["port"].as_i64() == Some(number))
            || (!port_name.is_empty() && port_name == port_own)
        {
            wanted = port_own.to_string();
        }
    }
    format!("{shown} ({})", addresses(&endpoints, &wanted))
}

/// kubectl's `formatEndpoints`: `IP:PORT` of the subsets' ready addresses on the port
/// named `port`, three at most, then how many more.
fn addresses(endpoints: &Value, port: &str) -> String {
    let Some(subsets) = endpoints["subsets"].as_array().filter(|s| !s.is_empty()) else {
        return "<none>".into();
    };
    let mut list: Vec<String> = Vec::new();
    let (mut count, mut more) = (0, false);
    for subset in subsets {
        let ready = subset["addresses"]
            .as_array()
            .map_or(&[][..], Vec::as_slice);
        let ports = subset["ports"].as_array().map_or(&[][..], Vec::as_slice);
        let mut add = |entry: String, list: &mut Vec<String>| {
            if list.len() == 3 {
                more = true;
            } else {
                list.push(entry);
            }
        };
        if ports.is_empty() {
            count += ready.len();
            for address in ready {
                add(
                    address["ip"].as_str().unwrap_or_default().to_string(),
                    &mut list,
                );
            }
            continue;
        }
        for p in ports {
            if p["name"].as_str().unwrap_or_default() != port {
                continue;
            }
            count += ready.len();
            for address in ready {
                let ip = address["ip"].as_str().unwrap_or_default();
                let host = if ip.contains(':') {
                    format!("[{ip}]")
                } else {
                    ip.to_string()
                };
                add(
                    format!("{host}:{}", p["port"].as_i64().unwrap_or(0)),
                    &mut list,
                );
            }
        }
    }
    let joined = list.join(",");
    if more {
        format!("{joined} + {} more...", count - 3)
    } else {
        joined
    }
}

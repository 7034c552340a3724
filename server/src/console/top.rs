//! `kubectl top pod|node`: the metrics API (`metrics.k8s.io`, metrics-server's on a real
//! cluster, kubesim's own at home) read as the attendee, summed per pod and printed in
//! kubectl's units (millicores, MiB) and layout.

use super::command::Invocation;
use super::context::{Console, Ran, from_server};
use super::table;
use super::targets;
use serde_json::Value;

const METRICS: &str = "/apis/metrics.k8s.io/v1beta1";

pub async fn top(console: &Console<'_>, invocation: &Invocation) -> Ran {
    let served = match console.catalog.all(console.platform).await {
        Ok(all) => all.iter().any(|r| r.group == "metrics.k8s.io"),
        Err(e) => return Ran::error(from_server(&e)),
    };
    if !served {
        return Ran::error("error: Metrics API not available".into());
    }
    match invocation.args.first().map(String::as_str) {
        Some("pod" | "pods" | "po") => pods(console, invocation).await,
        Some("node" | "nodes" | "no") => nodes(console, invocation).await,
        _ => Ran::error(
            "error: kubectl top takes pod or node (\"kubectl top pods -n server\")".into(),
        ),
    }
}

/// GETs `path` as the attendee.
async fn read(console: &Console<'_>, path: &str) -> Result<Value, Ran> {
    let request = http::Request::get(path)
        .body(Vec::new())
        .map_err(|e| Ran::error(format!("error: {e}")))?;
    console
        .tenant
        .request::<Value>(request)
        .await
        .map_err(|e| Ran::error(from_server(&e)))
}

/// The items of a list, or the one object asked for by name.
fn items(answer: Value) -> Vec<Value> {
    match answer["items"].as_array() {
        Some(items) => items.clone(),
        None => vec![answer],
    }
}

async fn pods(console: &Console<'_>, invocation: &Invocation) -> Ran {
    let all = invocation.is_set("all-namespaces");
    let namespaces = match targets::namespaces(console, invocation).await {
        Ok(namespaces) => namespaces,
        Err(ran) => return ran,
    };
    let name = invocation.args.get(1);
    if let Some(name) = name
        && let Err(ran) = targets::checked_name(name)
    {
        return ran;
    }
    let selector = invocation
        .flag("selector")
        .map(|s| format!("?labelSelector={}", form_urlencoded(s)))
        .unwrap_or_default();
    let containers = invocation.is_set("containers");
    // (namespace, pod, container or "", millicores, bytes)
    let mut rows: Vec<(String, String, String, i128, i128)> = Vec::new();
    for short in &namespaces {
        let real = console.workspace.namespace(short);
        let path = match name {
            Some(name) => format!("{METRICS}/namespaces/{real}/pods/{name}"),
            None => format!("{METRICS}/namespaces/{real}/pods{selector}"),
        };
        let answer = match read(console, &path).await {
            Ok(answer) => answer,
            Err(ran) => return ran,
        };
        for pod in items(answer) {
            let pod_name = pod["metadata"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            let mut sum = (0, 0);
            for container in pod["containers"].as_array().into_iter().flatten() {
                let (cpu, memory) = usage(&container["usage"]);
                if containers {
                    let container_name = container["name"].as_str().unwrap_or_default();
                    rows.push((
                        short.clone(),
                        pod_name.clone(),
                        container_name.into(),
                        millicores(cpu),
                        memory,
                    ));
                }
                sum = (sum.0 + cpu, sum.1 + memory);
            }
            if !containers {
                rows.push((
                    short.clone(),
                    pod_name,
                    String::new(),
                    millicores(sum.0),
                    sum.1,
                ));
            }
        }
    }
    if rows.is_empty() {
        return nothing_yet(console, &namespaces, all).await;
    }
    match invocation.flag("sort-by") {
        Some("cpu") => rows.sort_by_key(|r| std::cmp::Reverse(r.3)),
        Some("memory") => rows.sort_by_key(|r| std::cmp::Reverse(r.4)),
        _ => {}
    }
    let mut lines = Vec::new();
    if !invocation.is_set("no-headers") {
        let mut header = Vec::new();
        if all {
            header.push("NAMESPACE");
        }
        header.extend(if containers {
            vec!["POD", "NAME"]
        } else {
            vec!["NAME"]
        });
        header.extend(["CPU(cores)", "MEMORY(bytes)"]);
        lines.push(header.into_iter().map(String::from).collect());
    }
    for (namespace, pod, container, cpu, memory) in rows {
        let mut line = Vec::new();
        if all {
            line.push(namespace);
        }
        line.push(pod);
        if containers {
            line.push(container);
        }
        line.extend([format!("{cpu}m"), format!("{}Mi", memory / (1024 * 1024))]);
        lines.push(line);
    }
    Ran::ok(table::every_cell_padded(&lines))
}

/// No metrics: kubectl tells pods without metrics yet from no pods at all.
async fn nothing_yet(console: &Console<'_>, namespaces: &[String], all: bool) -> Ran {
    for short in namespaces {
        let path = format!(
            "/api/v1/namespaces/{}/pods",
            console.workspace.namespace(short)
        );
        match read(console, &path).await {
            Ok(pods) if pods["items"].as_array().is_some_and(|i| !i.is_empty()) => {
                return Ran::error("error: metrics not available yet".into());
            }
            Ok(_) => {}
            Err(ran) => return ran,
        }
    }
    let output = match namespaces {
        [one] if !all => format!("No resources found in {one} namespace.\n"),
        _ => "No resources found\n".into(),
    };
    Ran::ok(output)
}

async fn nodes(console: &Console<'_>, invocation: &Invocation) -> Ran {
    let metrics = match read(console, &format!("{METRICS}/nodes")).await {
        Ok(answer) => items(answer),
        Err(ran) => return ran,
    };
    let nodes = match read(console, "/api/v1/nodes").await {
        Ok(answer) => items(answer),
        Err(ran) => return ran,
    };
    let mut lines = Vec::new();
    if !invocation.is_set("no-headers") {
        lines.push(
            ["NAME", "CPU(cores)", "CPU(%)", "MEMORY(bytes)", "MEMORY(%)"]
                .map(String::from)
                .to_vec(),
        );
    }
    for node in metrics {
        let name = node["metadata"]["name"].as_str().unwrap_or_default();
        let (cpu, memory) = usage(&node["usage"]);
        let allocatable = nodes
            .iter()
            .find(|n| n["metadata"]["name"] == name)
            .map(|n| usage(&n["status"]["allocatable"]))
            .unwrap_or((0, 0));
        let percent = |used: i128, of: i128| if of > 0 { used * 100 / of } else { 0 };
        lines.push(vec![
            name.to_string(),
            format!("{}m", millicores(cpu)),
            format!("{}%", percent(cpu, allocatable.0)),
            format!("{}Mi", memory / (1024 * 1024)),
            format!("{}%", percent(memory, allocatable.1)),
        ]);
    }
    Ran::ok(table::every_cell_padded(&lines))
}

/// CPU in nanocores and memory in bytes of a `{cpu, memory}` map.
fn usage(map: &Value) -> (i128, i128) {
    let nanos = map["cpu"].as_str().and_then(nanocores).unwrap_or(0);
    let bytes = map["memory"]
        .as_str()
        .and_then(kubesim::quantity::parse)
        .map_or(0, |milli| milli / 1000);
    (nanos, bytes)
}

/// A CPU quantity in nanocores (`250m`, `1`, `1500000n`, `3u`).
fn nanocores(text: &str) -> Option<i128> {
    let (number, scale) = match text.strip_suffix('n') {
        Some(n) => (n, 1),
        None => match text.strip_suffix('u') {
            Some(u) => (u, 1000),
            None => return kubesim::quantity::parse(text).map(|milli| milli * 1_000_000),
        },
    };
    number.parse::<i128>().ok().map(|n| n * scale)
}

/// Nanocores as kubectl prints them: millicores, rounded up.
fn millicores(nanos: i128) -> i128 {
    (nanos + 999_999).div_euclid(1_000_000)
}

/// A label selector as a query value.
fn form_urlencoded(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usage_sums_in_kubectls_units() {
        assert_eq!(nanocores("1000000n"), Some(1_000_000));
        assert_eq!(nanocores("250m"), Some(250_000_000));
        assert_eq!(nanocores("2"), Some(2_000_000_000));
        assert_eq!(millicores(1_500_000), 2);
        assert_eq!(millicores(0), 0);
        assert_eq!(form_urlencoded("app in (a,b)"), "app%20in%20%28a%2Cb%29");
    }
}

//! `kubectl get` output: when the client asks for `application/json;as=Table;g=meta.k8s.io`,
//! objects are answered as a `Table` with the columns kube-apiserver's printers produce
//! (READY, STATUS, RESTARTS, AGE, CLUSTER-IP, PORT(S), TARGETS, …). The rules come from
//! `kubesim/docs/table-output.md`; kinds without a printer get NAME and CREATED AT.

use jiff::Timestamp;
use serde_json::{Value, json};

/// The Table version a request asked for, if any (`v1` or `v1beta1`).
pub fn requested(accept: &str) -> Option<&'static str> {
    for clause in accept.split(',') {
        let mut parts = clause.split(';').map(str::trim);
        let media = parts.next().unwrap_or("");
        if media != "application/json" && media != "application/yaml" {
            continue;
        }
        let params: Vec<(&str, &str)> = parts.filter_map(|p| p.split_once('=')).collect();
        let get = |k: &str| params.iter().find(|(key, _)| *key == k).map(|(_, v)| *v);
        if get("as") == Some("Table") && get("g") == Some("meta.k8s.io") {
            match get("v") {
                Some("v1") => return Some("v1"),
                Some("v1beta1") => return Some("v1beta1"),
                _ => {}
            }
        }
        // A plain clause ranks before any later Table clause.
        get("as")?;
    }
    None
}

struct Column(&'static str, &'static str, u8);

/// Ages as kubectl prints them (`90s`, `5m30s`, `3h5m`, `2d2h`, `2y1d`).
pub fn human_duration(seconds: i64) -> String {
    if seconds < -1 {
        return "<invalid>".into();
    }
    let s = seconds.max(0);
    if s < 120 {
        return format!("{s}s");
    }
    let m = s / 60;
    if m < 10 {
        return if s % 60 == 0 {
            format!("{m}m")
        } else {
            format!("{m}m{}s", s % 60)
        };
    }
    if m < 180 {
        return format!("{m}m");
    }
    let h = m / 60;
    if h < 8 {
        return if m % 60 == 0 {
            format!("{h}h")
        } else {
            format!("{h}h{}m", m % 60)
        };
    }
    if h < 48 {
        return format!("{h}h");
    }
    if h < 192 {
        return if h % 24 == 0 {
            format!("{}d", h / 24)
        } else {
            format!("{}d{}h", h / 24, h % 24)
        };
    }
    if h < 17_520 {
        return format!("{}d", h / 24);
    }
    let (y, d) = (h / 24 / 365, (h / 24) % 365);
    if h < 70_080 && d != 0 {
        format!("{y}y{d}d")
    } else {
        format!("{y}y")
    }
}

fn age(now: Timestamp, time: &Value) -> String {
    match time.as_str().and_then(|t| t.parse::<Timestamp>().ok()) {
        Some(t) => human_duration(now.as_second() - t.as_second()),
        None => "<unknown>".into(),
    }
}

fn int(v: &Value) -> Value {
    json!(v.as_i64().unwrap_or(0))
}

fn or_none(v: &Value) -> String {
    v.as_str()
        .filter(|s| !s.is_empty())
        .unwrap_or("<none>")
        .to_string()
}

fn labels(map: &Value) -> String {
    let mut pairs: Vec<String> = map
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default()))
        .collect();
    pairs.sort();
    if pairs.is_empty() {
        "<none>".into()
    } else {
        pairs.join(",")
    }
}

fn selector(sel: &Value) -> String {
    let mut reqs: Vec<(String, String)> = sel["matchLabels"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, v)| (k.clone(), format!("{k}={}", v.as_str().unwrap_or_default())))
        .collect();
    for e in sel["matchExpressions"].as_array().into_iter().flatten() {
        let key = e["key"].as_str().unwrap_or_default().to_string();
        let mut values: Vec<&str> = e["values"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        values.sort();
        let text = match e["operator"].as_str() {
            Some("In") => format!("{key} in ({})", values.join(",")),
            Some("NotIn") => format!("{key} notin ({})", values.join(",")),
            Some("Exists") => key.clone(),
            Some("DoesNotExist") => format!("!{key}"),
            _ => return "<error>".into(),
        };
        reqs.push((key, text));
    }
    reqs.sort();
    reqs.into_iter()
        .map(|(_, t)| t)
        .collect::<Vec<_>>()
        .join(",")
}

fn containers(template: &Value) -> (String, String) {
    let list = template["spec"]["containers"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let field = |f: &str| {
        list.iter()
            .map(|c| c[f].as_str().unwrap_or_default().to_string())
            .collect::<Vec<_>>()
            .join(",")
    };
    (field("name"), field("image"))
}

fn lb_addresses(status: &Value) -> Vec<String> {
    let mut out: Vec<String> = status["loadBalancer"]["ingress"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|i| {
            i["ip"]
                .as_str()
                .filter(|s| !s.is_empty())
                .or_else(|| i["hostname"].as_str())
        })
        .map(str::to_string)
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The Pod STATUS column, following the printer's rules.
fn pod_status(pod: &Value, now: Timestamp) -> (String, i64, String, String) {
    let status = &pod["status"];
    let spec_containers = pod["spec"]["containers"].as_array().map_or(0, Vec::len);
    let mut reason = status["reason"]
        .as_str()
        .filter(|r| !r.is_empty())
        .or(status["phase"].as_str())
        .unwrap_or("Pending")
        .to_string();
    let (mut ready, mut restarts, mut last_restart): (usize, i64, Option<String>) = (0, 0, None);
    let note_restart = |c: &Value, restarts: &mut i64, last: &mut Option<String>| {
        *restarts += c["restartCount"].as_i64().unwrap_or(0);
        if let Some(t) = c["lastState"]["terminated"]["finishedAt"].as_str()
            && last.as_deref().is_none_or(|l| l < t)
        {
            *last = Some(t.to_string());
        }
    };
    let mut initializing = false;
    let init_total = pod["spec"]["initContainers"].as_array().map_or(0, Vec::len);
    for (i, c) in status["initContainerStatuses"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
    {
        note_restart(c, &mut restarts, &mut last_restart);
        let state = &c["state"];
        if state["terminated"]["exitCode"].as_i64() == Some(0) {
            continue;
        }
        initializing = true;
        reason = if state["terminated"].is_object() {
            let t = &state["terminated"];
            match t["reason"].as_str().filter(|r| !r.is_empty()) {
                Some(r) => format!("Init:{r}"),
                None if t["signal"].as_i64().unwrap_or(0) != 0 => {
                    format!("Init:Signal:{}", t["signal"])
                }
                None => format!("Init:ExitCode:{}", t["exitCode"].as_i64().unwrap_or(0)),
            }
        } else if let Some(w) = state["waiting"]["reason"]
            .as_str()
            .filter(|r| !r.is_empty() && *r != "PodInitializing")
        {
            format!("Init:{w}")
        } else {
            format!("Init:{i}/{init_total}")
        };
        break;
    }
    if !initializing {
        restarts = 0;
        last_restart = None;
        let mut has_running = false;
        let mut error_reason = String::new();
        for c in status["containerStatuses"]
            .as_array()
            .into_iter()
            .flatten()
            .rev()
        {
            note_restart(c, &mut restarts, &mut last_restart);
            let state = &c["state"];
            if let Some(w) = state["waiting"]["reason"]
                .as_str()
                .filter(|r| !r.is_empty())
            {
                reason = w.to_string();
            } else if state["terminated"].is_object() {
                let t = &state["terminated"];
                reason = match t["reason"].as_str().filter(|r| !r.is_empty()) {
                    Some(r) => r.to_string(),
                    None if t["signal"].as_i64().unwrap_or(0) != 0 => {
                        format!("Signal:{}", t["signal"])
                    }
                    None => format!("ExitCode:{}", t["exitCode"].as_i64().unwrap_or(0)),
                };
                if t["exitCode"].as_i64().unwrap_or(0) != 0 {
                    error_reason = reason.clone();
                }
            } else if c["ready"].as_bool() == Some(true) && state["running"].is_object() {
                has_running = true;
                ready += 1;
            }
        }
        if reason == "Completed" {
            let pod_ready = status["conditions"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|c| c["type"] == "Ready" && c["status"] == "True");
            if has_running && pod_ready {
                reason = "Running".into();
            } else if !error_reason.is_empty() {
                reason = error_reason;
            } else if has_running {
                reason = "NotReady".into();
            }
        }
    }
    let phase = status["phase"].as_str().unwrap_or_default();
    if pod["metadata"]["deletionTimestamp"].is_string() {
        if status["reason"] == "NodeLost" {
            reason = "Unknown".into();
        } else if phase != "Succeeded" && phase != "Failed" {
            reason = "Terminating".into();
        }
    }
    let restarts_cell = match (&last_restart, restarts) {
        (Some(t), n) if n != 0 => format!("{n} ({} ago)", age(now, &json!(t))),
        _ => restarts.to_string(),
    };
    (
        format!("{ready}/{spec_containers}"),
        restarts,
        reason,
        restarts_cell,
    )
}

fn hpa_targets(hpa: &Value) -> String {
    let metrics = hpa["spec"]["metrics"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    if metrics.is_empty() {
        if let Some(pct) = hpa["spec"]["targetCPUUtilizationPercentage"].as_i64() {
            let cur = hpa["status"]["currentCPUUtilizationPercentage"]
                .as_i64()
                .map_or("<unknown>".into(), |c| format!("{c}%"));
            return format!("cpu: {cur}/{pct}%");
        }
        return "<none>".into();
    }
    let current = hpa["status"]["currentMetrics"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let mut entries = Vec::new();
    for (i, m) in metrics.iter().enumerate() {
        let cur = current.get(i).cloned().unwrap_or_default();
        let text = match m["type"].as_str() {
            Some(kind @ ("Resource" | "ContainerResource")) => {
                let field = if kind == "Resource" {
                    "resource"
                } else {
                    "containerResource"
                };
                let target = &m[field]["target"];
                let name = m[field]["name"].as_str().unwrap_or_default();
                if let Some(avg) = target["averageValue"].as_str() {
                    format!(
                        "{name}: {}/{avg}",
                        cur[field]["current"]["averageValue"]
                            .as_str()
                            .unwrap_or("<unknown>")
                    )
                } else {
                    let c = cur[field]["current"]["averageUtilization"]
                        .as_i64()
                        .map_or("<unknown>".into(), |v| format!("{v}%"));
                    let t = target["averageUtilization"]
                        .as_i64()
                        .map_or("<auto>".into(), |v| format!("{v}%"));
                    format!("{name}: {c}/{t}")
                }
            }
            Some("Pods") => format!(
                "{}/{}",
                cur["pods"]["current"]["averageValue"]
                    .as_str()
                    .unwrap_or("<unknown>"),
                m["pods"]["target"]["averageValue"]
                    .as_str()
                    .unwrap_or_default()
            ),
            _ => "<unknown type>".into(),
        };
        entries.push(text);
    }
    if entries.len() > 2 {
        format!(
            "{} + {} more...",
            entries[..2].join(", "),
            entries.len() - 2
        )
    } else {
        entries.join(", ")
    }
}

fn columns(kind: &str) -> Vec<Column> {
    let wide = |cols: &[(&'static str, &'static str, u8)]| {
        cols.iter().map(|(n, t, p)| Column(n, t, *p)).collect()
    };
    match kind {
        "Pod" => wide(&[
            ("Name", "string", 0),
            ("Ready", "string", 0),
            ("Status", "string", 0),
            ("Restarts", "string", 0),
            ("Age", "string", 0),
            ("IP", "string", 1),
            ("Node", "string", 1),
            ("Nominated Node", "string", 1),
            ("Readiness Gates", "string", 1),
        ]),
        "Deployment" => wide(&[
            ("Name", "string", 0),
            ("Ready", "string", 0),
            ("Up-to-date", "string", 0),
            ("Available", "string", 0),
            ("Age", "string", 0),
            ("Containers", "string", 1),
            ("Images", "string", 1),
            ("Selector", "string", 1),
        ]),
        "ReplicaSet" => wide(&[
            ("Name", "string", 0),
            ("Desired", "integer", 0),
            ("Current", "integer", 0),
            ("Ready", "integer", 0),
            ("Age", "string", 0),
            ("Containers", "string", 1),
            ("Images", "string", 1),
            ("Selector", "string", 1),
        ]),
        "StatefulSet" => wide(&[
            ("Name", "string", 0),
            ("Ready", "string", 0),
            ("Age", "string", 0),
            ("Containers", "string", 1),
            ("Images", "string", 1),
        ]),
        "Job" => wide(&[
            ("Name", "string", 0),
            ("Status", "string", 0),
            ("Completions", "string", 0),
            ("Duration", "string", 0),
            ("Age", "string", 0),
            ("Containers", "string", 1),
            ("Images", "string", 1),
            ("Selector", "string", 1),
        ]),
        "Service" => wide(&[
            ("Name", "string", 0),
            ("Type", "string", 0),
            ("Cluster-IP", "string", 0),
            ("External-IP", "string", 0),
            ("Port(s)", "string", 0),
            ("Age", "string", 0),
            ("Selector", "string", 1),
        ]),
        "ConfigMap" => wide(&[
            ("Name", "string", 0),
            ("Data", "string", 0),
            ("Age", "string", 0),
        ]),
        "Secret" => wide(&[
            ("Name", "string", 0),
            ("Type", "string", 0),
            ("Data", "string", 0),
            ("Age", "string", 0),
        ]),
        "ServiceAccount" => wide(&[
            ("Name", "string", 0),
            ("Secrets", "string", 0),
            ("Age", "string", 0),
        ]),
        "Namespace" => wide(&[
            ("Name", "string", 0),
            ("Status", "string", 0),
            ("Age", "string", 0),
        ]),
        "PersistentVolumeClaim" => wide(&[
            ("Name", "string", 0),
            ("Status", "string", 0),
            ("Volume", "string", 0),
            ("Capacity", "string", 0),
            ("Access Modes", "string", 0),
            ("StorageClass", "string", 0),
            ("VolumeAttributesClass", "string", 0),
            ("Age", "string", 0),
            ("VolumeMode", "string", 1),
        ]),
        "Ingress" => wide(&[
            ("Name", "string", 0),
            ("Class", "string", 0),
            ("Hosts", "string", 0),
            ("Address", "string", 0),
            ("Ports", "string", 0),
            ("Age", "string", 0),
        ]),
        "HorizontalPodAutoscaler" => wide(&[
            ("Name", "string", 0),
            ("Reference", "string", 0),
            ("Targets", "string", 0),
            ("MinPods", "string", 0),
            ("MaxPods", "string", 0),
            ("Replicas", "string", 0),
            ("Age", "string", 0),
        ]),
        "Endpoints" => wide(&[
            ("Name", "string", 0),
            ("Endpoints", "string", 0),
            ("Age", "string", 0),
        ]),
        _ => wide(&[("Name", "string", 0), ("Created At", "date", 0)]),
    }
}

fn cells(kind: &str, o: &Value, now: Timestamp) -> Vec<Value> {
    let name = json!(o["metadata"]["name"]);
    let created = &o["metadata"]["creationTimestamp"];
    let a = json!(age(now, created));
    let (spec, status) = (&o["spec"], &o["status"]);
    match kind {
        "Pod" => {
            let (ready, _, reason, restarts) = pod_status(o, now);
            let ip = status["podIPs"][0]["ip"]
                .as_str()
                .or(status["podIP"].as_str())
                .unwrap_or("<none>");
            let gates = spec["readinessGates"]
                .as_array()
                .filter(|g| !g.is_empty())
                .map_or("<none>".to_string(), |g| {
                    let met = g
                        .iter()
                        .filter(|gate| {
                            status["conditions"]
                                .as_array()
                                .into_iter()
                                .flatten()
                                .any(|c| {
                                    c["type"] == gate["conditionType"] && c["status"] == "True"
                                })
                        })
                        .count();
                    format!("{met}/{}", g.len())
                });
            vec![
                name,
                json!(ready),
                json!(reason),
                json!(restarts),
                a,
                json!(ip),
                json!(or_none(&spec["nodeName"])),
                json!(or_none(&status["nominatedNodeName"])),
                json!(gates),
            ]
        }
        "Deployment" => {
            let (c, i) = containers(&spec["template"]);
            let ready = format!(
                "{}/{}",
                status["readyReplicas"].as_i64().unwrap_or(0),
                spec["replicas"].as_i64().unwrap_or(0)
            );
            vec![
                name,
                json!(ready),
                int(&status["updatedReplicas"]),
                int(&status["availableReplicas"]),
                a,
                json!(c),
                json!(i),
                json!(selector(&spec["selector"])),
            ]
        }
        "ReplicaSet" => {
            let (c, i) = containers(&spec["template"]);
            let sel = selector(&spec["selector"]);
            vec![
                name,
                int(&spec["replicas"]),
                int(&status["replicas"]),
                int(&status["readyReplicas"]),
                a,
                json!(c),
                json!(i),
                json!(if sel.is_empty() { "<none>".into() } else { sel }),
            ]
        }
        "StatefulSet" => {
            let (c, i) = containers(&spec["template"]);
            vec![
                name,
                json!(format!(
                    "{}/{}",
                    status["readyReplicas"].as_i64().unwrap_or(0),
                    spec["replicas"].as_i64().unwrap_or(0)
                )),
                a,
                json!(c),
                json!(i),
            ]
        }
        "Job" => {
            let (c, i) = containers(&spec["template"]);
            let condition = |t: &str| {
                status["conditions"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|c| c["type"] == t && c["status"] == "True")
            };
            let state = if condition("Complete") {
                "Complete"
            } else if condition("Failed") {
                "Failed"
            } else if o["metadata"]["deletionTimestamp"].is_string() {
                "Terminating"
            } else if condition("Suspended") {
                "Suspended"
            } else {
                "Running"
            };
            let succeeded = status["succeeded"].as_i64().unwrap_or(0);
            let completions = match (spec["completions"].as_i64(), spec["parallelism"].as_i64()) {
                (Some(n), _) => format!("{succeeded}/{n}"),
                (None, Some(p)) if p > 1 => format!("{succeeded}/1 of {p}"),
                _ => format!("{succeeded}/1"),
            };
            let start = status["startTime"]
                .as_str()
                .and_then(|t| t.parse::<Timestamp>().ok());
            let end = status["completionTime"]
                .as_str()
                .and_then(|t| t.parse::<Timestamp>().ok())
                .unwrap_or(now);
            let duration = start.map_or(String::new(), |s| {
                human_duration(end.as_second() - s.as_second())
            });
            let sel = selector(&spec["selector"]);
            vec![
                name,
                json!(state),
                json!(completions),
                json!(duration),
                a,
                json!(c),
                json!(i),
                json!(if sel.is_empty() { "<none>".into() } else { sel }),
            ]
        }
        "Service" => {
            let kind = spec["type"].as_str().unwrap_or("ClusterIP");
            let cluster_ip = spec["clusterIPs"][0]
                .as_str()
                .or(spec["clusterIP"].as_str())
                .filter(|s| !s.is_empty())
                .unwrap_or("<none>");
            let external: Vec<String> = spec["externalIPs"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect();
            let external_ip = match kind {
                "ClusterIP" | "NodePort" => {
                    if external.is_empty() {
                        "<none>".to_string()
                    } else {
                        external.join(",")
                    }
                }
                "LoadBalancer" => {
                    let mut lb = lb_addresses(status);
                    lb.extend(external);
                    if lb.is_empty() {
                        "<pending>".into()
                    } else {
                        lb.join(",")
                    }
                }
                "ExternalName" => spec["externalName"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                _ => "<unknown>".into(),
            };
            let ports: Vec<String> = spec["ports"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|p| {
                    let proto = p["protocol"].as_str().unwrap_or("TCP");
                    match p["nodePort"].as_i64().filter(|n| *n > 0) {
                        Some(np) => format!("{}:{np}/{proto}", p["port"]),
                        None => format!("{}/{proto}", p["port"]),
                    }
                })
                .collect();
            vec![
                name,
                json!(kind),
                json!(cluster_ip),
                json!(external_ip),
                json!(if ports.is_empty() {
                    "<none>".into()
                } else {
                    ports.join(",")
                }),
                a,
                json!(labels(&spec["selector"])),
            ]
        }
        "ConfigMap" => {
            let n = o["data"].as_object().map_or(0, |m| m.len())
                + o["binaryData"].as_object().map_or(0, |m| m.len());
            vec![name, json!(n), a]
        }
        "Secret" => vec![
            name,
            json!(o["type"].as_str().unwrap_or("Opaque")),
            json!(o["data"].as_object().map_or(0, |m| m.len())),
            a,
        ],
        "ServiceAccount" => vec![name, json!(o["secrets"].as_array().map_or(0, Vec::len)), a],
        "Namespace" => vec![name, json!(status["phase"].as_str().unwrap_or("Active")), a],
        "PersistentVolumeClaim" => {
            let phase = if o["metadata"]["deletionTimestamp"].is_string() {
                "Terminating"
            } else {
                status["phase"].as_str().unwrap_or("Pending")
            };
            let bound = spec["volumeName"].as_str().filter(|v| !v.is_empty());
            let capacity = bound
                .and(status["capacity"]["storage"].as_str())
                .unwrap_or_default();
            let modes = bound.map_or(String::new(), |_| {
                let present: Vec<&str> = status["accessModes"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .collect();
                [
                    ("ReadWriteOnce", "RWO"),
                    ("ReadOnlyMany", "ROX"),
                    ("ReadWriteMany", "RWX"),
                    ("ReadWriteOncePod", "RWOP"),
                ]
                .iter()
                .filter(|(m, _)| present.contains(m))
                .map(|(_, s)| *s)
                .collect::<Vec<_>>()
                .join(",")
            });
            let class = o["metadata"]["annotations"]["volume.beta.kubernetes.io/storage-class"]
                .as_str()
                .or(spec["storageClassName"].as_str())
                .unwrap_or_default();
            vec![
                name,
                json!(phase),
                json!(bound.unwrap_or_default()),
                json!(capacity),
                json!(modes),
                json!(class),
                json!(
                    spec["volumeAttributesClassName"]
                        .as_str()
                        .unwrap_or("<unset>")
                ),
                a,
                json!(spec["volumeMode"].as_str().unwrap_or("<unset>")),
            ]
        }
        "Ingress" => {
            let rules = spec["rules"].as_array().cloned().unwrap_or_default();
            let hosts: Vec<&str> = rules
                .iter()
                .filter_map(|r| r["host"].as_str())
                .filter(|h| !h.is_empty())
                .collect();
            let hosts = match hosts.len() {
                0 => "*".to_string(),
                n if n > 3 => format!("{} + {} more...", hosts[..3].join(","), rules.len() - 3),
                _ => hosts.join(","),
            };
            let ports = if spec["tls"].as_array().is_some_and(|t| !t.is_empty()) {
                "80, 443"
            } else {
                "80"
            };
            vec![
                name,
                json!(or_none(&spec["ingressClassName"])),
                json!(hosts),
                json!(lb_addresses(status).join(",")),
                json!(ports),
                a,
            ]
        }
        "HorizontalPodAutoscaler" => {
            let target = &spec["scaleTargetRef"];
            let min = spec["minReplicas"]
                .as_i64()
                .map_or("<unset>".to_string(), |m| m.to_string());
            vec![
                name,
                json!(format!(
                    "{}/{}",
                    target["kind"].as_str().unwrap_or_default(),
                    target["name"].as_str().unwrap_or_default()
                )),
                json!(hpa_targets(o)),
                json!(min),
                int(&spec["maxReplicas"]),
                int(&status["currentReplicas"]),
                a,
            ]
        }
        "Endpoints" => {
            let mut all = Vec::new();
            for subset in o["subsets"].as_array().into_iter().flatten() {
                let addresses: Vec<&str> = subset["addresses"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|a| a["ip"].as_str())
                    .collect();
                match subset["ports"].as_array().filter(|p| !p.is_empty()) {
                    None => all.extend(addresses.iter().map(|a| a.to_string())),
                    Some(ports) => {
                        for p in ports {
                            all.extend(addresses.iter().map(|a| format!("{a}:{}", p["port"])));
                        }
                    }
                }
            }
            let text = if o["subsets"].as_array().is_none_or(Vec::is_empty) {
                "<none>".to_string()
            } else if all.len() > 3 {
                format!("{} + {} more...", all[..3].join(","), all.len() - 3)
            } else {
                all.join(",")
            };
            vec![name, json!(text), a]
        }
        _ => vec![
            name,
            json!(created.as_str().unwrap_or("0001-01-01T00:00:00Z")),
        ],
    }
}

fn row(kind: &str, object: &Value, include: &str, now: Timestamp) -> Value {
    let mut row = json!({"cells": cells(kind, object, now)});
    match object["status"]["phase"].as_str() {
        Some("Succeeded") if kind == "Pod" => {
            row["conditions"] = json!([{"type": "Completed", "status": "True", "reason": "Succeeded", "message": "The pod has completed successfully."}])
        }
        Some("Failed") if kind == "Pod" => {
            row["conditions"] = json!([{"type": "Completed", "status": "True", "reason": "Failed", "message": "The pod failed."}])
        }
        _ => {}
    }
    row["object"] = match include {
        "None" => Value::Null,
        "Object" => object.clone(),
        _ => {
            json!({"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": object["metadata"]})
        }
    };
    row
}

/// A Table of custom resources with their CRD's additionalPrinterColumns (NAME and AGE
/// when it declares none).
pub fn custom(
    columns: &[Value],
    version: &str,
    objects: &[Value],
    list_meta: Value,
    include: &str,
    headers: bool,
    now: Timestamp,
) -> Value {
    let mut definitions = vec![
        json!({"name": "Name", "type": "string", "format": "name", "description": "", "priority": 0}),
    ];
    let age_only = columns.is_empty();
    if age_only {
        definitions.push(
            json!({"name": "Age", "type": "date", "format": "", "description": "", "priority": 0}),
        );
    }
    for c in columns {
        definitions.push(json!({"name": c["name"], "type": c["type"], "format": c["format"].as_str().unwrap_or(""),
            "description": c["description"].as_str().unwrap_or(""), "priority": c["priority"].as_i64().unwrap_or(0)}));
    }
    let rows: Vec<Value> = objects
        .iter()
        .map(|o| {
            let mut cells = vec![o["metadata"]["name"].clone()];
            if age_only {
                cells.push(json!(age(now, &o["metadata"]["creationTimestamp"])));
            }
            for c in columns {
                let value = crate::crd::column_value(o, c["jsonPath"].as_str().unwrap_or_default());
                cells.push(match c["type"].as_str() {
                    Some("date") => json!(age(now, &value)),
                    _ => value,
                });
            }
            let mut row = json!({"cells": cells});
            row["object"] = match include {
                "None" => Value::Null,
                "Object" => o.clone(),
                _ => json!({"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": o["metadata"]}),
            };
            row
        })
        .collect();
    json!({
        "kind": "Table",
        "apiVersion": format!("meta.k8s.io/{version}"),
        "metadata": list_meta,
        "columnDefinitions": if headers { Value::Array(definitions) } else { Value::Null },
        "rows": rows,
    })
}

/// A Table of `objects` of `kind`. `list_meta` is the list's metadata (or the object's
/// resourceVersion for a single GET); `headers` is false for watch events after the first.
pub fn table(
    kind: &str,
    version: &str,
    objects: &[Value],
    list_meta: Value,
    include: &str,
    headers: bool,
    now: Timestamp,
) -> Value {
    let definitions: Vec<Value> = columns(kind)
        .iter()
        .map(|Column(name, typ, priority)| {
            json!({"name": name, "type": typ, "format": if *name == "Name" { "name" } else { "" }, "description": "", "priority": priority})
        })
        .collect();
    json!({
        "kind": "Table",
        "apiVersion": format!("meta.k8s.io/{version}"),
        "metadata": list_meta,
        "columnDefinitions": if headers { Value::Array(definitions) } else { Value::Null },
        "rows": objects.iter().map(|o| row(kind, o, include, now)).collect::<Vec<_>>(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_read_like_kubectl() {
        for (seconds, shown) in [
            (0, "0s"),
            (90, "90s"),
            (119, "119s"),
            (120, "2m"),
            (150, "2m30s"),
            (599, "9m59s"),
            (600, "10m"),
            (185 * 60, "3h5m"),
            (8 * 3600, "8h"),
            (50 * 3600, "2d2h"),
            (192 * 3600, "8d"),
            (731 * 86400, "2y1d"),
            (2920 * 86400, "8y"),
            (-5, "<invalid>"),
        ] {
            assert_eq!(human_duration(seconds), shown, "{seconds}s");
        }
    }

    #[test]
    fn kubectls_accept_header_asks_for_a_v1_table() {
        let kubectl = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";
        assert_eq!(requested(kubectl), Some("v1"));
        assert_eq!(requested("application/json"), None);
        assert_eq!(requested("application/json;as=Table"), None);
    }

    #[test]
    fn pods_services_and_deployments() {
        let now: Timestamp = "2026-01-01T00:10:00Z".parse().expect("time");
        let pod = json!({
            "metadata": {"name": "web-1", "creationTimestamp": "2026-01-01T00:05:00Z"},
            "spec": {"containers": [{"name": "a"}, {"name": "b"}], "nodeName": "kind-worker"},
            "status": {"phase": "Running", "podIP": "10.244.1.5", "containerStatuses": [
                {"name": "a", "ready": true, "restartCount": 0, "state": {"running": {}}},
                {"name": "b", "ready": false, "restartCount": 3, "state": {"waiting": {"reason": "CrashLoopBackOff"}},
                 "lastState": {"terminated": {"finishedAt": "2026-01-01T00:08:00Z", "exitCode": 1}}}
            ]}
        });
        assert_eq!(
            cells("Pod", &pod, now),
            vec![
                json!("web-1"),
                json!("1/2"),
                json!("CrashLoopBackOff"),
                json!("3 (2m ago)"),
                json!("5m"),
                json!("10.244.1.5"),
                json!("kind-worker"),
                json!("<none>"),
                json!("<none>")
            ]
        );
        let svc = json!({"metadata": {"name": "web"}, "spec": {"type": "NodePort", "clusterIP": "10.96.0.10", "selector": {"tier": "fe", "app": "web"},
            "ports": [{"port": 80, "nodePort": 30080, "protocol": "TCP"}, {"port": 443, "protocol": "TCP"}]}});
        let c = cells("Service", &svc, now);
        assert_eq!(
            (
                c[1].as_str(),
                c[2].as_str(),
                c[3].as_str(),
                c[4].as_str(),
                c[6].as_str()
            ),
            (
                Some("NodePort"),
                Some("10.96.0.10"),
                Some("<none>"),
                Some("80:30080/TCP,443/TCP"),
                Some("app=web,tier=fe")
            )
        );
        let d = json!({"metadata": {"name": "web"}, "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}}}, "status": {"readyReplicas": 2, "updatedReplicas": 3, "availableReplicas": 2}});
        assert_eq!(
            cells("Deployment", &d, now)[1..4],
            [json!("2/3"), json!(3), json!(2)]
        );
    }
}

//! The per-kind columns and cells of kube-apiserver's printers (`printers.go`), including
//! the Pod STATUS rules and HPA targets.

use super::format::{
    age, containers, human_duration, int, labels, lb_addresses, or_none, selector,
};
use jiff::Timestamp;
use serde_json::{Value, json};

/// A column: name, type, priority (1 = only with `-o wide`).
pub(super) struct Column(pub &'static str, pub &'static str, pub u8);

/// The Pod STATUS column, following the printer's rules.
pub(super) fn pod_status(pod: &Value, now: Timestamp) -> (String, i64, String, String) {
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

pub(super) fn hpa_targets(hpa: &Value) -> String {
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

pub(super) fn columns(kind: &str) -> Vec<Column> {
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
        "Event" => wide(&[
            ("Last Seen", "string", 0),
            ("Type", "string", 0),
            ("Reason", "string", 0),
            ("Object", "string", 0),
            ("Subobject", "string", 1),
            ("Source", "string", 1),
            ("Message", "string", 0),
            ("First Seen", "string", 1),
            ("Count", "string", 1),
            ("Name", "string", 1),
        ]),
        _ => wide(&[("Name", "string", 0), ("Created At", "date", 0)]),
    }
}

pub(super) fn cells(kind: &str, o: &Value, now: Timestamp) -> Vec<Value> {
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
            let external: Vec<&str> = spec["externalIPs"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
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
                    lb.extend(external.into_iter().map(str::to_string));
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
        "Event" => {
            // As the server's event printer: ages, not kubectl describe's "(xN over …)".
            let count = o["count"].as_i64().filter(|c| *c > 0).unwrap_or(1);
            let first = match o["firstTimestamp"].as_str() {
                Some(_) => age(now, &o["firstTimestamp"]),
                None if o["eventTime"].is_string() => age(now, &o["eventTime"]),
                None => "<unknown>".to_string(),
            };
            let last = match o["lastTimestamp"].as_str() {
                Some(_) => age(now, &o["lastTimestamp"]),
                None => first.clone(),
            };
            let involved = &o["involvedObject"];
            let component = o["source"]["component"]
                .as_str()
                .filter(|c| !c.is_empty())
                .or(o["reportingController"].as_str())
                .unwrap_or_default();
            let host = o["source"]["host"]
                .as_str()
                .filter(|h| !h.is_empty())
                .or(o["reportingInstance"].as_str().filter(|h| !h.is_empty()));
            let source = match host {
                Some(host) => format!("{component}, {host}"),
                None => component.to_string(),
            };
            let kind = involved["kind"].as_str().unwrap_or_default().to_lowercase();
            let object = match involved["name"].as_str().filter(|n| !n.is_empty()) {
                Some(n) => format!("{kind}/{n}"),
                None => kind,
            };
            vec![
                json!(last),
                json!(o["type"]),
                json!(o["reason"]),
                json!(object),
                json!(involved["fieldPath"].as_str().unwrap_or_default()),
                json!(source),
                json!(o["message"].as_str().unwrap_or_default().trim()),
                json!(first),
                json!(count),
                name,
            ]
        }
        _ => vec![
            name,
            json!(created.as_str().unwrap_or("0001-01-01T00:00:00Z")),
        ],
    }
}

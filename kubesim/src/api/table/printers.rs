//! The cells of each kind's row, as kube-apiserver's printers (`printers.go`) fill them.

use super::computed::{hpa_targets, pod_status};
use super::format::{
    age, containers, human_duration, int, labels, lb_addresses, or_none, selector,
};
use jiff::Timestamp;
use serde_json::{Value, json};

/// The cells of `o`'s row in a table of `kind`, in the order of its columns.
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

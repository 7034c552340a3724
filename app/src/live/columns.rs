//! The columns `kubectl get` prints for each kind, computed from an object's status and
//! spec summary, so the objects panel reads like the terminal the attendee will use later.

use crate::model::live::ObjectView;
use serde_json::Value;

/// `(header, value)` pairs for one object, `now` in seconds since the epoch.
pub fn columns(object: &ObjectView, now: f64) -> Vec<(&'static str, String)> {
    let status = &object.status;
    let spec = &object.spec;
    let int = |v: &Value| v.as_i64().unwrap_or(0);
    let mut cols: Vec<(&'static str, String)> = match object.kind.as_str() {
        "Deployment" => vec![
            (
                "READY",
                format!(
                    "{}/{}",
                    int(&status["readyReplicas"]),
                    int(&spec["replicas"])
                ),
            ),
            ("UP-TO-DATE", int(&status["updatedReplicas"]).to_string()),
            ("AVAILABLE", int(&status["availableReplicas"]).to_string()),
        ],
        "ReplicaSet" => vec![
            ("DESIRED", int(&spec["replicas"]).to_string()),
            ("CURRENT", int(&status["replicas"]).to_string()),
            ("READY", int(&status["readyReplicas"]).to_string()),
        ],
        "StatefulSet" => vec![(
            "READY",
            format!(
                "{}/{}",
                int(&status["readyReplicas"]),
                int(&spec["replicas"])
            ),
        )],
        "Pod" => pod_columns(object),
        "Service" => vec![
            ("TYPE", text(&spec["type"], "ClusterIP")),
            ("CLUSTER-IP", text(&spec["clusterIP"], "<none>")),
            ("PORT(S)", service_ports(&spec["ports"])),
        ],
        "Ingress" => vec![
            ("HOSTS", ingress_hosts(&spec["rules"])),
            ("ADDRESS", load_balancer(&status["loadBalancer"]["ingress"])),
        ],
        "HorizontalPodAutoscaler" => vec![
            (
                "REFERENCE",
                format!(
                    "{}/{}",
                    text(&spec["scaleTargetRef"]["kind"], ""),
                    text(&spec["scaleTargetRef"]["name"], "")
                ),
            ),
            ("TARGETS", hpa_targets(status)),
            ("MINPODS", int(&spec["minReplicas"]).max(1).to_string()),
            ("MAXPODS", int(&spec["maxReplicas"]).to_string()),
            ("REPLICAS", int(&status["currentReplicas"]).to_string()),
        ],
        "Job" => vec![
            ("STATUS", job_status(status)),
            ("COMPLETIONS", format!("{}", int(&status["succeeded"]))),
        ],
        "ConfigMap" => vec![("DATA", keys(&spec["keys"]))],
        "Secret" => vec![
            ("TYPE", text(&spec["type"], "Opaque")),
            ("DATA", keys(&spec["keys"])),
        ],
        "PersistentVolumeClaim" => vec![
            ("STATUS", text(&status["phase"], "Pending")),
            ("CAPACITY", text(&status["capacity"]["storage"], "")),
            ("ACCESS MODES", access_modes(&spec["accessModes"])),
            ("STORAGECLASS", text(&spec["storageClassName"], "")),
        ],
        _ => Vec::new(),
    };
    cols.push(("AGE", age(object.created.as_deref(), now)));
    cols
}

fn text(value: &Value, default: &str) -> String {
    value
        .as_str()
        .filter(|s| !s.is_empty())
        .unwrap_or(default)
        .to_string()
}

fn keys(value: &Value) -> String {
    value.as_array().map_or(0, Vec::len).to_string()
}

/// READY, STATUS and RESTARTS as kubectl's pod printer works them out: the first
/// container's reason for not running wins, then Terminating while the pod is deleted.
fn pod_columns(object: &ObjectView) -> Vec<(&'static str, String)> {
    let status = &object.status;
    let containers = status["containerStatuses"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let total = object.spec["containers"]
        .as_array()
        .map_or(containers.len(), Vec::len);
    let ready = containers.iter().filter(|c| c["ready"] == true).count();
    let restarts: i64 = containers
        .iter()
        .map(|c| c["restartCount"].as_i64().unwrap_or(0))
        .sum();
    let mut reason = text(&status["reason"], &text(&status["phase"], "Pending"));
    let inits = status["initContainerStatuses"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let mut initialising = false;
    for (i, c) in inits.iter().enumerate() {
        let state = &c["state"];
        if state["terminated"]["exitCode"] == 0 && state["terminated"].is_object() {
            continue;
        }
        initialising = true;
        reason = if let Some(r) = state["terminated"]["reason"].as_str() {
            format!("Init:{r}")
        } else if let Some(r) = state["waiting"]["reason"]
            .as_str()
            .filter(|r| *r != "PodInitializing")
        {
            format!("Init:{r}")
        } else {
            format!("Init:{i}/{}", inits.len())
        };
        break;
    }
    if !initialising {
        let mut running = false;
        for c in containers.iter().rev() {
            let state = &c["state"];
            if let Some(r) = state["waiting"]["reason"].as_str() {
                reason = r.to_string();
            } else if state["terminated"].is_object() {
                reason = state["terminated"]["reason"].as_str().map_or_else(
                    || format!("ExitCode:{}", state["terminated"]["exitCode"]),
                    str::to_string,
                );
            } else if state["running"].is_object() && c["ready"] == true {
                running = true;
            }
        }
        if reason == "Completed" && running {
            reason = "Running".into();
        }
    }
    if object.deleting {
        reason = "Terminating".into();
    }
    vec![
        ("READY", format!("{ready}/{total}")),
        ("STATUS", reason),
        ("RESTARTS", restarts.to_string()),
        ("IP", text(&status["podIP"], "<none>")),
        ("NODE", text(&object.spec["nodeName"], "<none>")),
    ]
}

fn service_ports(ports: &Value) -> String {
    let list: Vec<String> = ports
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| {
            let protocol = text(&p["protocol"], "TCP");
            match p["nodePort"].as_i64() {
                Some(node) => format!("{}:{node}/{protocol}", p["port"]),
                None => format!("{}/{protocol}", p["port"]),
            }
        })
        .collect();
    if list.is_empty() {
        "<none>".into()
    } else {
        list.join(",")
    }
}

fn ingress_hosts(rules: &Value) -> String {
    let hosts: Vec<String> = rules
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| text(&r["host"], "*"))
        .collect();
    if hosts.is_empty() {
        "*".into()
    } else {
        hosts.join(",")
    }
}

fn load_balancer(ingress: &Value) -> String {
    let addresses: Vec<String> = ingress
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|i| {
            i["ip"]
                .as_str()
                .or(i["hostname"].as_str())
                .map(str::to_string)
        })
        .collect();
    addresses.join(",")
}

/// `cpu: 12%/50%` for each resource metric the HPA reports, `<unknown>` before it has one.
fn hpa_targets(status: &Value) -> String {
    let current: Vec<String> = status["currentMetrics"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|m| {
            let name = m["resource"]["name"].as_str()?;
            let value = m["resource"]["current"]["averageUtilization"].as_i64()?;
            Some(format!("{name}: {value}%"))
        })
        .collect();
    if current.is_empty() {
        "<unknown>".into()
    } else {
        current.join(", ")
    }
}

fn job_status(status: &Value) -> String {
    let conditions = status["conditions"].as_array().cloned().unwrap_or_default();
    let holds = |kind: &str| {
        conditions
            .iter()
            .any(|c| c["type"] == kind && c["status"] == "True")
    };
    if holds("Complete") {
        "Complete".into()
    } else if holds("Failed") {
        "Failed".into()
    } else {
        "Running".into()
    }
}

fn access_modes(modes: &Value) -> String {
    let short: Vec<&str> = modes
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|m| match m.as_str()? {
            "ReadWriteOnce" => Some("RWO"),
            "ReadOnlyMany" => Some("ROX"),
            "ReadWriteMany" => Some("RWX"),
            "ReadWriteOncePod" => Some("RWOP"),
            _ => None,
        })
        .collect();
    short.join(",")
}

/// An RFC 3339 UTC timestamp as seconds since the epoch.
pub fn epoch_seconds(stamp: &str) -> Option<f64> {
    let (date, time) = stamp.trim_end_matches('Z').split_once('T')?;
    let mut d = date.split('-').map(|p| p.parse::<i64>());
    let (y, m, day) = (d.next()?.ok()?, d.next()?.ok()?, d.next()?.ok()?);
    let mut t = time.split(':');
    let (h, min, s) = (
        t.next()?.parse::<i64>().ok()?,
        t.next()?.parse::<i64>().ok()?,
        t.next()?.parse::<f64>().ok()?,
    );
    // Days from the civil date (Howard Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some((days * 86_400 + h * 3600 + min * 60) as f64 + s)
}

/// kubectl's AGE: `45s`, `3m12s`, `17m`, `5h3m`, `2d`.
pub fn age(created: Option<&str>, now: f64) -> String {
    let Some(then) = created.and_then(epoch_seconds) else {
        return "<unknown>".into();
    };
    let s = (now - then).max(0.0) as i64;
    let (m, h, d) = (s / 60, s / 3600, s / 86_400);
    match s {
        _ if s < 120 => format!("{s}s"),
        _ if m < 10 && s % 60 != 0 => format!("{m}m{}s", s % 60),
        _ if h < 3 => format!("{m}m"),
        _ if h < 8 && m % 60 != 0 => format!("{h}h{}m", m % 60),
        _ if h < 48 => format!("{h}h"),
        _ if d < 8 && h % 24 != 0 => format!("{d}d{}h", h % 24),
        _ => format!("{d}d"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn object(kind: &str, spec: Value, status: Value) -> ObjectView {
        ObjectView {
            namespace: "server".into(),
            kind: kind.into(),
            name: "web".into(),
            uid: "u".into(),
            created: Some("2026-11-30T10:00:00Z".into()),
            deleting: false,
            owners: vec![],
            labels: Default::default(),
            status,
            spec,
        }
    }

    fn column(cols: &[(&str, String)], name: &str) -> String {
        cols.iter()
            .find(|(h, _)| *h == name)
            .map(|(_, v)| v.clone())
            .unwrap()
    }

    #[test]
    fn ages_read_like_kubectls() {
        let then = epoch_seconds("2026-11-30T10:00:00Z").unwrap();
        assert_eq!(epoch_seconds("1970-01-02T00:00:01Z"), Some(86_401.0));
        let at = |s: f64| age(Some("2026-11-30T10:00:00Z"), then + s);
        assert_eq!(
            [
                at(45.0),
                at(192.0),
                at(1020.0),
                at(5.0 * 3600.0 + 180.0),
                at(2.0 * 86_400.0)
            ],
            ["45s", "3m12s", "17m", "5h3m", "2d"].map(String::from)
        );
    }

    #[test]
    fn a_crashing_pod_shows_its_waiting_reason_and_restarts() {
        let pod = object(
            "Pod",
            json!({"containers": [{"name": "app"}], "nodeName": "kind-worker"}),
            json!({"phase": "Running", "podIP": "10.244.1.7", "containerStatuses": [
                {"name": "app", "ready": false, "restartCount": 3, "state": {"waiting": {"reason": "CrashLoopBackOff"}}}
            ]}),
        );
        let cols = columns(&pod, 0.0);
        assert_eq!(column(&cols, "READY"), "0/1");
        assert_eq!(column(&cols, "STATUS"), "CrashLoopBackOff");
        assert_eq!(column(&cols, "RESTARTS"), "3");
        let running = object(
            "Pod",
            json!({"containers": [{"name": "app"}]}),
            json!({"phase": "Running", "containerStatuses": [{"name": "app", "ready": true, "restartCount": 0, "state": {"running": {}}}]}),
        );
        assert_eq!(column(&columns(&running, 0.0), "STATUS"), "Running");
        assert_eq!(
            column(
                &columns(
                    &ObjectView {
                        deleting: true,
                        ..running
                    },
                    0.0
                ),
                "STATUS"
            ),
            "Terminating"
        );
    }

    #[test]
    fn deployments_and_services_print_their_columns() {
        let d = object(
            "Deployment",
            json!({"replicas": 3}),
            json!({"readyReplicas": 2, "updatedReplicas": 3, "availableReplicas": 2}),
        );
        let cols = columns(&d, 0.0);
        assert_eq!(
            (column(&cols, "READY"), column(&cols, "UP-TO-DATE")),
            ("2/3".into(), "3".into())
        );
        let s = object(
            "Service",
            json!({"type": "NodePort", "clusterIP": "10.96.4.2", "ports": [{"port": 80, "nodePort": 30080, "protocol": "TCP"}]}),
            json!({}),
        );
        assert_eq!(column(&columns(&s, 0.0), "PORT(S)"), "80:30080/TCP");
    }
}

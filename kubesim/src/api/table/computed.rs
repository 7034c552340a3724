//! The columns that are computed rather than read: a Pod's READY, STATUS and RESTARTS
//! (the printer's rules for init containers, waiting and terminated states, and the
//! last restart's age) and an HPA's TARGETS.

use super::format::age;
use jiff::Timestamp;
use serde_json::{Value, json};

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

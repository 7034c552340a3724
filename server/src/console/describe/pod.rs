//! A pod as `kubectl describe pod` prints it: where it runs, its status and addresses,
//! its containers with their states, conditions, volumes, QoS class and tolerations.

use super::containers::containers;
use super::text::{Facts, Text, rfc1123z};
use super::volumes::{tolerations, volumes};
use serde_json::Value;

pub fn describe(facts: &Facts<'_>) -> String {
    let mut text = Text::default();
    let pod = facts.object;
    let (meta, spec, status) = (&pod["metadata"], &pod["spec"], &pod["status"]);
    text.head(facts);
    if let Some(priority) = spec["priority"].as_i64() {
        text.field("Priority", &priority.to_string());
    }
    for (field, title) in [
        ("priorityClassName", "Priority Class Name"),
        ("runtimeClassName", "Runtime Class Name"),
        ("serviceAccountName", "Service Account"),
    ] {
        if let Some(value) = spec[field].as_str().filter(|v| !v.is_empty()) {
            text.field(title, value);
        }
    }
    match spec["nodeName"].as_str().filter(|n| !n.is_empty()) {
        Some(node) => text.field(
            "Node",
            &format!("{node}/{}", status["hostIP"].as_str().unwrap_or_default()),
        ),
        None => text.field("Node", "<none>"),
    }
    if status["startTime"].is_string() {
        text.field("Start Time", &rfc1123z(&status["startTime"]));
    }
    text.labels("Labels", &meta["labels"]);
    text.annotations("Annotations", &meta["annotations"]);
    let phase = status["phase"].as_str().unwrap_or_default();
    match meta["deletionTimestamp"].as_str() {
        Some(_) if phase != "Failed" && phase != "Succeeded" => {
            let since = super::text::age(&meta["deletionTimestamp"], facts.now);
            text.field("Status", &format!("Terminating (lasts {since})"));
            let grace = meta["deletionGracePeriodSeconds"].as_i64().unwrap_or(0);
            text.field("Termination Grace Period", &format!("{grace}s"));
        }
        _ => text.field("Status", phase),
    }
    for (field, title) in [("reason", "Reason"), ("message", "Message")] {
        if let Some(value) = status[field].as_str().filter(|v| !v.is_empty()) {
            text.field(title, value);
        }
    }
    text.field("IP", status["podIP"].as_str().unwrap_or_default());
    match status["podIPs"].as_array().filter(|ips| !ips.is_empty()) {
        Some(ips) => {
            text.at(0, "IPs:\n");
            for ip in ips {
                text.at(
                    1,
                    &format!("IP:\t{}\n", ip["ip"].as_str().unwrap_or_default()),
                );
            }
        }
        None => text.field("IPs", "<none>"),
    }
    if let Some(owner) = meta["ownerReferences"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|o| o["controller"] == true)
    {
        let kind = owner["kind"].as_str().unwrap_or_default();
        let name = owner["name"].as_str().unwrap_or_default();
        text.field("Controlled By", &format!("{kind}/{name}"));
    }
    if spec["initContainers"]
        .as_array()
        .is_some_and(|c| !c.is_empty())
    {
        let statuses = (pod, "initContainerStatuses");
        containers(
            &mut text,
            "Init Containers",
            &spec["initContainers"],
            Some(statuses),
            "",
        );
    }
    let statuses = (pod, "containerStatuses");
    containers(
        &mut text,
        "Containers",
        &spec["containers"],
        Some(statuses),
        "",
    );
    if let Some(conditions) = status["conditions"].as_array().filter(|c| !c.is_empty()) {
        text.at(0, "Conditions:\n  Type\tStatus\n");
        for c in conditions {
            let kind = c["type"].as_str().unwrap_or_default();
            let state = c["status"].as_str().unwrap_or_default();
            text.at(1, &format!("{kind} \t{state} \n"));
        }
    }
    volumes(&mut text, &spec["volumes"], "");
    text.field("QoS Class", &qos(pod));
    text.labels("Node-Selectors", &spec["nodeSelector"]);
    tolerations(&mut text, "Tolerations", &spec["tolerations"]);
    text.events(facts.events, facts.now);
    text.done()
}

/// The pod's QoS class: as its status records it, else worked out from its containers'
/// requests and limits of CPU and memory.
fn qos(pod: &Value) -> String {
    if let Some(class) = pod["status"]["qosClass"].as_str().filter(|c| !c.is_empty()) {
        return class.to_string();
    }
    let spec = &pod["spec"];
    let all: Vec<&Value> = ["initContainers", "containers"]
        .iter()
        .flat_map(|f| spec[*f].as_array().into_iter().flatten())
        .collect();
    let amount = |c: &Value, kind: &str, name: &str| {
        c["resources"][kind][name]
            .as_str()
            .and_then(kubesim::quantity::parse)
            .filter(|q| *q > 0)
    };
    let names = ["cpu", "memory"];
    let any = all.iter().any(|c| {
        names
            .iter()
            .any(|n| amount(c, "requests", n).is_some() || amount(c, "limits", n).is_some())
    });
    if !any {
        return "BestEffort".into();
    }
    let guaranteed = all.iter().all(|c| {
        names.iter().all(|n| {
            let limit = amount(c, "limits", n);
            limit.is_some() && amount(c, "requests", n).is_none_or(|r| Some(r) == limit)
        })
    });
    if guaranteed {
        "Guaranteed"
    } else {
        "Burstable"
    }
    .into()
}

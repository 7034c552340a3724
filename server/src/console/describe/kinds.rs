//! The layouts of `kubectl describe` for the kinds the console describes, each from the
//! object, its events and (where kubectl shows them) the objects it relates to.

use super::template::pod_template;
use super::text::{Facts, Text, rfc1123z, selector, strings};
use serde_json::Value;

/// The description of `facts.object` of `kind`: a ConfigMap, Service, Deployment or
/// ReplicaSet.
pub fn describe(kind: &str, facts: &Facts<'_>) -> String {
    let mut text = Text::default();
    match kind {
        "ConfigMap" => config_map(&mut text, facts),
        "Service" => service(&mut text, facts),
        "Deployment" => deployment(&mut text, facts),
        _ => replica_set(&mut text, facts),
    }
    text.done()
}

fn config_map(text: &mut Text, facts: &Facts<'_>) {
    text.head(facts);
    let meta = &facts.object["metadata"];
    text.labels("Labels", &meta["labels"]);
    text.annotations("Annotations", &meta["annotations"]);
    text.at(0, "\nData\n====\n");
    for (key, value) in strings(&facts.object["data"]) {
        text.at(0, &format!("{key}:\n----\n{value}\n\n"));
    }
    text.at(0, "\nBinaryData\n====\n");
    for (key, value) in strings(&facts.object["binaryData"]) {
        // Base64: the decoded length.
        let bytes = value.trim_end_matches('=').len() * 3 / 4;
        text.at(0, &format!("{key}: {bytes} bytes\n"));
    }
    text.at(0, "\n");
    text.events(facts.events, facts.now);
}

fn service(text: &mut Text, facts: &Facts<'_>) {
    text.head(facts);
    let (meta, spec) = (&facts.object["metadata"], &facts.object["spec"]);
    text.labels("Labels", &meta["labels"]);
    text.annotations("Annotations", &meta["annotations"]);
    let chosen: Vec<String> = strings(&spec["selector"])
        .into_iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    text.field("Selector", &chosen.join(","));
    text.field("Type", spec["type"].as_str().unwrap_or_default());
    if let Some(policy) = spec["ipFamilyPolicy"].as_str() {
        text.field("IP Family Policy", policy);
    }
    let joined = |v: &Value| {
        let items: Vec<&str> = v
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        if items.is_empty() {
            "<none>".to_string()
        } else {
            items.join(",")
        }
    };
    text.field("IP Families", &joined(&spec["ipFamilies"]));
    text.field("IP", spec["clusterIP"].as_str().unwrap_or_default());
    text.field("IPs", &joined(&spec["clusterIPs"]));
    for port in spec["ports"].as_array().into_iter().flatten() {
        let name = port["name"]
            .as_str()
            .filter(|n| !n.is_empty())
            .unwrap_or("<unset>");
        let protocol = port["protocol"].as_str().unwrap_or("TCP");
        text.at(
            0,
            &format!(
                "Port:\t{name}\t{}/{protocol}\n",
                port["port"].as_i64().unwrap_or(0)
            ),
        );
        let target = match &port["targetPort"] {
            Value::String(s) => s.clone(),
            other => other.as_i64().unwrap_or(0).to_string(),
        };
        text.field("TargetPort", &format!("{target}/{protocol}"));
        if let Some(node_port) = port["nodePort"].as_i64().filter(|p| *p != 0) {
            text.at(0, &format!("NodePort:\t{name}\t{node_port}/{protocol}\n"));
        }
        text.field(
            "Endpoints",
            &endpoints(facts.related, port["name"].as_str().unwrap_or_default()),
        );
    }
    text.field(
        "Session Affinity",
        spec["sessionAffinity"].as_str().unwrap_or_default(),
    );
    if let Some(policy) = spec["externalTrafficPolicy"]
        .as_str()
        .filter(|p| !p.is_empty())
    {
        text.field("External Traffic Policy", policy);
    }
    if let Some(policy) = spec["internalTrafficPolicy"].as_str() {
        text.field("Internal Traffic Policy", policy);
    }
    text.events(facts.events, facts.now);
}

/// The ready addresses of a Service port (by name) in its EndpointSlices: three at most,
/// then how many more.
fn endpoints(slices: &[Value], port_name: &str) -> String {
    if slices.is_empty() {
        return "<none>".into();
    }
    let mut list = Vec::new();
    let mut count = 0;
    for slice in slices {
        for port in slice["ports"].as_array().into_iter().flatten() {
            if port["name"].as_str().unwrap_or_default() != port_name {
                continue;
            }
            for endpoint in slice["endpoints"].as_array().into_iter().flatten() {
                if endpoint["conditions"]["ready"] == false {
                    continue;
                }
                if list.len() < 3 {
                    let address = endpoint["addresses"][0].as_str().unwrap_or_default();
                    list.push(format!("{address}:{}", port["port"].as_i64().unwrap_or(0)));
                }
                count += 1;
            }
        }
    }
    let joined = list.join(",");
    if count > 3 {
        format!("{joined} + {} more...", count - 3)
    } else {
        joined
    }
}

fn conditions(text: &mut Text, status: &Value) {
    let Some(list) = status["conditions"].as_array().filter(|c| !c.is_empty()) else {
        return;
    };
    text.at(0, "Conditions:\n  Type\tStatus\tReason\n");
    text.at(1, "----\t------\t------\n");
    for c in list {
        text.at(
            1,
            &format!(
                "{} \t{}\t{}\n",
                c["type"].as_str().unwrap_or_default(),
                c["status"].as_str().unwrap_or_default(),
                c["reason"].as_str().unwrap_or_default()
            ),
        );
    }
}

fn deployment(text: &mut Text, facts: &Facts<'_>) {
    text.head(facts);
    let (meta, spec, status) = (
        &facts.object["metadata"],
        &facts.object["spec"],
        &facts.object["status"],
    );
    text.field("CreationTimestamp", &rfc1123z(&meta["creationTimestamp"]));
    text.labels("Labels", &meta["labels"]);
    text.annotations("Annotations", &meta["annotations"]);
    text.field("Selector", &selector(&spec["selector"]));
    let n = |v: &Value| v.as_i64().unwrap_or(0);
    text.field(
        "Replicas",
        &format!(
            "{} desired | {} updated | {} total | {} available | {} unavailable",
            spec["replicas"].as_i64().unwrap_or(1),
            n(&status["updatedReplicas"]),
            n(&status["replicas"]),
            n(&status["availableReplicas"]),
            n(&status["unavailableReplicas"])
        ),
    );
    let strategy = &spec["strategy"];
    text.field(
        "StrategyType",
        strategy["type"].as_str().unwrap_or_default(),
    );
    text.field("MinReadySeconds", &n(&spec["minReadySeconds"]).to_string());
    let rolling = &strategy["rollingUpdate"];
    if rolling.is_object() {
        let amount = |v: &Value| match v {
            Value::String(s) => s.clone(),
            other => other.as_i64().unwrap_or(0).to_string(),
        };
        text.field(
            "RollingUpdateStrategy",
            &format!(
                "{} max unavailable, {} max surge",
                amount(&rolling["maxUnavailable"]),
                amount(&rolling["maxSurge"])
            ),
        );
    }
    pod_template(text, &spec["template"]);
    conditions(text, status);
    if !facts.related.is_empty() {
        // The new ReplicaSet runs the Deployment's template (the oldest such); the rest
        // are old.
        let template = comparable(&spec["template"]);
        let mut owned: Vec<&Value> = facts.related.iter().collect();
        owned.sort_by_key(|rs| {
            rs["metadata"]["creationTimestamp"]
                .as_str()
                .map(str::to_string)
        });
        let new = owned
            .iter()
            .position(|rs| comparable(&rs["spec"]["template"]) == template);
        let listed = |sets: Vec<&Value>| {
            let items: Vec<String> = sets
                .iter()
                .map(|rs| {
                    format!(
                        "{} ({}/{} replicas created)",
                        rs["metadata"]["name"].as_str().unwrap_or_default(),
                        n(&rs["status"]["replicas"]),
                        n(&rs["spec"]["replicas"])
                    )
                })
                .collect();
            if items.is_empty() {
                "<none>".to_string()
            } else {
                items.join(", ")
            }
        };
        let mut by_name: Vec<&Value> = facts.related.iter().collect();
        by_name.sort_by_key(|rs| rs["metadata"]["name"].as_str().map(str::to_string));
        let new_name = new.map(|i| owned[i]["metadata"]["name"].clone());
        let old: Vec<&Value> = by_name
            .into_iter()
            .filter(|rs| Some(&rs["metadata"]["name"]) != new_name.as_ref())
            .collect();
        text.field("OldReplicaSets", &listed(old));
        text.field(
            "NewReplicaSet",
            &listed(new.map(|i| owned[i]).into_iter().collect()),
        );
    }
    text.events(facts.events, facts.now);
}

/// A pod template without the ReplicaSet's `pod-template-hash` label, to compare.
fn comparable(template: &Value) -> Value {
    let mut template = template.clone();
    if let Some(labels) = template["metadata"]["labels"].as_object_mut() {
        labels.remove("pod-template-hash");
    }
    template
}

fn replica_set(text: &mut Text, facts: &Facts<'_>) {
    text.head(facts);
    let (meta, spec, status) = (
        &facts.object["metadata"],
        &facts.object["spec"],
        &facts.object["status"],
    );
    text.field("Selector", &selector(&spec["selector"]));
    text.labels("Labels", &meta["labels"]);
    text.annotations("Annotations", &meta["annotations"]);
    if let Some(owner) = meta["ownerReferences"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|o| o["controller"] == true)
    {
        text.field(
            "Controlled By",
            &format!(
                "{}/{}",
                owner["kind"].as_str().unwrap_or_default(),
                owner["name"].as_str().unwrap_or_default()
            ),
        );
    }
    let n = |v: &Value| v.as_i64().unwrap_or(0);
    text.field(
        "Replicas",
        &format!(
            "{} current / {} desired",
            n(&status["replicas"]),
            spec["replicas"].as_i64().unwrap_or(1)
        ),
    );
    text.field("Pods Status", &pods_status(facts.related, &meta["uid"]));
    pod_template(text, &spec["template"]);
    conditions(text, status);
    text.events(facts.events, facts.now);
}

/// `3 Running / 0 Waiting / 0 Succeeded / 0 Failed`: the phases of the pods among
/// `pods` that the object with `uid` controls.
pub fn pods_status(pods: &[Value], uid: &Value) -> String {
    let mut phases = [0; 4];
    for pod in pods {
        let owned = pod["metadata"]["ownerReferences"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|o| o["controller"] == true && &o["uid"] == uid);
        if !owned {
            continue;
        }
        match pod["status"]["phase"].as_str() {
            Some("Running") => phases[0] += 1,
            Some("Pending") => phases[1] += 1,
            Some("Succeeded") => phases[2] += 1,
            Some("Failed") => phases[3] += 1,
            _ => {}
        }
    }
    format!(
        "{} Running / {} Waiting / {} Succeeded / {} Failed",
        phases[0], phases[1], phases[2], phases[3]
    )
}

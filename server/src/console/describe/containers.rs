//! A pod's or a pod template's containers as `kubectl describe` prints them: image,
//! ports, command, state (for a pod), resources, probes, environment and mounts.

use super::text::{Text, rfc1123z};
use kubesim::controllers::kubelet::setup::field_value;
use serde_json::Value;

/// The containers of a pod (`pod` given, with the field of its status that holds their
/// states: with them, and fields read from it) or of a template, under `label`,
/// indented by `space`.
pub fn containers(
    text: &mut Text,
    label: &str,
    containers: &Value,
    pod: Option<(&Value, &str)>,
    space: &str,
) {
    let list = containers.as_array().cloned().unwrap_or_default();
    let none = if list.is_empty() { " <none>" } else { "" };
    text.at(0, &format!("{space}{label}:{none}\n"));
    let indent = if space.is_empty() { "" } else { " " };
    for c in &list {
        let name = c["name"].as_str().unwrap_or_default();
        let status = pod.and_then(|(pod, field)| {
            pod["status"][field]
                .as_array()
                .into_iter()
                .flatten()
                .find(|s| s["name"] == name)
        });
        text.at(1, &format!("{indent}{name}:\n"));
        if let Some(status) = status {
            let id = status["containerID"].as_str().unwrap_or_default();
            text.at(2, &format!("Container ID:\t{id}\n"));
        }
        let image = c["image"].as_str().unwrap_or_default();
        text.at(2, &format!("Image:\t{image}\n"));
        if let Some(status) = status {
            let id = status["imageID"].as_str().unwrap_or_default();
            text.at(2, &format!("Image ID:\t{id}\n"));
        }
        let ports = ports_of(&c["ports"], "containerPort");
        if ports.contains(',') {
            text.at(2, &format!("Ports:\t{ports}\n"));
        } else {
            text.at(2, &format!("Port:\t{}\n", or_none(&ports)));
        }
        let host_ports = ports_of(&c["ports"], "hostPort");
        if host_ports.contains(',') {
            text.at(2, &format!("Host Ports:\t{host_ports}\n"));
        } else {
            text.at(2, &format!("Host Port:\t{}\n", or_none(&host_ports)));
        }
        for (field, title) in [("command", "Command"), ("args", "Args")] {
            let words = strings(&c[field]);
            if !words.is_empty() {
                text.at(2, &format!("{title}:\n"));
                for line in words.iter().flat_map(|w| w.split('\n')) {
                    text.at(3, &format!("{line}\n"));
                }
            }
        }
        if let Some(status) = status {
            state(text, "State", &status["state"]);
            if status["lastState"]["terminated"].is_object() {
                state(text, "Last State", &status["lastState"]);
            }
            let ready = if status["ready"] == true {
                "True"
            } else {
                "False"
            };
            text.at(2, &format!("Ready:\t{ready}\n"));
            let restarts = status["restartCount"].as_i64().unwrap_or(0);
            text.at(2, &format!("Restart Count:\t{restarts}\n"));
        }
        resources(text, &c["resources"]);
        for (field, title) in [
            ("livenessProbe", "Liveness"),
            ("readinessProbe", "Readiness"),
            ("startupProbe", "Startup"),
        ] {
            if c[field].is_object() {
                text.at(2, &format!("{title}:\t{}\n", probe(&c[field])));
            }
        }
        env_from(text, &c["envFrom"]);
        env(text, &c["env"], pod.map(|(pod, _)| pod));
        mounts(text, &c["volumeMounts"]);
    }
}

/// A container's state: running since, waiting why, or terminated how.
fn state(text: &mut Text, title: &str, state: &Value) {
    if state["running"].is_object() {
        text.at(2, &format!("{title}:\tRunning\n"));
        let started = rfc1123z(&state["running"]["startedAt"]);
        text.at(3, &format!("Started:\t{started}\n"));
    } else if state["terminated"].is_object() {
        let t = &state["terminated"];
        text.at(2, &format!("{title}:\tTerminated\n"));
        if let Some(reason) = t["reason"].as_str().filter(|r| !r.is_empty()) {
            text.at(3, &format!("Reason:\t{reason}\n"));
        }
        if let Some(message) = t["message"].as_str().filter(|m| !m.is_empty()) {
            text.at(3, &format!("Message:\t{message}\n"));
        }
        text.at(
            3,
            &format!("Exit Code:\t{}\n", t["exitCode"].as_i64().unwrap_or(0)),
        );
        if let Some(signal) = t["signal"].as_i64().filter(|s| *s > 0) {
            text.at(3, &format!("Signal:\t{signal}\n"));
        }
        text.at(3, &format!("Started:\t{}\n", rfc1123z(&t["startedAt"])));
        text.at(3, &format!("Finished:\t{}\n", rfc1123z(&t["finishedAt"])));
    } else {
        text.at(2, &format!("{title}:\tWaiting\n"));
        if let Some(reason) = state["waiting"]["reason"]
            .as_str()
            .filter(|r| !r.is_empty())
        {
            text.at(3, &format!("Reason:\t{reason}\n"));
        }
    }
}

fn or_none(text: &str) -> &str {
    if text.is_empty() { "<none>" } else { text }
}

fn strings(list: &Value) -> Vec<String> {
    list.as_array()
        .into_iter()
        .flatten()
        .map(|v| v.as_str().unwrap_or_default().to_string())
        .collect()
}

/// `8000/TCP (http), …` of the container ports' `field`.
fn ports_of(list: &Value, field: &str) -> String {
    list.as_array()
        .into_iter()
        .flatten()
        .map(|p| {
            let text = format!(
                "{}/{}",
                p[field].as_i64().unwrap_or(0),
                p["protocol"].as_str().unwrap_or("TCP")
            );
            match p["name"].as_str().filter(|n| !n.is_empty()) {
                Some(name) => format!("{text} ({name})"),
                None => text,
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn resources(text: &mut Text, resources: &Value) {
    for (field, title) in [("limits", "Limits"), ("requests", "Requests")] {
        let map = super::text::strings(&resources[field]);
        if map.is_empty() {
            continue;
        }
        text.at(2, &format!("{title}:\n"));
        // kubectl's order: cpu, memory, ephemeral-storage, then the rest by name.
        let rank = |name: &str| match name {
            "cpu" => 0,
            "memory" => 1,
            "ephemeral-storage" => 2,
            _ => 3,
        };
        let mut names: Vec<&String> = map.keys().collect();
        names.sort_by_key(|n| (rank(n), (*n).clone()));
        for name in names {
            text.at(3, &format!("{name}:\t{}\n", map[name]));
        }
    }
}

/// A probe as `kubectl describe` sums it up on one line.
fn probe(probe: &Value) -> String {
    let number = |field: &str| probe[field].as_i64().unwrap_or(0);
    let attrs = format!(
        "delay={}s timeout={}s period={}s #success={} #failure={}",
        number("initialDelaySeconds"),
        number("timeoutSeconds"),
        number("periodSeconds"),
        number("successThreshold"),
        number("failureThreshold")
    );
    let port = |p: &Value| match p {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    if let Some(command) = probe["exec"]["command"].as_array() {
        let words: Vec<&str> = command.iter().filter_map(Value::as_str).collect();
        return format!("exec [{}] {attrs}", words.join(" "));
    }
    let http = &probe["httpGet"];
    if http.is_object() {
        let scheme = http["scheme"].as_str().unwrap_or("HTTP").to_lowercase();
        let host = http["host"].as_str().unwrap_or_default();
        let path = http["path"].as_str().unwrap_or_default();
        return format!(
            "http-get {scheme}://{host}:{}{path} {attrs}",
            port(&http["port"])
        );
    }
    let tcp = &probe["tcpSocket"];
    if tcp.is_object() {
        let host = tcp["host"].as_str().unwrap_or_default();
        return format!("tcp-socket {host}:{} {attrs}", port(&tcp["port"]));
    }
    format!("unknown {attrs}")
}

fn env_from(text: &mut Text, from: &Value) {
    let Some(list) = from.as_array().filter(|l| !l.is_empty()) else {
        return;
    };
    text.at(2, "Environment Variables from:\n");
    for e in list {
        let (kind, source) = if e["configMapRef"].is_object() {
            ("ConfigMap", &e["configMapRef"])
        } else {
            ("Secret", &e["secretRef"])
        };
        let name = source["name"].as_str().unwrap_or_default();
        let optional = source["optional"] == true;
        match e["prefix"].as_str().filter(|p| !p.is_empty()) {
            Some(prefix) => text.at(
                3,
                &format!("{name}\t{kind} with prefix '{prefix}'\tOptional: {optional}\n"),
            ),
            None => text.at(3, &format!("{name}\t{kind}\tOptional: {optional}\n")),
        }
    }
}

fn env(text: &mut Text, env: &Value, pod: Option<&Value>) {
    let list = env.as_array().cloned().unwrap_or_default();
    let none = if list.is_empty() { "\t<none>" } else { "" };
    text.at(2, &format!("Environment:{none}\n"));
    for e in &list {
        let name = e["name"].as_str().unwrap_or_default();
        let from = &e["valueFrom"];
        if from.is_null() {
            for (i, line) in e["value"]
                .as_str()
                .unwrap_or_default()
                .split('\n')
                .enumerate()
            {
                if i == 0 {
                    text.at(3, &format!("{name}:\t{line}\n"));
                } else {
                    text.at(3, &format!("\t{line}\n"));
                }
            }
        } else if from["fieldRef"].is_object() {
            let field = &from["fieldRef"];
            let path = field["fieldPath"].as_str().unwrap_or_default();
            let version = field["apiVersion"].as_str().unwrap_or("v1");
            let value = pod.map(|pod| field_value(pod, path)).unwrap_or_default();
            text.at(3, &format!("{name}:\t{value} ({version}:{path})\n"));
        } else if from["secretKeyRef"].is_object() {
            let key = &from["secretKeyRef"];
            text.at(
                3,
                &format!(
                    "{name}:\t<set to the key '{}' in secret '{}'>\tOptional: {}\n",
                    key["key"].as_str().unwrap_or_default(),
                    key["name"].as_str().unwrap_or_default(),
                    key["optional"] == true
                ),
            );
        } else if from["configMapKeyRef"].is_object() {
            let key = &from["configMapKeyRef"];
            text.at(
                3,
                &format!(
                    "{name}:\t<set to the key '{}' of config map '{}'>\tOptional: {}\n",
                    key["key"].as_str().unwrap_or_default(),
                    key["name"].as_str().unwrap_or_default(),
                    key["optional"] == true
                ),
            );
        }
    }
}

fn mounts(text: &mut Text, mounts: &Value) {
    let mut list = mounts.as_array().cloned().unwrap_or_default();
    let none = if list.is_empty() { "\t<none>" } else { "" };
    text.at(2, &format!("Mounts:{none}\n"));
    list.sort_by(|a, b| a["mountPath"].as_str().cmp(&b["mountPath"].as_str()));
    for m in &list {
        let mut flags = vec![if m["readOnly"] == true {
            "ro".to_string()
        } else {
            "rw".to_string()
        }];
        if let Some(sub) = m["subPath"].as_str().filter(|s| !s.is_empty()) {
            flags.push(format!("path={sub:?}"));
        }
        text.at(
            3,
            &format!(
                "{} from {} ({})\n",
                m["mountPath"].as_str().unwrap_or_default(),
                m["name"].as_str().unwrap_or_default(),
                flags.join(",")
            ),
        );
    }
}

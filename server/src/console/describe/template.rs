//! A pod template as `kubectl describe` prints it under a workload: labels, containers
//! (image, ports, command, resources, probes, environment, mounts) and volumes.

use super::text::Text;
use serde_json::Value;

pub fn pod_template(text: &mut Text, template: &Value) {
    text.at(0, "Pod Template:\n");
    text.labels("  Labels", &template["metadata"]["labels"]);
    if template["metadata"]["annotations"]
        .as_object()
        .is_some_and(|a| !a.is_empty())
    {
        text.annotations("  Annotations", &template["metadata"]["annotations"]);
    }
    let spec = &template["spec"];
    if let Some(account) = spec["serviceAccountName"]
        .as_str()
        .filter(|a| !a.is_empty())
    {
        text.at(1, &format!("Service Account:\t{account}\n"));
    }
    if spec["initContainers"]
        .as_array()
        .is_some_and(|c| !c.is_empty())
    {
        containers(text, "Init Containers", &spec["initContainers"]);
    }
    containers(text, "Containers", &spec["containers"]);
    volumes(text, &spec["volumes"]);
    if let Some(class) = spec["priorityClassName"].as_str().filter(|c| !c.is_empty()) {
        text.at(1, &format!("Priority Class Name:\t{class}\n"));
    }
    text.labels("  Node-Selectors", &spec["nodeSelector"]);
    tolerations(text, &spec["tolerations"]);
}

fn containers(text: &mut Text, label: &str, containers: &Value) {
    let list = containers.as_array().cloned().unwrap_or_default();
    let none = if list.is_empty() { " <none>" } else { "" };
    text.at(0, &format!("  {label}:{none}\n"));
    for c in &list {
        text.at(
            1,
            &format!(" {}:\n", c["name"].as_str().unwrap_or_default()),
        );
        text.at(
            2,
            &format!("Image:\t{}\n", c["image"].as_str().unwrap_or_default()),
        );
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
        env(text, &c["env"]);
        mounts(text, &c["volumeMounts"]);
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

fn env(text: &mut Text, env: &Value) {
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
            text.at(
                3,
                &format!(
                    "{name}:\t ({}:{})\n",
                    field["apiVersion"].as_str().unwrap_or("v1"),
                    field["fieldPath"].as_str().unwrap_or_default()
                ),
            );
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

fn volumes(text: &mut Text, volumes: &Value) {
    let list = volumes.as_array().cloned().unwrap_or_default();
    if list.is_empty() {
        text.at(0, "  Volumes:\t<none>\n");
        return;
    }
    text.at(0, "  Volumes:\n");
    for v in &list {
        text.at(
            1,
            &format!(" {}:\n", v["name"].as_str().unwrap_or_default()),
        );
        if v["configMap"].is_object() {
            text.at(2, "Type:\tConfigMap (a volume populated by a ConfigMap)\n");
            text.at(
                2,
                &format!(
                    "Name:\t{}\n",
                    v["configMap"]["name"].as_str().unwrap_or_default()
                ),
            );
            text.at(
                2,
                &format!("Optional:\t{}\n", v["configMap"]["optional"] == true),
            );
        } else if v["secret"].is_object() {
            text.at(2, "Type:\tSecret (a volume populated by a Secret)\n");
            text.at(
                2,
                &format!(
                    "SecretName:\t{}\n",
                    v["secret"]["secretName"].as_str().unwrap_or_default()
                ),
            );
            text.at(
                2,
                &format!("Optional:\t{}\n", v["secret"]["optional"] == true),
            );
        } else if v["emptyDir"].is_object() {
            let medium = v["emptyDir"]["medium"].as_str().unwrap_or_default();
            text.at(
                2,
                "Type:\tEmptyDir (a temporary directory that shares a pod's lifetime)\n",
            );
            text.at(2, &format!("Medium:\t{medium}\n"));
            match v["emptyDir"]["sizeLimit"].as_str() {
                Some(limit) => text.at(2, &format!("SizeLimit:\t{limit}\n")),
                None => text.at(2, "SizeLimit:\t<unset>\n"),
            }
        } else if v["persistentVolumeClaim"].is_object() {
            let claim = &v["persistentVolumeClaim"];
            text.at(2, "Type:\tPersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)\n");
            text.at(
                2,
                &format!(
                    "ClaimName:\t{}\n",
                    claim["claimName"].as_str().unwrap_or_default()
                ),
            );
            text.at(2, &format!("ReadOnly:\t{}\n", claim["readOnly"] == true));
        } else {
            text.at(1, "<unknown>\n");
        }
    }
}

fn tolerations(text: &mut Text, tolerations: &Value) {
    text.at(0, "  Tolerations:\t");
    let list = tolerations.as_array().cloned().unwrap_or_default();
    if list.is_empty() {
        text.at(0, "<none>\n");
        return;
    }
    for (i, t) in list.iter().enumerate() {
        if i > 0 {
            text.at(0, "\t");
        }
        let mut line = t["key"].as_str().unwrap_or_default().to_string();
        if let Some(value) = t["value"].as_str().filter(|v| !v.is_empty()) {
            line.push_str(&format!("={value}"));
        } else if t["operator"] == "Exists" && line.is_empty() {
            line = "op=Exists".into();
        }
        if let Some(effect) = t["effect"].as_str().filter(|e| !e.is_empty()) {
            line.push_str(&format!(":{effect}"));
        }
        if let Some(seconds) = t["tolerationSeconds"].as_i64() {
            line.push_str(&format!(" for {seconds}s"));
        }
        text.at(0, &format!("{line}\n"));
    }
}

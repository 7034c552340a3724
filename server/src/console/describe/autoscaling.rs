//! `kubectl describe hpa`: kubectl's layout of an autoscaling/v2 HorizontalPodAutoscaler
//! (its metrics as `current / target`, its behavior, its conditions and events).

use super::text::{Facts, Text, rfc1123z};
use serde_json::Value;

pub fn describe(facts: &Facts<'_>) -> String {
    let (meta, spec, status) = facts.parts();
    let mut text = Text::default();
    text.head(facts);
    text.labels("Labels", &meta["labels"]);
    text.annotations("Annotations", &meta["annotations"]);
    text.field("CreationTimestamp", &rfc1123z(&meta["creationTimestamp"]));
    let target = &spec["scaleTargetRef"];
    let kind = target["kind"].as_str().unwrap_or_default();
    text.field(
        "Reference",
        &format!("{kind}/{}", target["name"].as_str().unwrap_or_default()),
    );
    text.field("Metrics", "( current / target )");
    let current = status["currentMetrics"].as_array();
    for (i, metric) in spec["metrics"].as_array().into_iter().flatten().enumerate() {
        let now = current.and_then(|c| c.get(i));
        metric_line(&mut text, metric, now);
    }
    let min = spec["minReplicas"]
        .as_i64()
        .map_or_else(|| "<unset>".to_string(), |n| n.to_string());
    text.field("Min replicas", &min);
    text.field("Max replicas", &number(&spec["maxReplicas"]));
    if spec["behavior"].is_object() {
        text.at(0, "Behavior:\n");
        direction(&mut text, "Scale Up", &spec["behavior"]["scaleUp"]);
        direction(&mut text, "Scale Down", &spec["behavior"]["scaleDown"]);
    }
    text.field(
        &format!("{kind} pods"),
        &format!(
            "{} current / {} desired",
            number(&status["currentReplicas"]),
            number(&status["desiredReplicas"])
        ),
    );
    if let Some(conditions) = status["conditions"].as_array().filter(|c| !c.is_empty()) {
        text.at(0, "Conditions:\n");
        text.at(1, "Type\tStatus\tReason\tMessage\n");
        text.at(1, "----\t------\t------\t-------\n");
        for c in conditions {
            let field = |name: &str| c[name].as_str().unwrap_or_default().to_string();
            text.at(
                1,
                &format!(
                    "{}\t{}\t{}\t{}\n",
                    field("type"),
                    field("status"),
                    field("reason"),
                    field("message")
                ),
            );
        }
    }
    text.events(facts.events, facts.now);
    text.done()
}

/// A Go integer as kubectl prints it: 0 when absent.
fn number(value: &Value) -> String {
    value.as_i64().unwrap_or(0).to_string()
}

/// One metric: `resource cpu on pods  (as a percentage of request):  12% (6m) / 50%`,
/// with what the status last measured (`<unknown>` before it has).
fn metric_line(text: &mut Text, metric: &Value, now: Option<&Value>) {
    let kind = metric["type"].as_str().unwrap_or_default();
    if kind != "Resource" && kind != "ContainerResource" {
        text.at(1, &format!("<unknown metric type {kind:?}>\n"));
        return;
    }
    let field = if kind == "Resource" {
        "resource"
    } else {
        "containerResource"
    };
    let source = &metric[field];
    let measured = now.map(|n| &n[field]["current"]).filter(|c| c.is_object());
    let name = source["name"].as_str().unwrap_or_default();
    match kind {
        "Resource" => text.at(1, &format!("resource {name} on pods")),
        _ => text.at(
            1,
            &format!(
                "resource {name} of container \"{}\" on pods",
                source["container"].as_str().unwrap_or_default()
            ),
        ),
    }
    let wanted = &source["target"];
    if let Some(average) = wanted["averageValue"].as_str() {
        let current = measured
            .and_then(|m| m["averageValue"].as_str())
            .unwrap_or("<unknown>");
        text.at(0, &format!(":\t{current} / {average}\n"));
        return;
    }
    let current = match measured.and_then(|m| m["averageUtilization"].as_i64()) {
        Some(percent) => format!(
            "{percent}% ({})",
            measured
                .and_then(|m| m["averageValue"].as_str())
                .unwrap_or("0")
        ),
        None => "<unknown>".to_string(),
    };
    let target = wanted["averageUtilization"]
        .as_i64()
        .map_or_else(|| "<auto>".to_string(), |p| format!("{p}%"));
    text.at(
        1,
        &format!("(as a percentage of request):\t{current} / {target}\n"),
    );
}

/// `Scale Up:` or `Scale Down:` and its rules, as the behavior holds them.
fn direction(text: &mut Text, title: &str, rules: &Value) {
    if !rules.is_object() {
        return;
    }
    text.at(1, &format!("{title}:\n"));
    if let Some(window) = rules["stabilizationWindowSeconds"].as_i64() {
        text.at(2, &format!("Stabilization Window: {window} seconds\n"));
    }
    let policies = rules["policies"].as_array().filter(|p| !p.is_empty());
    if let Some(policies) = policies {
        let select = rules["selectPolicy"].as_str().unwrap_or("Max");
        text.at(2, &format!("Select Policy: {select}\n"));
        text.at(2, "Policies:\n");
        for p in policies {
            text.at(
                3,
                &format!(
                    "- Type: {}\tValue: {}\tPeriod: {} seconds\n",
                    p["type"].as_str().unwrap_or_default(),
                    number(&p["value"]),
                    number(&p["periodSeconds"])
                ),
            );
        }
    }
}

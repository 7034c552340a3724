//! `kubectl describe statefulset`: kubectl's layout of a StatefulSet, with its pods'
//! phases, its pod template and the claims it makes for each pod.

use super::claims::storage_class;
use super::kinds::pods_status;
use super::template::pod_template;
use super::text::{Facts, Text, go_list, rfc1123z, selector};
use serde_json::Value;

pub fn describe(facts: &Facts<'_>) -> String {
    let (meta, spec, status) = facts.parts();
    let mut text = Text::default();
    text.head(facts);
    text.field("CreationTimestamp", &rfc1123z(&meta["creationTimestamp"]));
    text.field("Selector", &selector(&spec["selector"]));
    text.labels("Labels", &meta["labels"]);
    text.annotations("Annotations", &meta["annotations"]);
    text.field(
        "Replicas",
        &format!(
            "{} desired | {} total",
            spec["replicas"].as_i64().unwrap_or(1),
            status["replicas"].as_i64().unwrap_or(0)
        ),
    );
    let strategy = &spec["updateStrategy"];
    text.field(
        "Update Strategy",
        strategy["type"].as_str().unwrap_or_default(),
    );
    let rolling = &strategy["rollingUpdate"];
    if let Some(partition) = rolling["partition"].as_i64() {
        text.at(1, &format!("Partition:\t{partition}\n"));
        match &rolling["maxUnavailable"] {
            Value::Null => {}
            Value::String(s) => text.at(1, &format!("MaxUnavailable:\t{s}\n")),
            other => text.at(1, &format!("MaxUnavailable:\t{other}\n")),
        }
    }
    text.field("Pods Status", &pods_status(facts.related, &meta["uid"]));
    pod_template(&mut text, &spec["template"]);
    claim_templates(&mut text, &spec["volumeClaimTemplates"]);
    text.events(facts.events, facts.now);
    text.done()
}

/// The claims made for each pod. (kubectl prints their annotations as it prints
/// labels, `key=value`.)
fn claim_templates(text: &mut Text, templates: &Value) {
    let Some(templates) = templates.as_array().filter(|t| !t.is_empty()) else {
        text.field("Volume Claims", "<none>");
        return;
    };
    text.at(0, "Volume Claims:\n");
    for claim in templates {
        let (meta, spec) = (&claim["metadata"], &claim["spec"]);
        text.at(
            1,
            &format!("Name:\t{}\n", meta["name"].as_str().unwrap_or_default()),
        );
        text.at(1, &format!("StorageClass:\t{}\n", storage_class(claim)));
        text.labels("  Labels", &meta["labels"]);
        text.labels("  Annotations", &meta["annotations"]);
        let capacity = spec["resources"]["requests"]["storage"]
            .as_str()
            .unwrap_or("<default>");
        text.at(1, &format!("Capacity:\t{capacity}\n"));
        text.at(
            1,
            &format!("Access Modes:\t{}\n", go_list(&spec["accessModes"])),
        );
    }
}

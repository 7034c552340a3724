//! `kubectl describe pvc`: kubectl's layout of a PersistentVolumeClaim, with the pods
//! that mount it (`Used By`), its conditions and events.

use super::text::{Facts, Text, go_list, strings};
use serde_json::Value;

pub fn describe(facts: &Facts<'_>) -> String {
    let (meta, spec, status) = facts.parts();
    let mut text = Text::default();
    text.head(facts);
    text.field("StorageClass", &storage_class(facts.object));
    let phase = status["phase"].as_str().unwrap_or_default();
    if meta["deletionTimestamp"].is_string() {
        text.field("Status", "Terminating");
    } else {
        text.field("Status", phase);
    }
    let volume = spec["volumeName"].as_str().unwrap_or_default();
    text.field("Volume", volume);
    text.labels("Labels", &meta["labels"]);
    text.annotations("Annotations", &meta["annotations"]);
    text.field("Finalizers", &go_list(&meta["finalizers"]));
    let (capacity, modes) = if volume.is_empty() {
        (String::new(), String::new())
    } else {
        (
            status["capacity"]["storage"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
            access_modes(&status["accessModes"]),
        )
    };
    text.field("Capacity", &capacity);
    text.field("Access Modes", &modes);
    if let Some(mode) = spec["volumeMode"].as_str() {
        text.field("VolumeMode", mode);
    }
    let mut users: Vec<&str> = facts
        .related
        .iter()
        .filter(|pod| mounts(pod, meta["name"].as_str().unwrap_or_default()))
        .filter_map(|pod| pod["metadata"]["name"].as_str())
        .collect();
    users.sort_unstable();
    text.at(0, "Used By:\t");
    if users.is_empty() {
        text.at(0, "<none>\n");
    }
    for (i, name) in users.iter().enumerate() {
        if i > 0 {
            text.at(0, "\t");
        }
        text.at(0, &format!("{name}\n"));
    }
    text.events(facts.events, facts.now);
    text.done()
}

/// Whether `pod` mounts the claim `claim`.
fn mounts(pod: &Value, claim: &str) -> bool {
    pod["spec"]["volumes"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|v| v["persistentVolumeClaim"]["claimName"] == claim)
}

/// `RWO,RWX` in kubectl's order of the modes.
fn access_modes(modes: &Value) -> String {
    let has = |mode: &str| {
        modes
            .as_array()
            .is_some_and(|m| m.iter().any(|v| v == mode))
    };
    [
        ("ReadWriteOnce", "RWO"),
        ("ReadOnlyMany", "ROX"),
        ("ReadWriteMany", "RWX"),
        ("ReadWriteOncePod", "RWOP"),
    ]
    .iter()
    .filter(|(mode, _)| has(mode))
    .map(|(_, short)| *short)
    .collect::<Vec<_>>()
    .join(",")
}

/// A claim's storage class as kubectl names it: the old annotation's, else the spec's.
pub fn storage_class(claim: &Value) -> String {
    strings(&claim["metadata"]["annotations"])
        .remove("volume.beta.kubernetes.io/storage-class")
        .or_else(|| {
            claim["spec"]["storageClassName"]
                .as_str()
                .map(str::to_string)
        })
        .unwrap_or_default()
}

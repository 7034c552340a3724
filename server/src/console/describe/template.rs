//! The pod template under a workload, as `kubectl describe` prints it.

use super::containers::containers;
use super::text::Text;
use super::volumes::{tolerations, volumes};
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
        containers(text, "Init Containers", &spec["initContainers"], None, "  ");
    }
    containers(text, "Containers", &spec["containers"], None, "  ");
    volumes(text, &spec["volumes"], "  ");
    if let Some(class) = spec["priorityClassName"].as_str().filter(|c| !c.is_empty()) {
        text.at(1, &format!("Priority Class Name:\t{class}\n"));
    }
    text.labels("  Node-Selectors", &spec["nodeSelector"]);
    tolerations(text, "  Tolerations", &spec["tolerations"]);
}

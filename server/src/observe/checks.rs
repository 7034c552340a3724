//! Lesson checks on a workspace, judged from the observed watch stores (never by listing
//! the cluster): a check names short namespaces and the names the lesson uses; here the
//! objects are looked up where the workspace keeps them — the real namespace, and
//! cluster-scoped objects under their workspace names — and shown back under the
//! lesson's names, so [`Check::holds`] judges what the attendee made.

use super::Observed;
use app::content::check::Check;
use app::model::live::CheckResult;
use serde_json::{Value, json};

impl Observed {
    /// The objects of the check's kind the check looks at, under the lesson's names.
    pub fn observe(&self, check: &Check) -> Vec<Value> {
        let prefix = self.workspace.cluster_name("");
        self.items(check.kind.kind, check.namespace.as_deref())
            .iter()
            .filter_map(|item| {
                let mut value = item.object.clone();
                if check.kind.kind == "Ingress" {
                    lesson_hosts(&mut value, &self.workspace);
                }
                if check.namespace.is_none() {
                    // Cluster-scoped: shown under the name the lesson gave it.
                    let name = value["metadata"]["name"]
                        .as_str()?
                        .strip_prefix(&prefix)?
                        .to_string();
                    value["metadata"]["name"] = json!(name);
                }
                Some(value)
            })
            .collect()
    }

    /// Whether the check holds in the workspace now.
    pub fn holds(&self, check: &Check) -> bool {
        match check.namespace {
            // Namespaced kinds other than Ingress: judged on the store's objects as they
            // are (no copies).
            Some(ref short) if check.kind.kind != "Ingress" => {
                let items = self.items(check.kind.kind, Some(short));
                let objects: Vec<&Value> = items.iter().map(|i| &i.object).collect();
                check.holds(&objects)
            }
            _ => check.holds(&self.observe(check)),
        }
    }

    /// Each check's label and whether it holds now.
    pub fn evaluate(&self, checks: &[Check]) -> Vec<CheckResult> {
        checks
            .iter()
            .map(|check| CheckResult {
                label: check.label.clone(),
                passed: self.holds(check),
            })
            .collect()
    }
}

/// An Ingress's hosts as the lesson wrote them (the pipeline made them the workspace's).
fn lesson_hosts(ingress: &mut Value, workspace: &crate::workspace::Workspace) {
    for rule in ingress["spec"]["rules"]
        .as_array_mut()
        .into_iter()
        .flatten()
    {
        if let Some(host) = rule["host"]
            .as_str()
            .map(|h| workspace.lesson_host(h).to_string())
        {
            rule["host"] = json!(host);
        }
    }
}

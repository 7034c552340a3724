//! Lesson checks on a workspace, judged from the observed watch stores (never by listing
//! the cluster): a check names short namespaces and the names the lesson uses; here the
//! objects are looked up where the workspace keeps them — the real namespace, and
//! cluster-scoped objects under their workspace names — and shown back under the
//! lesson's names, so [`Check::holds`] judges what the attendee made. A check on what a
//! console line or Try the app answered is judged on the attendee's kept answers.

use super::Observed;
use app::content::check::{Check, Subject};
use app::content::outcome::Answer;
use app::model::live::CheckResult;
use serde_json::{Value, json};

impl Observed {
    /// The objects of the check's kind the check looks at, under the lesson's names
    /// (none for a check on an answer).
    pub fn observe(&self, check: &Check) -> Vec<Value> {
        let Subject::Objects {
            kind, namespace, ..
        } = &check.subject
        else {
            return Vec::new();
        };
        let prefix = self.workspace.cluster_name("");
        self.items(kind.kind, namespace.as_deref())
            .iter()
            .filter_map(|item| {
                let mut value = item.object.clone();
                if kind.kind == "Ingress" {
                    lesson_hosts(&mut value, &self.workspace);
                }
                if namespace.is_none() {
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

    /// Whether the check holds in the workspace now, given the attendee's `answers`
    /// (oldest first).
    pub fn holds(&self, check: &Check, answers: &[Answer]) -> bool {
        match &check.subject {
            Subject::Outcome(_) => check.holds_outcome(answers),
            // Namespaced kinds other than Ingress: judged on the store's objects as they
            // are (no copies).
            Subject::Objects {
                kind,
                namespace: Some(short),
                ..
            } if kind.kind != "Ingress" => {
                let items = self.items(kind.kind, Some(short));
                let objects: Vec<&Value> = items.iter().map(|i| &i.object).collect();
                check.holds(&objects)
            }
            Subject::Objects { .. } => check.holds(&self.observe(check)),
        }
    }

    /// Each check's label and whether it holds now.
    pub fn evaluate(&self, checks: &[Check], answers: &[Answer]) -> Vec<CheckResult> {
        checks
            .iter()
            .map(|check| CheckResult {
                label: check.label.clone(),
                passed: self.holds(check, answers),
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

//! `kubectl set resources TYPE NAME --limits=cpu=200m,memory=512Mi --requests=cpu=100m`:
//! the requests and limits read and checked as kubectl checks them, before any object is
//! read, then set in the containers `-c` names.

use super::super::command::Invocation;
use serde_json::{Value, json};

/// The requests and limits a line sets, by resource name.
pub struct Wanted {
    limits: Vec<(String, String)>,
    requests: Vec<(String, String)>,
}

impl Wanted {
    /// The line's `--limits` and `--requests`, or kubectl's words for what is wrong.
    pub fn from(invocation: &Invocation) -> Result<Wanted, String> {
        let limits = invocation.flag("limits").unwrap_or_default();
        let requests = invocation.flag("requests").unwrap_or_default();
        if limits.is_empty() && requests.is_empty() {
            return Err(
                "error: you must specify an update to requests or limits (in the form of --requests/--limits)"
                    .into(),
            );
        }
        Ok(Wanted {
            limits: resource_list(limits)?,
            requests: resource_list(requests)?,
        })
    }

    /// Sets them in the containers `only` names (`*`: every one); whether anything
    /// changed.
    pub fn set<'v>(
        &self,
        containers: impl Iterator<Item = &'v mut Value>,
        only: &str,
    ) -> Result<bool, String> {
        let mut found = false;
        let mut modified = false;
        for container in containers {
            if only != "*" && container["name"] != only {
                continue;
            }
            found = true;
            for (field, wanted) in [("limits", &self.limits), ("requests", &self.requests)] {
                for (name, quantity) in wanted {
                    // (Indexing makes `resources` and its lists where they are missing.)
                    let slot = &mut container["resources"][field][name];
                    if slot.as_str() != Some(quantity.as_str()) {
                        *slot = json!(quantity);
                        modified = true;
                    }
                }
            }
        }
        if !found {
            return Err(format!("error: unable to find container named {only}"));
        }
        Ok(modified)
    }
}

/// `cpu=200m,memory=512Mi` as kubectl reads it: each statement `NAME=QUANTITY`.
fn resource_list(spec: &str) -> Result<Vec<(String, String)>, String> {
    if spec.is_empty() {
        return Ok(Vec::new());
    }
    spec.split(',')
        .map(|statement| match statement.split('=').collect::<Vec<_>>()[..] {
            [name, quantity] if kubesim::quantity::parse(quantity).is_some() => {
                Ok((name.to_string(), quantity.to_string()))
            }
            [_, _] => Err(
                "error: quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
                    .to_string(),
            ),
            _ => Err(format!(
                "error: Invalid argument syntax {statement}, expected <resource>=<value>"
            )),
        })
        .collect()
}

//! `kubectl label` and `kubectl annotate`: `KEY=VALUE` sets, `KEY-` removes, on the
//! objects named or selected, as the attendee, with kubectl's rules (a different value
//! needs `--overwrite`) and words. Keys under `kubeclass.dev/` are the workshop's and
//! are refused before any request (the workspace label keeps an object the attendee's).

use super::command::Invocation;
use super::context::{Console, Ran, from_server};
use super::targets::{self, Said, Target};
use crate::pipeline::policy::RESERVED_PREFIX;
use kube::api::{Patch, PatchParams};
use serde_json::{Map, Value, json};

/// Which of an object's maps a command changes.
#[derive(Clone, Copy, PartialEq)]
enum Field {
    Labels,
    Annotations,
}

impl Field {
    fn key(self) -> &'static str {
        match self {
            Field::Labels => "labels",
            Field::Annotations => "annotations",
        }
    }
}

/// One `KEY=VALUE` (`Some`) or `KEY-` (`None`).
type Update = (String, Option<String>);

pub async fn label(console: &Console<'_>, invocation: &Invocation) -> Ran {
    change(console, invocation, Field::Labels).await
}

pub async fn annotate(console: &Console<'_>, invocation: &Invocation) -> Ran {
    change(console, invocation, Field::Annotations).await
}

async fn change(console: &Console<'_>, invocation: &Invocation, field: Field) -> Ran {
    let noun = match field {
        Field::Labels => "label",
        Field::Annotations => "annotation",
    };
    let (resources, updates): (Vec<String>, Vec<String>) = invocation
        .args
        .iter()
        .cloned()
        .partition(|a| !a.contains('=') && !a.ends_with('-'));
    if resources.is_empty() {
        return Ran::error(
            "error: one or more resources must be specified as <resource> <name> or <resource>/<name>"
                .into(),
        );
    }
    if updates.is_empty() {
        return Ran::error(format!("error: at least one {noun} update is required"));
    }
    let updates: Vec<Update> = updates
        .iter()
        .map(|u| match u.split_once('=') {
            Some((key, value)) => (key.to_string(), Some(value.to_string())),
            None => (u.trim_end_matches('-').to_string(), None),
        })
        .collect();
    if let Some((key, _)) = updates.iter().find(|(k, _)| k.starts_with(RESERVED_PREFIX)) {
        return Ran::error(format!(
            "error: {noun} \"{key}\" is the workshop's own: the console does not change it"
        ));
    }
    let (short, targets) = match targets::chosen(console, invocation, &resources).await {
        Ok(chosen) => chosen,
        Err(ran) => return ran,
    };
    let overwrite = invocation.is_set("overwrite");
    let mut said = Said::default();
    for target in targets {
        // kubectl stops at the first object it cannot change.
        if !said.push(one(console, &short, &target, field, &updates, overwrite).await) {
            break;
        }
    }
    said.ran()
}

/// Changes one object's map; what kubectl prints for it.
async fn one(
    console: &Console<'_>,
    short: &str,
    target: &Target,
    field: Field,
    updates: &[Update],
    overwrite: bool,
) -> Result<String, String> {
    let api = target.api(console, short);
    let object = api.get(&target.name).await.map_err(|e| from_server(&e))?;
    let current = match field {
        Field::Labels => object.metadata.labels.unwrap_or_default(),
        Field::Annotations => object.metadata.annotations.unwrap_or_default(),
    };
    let mut out = String::new();
    let mut patch = Map::new();
    let mut wanted = current.clone();
    for (key, value) in updates {
        match value {
            Some(value) => {
                if let Some(old) = current.get(key).filter(|old| *old != value && !overwrite) {
                    return Err(match field {
                        Field::Labels => format!(
                            "error: '{key}' already has a value ({old}), and --overwrite is false"
                        ),
                        Field::Annotations => format!(
                            "error: --overwrite is false but found the following declared annotation(s): '{key}' already has a value ({old})"
                        ),
                    });
                }
                wanted.insert(key.clone(), value.clone());
                patch.insert(key.clone(), json!(value));
            }
            None => {
                if wanted.remove(key).is_none() && field == Field::Labels {
                    out.push_str(&format!("label \"{key}\" not found.\n"));
                }
                patch.insert(key.clone(), Value::Null);
            }
        }
    }
    let verb = match field {
        Field::Labels if wanted == current => "not labeled",
        Field::Labels if updates.iter().all(|(_, v)| v.is_none()) => "unlabeled",
        Field::Labels => "labeled",
        Field::Annotations => "annotated",
    };
    if wanted != current {
        let body = json!({"metadata": {field.key(): patch}});
        api.patch(&target.name, &PatchParams::default(), &Patch::Merge(&body))
            .await
            .map_err(|e| from_server(&e))?;
    }
    out.push_str(&format!("{} {verb}\n", target.slash()));
    Ok(out)
}

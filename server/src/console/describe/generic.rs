//! kubectl's generic describer, which it uses for the kinds it has no layout of its own
//! for (custom resources, such as cert-manager's Certificates and Issuers): the name,
//! namespace, labels and annotations, then every other field in key order, each name made
//! words (`dnsNames` → `Dns Names`, `apiVersion` → `API Version`), nested fields indented,
//! list items one under another, and the events.

use super::text::{Facts, Text};
use serde_json::Value;

/// Fields the head shows already, or that kubectl leaves out.
const SKIPPED: &[&str] = &[
    ".metadata.managedFields",
    ".metadata.name",
    ".metadata.namespace",
    ".metadata.labels",
    ".metadata.annotations",
];

/// Built-in groups: kubectl has a layout for their kinds (or the console says it has none
/// yet); the kinds of every other group get the generic description.
const BUILT_IN_GROUPS: &[&str] = &["", "apps", "batch", "autoscaling", "policy"];

/// Whether kubectl describes kinds of `group` with the generic describer.
pub fn describes(group: &str) -> bool {
    !BUILT_IN_GROUPS.contains(&group) && !group.ends_with(".k8s.io")
}

pub fn describe(facts: &Facts<'_>) -> String {
    let mut text = Text::default();
    text.head(facts);
    let meta = &facts.object["metadata"];
    text.labels("Labels", &meta["labels"]);
    text.annotations("Annotations", &meta["annotations"]);
    content(&mut text, 0, facts.object, "");
    text.events(facts.events, facts.now);
    text.done()
}

/// The fields of `object` at `level`, under the path `prefix` (`.metadata`).
fn content(text: &mut Text, level: usize, object: &Value, prefix: &str) {
    let Some(map) = object.as_object() else {
        return;
    };
    let mut fields: Vec<&String> = map.keys().collect();
    fields.sort();
    for field in fields {
        let path = format!("{prefix}.{field}");
        if SKIPPED.contains(&path.as_str()) {
            continue;
        }
        let label = label(field);
        match &map[field] {
            Value::Object(_) => {
                text.at(level, &format!("{label}:\n"));
                content(text, level + 1, &map[field], &path);
            }
            Value::Array(items) => {
                text.at(level, &format!("{label}:\n"));
                for item in items {
                    if item.is_object() {
                        content(text, level + 1, item, &path);
                    } else {
                        text.at(level + 1, &format!("{}\n", go_value(item)));
                    }
                }
            }
            other => text.at(level, &format!("{label}:\t{}\n", go_value(other))),
        }
    }
}

/// A value as Go's `%v` prints what JSON decoding gave it.
fn go_value(value: &Value) -> String {
    match value {
        Value::Null => "<nil>".into(),
        Value::String(s) => s.clone(),
        Value::Number(n) if n.is_f64() => n
            .as_f64()
            .map_or_else(|| n.to_string(), crate::console::print::go_float),
        other => other.to_string(),
    }
}

/// kubectl's `smartLabelFor`: a field name as words, `dnsNames` → `Dns Names`; a name
/// with anything but letters and `-` stays as it is.
fn label(field: &str) -> String {
    if field.chars().any(|c| !c.is_alphabetic() && c != '-') {
        return field.to_string();
    }
    const ACRONYMS: &[&str] = &["API", "URL", "UID", "OSB", "GUID"];
    camel_case_words(field)
        .into_iter()
        .filter(|part| part != "_")
        .map(|part| {
            let upper = part.to_uppercase();
            if ACRONYMS.contains(&upper.as_str()) {
                upper
            } else {
                let mut chars = part.chars();
                chars.next().map_or(String::new(), |first| {
                    first.to_uppercase().collect::<String>() + chars.as_str()
                })
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// fatih/camelcase's `Split`: runs of lower case, upper case, digits and other
/// characters, an upper-case letter before lower case moved to start the next run
/// (`PDFLoader` → `PDF`, `Loader`).
fn camel_case_words(text: &str) -> Vec<String> {
    let class = |c: char| {
        if c.is_lowercase() {
            1
        } else if c.is_uppercase() {
            2
        } else if c.is_numeric() {
            3
        } else {
            4
        }
    };
    let mut runs: Vec<Vec<char>> = Vec::new();
    let mut last = 0;
    for c in text.chars() {
        let now = class(c);
        match runs.last_mut() {
            Some(run) if now == last => run.push(c),
            _ => runs.push(vec![c]),
        }
        last = now;
    }
    for i in 0..runs.len().saturating_sub(1) {
        if runs[i][0].is_uppercase()
            && runs[i + 1][0].is_lowercase()
            && let Some(moved) = runs[i].pop()
        {
            runs[i + 1].insert(0, moved);
        }
    }
    runs.into_iter()
        .filter(|r| !r.is_empty())
        .map(|r| r.into_iter().collect())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_names_read_as_kubectl_words_them() {
        assert_eq!(label("dnsNames"), "Dns Names");
        assert_eq!(label("apiVersion"), "API Version");
        assert_eq!(label("uid"), "UID");
        assert_eq!(label("isCA"), "Is CA");
        assert_eq!(label("PDFLoader"), "PDF Loader");
        assert_eq!(label("x509"), "x509");
        assert!(
            describes("cert-manager.io") && !describes("apps") && !describes("networking.k8s.io")
        );
    }
}

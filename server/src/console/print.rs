//! How `kubectl get` prints what it found: tables (one per resource, with the
//! namespace, kind, label columns kubectl adds), names, or objects as YAML or JSON.

use super::command::Invocation;
use super::jsonpath::{Template, go_escaped};
use super::resources::Resource;
use super::table::{aligned, cell, labels};
use serde_json::{Value, json};

/// What came back: per resource, its table (or objects); and the errors, in order.
#[derive(Default)]
pub struct Found {
    pub sections: Vec<Section>,
    pub errors: Vec<String>,
}

pub struct Section {
    pub resource: Resource,
    /// The Table's column definitions (empty for objects).
    pub columns: Vec<Value>,
    /// Table rows, or whole objects, each with its short namespace.
    pub rows: Vec<(String, Value)>,
}

/// The tables, one per resource, separated by a blank line as kubectl separates them.
pub(super) fn tables(found: &Found, invocation: &Invocation, several: bool, wide: bool) -> String {
    let headers = !invocation.is_set("no-headers");
    found
        .sections
        .iter()
        .filter(|s| !s.rows.is_empty())
        .map(|section| aligned(&lines(section, invocation, several, wide, headers)))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A section's table as lines of cells: the header (if `headers`), then a line per row,
/// with the namespace, kind and label columns kubectl adds.
pub(super) fn lines(
    section: &Section,
    invocation: &Invocation,
    several: bool,
    wide: bool,
    headers: bool,
) -> Vec<Vec<String>> {
    let all_namespaces = invocation.is_set("all-namespaces");
    let label_columns: Vec<&str> = invocation
        .flag("label-columns")
        .map(|l| l.split(',').filter(|l| !l.is_empty()).collect())
        .unwrap_or_default();
    let shown: Vec<usize> = section
        .columns
        .iter()
        .enumerate()
        .filter(|(_, c)| wide || c["priority"].as_i64().unwrap_or(0) == 0)
        .map(|(i, _)| i)
        .collect();
    let name_column = section
        .columns
        .iter()
        .position(|c| c["format"] == "name")
        .unwrap_or(0);
    let mut lines = Vec::new();
    if headers {
        let mut header: Vec<String> = Vec::new();
        if all_namespaces && section.resource.namespaced {
            header.push("NAMESPACE".into());
        }
        header.extend(shown.iter().map(|&i| {
            section.columns[i]["name"]
                .as_str()
                .unwrap_or_default()
                .to_uppercase()
        }));
        header.extend(
            label_columns
                .iter()
                .map(|l| l.rsplit('/').next().unwrap_or(l).to_uppercase()),
        );
        if invocation.is_set("show-labels") {
            header.push("LABELS".into());
        }
        lines.push(header);
    }
    let prefix = several || invocation.is_set("show-kind");
    for (short, row) in &section.rows {
        let cells = row["cells"].as_array().cloned().unwrap_or_default();
        let metadata = &row["object"]["metadata"];
        let mut line: Vec<String> = Vec::new();
        if all_namespaces && section.resource.namespaced {
            line.push(short.clone());
        }
        line.extend(shown.iter().map(|&i| {
            let text = cells.get(i).map(cell).unwrap_or_default();
            if prefix && i == name_column {
                format!("{}/{text}", section.resource.kind_group())
            } else {
                text
            }
        }));
        line.extend(label_columns.iter().map(|l| {
            metadata["labels"][*l]
                .as_str()
                .unwrap_or_default()
                .to_string()
        }));
        if invocation.is_set("show-labels") {
            line.push(labels(metadata));
        }
        lines.push(line);
    }
    lines
}

/// `-o name`: `pod/web`, `deployment.apps/web`.
pub(super) fn names(found: &Found) -> String {
    let mut out = String::new();
    for section in &found.sections {
        for (_, object) in &section.rows {
            let name = object["metadata"]["name"].as_str().unwrap_or_default();
            out.push_str(&format!("{}/{name}\n", section.resource.kind_group()));
        }
    }
    out
}

/// `-o yaml|json`: one object as it is, several as a `List` (managed fields left out, as
/// kubectl leaves them out; keys sorted, as kubectl's unstructured objects print).
pub(super) fn objects(found: &Found, format: &str) -> String {
    document(found).map_or_else(String::new, |d| object(d, format))
}

/// What kubectl's printers get: one object as it is, several as a `List`, managed fields
/// left out (as kubectl leaves them out of every output); none when nothing was found.
pub(super) fn document(found: &Found) -> Option<Value> {
    let mut items: Vec<Value> = found
        .sections
        .iter()
        .flat_map(|s| s.rows.iter().map(|(_, o)| o.clone()))
        .collect();
    for item in &mut items {
        if let Some(metadata) = item["metadata"].as_object_mut() {
            metadata.remove("managedFields");
        }
    }
    let single = found.sections.len() == 1
        && found.sections[0].rows.len() == 1
        && found.errors.is_empty()
        && items.len() == 1;
    if single {
        Some(items.remove(0))
    } else if items.is_empty() {
        None
    } else {
        Some(
            json!({"apiVersion": "v1", "items": items, "kind": "List", "metadata": {"resourceVersion": ""}}),
        )
    }
}

/// `-o jsonpath=TEMPLATE`: the template applied to what was found.
pub(super) fn jsonpath(found: &Found, template: &Template) -> String {
    document(found).map_or_else(String::new, |d| template.render(&d))
}

/// `-o custom-columns=HEADER:PATH,…`: a column per path, a line per object.
pub(super) fn custom_columns(
    found: &Found,
    columns: &[(String, Template)],
    headers: bool,
) -> String {
    let mut lines = Vec::new();
    if headers {
        lines.push(columns.iter().map(|(h, _)| h.clone()).collect());
    }
    for section in &found.sections {
        for (_, object) in &section.rows {
            lines.push(
                columns
                    .iter()
                    .map(|(_, path)| {
                        let values: Vec<String> = path
                            .values(object)
                            .into_iter()
                            .map(super::jsonpath::text)
                            .collect();
                        if values.is_empty() {
                            "<none>".to_string()
                        } else {
                            values.join(",")
                        }
                    })
                    .collect(),
            );
        }
    }
    aligned(&lines)
}

/// One document as `-o json` or `-o yaml` prints it (keys sorted, as kubectl's printers
/// write them).
pub(super) fn object(document: Value, format: &str) -> String {
    let document = sorted(document);
    if format == "json" {
        let mut out = Vec::new();
        let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
        let mut serializer = serde_json::Serializer::with_formatter(&mut out, formatter);
        let _ = serde::Serialize::serialize(&document, &mut serializer);
        go_escaped(&String::from_utf8_lossy(&out)) + "\n"
    } else {
        super::yaml::to_string(&document)
    }
}

/// The value with every object's keys in order.
fn sorted(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(String, Value)> = map.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(entries.into_iter().map(|(k, v)| (k, sorted(v))).collect())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(sorted).collect()),
        other => other,
    }
}

/// A float as Go's `%v` prints it: the shortest digits, in exponent form (`1e+06`,
/// `1.5e-05`) from a millionth's order up and below a ten-thousandth's.
pub(super) fn go_float(f: f64) -> String {
    let text = format!("{f:e}");
    let (mantissa, exponent) = text.split_once('e').unwrap_or((&text, "0"));
    let power: i32 = exponent.parse().unwrap_or(0);
    if f != 0.0 && !(-4..6).contains(&power) {
        let sign = if power < 0 { '-' } else { '+' };
        format!("{mantissa}e{sign}{:02}", power.abs())
    } else {
        f.to_string()
    }
}

#[cfg(test)]
mod go_tests {
    use super::go_float;

    #[test]
    fn floats_read_as_gos_percent_v_prints_them() {
        assert_eq!(go_float(0.5), "0.5");
        assert_eq!(go_float(100000.0), "100000");
        assert_eq!(go_float(1000000.0), "1e+06");
        assert_eq!(go_float(123456789.0), "1.23456789e+08");
        assert_eq!(go_float(0.00001), "1e-05");
        assert_eq!(go_float(0.0), "0");
    }
}

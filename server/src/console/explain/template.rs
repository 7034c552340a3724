//! kubectl's explain template (`pkg/explain/v2/templates/plaintext.tmpl`, kubectl 1.32)
//! over a group version's OpenAPI v3 document: the kind found through the paths'
//! `x-kubernetes-group-version-kind`, then its schema found among the components and
//! followed down the field path, printed with kubectl's words, order and wrapping.
//! Each function is one of the template's `define`s and keeps its quirks (a cycle of
//! references ends the walk; a single-`allOf` field takes its type from the reference).

use super::wrap::{indent, wrap};
use serde_json::Value;
use std::collections::BTreeSet;

/// What the template printed, and the error that stopped it, if one did (kubectl prints
/// the first on stdout before the second on stderr).
pub struct Rendered {
    pub printed: String,
    pub error: Option<String>,
}

/// The resource to explain and how.
pub struct Request<'a> {
    pub group: &'a str,
    pub version: &'a str,
    pub plural: &'a str,
    pub fields: &'a [String],
    pub recursive: bool,
}

/// Renders the explanation of `request` from `document`.
pub fn render(document: &Value, request: &Request<'_>) -> Rendered {
    let Some(gvk) = kind_of(document, request) else {
        let gvr = if request.group.is_empty() {
            format!("/{}, Resource={}", request.version, request.plural)
        } else {
            format!(
                "{}/{}, Resource={}",
                request.group, request.version, request.plural
            )
        };
        return Rendered {
            printed: String::new(),
            error: Some(format!("error: GVR ({gvr}) not found in OpenAPI schema")),
        };
    };
    let text = |key: &str| gvk[key].as_str().unwrap_or_default().to_string();
    let mut printed = String::new();
    if !text("group").is_empty() {
        printed.push_str(&format!("GROUP:      {}\n", text("group")));
    }
    printed.push_str(&format!(
        "KIND:       {}\nVERSION:    {}\n\n",
        text("kind"),
        text("version")
    ));
    let walk = Walk {
        document,
        recursive: request.recursive,
    };
    let schemas = document["components"]["schemas"].as_object();
    let mut names: Vec<&String> = schemas.map(|s| s.keys().collect()).unwrap_or_default();
    names.sort();
    let found = names.into_iter().find_map(|name| {
        let schema = &schemas?[name];
        let kinds = schema["x-kubernetes-group-version-kind"].as_array()?;
        kinds.contains(&gvk).then_some(schema)
    });
    let Some(schema) = found else {
        return Rendered {
            printed,
            error: Some(format!(
                "error: GVK map[group:{} kind:{} version:{}] not found in OpenAPI schema",
                text("group"),
                text("kind"),
                text("version")
            )),
        };
    };
    let output = walk.output(schema, &BTreeSet::new(), request.fields);
    if output.is_empty() {
        let field = request.fields.last().cloned().unwrap_or_default();
        return Rendered {
            printed,
            error: Some(format!("error: field \"{field}\" does not exist")),
        };
    }
    printed.push_str(&output);
    printed.push('\n');
    Rendered {
        printed,
        error: None,
    }
}

/// The kind the document's paths give the resource: its list and item paths, cluster-wide
/// then in a namespace, each operation in turn (the last one found wins, as the template's
/// loop goes on after its first find).
fn kind_of(document: &Value, request: &Request<'_>) -> Option<Value> {
    let prefix = if request.group.is_empty() {
        "/api".to_string()
    } else {
        format!("/apis/{}", request.group)
    };
    let (version, plural) = (request.version, request.plural);
    let searched = [
        format!("{prefix}/{version}/{plural}"),
        format!("{prefix}/{version}/{plural}/{{name}}"),
        format!("{prefix}/{version}/namespaces/{{namespace}}/{plural}"),
        format!("{prefix}/{version}/namespaces/{{namespace}}/{plural}/{{name}}"),
    ];
    let mut gvk = Value::Null;
    for path in &searched {
        let Some(element) = document["paths"].get(path).filter(|e| truthy(e)) else {
            continue;
        };
        for method in ["get", "post", "put", "patch", "delete"] {
            let Some(operation) = element.get(method).filter(|o| truthy(o)) else {
                continue;
            };
            gvk = operation
                .get("x-kubernetes-group-version-kind")
                .cloned()
                .unwrap_or(Value::Null);
            if truthy(&gvk) {
                break;
            }
        }
    }
    truthy(&gvk).then_some(gvk)
}

/// Go template truth: not nil, false, zero, or empty.
fn truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
    }
}

/// A schema's field, or Null.
fn field<'a>(schema: &'a Value, name: &str) -> &'a Value {
    schema.get(name).unwrap_or(&Value::Null)
}

/// A map's `additionalProperties` schema (not `true`/`false`).
fn additional(schema: &Value) -> Option<&Value> {
    schema
        .get("additionalProperties")
        .filter(|a| truthy(a) && !a.is_boolean())
}

struct Walk<'a> {
    document: &'a Value,
    recursive: bool,
}

impl<'a> Walk<'a> {
    /// `resolveRef`: the schema a `#/…` reference points to.
    fn resolve(&self, reference: &Value) -> Option<&'a Value> {
        let fragment = reference.as_str()?.strip_prefix('#')?;
        let mut current = self.document;
        for part in fragment.split('/').filter(|p| !p.is_empty()) {
            current = current.as_object()?.get(part)?;
            current.as_object()?;
        }
        Some(current)
    }

    /// `or (resolveRef $ref) $schema`.
    fn resolved(&self, schema: &'a Value) -> &'a Value {
        self.resolve(field(schema, "$ref"))
            .filter(|r| truthy(r))
            .unwrap_or(schema)
    }

    /// The template's `output`: follows `path` down from `schema`, then prints the
    /// description and fields of where it ends.
    fn output(&self, schema: &'a Value, history: &BTreeSet<String>, path: &[String]) -> String {
        let reference = field(schema, "$ref").as_str().unwrap_or_default();
        let mut next = history.clone();
        next.insert(reference.to_string());
        let resolved = self.resolved(schema);
        let properties = field(resolved, "properties");
        let mut out = String::new();
        if path.is_empty() {
            let description = self.description(resolved);
            let description = if description.is_empty() {
                "<empty>".to_string()
            } else {
                description
            };
            out.push_str("DESCRIPTION:\n");
            out.push_str(&indent(4, &wrap(&description, 76)));
            out.push('\n');
            let fields = self.field_list(resolved, 1, &BTreeSet::new());
            if !fields.is_empty() {
                out.push_str("FIELDS:\n");
                out.push_str(&fields);
            }
        } else if !reference.is_empty() && history.contains(reference) {
            // A cycle of references: stop.
        } else if truthy(properties) && truthy(field(properties, &path[0])) {
            let sub = &properties[&path[0]];
            if path.len() == 1 {
                out.push_str(&format!("FIELD: {} <{}>\n", path[0], self.type_guess(sub)));
                out.push_str(&enumeration(sub, true, -1, 0));
                out.push_str("\n\n");
            }
            out.push_str(&self.output(sub, &BTreeSet::new(), &path[1..]));
        } else if truthy(field(resolved, "items")) {
            out.push_str(&self.output(&resolved["items"], &next, path));
        } else if let Some(map) = additional(resolved) {
            out.push_str(&self.output(map, &next, path));
        } else {
            for sub in field(resolved, "allOf").as_array().into_iter().flatten() {
                let found = self.output(sub, &next, path);
                if !found.is_empty() {
                    out.push_str(&found);
                    break;
                }
            }
        }
        out
    }

    /// The template's `fieldList`: each property, alphabetically, and with `--recursive`
    /// their fields below them.
    fn field_list(&self, schema: &'a Value, level: usize, history: &BTreeSet<String>) -> String {
        let reference = field(schema, "$ref").as_str().unwrap_or_default();
        if !reference.is_empty() && history.contains(reference) {
            return String::new();
        }
        let mut next = history.clone();
        next.insert(reference.to_string());
        let resolved = self.resolved(schema);
        let mut out = String::new();
        if let Some(properties) = field(resolved, "properties").as_object() {
            let mut names: Vec<&String> = properties.keys().collect();
            names.sort();
            for name in names {
                out.push_str(&self.field_detail(resolved, name, level));
                if self.recursive {
                    out.push_str(&self.field_list(&properties[name], level + 1, &next));
                }
            }
        }
        for sub in field(resolved, "allOf").as_array().into_iter().flatten() {
            out.push_str(&self.field_list(sub, level, &next));
        }
        if truthy(field(resolved, "items")) {
            out.push_str(&self.field_list(&resolved["items"], level, &next));
        }
        if let Some(map) = additional(resolved) {
            out.push_str(&self.field_list(map, level, &next));
        }
        out
    }

    /// The template's `fieldDetail`: `name <type> -required-`, its enum, its description.
    fn field_detail(&self, schema: &Value, name: &str, level: usize) -> String {
        let amount = level * 2;
        let property = &schema["properties"][name];
        let mut out = format!("{}\t<{}>", indent(amount, name), self.type_guess(property));
        let required = field(schema, "required").as_array();
        if required.is_some_and(|r| r.iter().any(|n| n == name)) {
            out.push_str(" -required-");
        }
        out.push_str(&enumeration(property, false, 4, amount));
        out.push('\n');
        if !self.recursive {
            let description = field(property, "description")
                .as_str()
                .filter(|d| !d.is_empty())
                .unwrap_or("<no description>");
            out.push_str(&indent(amount + 2, &wrap(description, 78 - amount)));
            out.push_str("\n\n");
        }
        out
    }

    /// The template's `description`: the schema's own, then its `allOf`'s, items' and
    /// map values'.
    fn description(&self, schema: &'a Value) -> String {
        let resolved = self.resolved(schema);
        let mut out = String::new();
        if let Some(text) = field(resolved, "description")
            .as_str()
            .filter(|d| !d.is_empty())
        {
            out.push_str(text);
            out.push('\n');
        }
        for sub in field(resolved, "allOf").as_array().into_iter().flatten() {
            out.push_str(&self.description(sub));
        }
        if truthy(field(resolved, "items")) {
            out.push_str(&self.description(&resolved["items"]));
        }
        if let Some(map) = additional(resolved) {
            out.push_str(&self.description(map));
        }
        out
    }

    /// The template's `typeGuess`: `string`, `Object`, `[]Container`, `map[string]string`.
    fn type_guess(&self, schema: &'a Value) -> String {
        let all_of = field(schema, "allOf").as_array();
        if truthy(field(schema, "items")) {
            format!("[]{}", self.type_guess(&schema["items"]))
        } else if let Some(map) = additional(schema) {
            format!("map[string]{}", self.type_guess(map))
        } else if let Some([only]) = all_of.map(Vec::as_slice)
            && !truthy(field(schema, "properties"))
        {
            self.type_guess(only)
        } else if let Some(reference) = field(schema, "$ref").as_str().filter(|r| !r.is_empty()) {
            let target = self.resolve(field(schema, "$ref"));
            let kind = target.map(|t| field(t, "type")).filter(|t| truthy(t));
            match kind {
                Some(kind) if kind != "object" => kind.as_str().unwrap_or("Object").to_string(),
                _ => {
                    let name = reference.rsplit('/').next().unwrap_or_default();
                    let short = name.rsplit('.').next().unwrap_or_default();
                    if short.is_empty() { "Object" } else { short }.to_string()
                }
            }
        } else {
            match field(schema, "type").as_str() {
                Some("object") | None | Some("") => "Object".to_string(),
                Some(other) => other.to_string(),
            }
        }
    }
}

/// The template's `extractEnum`: `enum: A, B, C, D, ....` under a field of a list (at most
/// `limit` values), or `ENUM:` with one value a line for the field explained.
fn enumeration(schema: &Value, long: bool, limit: i64, amount: usize) -> String {
    let Some(values) = field(schema, "enum").as_array().filter(|v| !v.is_empty()) else {
        return String::new();
    };
    let limit = if limit == 0 { -1 } else { limit };
    let mut out = if long {
        "ENUM:".to_string()
    } else {
        format!("\n{}enum: ", " ".repeat(amount))
    };
    for (index, value) in values.iter().enumerate() {
        if limit > -1 && i64::try_from(index).unwrap_or(i64::MAX) >= limit {
            out.push_str(", ....");
            break;
        }
        if index > 0 && !long {
            out.push_str(", ");
        } else if long {
            out.push_str("\n    ");
        }
        out.push_str(&go_text(value));
    }
    out
}

/// A JSON value as Go's template prints an `any` decoded from JSON: strings bare (`""`
/// for the empty one), numbers as Go prints a float64 (`1e+06`), null as `<no value>`.
fn go_text(value: &Value) -> String {
    match value {
        Value::String(s) if s.is_empty() => "\"\"".to_string(),
        Value::String(s) => s.clone(),
        Value::Number(n) => n
            .as_f64()
            .map_or_else(|| n.to_string(), crate::console::print::go_float),
        Value::Null => "<no value>".to_string(),
        other => other.to_string(),
    }
}

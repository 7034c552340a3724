//! Kubernetes' protobuf messages and their JSON, both ways. Fields carry their JSON
//! names in the schemas (go-to-protobuf names them after the `json` tags), so most of
//! the mapping is the message's own structure; what is not is the handful of types whose
//! JSON is not their message's shape: times, durations, quantities, int-or-strings, raw
//! JSON (`RawExtension`, `FieldsV1`, the CRD schema's `JSON`), the CRD schema's
//! "or" types, and the schema keywords that cannot be protobuf names (`$ref`,
//! `x-kubernetes-…`).

use super::go_time;
use prost_reflect::Value as Field;
use prost_reflect::{
    DynamicMessage, FieldDescriptor, Kind, MapKey, MessageDescriptor, ReflectMessage,
};
use serde_json::{Map, Value};
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

const META: &str = "k8s.io.apimachinery.pkg.apis.meta.v1.";

/// Whether `field` of `message` is a Go struct embedded with `json:",inline"`: a message
/// field in protobuf, its fields are the parent's own in JSON (`Volume.volumeSource`,
/// `Probe.handler`, `IngressRule.ingressRuleValue`, the `localObjectReference` of key
/// selectors…). Told by the OpenAPI schemas, the one source: the type's schema does not
/// list the field.
fn inline(message: &str, field: &str) -> bool {
    static INLINE: OnceLock<HashSet<(String, String)>> = OnceLock::new();
    INLINE
        .get_or_init(|| {
            let definitions = &crate::openapi::v2()["definitions"];
            let mut inline = HashSet::new();
            for message in super::schemas::pool().all_messages() {
                let name = message.full_name();
                let Some(properties) = openapi_name(name)
                    .and_then(|n| definitions.get(n))
                    .and_then(|schema| schema.get("properties"))
                    .and_then(Value::as_object)
                else {
                    continue;
                };
                for field in message.fields() {
                    if matches!(field.kind(), Kind::Message(_))
                        && !field.is_list()
                        && !field.is_map()
                        && !properties.contains_key(&json_name(name, field.name()))
                    {
                        inline.insert((name.to_string(), field.name().to_string()));
                    }
                }
            }
            inline
        })
        .contains(&(message.to_string(), field.to_string()))
}

/// The OpenAPI definition's name of a protobuf message (`k8s.io.api.core.v1.Pod` →
/// `io.k8s.api.core.v1.Pod`).
fn openapi_name(message: &str) -> Option<String> {
    let rest = message.strip_prefix("k8s.io.")?;
    Some(format!(
        "io.k8s.{}",
        rest.replace("apiextensions_apiserver", "apiextensions-apiserver")
    ))
}

const CRD: &str = "k8s.io.apiextensions_apiserver.pkg.apis.apiextensions.v1.";

/// The JSON of `message`: every field it has set, by its JSON name.
pub(super) fn from_message(message: &DynamicMessage) -> Value {
    let name = message.descriptor().full_name().to_string();
    if let Some(special) = special_to_json(&name, message) {
        return special;
    }
    let mut object = Map::new();
    for (field, value) in message.fields() {
        let value = field_to_json(value);
        if inline(&name, field.name())
            && let Value::Object(fields) = value
        {
            object.extend(fields);
            continue;
        }
        // Go writes a struct's plain string fields even when empty and its zero times
        // as the year 1; both mean "not set", as Go's JSON (omitempty, null) says.
        if value.is_null() || value.as_str() == Some("") {
            continue;
        }
        object.insert(json_name(&name, field.name()), value);
    }
    Value::Object(object)
}

/// `value` as a message of `descriptor`; JSON keys the message has no field for are
/// left out (they are kubesim's own or of a newer version).
pub(super) fn to_message(descriptor: MessageDescriptor, value: &Value) -> DynamicMessage {
    let name = descriptor.full_name().to_string();
    let mut message = DynamicMessage::new(descriptor.clone());
    if special_from_json(&name, &mut message, value) {
        return message;
    }
    let Value::Object(object) = value else {
        return message;
    };
    for field in descriptor.fields().filter(|f| inline(&name, f.name())) {
        if let Kind::Message(embedded) = field.kind() {
            message.set_field(&field, Field::Message(to_message(embedded, value)));
        }
    }
    for (key, value) in object {
        if value.is_null() {
            continue;
        }
        let Some(field) = descriptor.get_field_by_name(&proto_name(&name, key)) else {
            continue;
        };
        if let Some(converted) = json_to_field(&field, value) {
            message.set_field(&field, converted);
        }
    }
    message
}

fn field_to_json(value: &Field) -> Value {
    match value {
        Field::List(items) => Value::Array(items.iter().map(single_to_json).collect()),
        Field::Map(entries) => {
            let mut sorted: Vec<(String, Value)> = entries
                .iter()
                .map(|(key, value)| (map_key(key), single_to_json(value)))
                .collect();
            sorted.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(sorted.into_iter().collect())
        }
        single => single_to_json(single),
    }
}

fn single_to_json(value: &Field) -> Value {
    use base64::Engine;
    match value {
        Field::Bool(b) => Value::Bool(*b),
        Field::I32(n) => Value::from(*n),
        Field::I64(n) => Value::from(*n),
        Field::U32(n) => Value::from(*n),
        Field::U64(n) => Value::from(*n),
        Field::F32(n) => float(f64::from(*n)),
        Field::F64(n) => float(*n),
        Field::String(s) => Value::String(s.clone()),
        Field::Bytes(b) => Value::String(base64::engine::general_purpose::STANDARD.encode(b)),
        Field::EnumNumber(n) => Value::from(*n),
        Field::Message(m) => from_message(m),
        Field::List(_) | Field::Map(_) => Value::Null,
    }
}

/// A JSON number for a float, an integer when it is one (`maximum: 5`, not `5.0`).
fn float(n: f64) -> Value {
    if n.fract() == 0.0 && n.abs() < 9e15 {
        Value::from(n as i64)
    } else {
        serde_json::Number::from_f64(n).map_or(Value::Null, Value::Number)
    }
}

fn map_key(key: &MapKey) -> String {
    match key {
        MapKey::Bool(b) => b.to_string(),
        MapKey::I32(n) => n.to_string(),
        MapKey::I64(n) => n.to_string(),
        MapKey::U32(n) => n.to_string(),
        MapKey::U64(n) => n.to_string(),
        MapKey::String(s) => s.clone(),
    }
}

fn json_to_field(field: &FieldDescriptor, value: &Value) -> Option<Field> {
    if field.is_map() {
        let Kind::Message(entry) = field.kind() else {
            return None;
        };
        let value_kind = entry.map_entry_value_field().kind();
        let entries: HashMap<MapKey, Field> = value
            .as_object()?
            .iter()
            .filter(|(_, v)| !v.is_null())
            .filter_map(|(k, v)| Some((MapKey::String(k.clone()), json_to_single(&value_kind, v)?)))
            .collect();
        return Some(Field::Map(entries));
    }
    if field.is_list() {
        let items = value.as_array()?;
        return Some(Field::List(
            items
                .iter()
                .filter_map(|item| json_to_single(&field.kind(), item))
                .collect(),
        ));
    }
    json_to_single(&field.kind(), value)
}

fn json_to_single(kind: &Kind, value: &Value) -> Option<Field> {
    use base64::Engine;
    Some(match kind {
        Kind::Bool => Field::Bool(value.as_bool()?),
        Kind::Int32 | Kind::Sint32 | Kind::Sfixed32 => {
            Field::I32(i32::try_from(value.as_i64()?).ok()?)
        }
        Kind::Int64 | Kind::Sint64 | Kind::Sfixed64 => Field::I64(value.as_i64()?),
        Kind::Uint32 | Kind::Fixed32 => Field::U32(u32::try_from(value.as_u64()?).ok()?),
        Kind::Uint64 | Kind::Fixed64 => Field::U64(value.as_u64()?),
        Kind::Float => Field::F32(value.as_f64()? as f32),
        Kind::Double => Field::F64(value.as_f64()?),
        Kind::String => Field::String(match value {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        }),
        Kind::Bytes => Field::Bytes(
            base64::engine::general_purpose::STANDARD
                .decode(value.as_str()?)
                .ok()?
                .into(),
        ),
        Kind::Enum(_) => Field::EnumNumber(i32::try_from(value.as_i64()?).ok()?),
        Kind::Message(descriptor) => Field::Message(to_message(descriptor.clone(), value)),
    })
}

/// The JSON key of a field: its protobuf name, but for the CRD schema's keywords.
fn json_name(message: &str, field: &str) -> String {
    if message == format!("{CRD}JSONSchemaProps") {
        match field {
            "ref" => return "$ref".into(),
            "schema" => return "$schema".into(),
            _ => {}
        }
        if let Some(rest) = field.strip_prefix("xKubernetes") {
            let mut key = String::from("x-kubernetes");
            for c in rest.chars() {
                if c.is_ascii_uppercase() {
                    key.push('-');
                    key.push(c.to_ascii_lowercase());
                } else {
                    key.push(c);
                }
            }
            return key;
        }
    }
    field.to_string()
}

/// The protobuf field name of a JSON key (the inverse of [`json_name`]).
fn proto_name(message: &str, key: &str) -> String {
    if message == format!("{CRD}JSONSchemaProps") {
        match key {
            "$ref" => return "ref".into(),
            "$schema" => return "schema".into(),
            _ => {}
        }
        if let Some(rest) = key.strip_prefix("x-kubernetes-") {
            let mut name = String::from("xKubernetes");
            for word in rest.split('-') {
                let mut chars = word.chars();
                if let Some(first) = chars.next() {
                    name.push(first.to_ascii_uppercase());
                    name.extend(chars);
                }
            }
            return name;
        }
    }
    key.to_string()
}

/// The JSON of the messages whose JSON is not their shape.
fn special_to_json(name: &str, message: &DynamicMessage) -> Option<Value> {
    let get = |field: &str| message.get_field_by_name(field).map(|v| v.into_owned());
    let int = |field: &str| {
        get(field)
            .and_then(|v| v.as_i64().or(v.as_i32().map(i64::from)))
            .unwrap_or(0)
    };
    let text = |field: &str| {
        get(field)
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    };
    let raw = |field: &str| {
        get(field)
            .and_then(|v| v.as_bytes().cloned())
            .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
            .unwrap_or(Value::Null)
    };
    let schema = |field: &str| get(field).and_then(|v| v.as_message().map(from_message));
    Some(
        match name
            .strip_prefix(META)
            .or(name.strip_prefix(CRD))
            .unwrap_or(name)
        {
            "Time" => {
                go_time::timestamp(int("seconds"), 0, false).map_or(Value::Null, Value::String)
            }
            "MicroTime" => go_time::timestamp(int("seconds"), int("nanos"), true)
                .map_or(Value::Null, Value::String),
            "Duration" => Value::String(go_time::go_duration(int("duration"))),
            "FieldsV1" => raw("Raw"),
            "k8s.io.apimachinery.pkg.api.resource.Quantity" => Value::String(text("string")),
            "k8s.io.apimachinery.pkg.util.intstr.IntOrString" => match int("type") {
                1 => Value::String(text("strVal")),
                _ => Value::from(int("intVal")),
            },
            "k8s.io.apimachinery.pkg.runtime.RawExtension" | "JSON" => raw("raw"),
            "JSONSchemaPropsOrArray" => match get("jSONSchemas") {
                Some(Field::List(items)) if !items.is_empty() => Value::Array(
                    items
                        .iter()
                        .filter_map(|i| i.as_message().map(from_message))
                        .collect(),
                ),
                _ => schema("schema").unwrap_or(Value::Null),
            },
            "JSONSchemaPropsOrBool" => schema("schema")
                .filter(|_| message.has_field_by_name("schema"))
                .unwrap_or_else(|| {
                    Value::Bool(get("allows").and_then(|v| v.as_bool()).unwrap_or(false))
                }),
            "JSONSchemaPropsOrStringArray" => match get("property") {
                Some(Field::List(items)) if !items.is_empty() => Value::Array(
                    items
                        .iter()
                        .filter_map(|i| i.as_str().map(|s| Value::String(s.into())))
                        .collect(),
                ),
                _ => schema("schema").unwrap_or(Value::Null),
            },
            _ => return None,
        },
    )
}

/// Fills `message` from the JSON of the messages whose JSON is not their shape; false
/// for the others.
fn special_from_json(name: &str, message: &mut DynamicMessage, value: &Value) -> bool {
    let descriptor = message.descriptor();
    let set =
        |message: &mut DynamicMessage, field: &str, v: Field| message.set_field_by_name(field, v);
    let raw_json =
        |value: &Value| Field::Bytes(serde_json::to_vec(value).unwrap_or_default().into());
    match name
        .strip_prefix(META)
        .or(name.strip_prefix(CRD))
        .unwrap_or(name)
    {
        "Time" | "MicroTime" => {
            if let Some((seconds, nanos)) = value.as_str().and_then(go_time::parse_timestamp) {
                set(message, "seconds", Field::I64(seconds));
                if name.ends_with("MicroTime") {
                    set(message, "nanos", Field::I32(nanos));
                }
            }
        }
        "Duration" => {
            if let Some(ns) = value.as_str().and_then(go_time::parse_go_duration) {
                set(message, "duration", Field::I64(ns));
            }
        }
        "FieldsV1" => set(message, "Raw", raw_json(value)),
        "k8s.io.apimachinery.pkg.runtime.RawExtension" | "JSON" => {
            set(message, "raw", raw_json(value))
        }
        "k8s.io.apimachinery.pkg.api.resource.Quantity" => set(
            message,
            "string",
            Field::String(match value {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            }),
        ),
        "k8s.io.apimachinery.pkg.util.intstr.IntOrString" => match value {
            Value::String(s) => {
                set(message, "type", Field::I64(1));
                set(message, "strVal", Field::String(s.clone()));
            }
            other => {
                set(message, "type", Field::I64(0));
                set(
                    message,
                    "intVal",
                    Field::I32(
                        other
                            .as_i64()
                            .and_then(|n| i32::try_from(n).ok())
                            .unwrap_or(0),
                    ),
                );
            }
        },
        "JSONSchemaPropsOrArray" | "JSONSchemaPropsOrStringArray" => {
            let schema = descriptor.get_field_by_name("schema").expect("schema");
            match value {
                Value::Array(items) if name.ends_with("OrArray") => {
                    let field = descriptor
                        .get_field_by_name("jSONSchemas")
                        .expect("jSONSchemas");
                    if let Some(list) = json_to_field(&field, &Value::Array(items.clone())) {
                        message.set_field(&field, list);
                    }
                }
                Value::Array(items) => {
                    let strings = items
                        .iter()
                        .filter_map(|i| i.as_str().map(|s| Field::String(s.into())))
                        .collect();
                    set(message, "property", Field::List(strings));
                }
                other => {
                    if let Some(converted) = json_to_field(&schema, other) {
                        message.set_field(&schema, converted);
                    }
                }
            }
        }
        "JSONSchemaPropsOrBool" => match value {
            Value::Bool(b) => set(message, "allows", Field::Bool(*b)),
            other => {
                set(message, "allows", Field::Bool(true));
                let schema = descriptor.get_field_by_name("schema").expect("schema");
                if let Some(converted) = json_to_field(&schema, other) {
                    message.set_field(&schema, converted);
                }
            }
        },
        _ => return false,
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_structs_are_found_from_the_schemas() {
        for (message, field) in [
            ("k8s.io.api.core.v1.Volume", "volumeSource"),
            ("k8s.io.api.core.v1.Probe", "handler"),
            (
                "k8s.io.api.core.v1.EphemeralContainer",
                "ephemeralContainerCommon",
            ),
            ("k8s.io.api.networking.v1.IngressRule", "ingressRuleValue"),
            (
                "k8s.io.api.core.v1.ConfigMapKeySelector",
                "localObjectReference",
            ),
        ] {
            assert!(inline(message, field), "{message}.{field}");
        }
        for (message, field) in [
            ("k8s.io.api.core.v1.Pod", "metadata"),
            ("k8s.io.api.core.v1.Container", "resources"),
            ("k8s.io.api.networking.v1.IngressRule", "host"),
            (
                "k8s.io.apiextensions_apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps",
                "items",
            ),
        ] {
            assert!(!inline(message, field), "{message}.{field}");
        }
    }

    #[test]
    fn the_crd_schema_keywords_keep_their_json_names() {
        let props = format!("{CRD}JSONSchemaProps");
        for (proto, json) in [
            ("ref", "$ref"),
            (
                "xKubernetesPreserveUnknownFields",
                "x-kubernetes-preserve-unknown-fields",
            ),
            ("xKubernetesListMapKeys", "x-kubernetes-list-map-keys"),
            ("type", "type"),
        ] {
            assert_eq!(json_name(&props, proto), json);
            assert_eq!(proto_name(&props, json), proto);
        }
    }
}

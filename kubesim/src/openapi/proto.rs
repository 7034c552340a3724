//! gnostic's `openapi.v2.Document` protobuf, the part of it Kubernetes clients read:
//! definitions with their properties, types, items, references, required fields and
//! vendor extensions. Field numbers are those of gnostic's `OpenAPIv2.proto`.

use serde_json::Value;

#[derive(Clone, PartialEq, prost::Message)]
struct Document {
    #[prost(string, tag = "1")]
    swagger: String,
    #[prost(message, optional, tag = "2")]
    info: Option<Info>,
    #[prost(message, optional, tag = "8")]
    paths: Option<Paths>,
    #[prost(message, optional, tag = "9")]
    definitions: Option<Definitions>,
}

#[derive(Clone, PartialEq, prost::Message)]
struct Info {
    #[prost(string, tag = "1")]
    title: String,
    #[prost(string, tag = "2")]
    version: String,
}

#[derive(Clone, PartialEq, prost::Message)]
struct Paths {}

#[derive(Clone, PartialEq, prost::Message)]
struct Definitions {
    #[prost(message, repeated, tag = "1")]
    additional_properties: Vec<NamedSchema>,
}

#[derive(Clone, PartialEq, prost::Message)]
struct NamedSchema {
    #[prost(string, tag = "1")]
    name: String,
    #[prost(message, optional, tag = "2")]
    value: Option<Schema>,
}

#[derive(Clone, PartialEq, prost::Message)]
struct Schema {
    #[prost(string, tag = "1")]
    reference: String,
    #[prost(string, tag = "2")]
    format: String,
    #[prost(string, tag = "4")]
    description: String,
    #[prost(string, repeated, tag = "19")]
    required: Vec<String>,
    #[prost(message, optional, boxed, tag = "21")]
    additional_properties: Option<Box<AdditionalPropertiesItem>>,
    #[prost(message, optional, tag = "22")]
    r#type: Option<TypeItem>,
    #[prost(message, optional, tag = "23")]
    items: Option<ItemsItem>,
    #[prost(message, repeated, tag = "24")]
    all_of: Vec<Schema>,
    #[prost(message, optional, tag = "25")]
    properties: Option<Properties>,
    #[prost(message, repeated, tag = "31")]
    vendor_extension: Vec<NamedAny>,
}

#[derive(Clone, PartialEq, prost::Message)]
struct AdditionalPropertiesItem {
    #[prost(message, optional, tag = "1")]
    schema: Option<Schema>,
    #[prost(bool, optional, tag = "2")]
    boolean: Option<bool>,
}

#[derive(Clone, PartialEq, prost::Message)]
struct TypeItem {
    #[prost(string, repeated, tag = "1")]
    value: Vec<String>,
}

#[derive(Clone, PartialEq, prost::Message)]
struct ItemsItem {
    #[prost(message, repeated, tag = "1")]
    schema: Vec<Schema>,
}

#[derive(Clone, PartialEq, prost::Message)]
struct Properties {
    #[prost(message, repeated, tag = "1")]
    additional_properties: Vec<NamedSchema>,
}

#[derive(Clone, PartialEq, prost::Message)]
struct NamedAny {
    #[prost(string, tag = "1")]
    name: String,
    #[prost(message, optional, tag = "2")]
    value: Option<Any>,
}

#[derive(Clone, PartialEq, prost::Message)]
struct Any {
    #[prost(string, tag = "2")]
    yaml: String,
}

fn schema(value: &Value) -> Schema {
    let text = |k: &str| value[k].as_str().unwrap_or_default().to_string();
    let types: Vec<String> = match &value["type"] {
        Value::String(t) => vec![t.clone()],
        Value::Array(ts) => ts
            .iter()
            .filter_map(Value::as_str)
            .filter(|t| *t != "null")
            .map(str::to_string)
            .collect(),
        _ => Vec::new(),
    };
    Schema {
        reference: text("$ref"),
        format: text("format"),
        description: text("description"),
        required: value["required"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        additional_properties: match &value["additionalProperties"] {
            Value::Bool(b) => Some(Box::new(AdditionalPropertiesItem {
                schema: None,
                boolean: Some(*b),
            })),
            v @ Value::Object(_) => Some(Box::new(AdditionalPropertiesItem {
                schema: Some(schema(v)),
                boolean: None,
            })),
            _ => None,
        },
        r#type: (!types.is_empty()).then_some(TypeItem { value: types }),
        items: value
            .get("items")
            .filter(|i| i.is_object())
            .map(|i| ItemsItem {
                schema: vec![schema(i)],
            }),
        all_of: value["allOf"]
            .as_array()
            .into_iter()
            .flatten()
            .map(schema)
            .collect(),
        properties: value["properties"].as_object().map(|props| Properties {
            additional_properties: props
                .iter()
                .map(|(k, v)| NamedSchema {
                    name: k.clone(),
                    value: Some(schema(v)),
                })
                .collect(),
        }),
        vendor_extension: value
            .as_object()
            .into_iter()
            .flatten()
            .filter(|(k, _)| k.starts_with("x-"))
            .map(|(k, v)| NamedAny {
                name: k.clone(),
                value: Some(Any {
                    yaml: v.to_string(),
                }),
            })
            .collect(),
    }
}

/// Encodes a Swagger 2.0 JSON document.
pub fn encode(doc: &Value) -> Vec<u8> {
    use prost::Message;
    let document = Document {
        swagger: doc["swagger"].as_str().unwrap_or("2.0").to_string(),
        info: Some(Info {
            title: doc["info"]["title"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
            version: doc["info"]["version"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
        }),
        paths: Some(Paths {}),
        definitions: Some(Definitions {
            additional_properties: doc["definitions"]
                .as_object()
                .into_iter()
                .flatten()
                .map(|(k, v)| NamedSchema {
                    name: k.clone(),
                    value: Some(schema(v)),
                })
                .collect(),
        }),
    };
    document.encode_to_vec()
}

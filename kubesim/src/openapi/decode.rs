//! What decoding into the Go types refuses. kube-apiserver decodes a built-in object's
//! JSON into its Go struct before anything else looks at it, so a value of the wrong JSON
//! type (`replicas: "3"`, a number as a ConfigMap value, `env: value: 8080`), a quantity
//! that is not one (`memory: 512MB`) or Secret data that is not base64 is refused there,
//! with Go's words: `json: cannot unmarshal number into Go struct field
//! EnvVar.spec.containers.env.value of type string`. The Swagger definitions give the
//! types; Go's decoder gives the rules: the first wrong type in document order is
//! reported unless a value's own decoder (a quantity's, base64's) fails, which stops it
//! at once.

use super::unknown::{definition, index};
use base64::Engine;
use serde_json::Value;

const QUANTITY: &str = "io.k8s.apimachinery.pkg.api.resource.Quantity";
const INT_OR_STRING: &str = "io.k8s.apimachinery.pkg.util.intstr.IntOrString";

/// Why `object` (of group, version and kind) cannot be decoded into its Go type, in Go's
/// words; `None` when it can (or the kind has no schema).
pub fn refusal(group: &str, version: &str, kind: &str, object: &Value) -> Option<String> {
    let name = index().get(&(group.to_string(), version.to_string(), kind.to_string()))?;
    let schema = super::v2()["definitions"].get(name)?;
    let mut decoder = Decoder { first: None };
    match decoder.value(schema, Some(name), object, "", kind) {
        Err(fatal) => Some(fatal),
        Ok(()) => decoder.first,
    }
}

struct Decoder {
    /// The first wrong type met (Go keeps decoding after one, and reports the first).
    first: Option<String>,
}

impl Decoder {
    /// Decodes `value` as `schema` (the definition `name`, if a reference led there), at
    /// `path` (dotted JSON names, no indices) of the Go struct `owner`. `Err` stops all.
    fn value(
        &mut self,
        schema: &'static Value,
        name: Option<&str>,
        value: &Value,
        path: &str,
        owner: &str,
    ) -> Result<(), String> {
        if let Some(reference) = schema["$ref"].as_str() {
            let target = reference.strip_prefix("#/definitions/");
            return match definition(reference) {
                Some(resolved) => self.value(resolved, target, value, path, owner),
                None => Ok(()),
            };
        }
        if value.is_null() || schema.get("x-kubernetes-preserve-unknown-fields").is_some() {
            return Ok(());
        }
        match name {
            Some(QUANTITY) => return quantity(value),
            Some(INT_OR_STRING) if value.is_string() => return Ok(()),
            Some(INT_OR_STRING) => return self.integer(value, "int32", path, owner),
            _ => {}
        }
        match schema["type"].as_str() {
            Some("integer") => {
                let go = match schema["format"].as_str() {
                    Some("int32") => "int32",
                    Some("int64") => "int64",
                    _ => "int",
                };
                self.integer(value, go, path, owner)
            }
            Some("number") if value.is_number() => Ok(()),
            Some("number") => self.wrong(value, "float64", path, owner),
            Some("boolean") if value.is_boolean() => Ok(()),
            Some("boolean") => self.wrong(value, "bool", path, owner),
            Some("string") => match (value, schema["format"].as_str()) {
                (Value::String(text), Some("byte")) => base64(text),
                (Value::String(_), _) => Ok(()),
                (_, Some("byte")) => self.wrong(value, "[]uint8", path, owner),
                _ => self.wrong(value, "string", path, owner),
            },
            Some("array") => {
                let Value::Array(items) = value else {
                    return self.wrong(value, &go_type(schema, name), path, owner);
                };
                let item = &schema["items"];
                for element in items {
                    self.value(item, None, element, path, owner)?;
                }
                Ok(())
            }
            _ if schema.get("properties").is_some() || schema["type"] == "object" => {
                let Value::Object(fields) = value else {
                    return self.wrong(value, &go_type(schema, name), path, owner);
                };
                let owner = name.map_or(owner, short_name);
                for (key, field) in fields {
                    let at = if path.is_empty() {
                        key.clone()
                    } else {
                        format!("{path}.{key}")
                    };
                    if let Some(child) = schema["properties"].get(key) {
                        self.value(child, None, field, &at, owner)?;
                    } else if let Some(values) =
                        schema.get("additionalProperties").filter(|v| v.is_object())
                    {
                        // A map's values are reported at the map's own path.
                        self.value(values, None, field, path, owner)?;
                    }
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    fn integer(&mut self, value: &Value, go: &str, path: &str, owner: &str) -> Result<(), String> {
        let Value::Number(number) = value else {
            return self.wrong(value, go, path, owner);
        };
        let fits = number.as_i64().is_some_and(|n| match go {
            "int32" => i32::try_from(n).is_ok(),
            _ => true,
        });
        if !fits {
            self.first.get_or_insert_with(|| {
                format!("json: cannot unmarshal number {number} into Go struct field {owner}.{path} of type {go}")
            });
        }
        Ok(())
    }

    /// Notes a value of the wrong JSON type (the first one is what Go reports).
    fn wrong(&mut self, value: &Value, go: &str, path: &str, owner: &str) -> Result<(), String> {
        let found = match value {
            Value::String(_) => "string",
            Value::Number(_) => "number",
            Value::Bool(_) => "bool",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
            Value::Null => return Ok(()),
        };
        self.first.get_or_insert_with(|| {
            format!(
                "json: cannot unmarshal {found} into Go struct field {owner}.{path} of type {go}"
            )
        });
        Ok(())
    }
}

/// A quantity: a number, or a string in the quantity syntax (Quantity's own decoder,
/// whose failure stops the decoding): the shape first, then the suffix (`500mi` has the
/// shape of one and no suffix Kubernetes knows).
fn quantity(value: &Value) -> Result<(), String> {
    let text = match value {
        Value::Number(_) => return Ok(()),
        Value::String(text) => text.as_str(),
        other => &other.to_string(),
    };
    if crate::quantity::parse(text).is_some() {
        Ok(())
    } else if has_quantity_shape(text) {
        Err("unable to parse quantity's suffix".into())
    } else {
        Err("quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'".into())
    }
}

/// `^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$`, the pattern Quantity's parser checks first.
fn has_quantity_shape(text: &str) -> bool {
    let rest = text.strip_prefix(['+', '-']).unwrap_or(text);
    let number = rest.len()
        - rest
            .trim_start_matches(|c: char| c.is_ascii_digit() || c == '.')
            .len();
    if number == 0 {
        return false;
    }
    let rest = rest[number..].trim_start_matches(|c: char| "eEinumkKMGTP".contains(c));
    let rest = rest.strip_prefix(['+', '-']).unwrap_or(rest);
    rest.chars().all(|c| c.is_ascii_digit())
}

/// Base64 as Go's standard encoding reads it: the first byte that cannot be, named.
fn base64(text: &str) -> Result<(), String> {
    match base64::engine::general_purpose::STANDARD.decode(text) {
        Ok(_) => Ok(()),
        Err(
            base64::DecodeError::InvalidByte(at, _) | base64::DecodeError::InvalidLastSymbol(at, _),
        ) => Err(format!("illegal base64 data at input byte {at}")),
        Err(_) => Err(format!(
            "illegal base64 data at input byte {}",
            text.len() / 4 * 4
        )),
    }
}

/// A Go type's name as the decoder prints it: `v1.Container`, `[]v1.Container`,
/// `map[string]string`.
fn go_type(schema: &Value, name: Option<&str>) -> String {
    if let Some(name) = name {
        let mut parts = name.rsplit('.');
        let kind = parts.next().unwrap_or(name);
        let package = parts.next().unwrap_or_default();
        return format!("{package}.{kind}");
    }
    if let Some(reference) = schema["$ref"].as_str() {
        return go_type(&Value::Null, reference.strip_prefix("#/definitions/"));
    }
    match schema["type"].as_str() {
        Some("array") => format!("[]{}", go_type(&schema["items"], None)),
        Some("object") if schema.get("additionalProperties").is_some() => {
            format!(
                "map[string]{}",
                go_type(&schema["additionalProperties"], None)
            )
        }
        Some("integer") => schema["format"].as_str().unwrap_or("int").to_string(),
        Some("number") => "float64".into(),
        Some("boolean") => "bool".into(),
        Some("string") if schema["format"] == "byte" => "[]uint8".into(),
        _ => "string".into(),
    }
}

/// The struct's name in Go's messages: the definition's last part (`PodSpec`).
fn short_name(definition: &str) -> &str {
    definition.rsplit('.').next().unwrap_or(definition)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn deployment(spec: Value) -> Value {
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"}, "spec": spec})
    }

    #[test]
    fn wrong_types_are_refused_in_gos_words() {
        let pod = |spec: Value| json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": spec});
        for (group, version, kind, object, said) in [
            (
                "apps",
                "v1",
                "Deployment",
                deployment(json!({"replicas": "3"})),
                "json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32",
            ),
            (
                "apps",
                "v1",
                "Deployment",
                deployment(json!({"replicas": 3.5})),
                "json: cannot unmarshal number 3.5 into Go struct field DeploymentSpec.spec.replicas of type int32",
            ),
            (
                "",
                "v1",
                "ConfigMap",
                json!({"kind": "ConfigMap", "data": {"port": 8080}}),
                "json: cannot unmarshal number into Go struct field ConfigMap.data of type string",
            ),
            (
                "",
                "v1",
                "Pod",
                pod(
                    json!({"containers": [{"name": "c", "image": "x", "env": [{"name": "PORT", "value": 8080}]}]}),
                ),
                "json: cannot unmarshal number into Go struct field EnvVar.spec.containers.env.value of type string",
            ),
            (
                "",
                "v1",
                "Pod",
                pod(json!({"hostNetwork": "yes", "containers": "nginx"})),
                "json: cannot unmarshal string into Go struct field PodSpec.spec.hostNetwork of type bool",
            ),
            (
                "",
                "v1",
                "Pod",
                pod(json!({"containers": "nginx"})),
                "json: cannot unmarshal string into Go struct field PodSpec.spec.containers of type []v1.Container",
            ),
            (
                "",
                "v1",
                "Pod",
                pod(json!({"nodeSelector": {"disk": true}})),
                "json: cannot unmarshal bool into Go struct field PodSpec.spec.nodeSelector of type string",
            ),
            (
                "",
                "v1",
                "Service",
                json!({"kind": "Service", "spec": {"ports": [{"port": 80, "targetPort": true}]}}),
                "json: cannot unmarshal bool into Go struct field ServicePort.spec.ports.targetPort of type int32",
            ),
            // A quantity's or base64's own decoder stops at once, whatever came before.
            (
                "",
                "v1",
                "Pod",
                pod(
                    json!({"containers": [{"name": "c", "image": "x", "env": [{"name": "PORT", "value": 8080}], "resources": {"limits": {"memory": "512MB"}}}]}),
                ),
                "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
            ),
            (
                "",
                "v1",
                "Secret",
                json!({"kind": "Secret", "data": {"password": "not base64!"}}),
                "illegal base64 data at input byte 3",
            ),
        ] {
            assert_eq!(
                refusal(group, version, kind, &object).as_deref(),
                Some(said),
                "{object}"
            );
        }
    }

    #[test]
    fn what_go_accepts_passes() {
        let ok = deployment(
            json!({"replicas": 3, "selector": {"matchLabels": {"app": "a"}},
            "template": {"metadata": {"labels": {"app": "a"}, "creationTimestamp": null}, "spec": {"containers": [{
                "name": "c", "image": "nginx", "ports": [{"containerPort": 80}],
                "resources": {"requests": {"cpu": 1, "memory": "64Mi"}, "limits": {"cpu": "500m"}},
                "readinessProbe": {"httpGet": {"path": "/", "port": "http"}}}]}}}),
        );
        assert_eq!(refusal("apps", "v1", "Deployment", &ok), None);
        let secret = json!({"kind": "Secret", "data": {"password": "aHVudGVyMg=="}, "stringData": {"x": "y"}});
        assert_eq!(refusal("", "v1", "Secret", &secret), None);
        assert_eq!(
            refusal("example.com", "v1", "Widget", &json!({"spec": 1})),
            None
        );
    }
}

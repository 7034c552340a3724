//! Kubernetes' protobuf wire format (`application/vnd.kubernetes.protobuf`), which
//! kubectl 1.32 and later use for typed request bodies: the 4-byte magic `k8s\0`, then a
//! `runtime.Unknown` that names the object's apiVersion and kind and carries its
//! protobuf bytes. The schemas are Kubernetes' own `generated.proto` files, compiled by
//! `build.rs`; [`json`] maps their messages to the JSON objects kubesim stores.

mod go_time;
mod json;
mod schemas;

use prost::Message;
use prost_reflect::{DynamicMessage, MessageDescriptor};
use schemas::pool;
use serde_json::Value;

/// The media type.
pub const MEDIA_TYPE: &str = "application/vnd.kubernetes.protobuf";

/// What every protobuf body starts with.
const MAGIC: &[u8] = b"k8s\0";

/// `runtime.Unknown`, the envelope.
const UNKNOWN: &str = "k8s.io.apimachinery.pkg.runtime.Unknown";

/// The message of `kind` in `apiVersion`: `k8s.io.api.GROUP.VERSION.KIND` for the
/// built-in groups (the group's first label; core for the legacy group), the
/// apiextensions and metrics packages, and the meta types (`Status`, `DeleteOptions`)
/// any group version may carry.
fn message_for(api_version: &str, kind: &str) -> Option<MessageDescriptor> {
    let (group, version) = api_version.split_once('/').unwrap_or(("", api_version));
    let package = match group {
        "" => "k8s.io.api.core".to_string(),
        "apiextensions.k8s.io" => "k8s.io.apiextensions_apiserver.pkg.apis.apiextensions".into(),
        "metrics.k8s.io" => "k8s.io.metrics.pkg.apis.metrics".into(),
        "meta.k8s.io" => "k8s.io.apimachinery.pkg.apis.meta".into(),
        group => format!("k8s.io.api.{}", group.split('.').next().unwrap_or(group)),
    };
    let pool = pool();
    pool.get_message_by_name(&format!("{package}.{version}.{kind}"))
        .or_else(|| {
            pool.get_message_by_name(&format!("k8s.io.apimachinery.pkg.apis.meta.v1.{kind}"))
        })
}

/// Why a body could not be read, in kube-apiserver's words where it has them.
#[derive(Debug, thiserror::Error)]
pub enum ProtobufError {
    /// The body does not start with `k8s\0`.
    #[error(
        "provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]"
    )]
    NoMagic,
    /// The bytes are not the message they claim to be.
    #[error("{0}")]
    Decode(String),
    /// The envelope names a kind with no protobuf message (as a custom resource).
    #[error("no kind \"{kind}\" is registered for version \"{api_version}\"")]
    UnknownKind {
        /// The envelope's apiVersion.
        api_version: String,
        /// The envelope's kind.
        kind: String,
    },
}

/// A protobuf request body as the JSON object it stands for (with its apiVersion and
/// kind, which the typed message itself leaves out).
pub fn decode(body: &[u8]) -> Result<Value, ProtobufError> {
    let rest = body.strip_prefix(MAGIC).ok_or(ProtobufError::NoMagic)?;
    let unknown = pool()
        .get_message_by_name(UNKNOWN)
        .expect("runtime.Unknown");
    let envelope =
        DynamicMessage::decode(unknown, rest).map_err(|e| ProtobufError::Decode(e.to_string()))?;
    let text = |message: &DynamicMessage, name: &str| {
        message
            .get_field_by_name(name)
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    };
    let type_meta = envelope
        .get_field_by_name("typeMeta")
        .and_then(|v| v.as_message().cloned())
        .unwrap_or_else(|| {
            DynamicMessage::new(
                pool()
                    .get_message_by_name("k8s.io.apimachinery.pkg.runtime.TypeMeta")
                    .expect("TypeMeta"),
            )
        });
    let (api_version, kind) = (text(&type_meta, "apiVersion"), text(&type_meta, "kind"));
    let raw = envelope
        .get_field_by_name("raw")
        .and_then(|v| v.as_bytes().cloned())
        .unwrap_or_default();
    let descriptor =
        message_for(&api_version, &kind).ok_or_else(|| ProtobufError::UnknownKind {
            api_version: api_version.clone(),
            kind: kind.clone(),
        })?;
    let message = DynamicMessage::decode(descriptor, raw.as_ref())
        .map_err(|e| ProtobufError::Decode(e.to_string()))?;
    let mut object = serde_json::Map::new();
    object.insert("apiVersion".into(), Value::String(api_version));
    object.insert("kind".into(), Value::String(kind));
    if let Value::Object(fields) = json::from_message(&message) {
        object.extend(fields);
    }
    Ok(Value::Object(object))
}

/// `object` (with its apiVersion and kind) in the wire format; `None` for a kind that
/// has no protobuf message (custom resources, tables), which is answered as JSON.
pub fn encode(object: &Value) -> Option<Vec<u8>> {
    let api_version = object.get("apiVersion")?.as_str()?;
    let kind = object.get("kind")?.as_str()?;
    let message = json::to_message(message_for(api_version, kind)?, object);
    let type_meta = pool().get_message_by_name("k8s.io.apimachinery.pkg.runtime.TypeMeta")?;
    let mut meta = DynamicMessage::new(type_meta);
    meta.set_field_by_name(
        "apiVersion",
        prost_reflect::Value::String(api_version.into()),
    );
    meta.set_field_by_name("kind", prost_reflect::Value::String(kind.into()));
    let mut envelope = DynamicMessage::new(pool().get_message_by_name(UNKNOWN)?);
    envelope.set_field_by_name("typeMeta", prost_reflect::Value::Message(meta));
    envelope.set_field_by_name(
        "raw",
        prost_reflect::Value::Bytes(message.encode_to_vec().into()),
    );
    let mut body = MAGIC.to_vec();
    envelope.encode(&mut body).ok()?;
    Some(body)
}

/// Whether a request's `Accept` asks for protobuf before anything else (client-go sends
/// `application/vnd.kubernetes.protobuf, */*` when it prefers it).
pub fn preferred(accept: &str) -> bool {
    accept
        .split(',')
        .next()
        .and_then(|first| first.split(';').next())
        .is_some_and(|media| media.trim() == MEDIA_TYPE)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_object_goes_through_the_wire_format_and_back_unchanged() {
        let deployment = json!({
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {
                "name": "web", "namespace": "lab", "labels": {"app": "web"},
                "creationTimestamp": "2026-12-07T18:00:00Z",
                "managedFields": [{"manager": "kubectl", "operation": "Update", "apiVersion": "apps/v1",
                    "time": "2026-12-07T18:00:00Z", "fieldsType": "FieldsV1",
                    "fieldsV1": {"f:spec": {"f:replicas": {}}}}]
            },
            "spec": {
                "replicas": 0,
                "selector": {"matchLabels": {"app": "web"}},
                "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 1}},
                "template": {
                    "metadata": {"labels": {"app": "web"}},
                    "spec": {"containers": [{
                        "name": "web", "image": "nginx:1.27",
                        "ports": [{"containerPort": 80}],
                        "resources": {"limits": {"cpu": "500m", "memory": "128Mi"}},
                        "securityContext": {}
                    }]}
                }
            }
        });
        let wire = encode(&deployment).expect("a built-in kind");
        assert!(wire.starts_with(b"k8s\0"));
        assert_eq!(decode(&wire).expect("decodes"), deployment);

        // Go's embedded structs (a volume's source, a probe's handler, a key selector's
        // name, an ingress rule's paths) are the parent's own fields in JSON.
        let pod = json!({
            "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
            "spec": {
                "volumes": [{"name": "config", "configMap": {"name": "settings"}}],
                "containers": [{
                    "name": "app", "image": "nginx:1.27",
                    "readinessProbe": {"httpGet": {"path": "/healthz", "port": "http"}, "periodSeconds": 5},
                    "env": [{"name": "MODE", "valueFrom": {"configMapKeyRef": {"name": "settings", "key": "mode"}}}]
                }]
            }
        });
        assert_eq!(decode(&encode(&pod).expect("pod")).expect("decodes"), pod);
        let ingress = json!({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "i"},
            "spec": {"rules": [{"host": "a.example.com", "http": {"paths": [{"path": "/", "pathType": "Prefix",
                "backend": {"service": {"name": "web", "port": {"number": 80}}}}]}}]}});
        assert_eq!(
            decode(&encode(&ingress).expect("ingress")).expect("decodes"),
            ingress
        );

        let secret = json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"},
            "data": {"password": "aHVudGVyMg=="}, "type": "Opaque"});
        assert_eq!(
            decode(&encode(&secret).expect("secret")).expect("decodes"),
            secret
        );
    }

    #[test]
    fn a_body_that_is_not_protobuf_or_of_no_known_kind_is_refused() {
        assert!(matches!(
            decode(b"{\"kind\":\"Pod\"}"),
            Err(ProtobufError::NoMagic)
        ));
        let widget = json!({"apiVersion": "example.com/v1", "kind": "Widget"});
        assert!(
            encode(&widget).is_none(),
            "custom resources have no protobuf"
        );
        assert!(preferred("application/vnd.kubernetes.protobuf, */*"));
        assert!(!preferred(
            "application/json, application/vnd.kubernetes.protobuf"
        ));
    }
}

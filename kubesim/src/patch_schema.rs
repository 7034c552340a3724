//! How each built-in type's fields merge, from Kubernetes' own OpenAPI document (read by
//! `build.rs`): the patch strategy and merge key strategic merge patch follows, and the
//! list type and map keys server-side apply follows. One source for both and for the
//! `/openapi` documents kubesim serves, so they cannot disagree (as two hand-written
//! tables did: `readinessGates` and `tolerations` are atomic lists, not keyed ones).

use serde_json::Value;
use std::collections::HashMap;
use std::sync::OnceLock;

/// A type of the document: a definition's name (`io.k8s.api.core.v1.PodSpec`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Type(&'static str);

/// What the document says of one field.
#[derive(Debug, Default)]
pub struct Field {
    /// The type of the field's object, or of its list's items (when that type has fields
    /// of note: without any, nothing inside it merges in a particular way).
    ty: Option<String>,
    /// Strategic merge patch's strategy: `merge`, `retainKeys`, `merge,retainKeys`,
    /// `replace`.
    pub strategy: Option<String>,
    /// The key strategic merge patch merges a list's items by.
    pub merge_key: Option<String>,
    /// `atomic`, `set` or `map` (server-side apply's list types).
    pub list_type: Option<String>,
    /// A `map` list's keys.
    pub map_keys: Vec<String>,
    /// `atomic` for a map owned as one unit.
    map_type: Option<String>,
    /// The value the API server defaults it to, where the document gives one (what a
    /// map list's item that omits a key is identified by: a port's `TCP`).
    pub default: Option<Value>,
}

/// How server-side apply tells a list's items apart (structured-merge-diff's element
/// relationship, from the list type or, for lists without one, the patch strategy).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListKind<'a> {
    /// One unit: an apply replaces it whole.
    Atomic,
    /// Scalars, each owned alone (`v:"x"`).
    Set,
    /// Objects identified by these keys (`k:{"containerPort":80,"protocol":"TCP"}`).
    Map(Vec<&'a str>),
}

impl Field {
    /// The type of the field's object or items.
    pub fn ty(&'static self) -> Option<Type> {
        self.ty.as_deref().and_then(named)
    }

    /// How server-side apply identifies this list's items.
    pub fn list_kind(&self) -> ListKind<'_> {
        match self.list_type.as_deref() {
            Some("map") => ListKind::Map(self.map_keys.iter().map(String::as_str).collect()),
            Some("set") => ListKind::Set,
            Some(_) => ListKind::Atomic,
            None => match (self.merges(), self.merge_key.as_deref()) {
                (true, Some(key)) => ListKind::Map(vec![key]),
                (true, None) => ListKind::Set,
                _ => ListKind::Atomic,
            },
        }
    }

    /// Whether the field's object is owned as one unit (a LabelSelector, a map marked
    /// `x-kubernetes-map-type: atomic`).
    pub fn is_atomic_map(&self) -> bool {
        self.map_type.as_deref() == Some("atomic")
            || self
                .ty
                .as_deref()
                .is_some_and(|t| schema().atomic.contains(t))
    }

    /// Whether strategic merge patch merges this list (by key, or as a set of scalars)
    /// rather than replacing it.
    pub fn merges(&self) -> bool {
        self.has_strategy("merge")
    }

    /// Whether a patch of this field's object drops the keys it does not name
    /// (`retainKeys`: a Deployment's strategy, a volume's source).
    pub fn retains_keys(&self) -> bool {
        self.has_strategy("retainKeys")
    }

    fn has_strategy(&self, part: &str) -> bool {
        self.strategy
            .as_deref()
            .is_some_and(|s| s.split(',').any(|p| p == part))
    }
}

struct Schema {
    kinds: HashMap<String, String>,
    types: HashMap<String, HashMap<String, Field>>,
    atomic: std::collections::HashSet<String>,
}

fn schema() -> &'static Schema {
    static SCHEMA: OnceLock<Schema> = OnceLock::new();
    SCHEMA.get_or_init(|| {
        let doc: Value =
            serde_json::from_str(include_str!(concat!(env!("OUT_DIR"), "/patch-schema.json")))
                .expect("build.rs writes JSON");
        let kinds = doc["kinds"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
            .collect();
        let text = |v: &Value| v.as_str().map(str::to_string);
        let types = doc["types"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(name, fields)| {
                let fields = fields
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(f, v)| {
                        let field = Field {
                            ty: text(&v[0]),
                            strategy: text(&v[1]),
                            merge_key: text(&v[2]),
                            list_type: text(&v[3]),
                            map_keys: v[4]
                                .as_array()
                                .into_iter()
                                .flatten()
                                .filter_map(text)
                                .collect(),
                            map_type: text(&v[5]),
                            default: Some(v[6].clone()).filter(|d| !d.is_null()),
                        };
                        (f.clone(), field)
                    })
                    .collect();
                (name.clone(), fields)
            })
            .collect();
        let atomic = doc["atomic"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(text)
            .collect();
        Schema {
            kinds,
            types,
            atomic,
        }
    })
}

/// The type of a built-in object of `api_version` and `kind`; `None` for kinds the
/// document does not hold (custom resources).
pub fn of_kind(api_version: &str, kind: &str) -> Option<Type> {
    schema()
        .kinds
        .get(&format!("{api_version}/{kind}"))
        .and_then(|name| named(name))
}

/// The type of a built-in object, from its own `apiVersion` and `kind`.
pub fn of_object(object: &Value) -> Option<Type> {
    of_kind(
        object["apiVersion"].as_str().unwrap_or_default(),
        object["kind"].as_str().unwrap_or_default(),
    )
}

/// The type called `name` in the document, if it has fields of note.
pub fn named(name: &str) -> Option<Type> {
    schema()
        .types
        .get_key_value(name)
        .map(|(name, _)| Type(name.as_str()))
}

impl Type {
    /// The definition's name.
    pub fn name(self) -> &'static str {
        self.0
    }

    /// What the document says of `field`, when it says something.
    pub fn field(self, field: &str) -> Option<&'static Field> {
        schema().types.get(self.0)?.get(field)
    }

    /// The field's type, from an optional type: `None` stays `None`.
    pub fn child(ty: Option<Type>, field: &str) -> Option<&'static Field> {
        ty.and_then(|t| t.field(field))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_document_says_how_lists_merge() {
        let pod = of_kind("v1", "Pod").expect("pod");
        let spec = pod.field("spec").and_then(Field::ty).expect("spec");
        assert_eq!(spec.name(), "io.k8s.api.core.v1.PodSpec");
        let containers = spec.field("containers").expect("containers");
        assert!(containers.merges());
        assert_eq!(containers.merge_key.as_deref(), Some("name"));
        assert_eq!(containers.list_type.as_deref(), Some("map"));
        let gates = spec.field("readinessGates").expect("readinessGates");
        assert!(!gates.merges(), "atomic");
        let spread = spec.field("topologySpreadConstraints").expect("spread");
        assert_eq!(spread.merge_key.as_deref(), Some("topologyKey"));
        assert_eq!(spread.map_keys, ["topologyKey", "whenUnsatisfiable"]);
        let ports = containers
            .ty()
            .and_then(|c| c.field("ports"))
            .expect("ports");
        assert_eq!(ports.merge_key.as_deref(), Some("containerPort"));
        assert_eq!(ports.map_keys, ["containerPort", "protocol"]);
        assert!(spec.field("volumes").expect("volumes").retains_keys());
        let deployment = of_kind("apps/v1", "Deployment")
            .and_then(|d| d.field("spec"))
            .and_then(Field::ty)
            .expect("deployment spec");
        assert!(
            deployment
                .field("strategy")
                .expect("strategy")
                .retains_keys()
        );
        let meta = pod.field("metadata").and_then(Field::ty).expect("metadata");
        let finalizers = meta.field("finalizers").expect("finalizers");
        assert!(finalizers.merges() && finalizers.merge_key.is_none());
        assert_eq!(of_kind("example.com/v1", "Widget"), None);
    }
}

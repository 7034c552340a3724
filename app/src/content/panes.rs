//! Load-time checks of a pane's manifests: every document is a mapping with `apiVersion`,
//! `kind` and `metadata.name`, of a kind we know, in one of the lesson's namespaces (or
//! none, for cluster-scoped kinds). The content test goes further and decodes every
//! document into its typed Kubernetes struct.

use crate::model::kinds;
use serde::Deserialize;
use serde_yaml::Value;

/// Checks `text`; an error carries the 1-based line within the pane.
pub fn validate(text: &str, namespaces: &[String]) -> Result<(), (usize, String)> {
    let mut count = 0;
    for document in serde_yaml::Deserializer::from_str(text) {
        let value = Value::deserialize(document).map_err(|e| {
            (
                e.location().map_or(1, |l| l.line()),
                format!("invalid YAML: {e}"),
            )
        })?;
        if value.is_null() {
            continue; // an empty document, e.g. after a trailing `---`
        }
        count += 1;
        // serde_yaml gives no positions for values, so point at the document's first line.
        let line = document_start_line(text, count);
        check_object(&value, namespaces).map_err(|m| (line, m))?;
    }
    if count == 0 {
        return Err((1, "the pane holds no Kubernetes object".into()));
    }
    Ok(())
}

fn check_object(value: &Value, namespaces: &[String]) -> Result<(), String> {
    let field = |path: &[&str]| -> Option<&str> {
        path.iter()
            .try_fold(value, |v, key| v.get(key))
            .and_then(Value::as_str)
    };
    let api_version = field(&["apiVersion"]).ok_or("a document has no `apiVersion`")?;
    let kind = field(&["kind"]).ok_or("a document has no `kind`")?;
    let name =
        field(&["metadata", "name"]).ok_or_else(|| format!("the {kind} has no `metadata.name`"))?;
    let info = kinds::by_api_version(api_version, kind)
        .ok_or_else(|| format!("{kind} {name}: unknown kind for apiVersion `{api_version}`"))?;
    match (field(&["metadata", "namespace"]), info.namespaced()) {
        (None, true) => Err(format!(
            "{kind} {name}: set `metadata.namespace` (one of: {})",
            namespaces.join(", ")
        )),
        (Some(ns), false) => Err(format!(
            "{kind} {name} is cluster-scoped: remove `metadata.namespace: {ns}`"
        )),
        (Some(ns), true) if !namespaces.iter().any(|n| n == ns) => Err(format!(
            "{kind} {name}: namespace `{ns}` is not in the lesson's namespaces ({})",
            namespaces.join(", ")
        )),
        _ => Ok(()),
    }
}

/// The 1-based line where the `n`th non-empty document starts.
fn document_start_line(text: &str, n: usize) -> usize {
    let mut seen = 0;
    let mut in_document = false;
    for (i, line) in text.lines().enumerate() {
        if line.starts_with("---") {
            in_document = false;
            continue;
        }
        let content = !line.trim().is_empty() && !line.trim_start().starts_with('#');
        if content && !in_document {
            in_document = true;
            seen += 1;
            if seen == n {
                return i + 1;
            }
        }
    }
    1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ns() -> Vec<String> {
        vec!["server".into()]
    }

    #[test]
    fn good_multi_document_panes_pass() {
        let text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: server}\n---\napiVersion: cert-manager.io/v1\nkind: ClusterIssuer\nmetadata: {name: b}\n---\n";
        assert_eq!(validate(text, &ns()), Ok(()));
    }

    #[test]
    fn mistakes_are_located() {
        let text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: server}\n---\n# second\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n";
        assert_eq!(
            validate(text, &ns()),
            Err((
                6,
                "Deployment web: set `metadata.namespace` (one of: server)".into()
            ))
        );
        let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: prod}\n";
        assert_eq!(
            validate(text, &ns()),
            Err((
                1,
                "Pod a: namespace `prod` is not in the lesson's namespaces (server)".into()
            ))
        );
        let text = "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n";
        assert_eq!(
            validate(text, &ns()),
            Err((
                1,
                "Widget w: unknown kind for apiVersion `example.com/v1`".into()
            ))
        );
        let err = validate("a: [1\n", &ns()).unwrap_err();
        assert!(err.1.starts_with("invalid YAML:"), "{err:?}");
    }
}

//! The pipeline's first stage: manifests as attendees send them — multi-document YAML
//! (or a JSON object or `List`) — parsed within budgets ([`super::budgets`]) so that
//! hostile input — an alias bomb, a huge or deeply nested document, thousands of
//! documents — is refused quickly with a message that says what is wrong and where,
//! before anything reaches the cluster.

pub use super::budgets::Budgets;
use super::budgets::Built;
use serde_json::Value;

/// One document, with where it starts.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// Position among the documents, from 0.
    pub index: usize,
    /// Line of the text the document starts on, from 1.
    pub line: usize,
    pub value: Value,
}

/// Why the text was refused, located where possible.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct TextError {
    pub message: String,
    /// The document it concerns, from 0.
    pub document: Option<usize>,
    /// The line, from 1.
    pub line: Option<usize>,
}

impl TextError {
    /// An error about the text as a whole.
    pub fn whole(message: String) -> TextError {
        TextError {
            message,
            document: None,
            line: None,
        }
    }

    fn at(message: String, document: usize, line: usize) -> TextError {
        TextError {
            message,
            document: Some(document),
            line: Some(line),
        }
    }
}

/// Parses `text` into documents, refusing what exceeds `budgets`.
pub fn parse(text: &str, budgets: &Budgets) -> Result<Vec<Document>, TextError> {
    if text.len() > budgets.max_bytes {
        return Err(too_large(text.len(), budgets));
    }
    if text.trim_start().starts_with('{') {
        return parse_json(text, budgets);
    }
    let chunks: Vec<(usize, String)> = split(text)
        .into_iter()
        .filter(|(_, chunk)| has_content(chunk))
        .collect();
    if chunks.len() > budgets.max_documents {
        return Err(too_many(chunks.len(), "documents", budgets));
    }
    let mut documents = Vec::new();
    let mut built = Built::default();
    for (line, chunk) in chunks {
        let index = documents.len();
        let value = super::yaml::parse(&chunk, budgets, &built).map_err(|(message, at)| {
            TextError::at(
                format!("document {}: {message}", index + 1),
                index,
                line + at.saturating_sub(1),
            )
        })?;
        built
            .add(&value, budgets)
            .map_err(|m| TextError::at(format!("document {}: {m}", index + 1), index, line))?;
        if !value.is_null() {
            documents.push(Document { index, line, value });
        }
    }
    flatten_lists(documents, budgets)
}

fn too_large(bytes: usize, budgets: &Budgets) -> TextError {
    TextError::whole(format!(
        "the manifests are {} KiB; at most {} KiB are accepted",
        bytes / 1024,
        budgets.max_bytes / 1024
    ))
}

fn too_many(count: usize, what: &str, budgets: &Budgets) -> TextError {
    TextError::whole(format!(
        "the manifests hold {count} {what}; at most {} are accepted",
        budgets.max_documents
    ))
}

fn parse_json(text: &str, budgets: &Budgets) -> Result<Vec<Document>, TextError> {
    let value: Value = serde_json::from_str(text).map_err(|e| {
        let message = if e.to_string().contains("recursion limit exceeded") {
            "nested too deeply".to_string()
        } else {
            format!("JSON: {e}")
        };
        TextError::at(format!("document 1: {message}"), 0, e.line())
    })?;
    Built::default()
        .add(&value, budgets)
        .map_err(|m| TextError::at(format!("document 1: {m}"), 0, 1))?;
    flatten_lists(
        vec![Document {
            index: 0,
            line: 1,
            value,
        }],
        budgets,
    )
}

/// A `kind: List` (what `kubectl get -o yaml` prints) stands for its items; the document
/// budget counts them.
fn flatten_lists(documents: Vec<Document>, budgets: &Budgets) -> Result<Vec<Document>, TextError> {
    let mut out = Vec::new();
    for doc in documents {
        let is_list = doc.value["kind"] == "List" && doc.value["items"].is_array();
        let items = if is_list {
            doc.value["items"].as_array().cloned().unwrap_or_default()
        } else {
            vec![doc.value]
        };
        for value in items {
            if out.len() == budgets.max_documents {
                return Err(too_many(
                    out.len() + 1,
                    "documents (List items counted)",
                    budgets,
                ));
            }
            out.push(Document {
                index: out.len(),
                line: doc.line,
                value,
            });
        }
    }
    Ok(out)
}

/// The text cut at `---` document markers: (first line, chunk).
fn split(text: &str) -> Vec<(usize, String)> {
    let mut chunks = Vec::new();
    let mut current = String::new();
    let mut start = 1;
    for (i, line) in text.lines().enumerate() {
        let marker = line == "---" || line.starts_with("--- ") || line == "...";
        if marker {
            chunks.push((start, std::mem::take(&mut current)));
            start = i + 2;
            continue;
        }
        current.push_str(line);
        current.push('\n');
    }
    chunks.push((start, current));
    chunks
}

/// Whether a chunk holds anything but blank lines and comments.
fn has_content(chunk: &str) -> bool {
    chunk.lines().any(|l| {
        let t = l.trim();
        !t.is_empty() && !t.starts_with('#')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn budgets() -> Budgets {
        Budgets::default()
    }

    #[test]
    fn documents_keep_their_lines() {
        let text = "# comment\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: b}\n";
        let docs = parse(text, &budgets()).expect("parse");
        assert_eq!(docs.len(), 2);
        assert_eq!((docs[0].line, docs[1].line), (1, 7));
        assert_eq!(docs[1].value["kind"], "Secret");
    }

    #[test]
    fn syntax_errors_name_the_document_and_line() {
        let text = "kind: ConfigMap\n---\nkind: Secret\nmetadata:\n  name: [unclosed\n";
        let error = parse(text, &budgets()).expect_err("bad yaml");
        assert_eq!(error.document, Some(1));
        assert!(
            error.message.starts_with("document 2: YAML:"),
            "{}",
            error.message
        );
        assert!(error.line.is_some_and(|l| l >= 3), "{error:?}");
    }

    #[test]
    fn every_hostile_shape_is_refused_quickly_and_says_why() {
        for (name, make, expected) in super::super::hostile::shapes() {
            let text = make();
            let started = std::time::Instant::now();
            let error = parse(&text, &budgets()).expect_err(name);
            assert!(
                error.message.contains(expected),
                "{name}: {}",
                error.message
            );
            // A bound only an expanded bomb would cross (billions of nodes: minutes), even
            // in a debug build on a machine busy with the other tests; how fast refusals
            // really are is `make bench`'s to measure.
            assert!(
                started.elapsed() < std::time::Duration::from_secs(5),
                "{name}: {:?}",
                started.elapsed()
            );
        }
    }

    #[test]
    fn anchors_and_aliases_within_the_budgets_are_fine() {
        let docs = parse(
            "apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: a, labels: &l {app: web}}}\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: b, labels: *l}}\n",
            &budgets(),
        )
        .expect("parse");
        assert_eq!(docs[1].value["metadata"]["labels"]["app"], "web");
    }

    #[test]
    fn size_depth_and_count_budgets() {
        let huge = "x".repeat(600 * 1024);
        assert!(
            parse(&huge, &budgets())
                .expect_err("big")
                .message
                .contains("at most 512 KiB")
        );
        let deep = format!("a: {}1{}", "[".repeat(10_000), "]".repeat(10_000));
        let error = parse(
            &deep,
            &Budgets {
                max_bytes: 1 << 20,
                ..budgets()
            },
        )
        .expect_err("deep");
        assert!(error.message.contains("nested"), "{}", error.message);
        let many = "kind: ConfigMap\n---\n".repeat(1000);
        assert!(
            parse(&many, &budgets())
                .expect_err("many")
                .message
                .contains("1000 documents")
        );
        let long = format!("data: {{v: \"{}\"}}", "y".repeat(200 * 1024));
        assert!(
            parse(&long, &budgets())
                .expect_err("long")
                .message
                .contains("a value of 200 KiB")
        );
    }

    #[test]
    fn json_objects_and_lists_are_accepted() {
        let docs = parse(
            r#"{"kind": "List", "items": [{"kind": "ConfigMap"}, {"kind": "Secret"}]}"#,
            &budgets(),
        )
        .expect("json");
        assert_eq!(
            docs.iter()
                .map(|d| d.value["kind"].as_str())
                .collect::<Vec<_>>(),
            [Some("ConfigMap"), Some("Secret")]
        );
    }
}

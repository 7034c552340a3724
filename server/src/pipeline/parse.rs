//! The pipeline's first stage: manifests as attendees send them — multi-document YAML
//! (or a JSON object or `List`) — parsed within budgets so that hostile input — an alias bomb, a huge or deeply nested
//! document, thousands of documents — is refused quickly with a message that says what
//! is wrong and where, before anything reaches the cluster.

use serde_json::Value;

/// Limits on one request's manifests.
#[derive(Debug, Clone, Copy)]
pub struct Budgets {
    /// Bytes of text.
    pub max_bytes: usize,
    /// Documents.
    pub max_documents: usize,
    /// Nesting of maps and lists.
    pub max_depth: usize,
    /// `*alias` references in the whole text.
    pub max_aliases: usize,
    /// Bytes of one string value.
    pub max_scalar: usize,
}

impl Default for Budgets {
    /// Generous for any lesson (a few KiB, a handful of documents), tight for abuse.
    fn default() -> Self {
        Budgets {
            max_bytes: 512 * 1024,
            max_documents: 50,
            max_depth: 32,
            max_aliases: 16,
            max_scalar: 128 * 1024,
        }
    }
}

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
    fn whole(message: String) -> TextError {
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
        return Err(TextError::whole(format!(
            "the manifests are {} KiB; at most {} KiB are accepted",
            text.len() / 1024,
            budgets.max_bytes / 1024
        )));
    }
    let trimmed = text.trim_start();
    if trimmed.starts_with('{') {
        return parse_json(text, budgets);
    }
    let aliases = count_aliases(text);
    if aliases > budgets.max_aliases {
        return Err(TextError::whole(format!(
            "the manifests use {aliases} YAML aliases (*name); at most {} are accepted",
            budgets.max_aliases
        )));
    }
    let chunks = split(text);
    let count = chunks
        .iter()
        .filter(|(_, chunk)| has_content(chunk))
        .count();
    if count > budgets.max_documents {
        return Err(TextError::whole(format!(
            "the manifests hold {count} documents; at most {} are accepted",
            budgets.max_documents
        )));
    }
    let mut documents = Vec::new();
    for (line, chunk) in chunks.into_iter().filter(|(_, c)| has_content(c)) {
        let index = documents.len();
        let value: Value = serde_yaml::from_str(&chunk).map_err(|e| {
            let at = e
                .location()
                .map_or(line, |l| line + l.line().saturating_sub(1));
            TextError::at(
                format!("document {}: YAML: {}", index + 1, yaml_message(&e)),
                index,
                at,
            )
        })?;
        check_shape(&value, budgets, index, line)?;
        if !value.is_null() {
            documents.push(Document { index, line, value });
        }
    }
    Ok(flatten_lists(documents))
}

fn parse_json(text: &str, budgets: &Budgets) -> Result<Vec<Document>, TextError> {
    let value: Value = serde_json::from_str(text)
        .map_err(|e| TextError::at(format!("document 1: JSON: {e}"), 0, e.line()))?;
    check_shape(&value, budgets, 0, 1)?;
    let documents = flatten_lists(vec![Document {
        index: 0,
        line: 1,
        value,
    }]);
    if documents.len() > budgets.max_documents {
        return Err(TextError::whole(format!(
            "the List holds {} items; at most {} are accepted",
            documents.len(),
            budgets.max_documents
        )));
    }
    Ok(documents)
}

/// A `kind: List` (what `kubectl get -o yaml` prints) stands for its items.
fn flatten_lists(documents: Vec<Document>) -> Vec<Document> {
    let mut out = Vec::new();
    for doc in documents {
        let is_list = doc.value["kind"] == "List" && doc.value["items"].is_array();
        if is_list {
            for item in doc.value["items"].as_array().cloned().unwrap_or_default() {
                out.push(Document {
                    index: out.len(),
                    line: doc.line,
                    value: item,
                });
            }
        } else {
            out.push(Document {
                index: out.len(),
                ..doc
            });
        }
    }
    out
}

/// serde_yaml's own limits, said in our words.
fn yaml_message(error: &serde_yaml::Error) -> String {
    let text = error.to_string();
    if text.contains("recursion limit exceeded") {
        "nested too deeply".to_string()
    } else if text.contains("repetition limit exceeded") {
        "aliases expand to too much data".to_string()
    } else {
        text
    }
}

/// Depth and string sizes of a parsed document.
fn check_shape(
    value: &Value,
    budgets: &Budgets,
    index: usize,
    line: usize,
) -> Result<(), TextError> {
    let mut stack = vec![(value, 1usize)];
    while let Some((v, depth)) = stack.pop() {
        if depth > budgets.max_depth {
            return Err(TextError::at(
                format!(
                    "document {}: nested more than {} levels deep",
                    index + 1,
                    budgets.max_depth
                ),
                index,
                line,
            ));
        }
        match v {
            Value::String(s) if s.len() > budgets.max_scalar => {
                return Err(TextError::at(
                    format!(
                        "document {}: a value of {} KiB; at most {} KiB are accepted",
                        index + 1,
                        s.len() / 1024,
                        budgets.max_scalar / 1024
                    ),
                    index,
                    line,
                ));
            }
            Value::Array(items) => stack.extend(items.iter().map(|i| (i, depth + 1))),
            Value::Object(map) => stack.extend(map.values().map(|i| (i, depth + 1))),
            _ => {}
        }
    }
    Ok(())
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

/// `*name` alias references outside quotes and comments.
fn count_aliases(text: &str) -> usize {
    let mut count = 0;
    for line in text.lines() {
        let mut quote: Option<char> = None;
        let mut previous = ' ';
        let chars: Vec<char> = line.chars().collect();
        for (i, &c) in chars.iter().enumerate() {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '"' | '\'') if previous.is_whitespace() || "[{,:-".contains(previous) => {
                    quote = Some(c)
                }
                (None, '#') if previous.is_whitespace() => break,
                (None, '*')
                    if (previous.is_whitespace() || "[{,".contains(previous))
                        && chars
                            .get(i + 1)
                            .is_some_and(|n| n.is_alphanumeric() || *n == '_') =>
                {
                    count += 1;
                }
                _ => {}
            }
            previous = c;
        }
    }
    count
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
    fn alias_bombs_are_refused_before_parsing() {
        let mut bomb = String::from(
            "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
        );
        for (name, previous) in [
            ("b", "a"),
            ("c", "b"),
            ("d", "c"),
            ("e", "d"),
            ("f", "e"),
            ("g", "f"),
            ("h", "g"),
            ("i", "h"),
        ] {
            bomb.push_str(&format!("{name}: &{name} [*{previous},*{previous},*{previous},*{previous},*{previous},*{previous},*{previous},*{previous},*{previous}]\n"));
        }
        let started = std::time::Instant::now();
        let error = parse(&bomb, &budgets()).expect_err("bomb");
        assert!(error.message.contains("YAML aliases"), "{}", error.message);
        assert!(started.elapsed() < std::time::Duration::from_millis(50));
        assert_eq!(
            count_aliases("command: [\"echo *\"]\nx: a*b # *c\ny: *d\n"),
            1
        );
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

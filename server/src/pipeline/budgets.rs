//! The budgets of one request's manifests, and the count of what parsing has built
//! against them: on what is built, not only on the text, so that aliases count as what
//! they expand to.

use serde_json::Value;

/// Limits on one request's manifests: on what parsing builds, not only on the text, so
/// that aliases (`*name`) count as what they expand to.
#[derive(Debug, Clone, Copy)]
pub struct Budgets {
    /// Bytes of text.
    pub max_bytes: usize,
    /// Documents, after a `kind: List` stands for its items.
    pub max_documents: usize,
    /// Nesting of maps and lists.
    pub max_depth: usize,
    /// `*alias` references in the whole text.
    pub max_aliases: usize,
    /// Values built in all, scalars, lists and maps, aliases expanded.
    pub max_nodes: usize,
    /// Bytes of one string value.
    pub max_scalar: usize,
    /// Bytes of one map key.
    pub max_key: usize,
}

impl Default for Budgets {
    /// Generous for any lesson (a few KiB, a handful of documents), tight for abuse: a
    /// bomb is refused in milliseconds, having built at most a few tens of thousands of
    /// values.
    fn default() -> Self {
        Budgets {
            max_bytes: 512 * 1024,
            max_documents: 50,
            max_depth: 32,
            max_aliases: 16,
            max_nodes: 50_000,
            max_scalar: 128 * 1024,
            max_key: 1024,
        }
    }
}

/// What the documents parsed so far have built, held against the request's budgets.
#[derive(Debug, Default)]
pub struct Built {
    /// Values built so far.
    pub nodes: usize,
}

impl Built {
    /// Counts a parsed document's values and checks its depth, strings and keys.
    pub fn add(&mut self, value: &Value, budgets: &Budgets) -> Result<(), String> {
        let mut stack = vec![(value, 1usize)];
        while let Some((v, depth)) = stack.pop() {
            self.nodes += 1;
            if self.nodes > budgets.max_nodes {
                return Err(nodes_message(budgets));
            }
            if depth > budgets.max_depth {
                return Err(format!(
                    "nested more than {} levels deep",
                    budgets.max_depth
                ));
            }
            match v {
                Value::String(s) if s.len() > budgets.max_scalar => {
                    return Err(format!(
                        "a value of {} KiB; at most {} KiB are accepted",
                        s.len() / 1024,
                        budgets.max_scalar / 1024
                    ));
                }
                Value::Array(items) => stack.extend(items.iter().map(|i| (i, depth + 1))),
                Value::Object(map) => {
                    if let Some(key) = map.keys().find(|k| k.len() > budgets.max_key) {
                        return Err(format!(
                            "a key of {} bytes; at most {} are accepted",
                            key.len(),
                            budgets.max_key
                        ));
                    }
                    stack.extend(map.values().map(|i| (i, depth + 1)));
                }
                _ => {}
            }
        }
        Ok(())
    }
}

/// What crossing the value budget is called.
pub fn nodes_message(budgets: &Budgets) -> String {
    format!(
        "the manifests build more than {} values (aliases count as what they expand to); at most {} are accepted",
        budgets.max_nodes, budgets.max_nodes
    )
}

//! `${name}` placeholders in the cases: the area's unique namespace (`${ns}`), texts a
//! case file defines once under `vars` (long validation messages), and
//! `${repeat:N:text}` for bodies too large to write out (a 254-character name, a
//! ConfigMap over 1 MiB).

use serde_json::Value;
use std::collections::BTreeMap;

/// The values placeholders stand for.
#[derive(Debug, Clone, Default)]
pub struct Vars(BTreeMap<String, String>);

impl Vars {
    pub fn new(ns: &str) -> Vars {
        let mut vars = Vars::default();
        vars.set("ns", ns);
        vars
    }

    pub fn set(&mut self, name: &str, value: &str) {
        self.0.insert(name.to_string(), value.to_string());
    }

    /// Adds a file's own vars; they may use the ones already set.
    pub fn extend(&mut self, defined: &BTreeMap<String, String>) {
        for (name, value) in defined {
            let filled = self.fill(value);
            self.set(name, &filled);
        }
    }

    /// `text` with every placeholder replaced; panics on an unknown one, so that a typo in
    /// a case cannot pass as a difference.
    pub fn fill(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let end = after
                .find('}')
                .unwrap_or_else(|| panic!("unclosed placeholder in {text:?}"));
            out.push_str(&self.value_of(&after[..end]));
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        out
    }

    fn value_of(&self, name: &str) -> String {
        if let Some(spec) = name.strip_prefix("repeat:") {
            let (count, unit) = spec
                .split_once(':')
                .unwrap_or_else(|| panic!("${{repeat:N:text}} expected, got {name}"));
            let count: usize = count.parse().expect("repeat count");
            return unit.repeat(count);
        }
        self.0
            .get(name)
            .cloned()
            .unwrap_or_else(|| panic!("unknown placeholder ${{{name}}}"))
    }

    /// `value` with placeholders filled in every string and object key.
    pub fn fill_value(&self, value: &Value) -> Value {
        match value {
            Value::String(s) => Value::String(self.fill(s)),
            Value::Array(items) => Value::Array(items.iter().map(|v| self.fill_value(v)).collect()),
            Value::Object(map) => Value::Object(
                map.iter()
                    .map(|(k, v)| (self.fill(k), self.fill_value(v)))
                    .collect(),
            ),
            other => other.clone(),
        }
    }
}

//! Where two JSON values differ: every leaf (or missing key, or extra element) as a JSON
//! pointer with both sides' values. Objects compare key by key, whatever their order.

use serde_json::Value;
use std::fmt;

/// One place where kubesim's answer and kube-apiserver's differ.
#[derive(Debug, Clone, PartialEq)]
pub struct Difference {
    pub path: String,
    pub sim: Option<Value>,
    pub real: Option<Value>,
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let show = |v: &Option<Value>| match v {
            None => "(absent)".to_string(),
            Some(v) => shorten(&v.to_string(), 400),
        };
        write!(
            f,
            "{}\n        kubesim:        {}\n        kube-apiserver: {}",
            if self.path.is_empty() {
                "/"
            } else {
                &self.path
            },
            show(&self.sim),
            show(&self.real)
        )
    }
}

fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let cut: String = s.chars().take(max).collect();
    format!("{cut}… ({} characters)", s.chars().count())
}

fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// Every difference between `sim` and `real`.
pub fn diff(sim: &Value, real: &Value) -> Vec<Difference> {
    let mut out = Vec::new();
    walk("", Some(sim), Some(real), &mut out);
    out
}

fn walk(path: &str, sim: Option<&Value>, real: Option<&Value>, out: &mut Vec<Difference>) {
    match (sim, real) {
        (Some(Value::Object(a)), Some(Value::Object(b))) => {
            let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
            keys.sort();
            keys.dedup();
            for k in keys {
                walk(&format!("{path}/{}", escape(k)), a.get(k), b.get(k), out);
            }
        }
        (Some(Value::Array(a)), Some(Value::Array(b))) => {
            for i in 0..a.len().max(b.len()) {
                walk(&format!("{path}/{i}"), a.get(i), b.get(i), out);
            }
        }
        (a, b) if a == b => {}
        (a, b) => out.push(Difference {
            path: path.to_string(),
            sim: a.cloned(),
            real: b.cloned(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn key_order_does_not_matter_and_leaves_are_named() {
        let a = json!({"x": 1, "y": [1, 2], "z": {"k": "a"}});
        let b = json!({"z": {"k": "b"}, "y": [1], "x": 1});
        let paths: Vec<String> = diff(&a, &b).into_iter().map(|d| d.path).collect();
        assert_eq!(paths, ["/y/1", "/z/k"]);
    }
}

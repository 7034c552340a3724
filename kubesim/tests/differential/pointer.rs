//! JSON pointers with a `*` wildcard, into an answer's document (`/code`, `/warnings`,
//! `/body/details/causes`, `/body/columnDefinitions/*/name`): what a case compares
//! (`project`) and what it leaves out (`mask`).

use serde_json::{Map, Value};

/// Put where a wildcard's element lacks the pointed-to value, so that "absent" still
/// differs from any value.
pub const ABSENT: &str = "<absent>";
/// Put in place of a masked value.
pub const IGNORED: &str = "<ignored>";

fn tokens(pointer: &str) -> Vec<String> {
    pointer
        .split('/')
        .skip(1)
        .map(|t| t.replace("~1", "/").replace("~0", "~"))
        .collect()
}

/// The part of `value` at `pointer`, kept at its place: `/a/b` of `{"a": {"b": 1,
/// "c": 2}}` is `{"a": {"b": 1}}`; a `*` keeps every element. `None` when absent.
pub fn project(value: &Value, pointer: &str) -> Option<Value> {
    project_tokens(value, &tokens(pointer))
}

fn project_tokens(value: &Value, tokens: &[String]) -> Option<Value> {
    let Some((first, rest)) = tokens.split_first() else {
        return Some(value.clone());
    };
    match (value, first.as_str()) {
        (Value::Array(items), "*") => Some(Value::Array(
            items
                .iter()
                .map(|item| project_tokens(item, rest).unwrap_or_else(|| ABSENT.into()))
                .collect(),
        )),
        (Value::Object(map), "*") => Some(Value::Object(
            map.iter()
                .filter_map(|(k, v)| project_tokens(v, rest).map(|p| (k.clone(), p)))
                .collect(),
        )),
        (Value::Object(map), key) => {
            let inner = project_tokens(map.get(key)?, rest)?;
            let mut out = Map::new();
            out.insert(key.to_string(), inner);
            Some(Value::Object(out))
        }
        (Value::Array(items), index) => {
            let index: usize = index.parse().ok()?;
            let inner = project_tokens(items.get(index)?, rest)?;
            let mut out = vec![Value::String("<not compared>".into()); index];
            out.push(inner);
            Some(Value::Array(out))
        }
        _ => None,
    }
}

/// Merges projection `from` into `into` (objects key by key, arrays element by element).
pub fn merge(into: &mut Value, from: Value) {
    match (into, from) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in b {
                match a.get_mut(&k) {
                    Some(existing) => merge(existing, v),
                    None => {
                        a.insert(k, v);
                    }
                }
            }
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            for (x, y) in a.iter_mut().zip(b) {
                merge(x, y);
            }
        }
        (slot, from) => *slot = from,
    }
}

/// The parts of `document` at every pointer, in one value.
pub fn select(document: &Value, pointers: &[String]) -> Value {
    let mut out = Value::Object(Map::new());
    for pointer in pointers {
        if let Some(part) = project(document, pointer) {
            merge(&mut out, part);
        }
    }
    out
}

/// Replaces every value at `pointer` in `value` with [`IGNORED`].
pub fn mask(value: &mut Value, pointer: &str) {
    mask_tokens(value, &tokens(pointer));
}

fn mask_tokens(value: &mut Value, tokens: &[String]) {
    let Some((first, rest)) = tokens.split_first() else {
        *value = Value::String(IGNORED.into());
        return;
    };
    match (value, first.as_str()) {
        (Value::Array(items), "*") => items.iter_mut().for_each(|v| mask_tokens(v, rest)),
        (Value::Object(map), "*") => map.values_mut().for_each(|v| mask_tokens(v, rest)),
        (Value::Object(map), key) => {
            if let Some(v) = map.get_mut(key) {
                mask_tokens(v, rest);
            }
        }
        (Value::Array(items), index) => {
            if let Some(v) = index.parse::<usize>().ok().and_then(|i| items.get_mut(i)) {
                mask_tokens(v, rest);
            }
        }
        _ => {}
    }
}

/// Whether `path` (a concrete pointer, as differences have) is `prefix` or below it,
/// where `prefix` may hold `*` for any one token.
pub fn is_under(path: &str, prefix: &str) -> bool {
    let path = tokens(path);
    let prefix = tokens(prefix);
    prefix.len() <= path.len() && prefix.iter().zip(&path).all(|(p, t)| p == "*" || p == t)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn projection_keeps_places_and_marks_absence() {
        let doc = json!({"body": {"cols": [{"name": "A", "x": 1}, {"x": 2}], "other": 1}});
        assert_eq!(
            select(&doc, &["/body/cols/*/name".into()]),
            json!({"body": {"cols": [{"name": "A"}, ABSENT]}})
        );
        assert!(is_under("/body/cols/1/name", "/body/cols/*"));
        assert!(!is_under("/body", "/body/cols"));
    }
}

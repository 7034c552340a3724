//! Duplicate keys in a JSON body. serde_json keeps the last value silently; kube-apiserver's
//! strict decoder reports each by its path, as `duplicate field "spec.replicas"` (refused
//! under `fieldValidation=Strict`, a warning under `Warn`).

use serde::Deserializer;
use serde::de::{DeserializeSeed, MapAccess, SeqAccess, Visitor};
use std::collections::BTreeSet;
use std::fmt;

/// The paths of keys that appear twice in one JSON object anywhere in `body`
/// (`spec.template.spec.containers[0].name`), in order of first repetition. Empty when the
/// body is not JSON (the decoder reports that).
pub fn find(body: &[u8]) -> Vec<String> {
    let mut found = Vec::new();
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    if Scan(&mut found, String::new())
        .deserialize(&mut deserializer)
        .is_err()
    {
        return Vec::new();
    }
    found
}

/// Walks one value at a path, recording duplicate keys into the sink.
struct Scan<'a>(&'a mut Vec<String>, String);

impl Scan<'_> {
    fn child(&self, key: &str) -> String {
        if self.1.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.1)
        }
    }
}

impl<'de> DeserializeSeed<'de> for Scan<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Scan<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen = BTreeSet::new();
        while let Some(key) = map.next_key::<String>()? {
            let path = self.child(&key);
            if !seen.insert(key) && !self.0.contains(&path) {
                self.0.push(path.clone());
            }
            map.next_value_seed(Scan(self.0, path))?;
        }
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut index = 0;
        while seq
            .next_element_seed(Scan(self.0, format!("{}[{index}]", self.1)))?
            .is_some()
        {
            index += 1;
        }
        Ok(())
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_repeated_keys_at_any_depth() {
        let body = br#"{"spec": {"replicas": 1, "replicas": 2, "template": [{"a": 1, "a": 2}]}, "kind": "x"}"#;
        assert_eq!(find(body), ["spec.replicas", "spec.template[0].a"]);
        assert!(find(br#"{"a": {"a": 1}}"#).is_empty());
        assert!(find(b"not json").is_empty());
    }
}

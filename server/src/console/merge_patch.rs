//! The JSON merge patch (RFC 7386) between two objects: what `kubectl edit` sends for what
//! was changed, and what `rollout undo` sends to put an earlier pod template back. It
//! holds the changed fields and `null` for those that went; being no replacement, it
//! cannot conflict with a controller writing the object's status meanwhile.

use serde_json::{Map, Value};

/// The JSON merge patch (RFC 7386) that turns `from` into `to`; `None` if they are equal.
pub fn between(from: &Value, to: &Value) -> Option<Value> {
    if from == to {
        return None;
    }
    let (Value::Object(from), Value::Object(to)) = (from, to) else {
        return Some(to.clone());
    };
    let mut patch = Map::new();
    for (key, old) in from {
        match to.get(key) {
            None => {
                patch.insert(key.clone(), Value::Null);
            }
            Some(new) => {
                if let Some(change) = between(old, new) {
                    patch.insert(key.clone(), change);
                }
            }
        }
    }
    for (key, new) in to {
        if !from.contains_key(key) {
            patch.insert(key.clone(), new.clone());
        }
    }
    Some(Value::Object(patch))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_patch_holds_what_changed_and_nulls_what_went() {
        let from = json!({"spec": {"replicas": 2, "paused": true, "template": {"x": [1, 2]}}, "kind": "D"});
        let to = json!({"spec": {"replicas": 3, "template": {"x": [1]}, "minReadySeconds": 5}, "kind": "D"});
        assert_eq!(
            between(&from, &to),
            Some(
                json!({"spec": {"replicas": 3, "paused": null, "template": {"x": [1]}, "minReadySeconds": 5}})
            )
        );
        assert_eq!(between(&from, &from), None);
    }
}

//! The JSON merge patch (RFC 7386) between two objects: what `kubectl edit` sends for what
//! was changed, and what `rollout undo` sends to put an earlier pod template back. It
//! holds the changed fields and `null` for those that went; being no replacement, it
//! cannot conflict with a controller writing the object's status meanwhile.

use serde_json::{Map, Value};

/// The JSON merge patch (RFC 7386) that turns `from` into `to`; `None` if they are equal.
pub fn between(from: &Value, to: &Value) -> Option<Value> {
    between_keeping(from, to, &Value::Null)
}

/// As [`between`], for an edit made on a text of `live` that named some things
/// differently (the workspace's namespaces by their short names): a list that changed
/// goes whole (a merge patch cannot say less), its unchanged items as `live` holds them
/// and its changed ones as `live` holds them with the change applied, so that nothing the
/// attendee did not change is written back as the text showed it.
pub fn between_keeping(from: &Value, to: &Value, live: &Value) -> Option<Value> {
    if from == to {
        return None;
    }
    match (from, to) {
        (Value::Object(old), Value::Object(new)) => {
            let mut patch = Map::new();
            for (key, before) in old {
                match new.get(key) {
                    None => {
                        patch.insert(key.clone(), Value::Null);
                    }
                    Some(after) => {
                        let kept = live.get(key).unwrap_or(&Value::Null);
                        if let Some(change) = between_keeping(before, after, kept) {
                            patch.insert(key.clone(), change);
                        }
                    }
                }
            }
            for (key, after) in new {
                if !old.contains_key(key) {
                    patch.insert(key.clone(), after.clone());
                }
            }
            Some(Value::Object(patch))
        }
        (Value::Array(old), Value::Array(new)) => {
            let kept = live.as_array();
            let items = new.iter().enumerate().map(|(i, after)| {
                match (old.get(i), kept.and_then(|k| k.get(i))) {
                    (Some(before), Some(kept)) if before == after => kept.clone(),
                    (Some(before), Some(kept)) if before.is_object() && after.is_object() => {
                        let mut item = kept.clone();
                        if let Some(change) = between_keeping(before, after, kept) {
                            apply(&mut item, &change);
                        }
                        item
                    }
                    _ => after.clone(),
                }
            });
            Some(Value::Array(items.collect()))
        }
        _ => Some(to.clone()),
    }
}

/// Applies a merge patch to `target` (RFC 7386).
fn apply(target: &mut Value, patch: &Value) {
    let Value::Object(changes) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    if let Value::Object(map) = target {
        for (key, change) in changes {
            if change.is_null() {
                map.remove(key);
            } else {
                apply(map.entry(key.clone()).or_insert(Value::Null), change);
            }
        }
    }
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

    #[test]
    fn an_edited_list_keeps_what_the_text_showed_differently() {
        // The text showed `kc-a1-server` as `server`; the attendee changed one image.
        let live = json!({"containers": [
            {"name": "a", "image": "x:1", "env": [{"name": "DB", "value": "db.kc-a1-server"}]},
            {"name": "b", "image": "y:1", "env": [{"name": "DB", "value": "db.kc-a1-server"}]}]});
        let shown = json!({"containers": [
            {"name": "a", "image": "x:1", "env": [{"name": "DB", "value": "db.server"}]},
            {"name": "b", "image": "y:1", "env": [{"name": "DB", "value": "db.server"}]}]});
        let mut saved = shown.clone();
        saved["containers"][1]["image"] = json!("y:2");
        let patch = between_keeping(&shown, &saved, &live).expect("a change");
        let mut wanted = live.clone();
        wanted["containers"][1]["image"] = json!("y:2");
        assert_eq!(patch, wanted);
    }
}

//! The pieces every `kubectl describe` layout is made of: lines at indentation levels
//! (two spaces each) with tab-separated cells, aligned at the end by Go's tabwriter
//! rules; labels and annotations over several lines; events; kubectl's ages and dates.

use crate::console::tabwriter;
use kubesim::api::format::human_duration;
pub use kubesim::api::format::selector;
use serde_json::Value;
use std::collections::BTreeMap;

/// Annotations longer than this (with their key) are printed under their key, cut.
const MAX_ANNOTATION: usize = 140;

/// What a layout has to work with.
pub struct Facts<'a> {
    pub object: &'a Value,
    /// The namespace as the attendee names it.
    pub namespace: &'a str,
    pub events: &'a [Value],
    /// Related objects: a Service's EndpointSlices, a Deployment's ReplicaSets, a
    /// ReplicaSet's or StatefulSet's pods, the pods that may mount a claim, an Ingress's
    /// Endpoints.
    pub related: &'a [Value],
    /// An Ingress's Services (its Endpoints are in `related`); empty for other kinds.
    pub services: &'a [Value],
    pub now: jiff::Timestamp,
}

impl<'a> Facts<'a> {
    /// The object's metadata, spec and status.
    pub fn parts(&self) -> (&'a Value, &'a Value, &'a Value) {
        let object = self.object;
        (&object["metadata"], &object["spec"], &object["status"])
    }
}

/// The text of one description, written line by line, aligned when done.
#[derive(Default)]
pub struct Text {
    raw: String,
}

impl Text {
    /// Writes `text` at indentation `level`.
    pub fn at(&mut self, level: usize, text: &str) {
        for _ in 0..level {
            self.raw.push_str("  ");
        }
        self.raw.push_str(text);
    }

    /// `Title:\tvalue` at level 0.
    pub fn field(&mut self, title: &str, value: &str) {
        self.at(0, &format!("{title}:\t{value}\n"));
    }

    /// `Name:` and `Namespace:`, as every description begins.
    pub fn head(&mut self, facts: &Facts<'_>) {
        self.field(
            "Name",
            facts.object["metadata"]["name"]
                .as_str()
                .unwrap_or_default(),
        );
        self.field("Namespace", facts.namespace);
    }

    pub fn done(self) -> String {
        tabwriter::align(&self.raw)
    }

    /// Labels (or any string map) one per line after `title`, sorted; `<none>` if empty.
    pub fn labels(&mut self, title: &str, labels: &Value) {
        let entries = strings(labels)
            .into_iter()
            .map(|(key, value)| format!("{key}={value}\n"))
            .collect();
        self.entries(title, entries);
    }

    /// Annotations as kubectl prints them: long or multi-line values under their key,
    /// kubectl's own last-applied-configuration left out.
    pub fn annotations(&mut self, title: &str, annotations: &Value) {
        let mut map = strings(annotations);
        map.remove("kubectl.kubernetes.io/last-applied-configuration");
        let entries = map
            .iter()
            .map(|(key, value)| {
                let value = value.strip_suffix('\n').unwrap_or(value);
                if value.len() + key.len() + 2 <= MAX_ANNOTATION && !value.contains('\n') {
                    return format!("{key}: {value}\n");
                }
                let mut entry = format!("{key}:\n");
                for line in value.split('\n') {
                    let cut = if line.len() > MAX_ANNOTATION - 2 {
                        format!("{}...", &line[..floor_char(line, MAX_ANNOTATION - 2)])
                    } else {
                        line.to_string()
                    };
                    entry.push_str(&format!("\t  {cut}\n"));
                }
                entry
            })
            .collect();
        self.entries(title, entries);
    }

    /// `Title:` and one entry a line in the column after it; `<none>` without any.
    fn entries(&mut self, title: &str, entries: Vec<String>) {
        self.at(0, &format!("{title}:\t"));
        if entries.is_empty() {
            self.at(0, "<none>\n");
        }
        for (i, entry) in entries.iter().enumerate() {
            if i > 0 {
                self.at(0, "\t");
            }
            self.at(0, entry);
        }
    }

    /// The events about an object, oldest first, as `kubectl describe` ends with them.
    pub fn events(&mut self, events: &[Value], now: jiff::Timestamp) {
        if events.is_empty() {
            self.field("Events", "<none>");
            return;
        }
        let mut sorted: Vec<&Value> = events.iter().collect();
        sorted.sort_by_key(|e| timestamp(&e["lastTimestamp"]));
        self.at(0, "Events:\n  Type\tReason\tAge\tFrom\tMessage\n");
        self.at(1, "----\t------\t----\t----\t-------\n");
        for e in sorted {
            let first = match timestamp(&e["eventTime"]) {
                Some(t) => since(t, now),
                None => age(&e["firstTimestamp"], now),
            };
            let count = e["count"].as_i64().unwrap_or(0);
            let interval = if !e["series"].is_null() {
                format!(
                    "{} (x{} over {first})",
                    age(&e["series"]["lastObservedTime"], now),
                    e["series"]["count"].as_i64().unwrap_or(0)
                )
            } else if count > 1 {
                format!("{} (x{count} over {first})", age(&e["lastTimestamp"], now))
            } else {
                first
            };
            let source = e["source"]["component"]
                .as_str()
                .filter(|s| !s.is_empty())
                .or(e["reportingComponent"].as_str())
                .unwrap_or_default();
            let message = e["message"].as_str().unwrap_or_default().trim().to_string();
            self.at(
                1,
                &format!(
                    "{}\t{}\t{interval}\t{source}\t{message}\n",
                    e["type"].as_str().unwrap_or_default(),
                    e["reason"].as_str().unwrap_or_default()
                ),
            );
        }
    }
}

/// The strings of a JSON list (others left out).
pub fn texts(list: &Value) -> Vec<&str> {
    list.as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect()
}

/// A JSON list of strings as Go prints a `[]string` with `%v`: `[a b]`.
pub fn go_list(list: &Value) -> String {
    format!("[{}]", texts(list).join(" "))
}

/// A JSON map of strings, sorted by key.
pub fn strings(map: &Value) -> BTreeMap<String, String> {
    map.as_object()
        .into_iter()
        .flatten()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
        .collect()
}

fn floor_char(text: &str, at: usize) -> usize {
    (0..=at)
        .rev()
        .find(|i| text.is_char_boundary(*i))
        .unwrap_or(0)
}

pub fn timestamp(value: &Value) -> Option<jiff::Timestamp> {
    value.as_str()?.parse().ok()
}

/// How long ago `value` (a timestamp) was, as kubectl says it; `<unknown>` without one.
pub fn age(value: &Value, now: jiff::Timestamp) -> String {
    timestamp(value).map_or_else(|| "<unknown>".into(), |t| since(t, now))
}

/// How long from `then` to `now`, as kubectl says it.
pub fn since(then: jiff::Timestamp, now: jiff::Timestamp) -> String {
    human_duration(now.as_second() - then.as_second())
}

/// A timestamp in Go's RFC 1123 with a numeric zone (`Sun, 06 Dec 2026 11:13:12 +0000`).
pub fn rfc1123z(value: &Value) -> String {
    timestamp(value).map_or_else(String::new, |t| {
        t.strftime("%a, %d %b %Y %H:%M:%S +0000").to_string()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn labels_one_per_line_under_their_title() {
        let mut text = Text::default();
        text.labels("Labels", &json!({"tier": "front", "app": "web"}));
        text.labels("Other", &json!({}));
        assert_eq!(
            text.done(),
            "Labels:  app=web\n         tier=front\nOther:   <none>\n"
        );
        assert_eq!(
            selector(
                &json!({"matchLabels": {"app": "web"}, "matchExpressions": [{"key": "tier", "operator": "In", "values": ["b", "a"]}]})
            ),
            "app=web,tier in (a,b)"
        );
    }
}

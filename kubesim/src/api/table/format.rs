//! The printers' shared formatting: ages, label maps, selectors, container lists,
//! load-balancer addresses, placeholders. The workshop's console prints ages and
//! selectors with these too (`kubectl describe`).

use jiff::Timestamp;
use serde_json::{Value, json};

/// Ages as kubectl prints them (`90s`, `5m30s`, `3h5m`, `2d2h`, `2y1d`).
pub fn human_duration(seconds: i64) -> String {
    if seconds < -1 {
        return "<invalid>".into();
    }
    let s = seconds.max(0);
    if s < 120 {
        return format!("{s}s");
    }
    let m = s / 60;
    if m < 10 {
        return if s % 60 == 0 {
            format!("{m}m")
        } else {
            format!("{m}m{}s", s % 60)
        };
    }
    if m < 180 {
        return format!("{m}m");
    }
    let h = m / 60;
    if h < 8 {
        return if m % 60 == 0 {
            format!("{h}h")
        } else {
            format!("{h}h{}m", m % 60)
        };
    }
    if h < 48 {
        return format!("{h}h");
    }
    if h < 192 {
        return if h % 24 == 0 {
            format!("{}d", h / 24)
        } else {
            format!("{}d{}h", h / 24, h % 24)
        };
    }
    if h < 17_520 {
        return format!("{}d", h / 24);
    }
    let (y, d) = (h / 24 / 365, (h / 24) % 365);
    if h < 70_080 && d != 0 {
        format!("{y}y{d}d")
    } else {
        format!("{y}y")
    }
}

pub(super) fn age(now: Timestamp, time: &Value) -> String {
    match time.as_str().and_then(|t| t.parse::<Timestamp>().ok()) {
        Some(t) => human_duration(now.as_second() - t.as_second()),
        None => "<unknown>".into(),
    }
}

pub(super) fn int(v: &Value) -> Value {
    json!(v.as_i64().unwrap_or(0))
}

pub(super) fn or_none(v: &Value) -> String {
    v.as_str()
        .filter(|s| !s.is_empty())
        .unwrap_or("<none>")
        .to_string()
}

pub(super) fn labels(map: &Value) -> String {
    let mut pairs: Vec<String> = map
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default()))
        .collect();
    pairs.sort();
    if pairs.is_empty() {
        "<none>".into()
    } else {
        pairs.join(",")
    }
}

/// A label selector as apimachinery prints it (`app=web,tier in (a,b)`).
pub fn selector(sel: &Value) -> String {
    let mut reqs: Vec<(String, String)> = sel["matchLabels"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, v)| (k.clone(), format!("{k}={}", v.as_str().unwrap_or_default())))
        .collect();
    for e in sel["matchExpressions"].as_array().into_iter().flatten() {
        let key = e["key"].as_str().unwrap_or_default().to_string();
        let mut values: Vec<&str> = e["values"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        values.sort();
        let text = match e["operator"].as_str() {
            Some("In") => format!("{key} in ({})", values.join(",")),
            Some("NotIn") => format!("{key} notin ({})", values.join(",")),
            Some("Exists") => key.clone(),
            Some("DoesNotExist") => format!("!{key}"),
            _ => return "<error>".into(),
        };
        reqs.push((key, text));
    }
    reqs.sort();
    reqs.into_iter()
        .map(|(_, t)| t)
        .collect::<Vec<_>>()
        .join(",")
}

pub(super) fn containers(template: &Value) -> (String, String) {
    let list = template["spec"]["containers"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let field = |f: &str| {
        list.iter()
            .map(|c| c[f].as_str().unwrap_or_default().to_string())
            .collect::<Vec<_>>()
            .join(",")
    };
    (field("name"), field("image"))
}

pub(super) fn lb_addresses(status: &Value) -> Vec<String> {
    let mut out: Vec<String> = status["loadBalancer"]["ingress"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|i| {
            i["ip"]
                .as_str()
                .filter(|s| !s.is_empty())
                .or_else(|| i["hostname"].as_str())
        })
        .map(str::to_string)
        .collect();
    out.sort();
    out.dedup();
    out
}

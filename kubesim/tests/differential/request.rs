//! A request as the cases write it, and the answer a server gives to it: status code,
//! `Warning` headers and body. Both servers are reached through a `kube::Client`'s raw
//! `send`, so what is compared is what came over the wire (kube-rs's typed calls would
//! hide the headers and turn error bodies into `kube::Error`s).

use http_body_util::BodyExt;
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::time::Duration;

/// The User-Agent every request carries unless it sets its own.
const USER_AGENT: &str = "kubeclass-differential/1.0";

/// How long one answer may take (a watch reads until its `watch` condition instead).
const ANSWER_TIMEOUT: Duration = Duration::from_secs(30);

/// One HTTP request. Strings anywhere in it may hold `${var}` placeholders (see
/// [`crate::vars`]), filled in before it is sent.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Request {
    #[serde(default = "get")]
    pub method: String,
    /// Path and query, as on the wire (`/api/v1/namespaces/${ns}/pods?fieldSelector=…`).
    pub path: String,
    /// Extra headers; a list sends the header once per value (`Impersonate-Group`).
    #[serde(default)]
    pub headers: BTreeMap<String, OneOrMany>,
    /// The body as YAML (sent as JSON).
    #[serde(default)]
    pub body: Option<Value>,
    /// A YAML file (from the repository's root) whose document is the body.
    #[serde(default)]
    pub body_file: Option<String>,
    /// A body sent as it is written (for bodies a JSON value cannot hold, such as a
    /// duplicate key).
    #[serde(default)]
    pub raw_body: Option<String>,
    /// `strategic`, `merge`, `json-patch`, `apply` or a full media type; default
    /// `application/json`.
    #[serde(default)]
    pub content_type: Option<String>,
    /// Read the answer as a watch stream, until this condition.
    #[serde(default)]
    pub watch: Option<WatchUntil>,
    /// In a setup step: codes accepted besides 2xx (409 for something already there).
    #[serde(default)]
    pub allow: Vec<u16>,
}

fn get() -> String {
    "GET".to_string()
}

/// A header given once or several times.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    pub fn values(&self) -> Vec<String> {
        match self {
            OneOrMany::One(v) => vec![v.clone()],
            OneOrMany::Many(vs) => vs.clone(),
        }
    }
}

/// When a watch has been read far enough.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WatchUntil {
    /// Stop after this many events.
    #[serde(default)]
    pub events: Option<usize>,
    /// Stop at the bookmark annotated `k8s.io/initial-events-end` (included).
    #[serde(default)]
    pub initial_events_end: bool,
    /// Stop at an `ERROR` event (included).
    #[serde(default = "yes")]
    pub error: bool,
    /// Give up after this long, keeping what came (the stream's end stops it too).
    #[serde(default = "ten")]
    pub seconds: u64,
}

fn yes() -> bool {
    true
}

fn ten() -> u64 {
    10
}

/// What a server answered.
#[derive(Debug, Clone)]
pub struct Answer {
    pub code: u16,
    /// The texts of the `Warning: 299 - "…"` headers, in order.
    pub warnings: Vec<String>,
    /// The body: JSON when it parses, a watch's events as an array, else the text.
    pub body: Value,
}

impl Answer {
    /// The answer as one JSON document, `{"code", "warnings", "body"}`: what the cases'
    /// `compare` and `ignore` pointers point into.
    pub fn document(&self) -> Value {
        json!({"code": self.code, "warnings": self.warnings, "body": self.body})
    }

    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.code)
    }

    /// A DELETE of what this answer to `request` created, if it was a create (a POST
    /// answered 2xx, not a dry run, with the new object's name in the body): for undoing
    /// a create one server accepted and the other refused, so that later cases find the
    /// same objects on both.
    pub fn undo(&self, request: &Request) -> Option<Request> {
        let (path, query) = request
            .path
            .split_once('?')
            .unwrap_or((request.path.as_str(), ""));
        if request.method != "POST" || !self.is_success() || query.contains("dryRun") {
            return None;
        }
        let name = self.body["metadata"]["name"].as_str()?;
        Some(Request {
            method: "DELETE".into(),
            ..Request::get(format!("{path}/{name}"))
        })
    }

    /// `code reason: message` for reports.
    pub fn summary(&self) -> String {
        let message = self.body["message"].as_str().unwrap_or_default();
        let reason = self.body["reason"].as_str().unwrap_or_default();
        format!("{} {reason}: {message}", self.code)
    }
}

impl Request {
    /// A GET of `path`.
    pub fn get(path: impl Into<String>) -> Request {
        Request {
            method: "GET".into(),
            path: path.into(),
            headers: BTreeMap::new(),
            body: None,
            body_file: None,
            raw_body: None,
            content_type: None,
            watch: None,
            allow: Vec::new(),
        }
    }

    /// A request of `method` on `path` with a JSON `body`.
    pub fn with_body(method: &str, path: impl Into<String>, body: Value) -> Request {
        Request {
            method: method.into(),
            body: Some(body),
            ..Request::get(path)
        }
    }

    /// This request with `vars` filled in.
    pub fn filled(&self, vars: &crate::vars::Vars) -> Request {
        Request {
            method: self.method.clone(),
            path: vars.fill(&self.path),
            headers: self
                .headers
                .iter()
                .map(|(k, v)| {
                    let values = v.values().iter().map(|v| vars.fill(v)).collect();
                    (k.clone(), OneOrMany::Many(values))
                })
                .collect(),
            body: match &self.body_file {
                Some(file) => Some(vars.fill_value(&read_body_file(file))),
                None => self.body.as_ref().map(|b| vars.fill_value(b)),
            },
            body_file: None,
            raw_body: self.raw_body.as_ref().map(|b| vars.fill(b)),
            content_type: self.content_type.clone(),
            watch: self.watch.clone(),
            allow: self.allow.clone(),
        }
    }

    fn media_type(&self) -> &str {
        match self.content_type.as_deref() {
            None => "application/json",
            Some("strategic") => "application/strategic-merge-patch+json",
            Some("merge") => "application/merge-patch+json",
            Some("json-patch") => "application/json-patch+json",
            Some("apply") => "application/apply-patch+yaml",
            Some(other) => other,
        }
    }

    fn http(&self) -> http::Request<kube::client::Body> {
        let mut builder = http::Request::builder()
            .method(self.method.as_str())
            .uri(self.path.as_str());
        let body = match (&self.raw_body, &self.body) {
            (Some(raw), _) => raw.clone().into_bytes(),
            (None, Some(body)) => body.to_string().into_bytes(),
            (None, None) => Vec::new(),
        };
        if !body.is_empty() {
            builder = builder.header("content-type", self.media_type());
        }
        let has = |name: &str| self.headers.keys().any(|k| k.eq_ignore_ascii_case(name));
        if !has("accept") {
            builder = builder.header("accept", "application/json");
        }
        // Both servers name a writer without `fieldManager` after this.
        if !has("user-agent") {
            builder = builder.header("user-agent", USER_AGENT);
        }
        for (name, values) in &self.headers {
            for value in values.values() {
                builder = builder.header(name.as_str(), value);
            }
        }
        builder
            .body(kube::client::Body::from(body))
            .unwrap_or_else(|e| panic!("{} {}: {e}", self.method, self.path))
    }

    /// Sends this request through `client` and reads the answer.
    pub async fn send(&self, client: &kube::Client) -> Result<Answer, String> {
        let sent = tokio::time::timeout(ANSWER_TIMEOUT, client.send(self.http()))
            .await
            .map_err(|_| format!("no answer in {ANSWER_TIMEOUT:?}"))?
            .map_err(|e| format!("{e}"))?;
        let code = sent.status().as_u16();
        let warnings = sent
            .headers()
            .get_all("warning")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .map(warning_text)
            .collect();
        let body = match &self.watch {
            Some(until) => Value::Array(read_watch(sent.into_body(), until).await),
            None => {
                let bytes = tokio::time::timeout(ANSWER_TIMEOUT, sent.into_body().collect())
                    .await
                    .map_err(|_| "the body did not end".to_string())?
                    .map_err(|e| e.to_string())?
                    .to_bytes();
                parse_body(&bytes)
            }
        };
        Ok(Answer {
            code,
            warnings,
            body,
        })
    }
}

/// The YAML document in `file`, a path from the repository's root.
fn read_body_file(file: &str) -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `299 - "text"` → `text` (the text is a Go-quoted string, which JSON reads).
fn warning_text(header: &str) -> String {
    let quoted = header.trim_start_matches("299 - ");
    serde_json::from_str::<String>(quoted).unwrap_or_else(|_| quoted.to_string())
}

fn parse_body(bytes: &[u8]) -> Value {
    if bytes.is_empty() {
        return Value::Null;
    }
    serde_json::from_slice(bytes)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(bytes).into_owned()))
}

/// Reads watch events (one JSON object per line) until `until` is met.
async fn read_watch(mut body: kube::client::Body, until: &WatchUntil) -> Vec<Value> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(until.seconds);
    let mut pending = Vec::new();
    let mut events = Vec::new();
    loop {
        let frame = match tokio::time::timeout_at(deadline, body.frame()).await {
            Ok(Some(Ok(frame))) => frame,
            _ => return events,
        };
        let Ok(data) = frame.into_data() else {
            continue;
        };
        pending.extend_from_slice(&data);
        while let Some(end) = pending.iter().position(|b| *b == b'\n') {
            let line: Vec<u8> = pending.drain(..=end).collect();
            let Ok(event) = serde_json::from_slice::<Value>(&line) else {
                continue;
            };
            let stop = (until.error && event["type"] == "ERROR")
                || (until.initial_events_end
                    && event["type"] == "BOOKMARK"
                    && event["object"]["metadata"]["annotations"]["k8s.io/initial-events-end"]
                        == "true");
            events.push(event);
            if stop || until.events.is_some_and(|n| events.len() >= n) {
                return events;
            }
        }
    }
}

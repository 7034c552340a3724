//! `kubectl get -w`: what `get` found, then every change the API server's watch reports,
//! printed as kubectl 1.32 prints them: table rows keep the widths of the rows before
//! them (the header comes with the first row printed), `--output-watch-events` adds the
//! event's type, YAML documents are separated by `---`, and a named object's watch skips
//! the API's first, synthetic event. Over `-A`, one watch per namespace of the workspace,
//! merged. It ends when the API server ends the watch, or at Ctrl-C.

use super::command::Invocation;
use super::context::{Console, Ran, from_server};
use super::print::{self, Found, Section};
use super::table::Widths;
use super::targets::Wanted;
use futures::StreamExt;
use kube::Resource as _;
use kube::api::{DynamicObject, WatchEvent, WatchParams};
use serde_json::{Value, json};

/// Each scope (short namespace, or none) and the resourceVersion its listing ended at.
pub type Versions = Vec<(Option<String>, Option<String>)>;

pub async fn follow(
    console: &Console<'_>,
    invocation: &Invocation,
    want: &Wanted,
    found: Found,
    versions: Versions,
) -> Ran {
    // kubectl stops at the first object it cannot get.
    if let Some(error) = found.errors.first() {
        return Ran::error(error.clone());
    }
    let mut printer = Printer::new(invocation, want);
    if !invocation.is_set("watch-only") {
        let section = &found.sections[0];
        let text = printer.print(section, "ADDED");
        if !console.print(&text).await {
            return Ran::stopped();
        }
    }
    if want.names.len() > 1 {
        return Ran::error(format!(
            "error: watch is only supported on individual resources and resource collections, but {} resources were found",
            want.names.len()
        ));
    }
    let mut watches = Vec::new();
    for (short, version) in versions {
        let named = want.names.first();
        let mut params = WatchParams::default();
        let fields = named
            .map(|n| format!("metadata.name={n}"))
            .into_iter()
            .chain(invocation.flag("field-selector").map(str::to_string))
            .collect::<Vec<_>>()
            .join(",");
        if !fields.is_empty() {
            params = params.fields(&fields);
        }
        if let Some(labels) = invocation.flag("selector") {
            params = params.labels(labels);
        }
        let real = short.as_deref().map(|s| console.workspace.namespace(s));
        let url = DynamicObject::url_path(&want.resource.api_resource(), real.as_deref());
        // A named object was got, not listed: its watch starts at "now" with a synthetic
        // event for it, which kubectl does not print.
        let from = version.unwrap_or_else(|| "0".into());
        let mut request = match kube::core::Request::new(url).watch(&params, &from) {
            Ok(request) => request,
            Err(e) => return Ran::error(format!("error: {e}")),
        };
        if printer.table {
            request.headers_mut().insert(
                http::header::ACCEPT,
                http::HeaderValue::from_static(super::table::TABLE),
            );
        }
        let events = match console.tenant.request_events::<Value>(request).await {
            Ok(events) => events,
            Err(e) => return Ran::error(from_server(&e)),
        };
        let short = short.unwrap_or_default();
        watches.push(
            events
                .map(move |event: kube::Result<WatchEvent<Value>>| {
                    event.map(|event| (short.clone(), event))
                })
                .skip(usize::from(named.is_some()))
                .boxed(),
        );
    }
    let mut events = futures::stream::select_all(watches);
    loop {
        let Some(next) = console.unless_stopped(events.next()).await else {
            return Ran::stopped();
        };
        let Some(event) = next else { break };
        let (short, event) = match event {
            Ok(event) => event,
            Err(e) => return Ran::error(format!("error: {e}")),
        };
        let (kind, object) = match event {
            WatchEvent::Added(o) => ("ADDED", o),
            WatchEvent::Modified(o) => ("MODIFIED", o),
            WatchEvent::Deleted(o) => ("DELETED", o),
            WatchEvent::Bookmark(_) => continue,
            WatchEvent::Error(status) => {
                return Ran::error(from_server(&kube::Error::Api(status.boxed())));
            }
        };
        let section = printer.section(&short, object);
        let text = printer.print(&section, kind);
        if !console.print(&text).await {
            return Ran::stopped();
        }
    }
    Ran::ok(String::new())
}

/// How the watch prints, with what it remembers from one change to the next.
struct Printer<'a> {
    invocation: &'a Invocation,
    want: &'a Wanted,
    format: &'a str,
    table: bool,
    events: bool,
    /// The table's columns (a watch's later Tables leave them out) and widths.
    columns: Vec<Value>,
    widths: Widths,
    headers_printed: bool,
    documents: usize,
}

impl<'a> Printer<'a> {
    fn new(invocation: &'a Invocation, want: &'a Wanted) -> Printer<'a> {
        let format = invocation.flag("output").unwrap_or("");
        Printer {
            invocation,
            want,
            format,
            table: matches!(format, "" | "wide"),
            events: invocation.is_set("output-watch-events"),
            columns: Vec::new(),
            widths: Widths::default(),
            headers_printed: invocation.is_set("no-headers"),
            documents: 0,
        }
    }

    /// A watch event's object as a section: a Table's rows, or the one object.
    fn section(&mut self, short: &str, object: Value) -> Section {
        let (columns, rows) = if self.table {
            let rows = object["rows"].as_array().cloned().unwrap_or_default();
            let columns = object["columnDefinitions"]
                .as_array()
                .filter(|c| !c.is_empty())
                .cloned()
                .unwrap_or_else(|| self.columns.clone());
            let rows = rows.into_iter().map(|r| (short.to_string(), r)).collect();
            (columns, rows)
        } else {
            let mut object = object;
            object["apiVersion"] = json!(self.want.resource.api_version());
            object["kind"] = json!(self.want.resource.kind);
            (Vec::new(), vec![(short.to_string(), object)])
        };
        Section {
            resource: self.want.resource.clone(),
            columns,
            rows,
        }
    }

    /// What kubectl prints for `section`'s rows, which came as `event`.
    fn print(&mut self, section: &Section, event: &str) -> String {
        if section.rows.is_empty() {
            self.columns.clone_from(&section.columns);
            return String::new();
        }
        if self.table {
            self.columns.clone_from(&section.columns);
            let headers = !self.headers_printed;
            self.headers_printed = true;
            let wide = self.format == "wide";
            let mut lines = print::lines(section, self.invocation, false, wide, headers);
            if self.events {
                // kubectl pads the type to the longest (`MODIFIED`) before laying out.
                for (i, line) in lines.iter_mut().enumerate() {
                    let first = if headers && i == 0 { "EVENT" } else { event };
                    line.insert(0, format!("{first:<8}"));
                }
            }
            return self.widths.aligned(&lines);
        }
        let mut out = String::new();
        for (_, object) in &section.rows {
            if self.format == "name" {
                let name = object["metadata"]["name"].as_str().unwrap_or_default();
                out.push_str(&format!("{}/{name}\n", section.resource.kind_group()));
                continue;
            }
            let document = if self.events {
                json!({"type": event, "object": object})
            } else {
                let mut object = object.clone();
                if let Some(metadata) = object["metadata"].as_object_mut() {
                    metadata.remove("managedFields");
                }
                object
            };
            if self.format == "yaml" && self.documents > 0 {
                out.push_str("---\n");
            }
            self.documents += 1;
            out.push_str(&print::object(document, self.format));
        }
        out
    }
}

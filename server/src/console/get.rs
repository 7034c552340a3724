//! `kubectl get`: the API's own `Table` answer printed as kubectl prints it (so a real
//! cluster's columns, CRDs' printer columns included), or the objects as names, YAML or
//! JSON. One request per namespace (and per name), made as the attendee.

use super::command::Invocation;
use super::context::{Console, Ran, from_server};
use super::jsonpath::Template;
use super::print::{self, Found, Section};
use super::table::TABLE;
use super::targets::{self, Wanted};
use kube::Resource as _;
use kube::api::{DynamicObject, GetParams, ListParams};
use serde_json::{Value, json};

/// The output formats kubectl knows (for its refusal of others).
const FORMATS: &str = "custom-columns,custom-columns-file,go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,wide,yaml";

pub async fn get(console: &Console<'_>, invocation: &Invocation) -> Ran {
    let output = invocation.flag("output").unwrap_or("");
    let (format, template) = output.split_once('=').unwrap_or((output, ""));
    let printer = match Printer::of(format, template) {
        Ok(printer) => printer,
        Err(ran) => return ran,
    };
    if ![
        "",
        "wide",
        "name",
        "yaml",
        "json",
        "jsonpath",
        "custom-columns",
    ]
    .contains(&format)
    {
        if FORMATS.split(',').any(|f| f == format) {
            return Ran::error(format!(
                "error: the console does not print -o {format} yet; it prints -o wide, name, yaml, json, jsonpath and custom-columns"
            ));
        }
        return Ran::error(format!(
            "error: unable to match a printer suitable for the output format \"{output}\", allowed formats are: {FORMATS}"
        ));
    }
    let watching = invocation.is_set("watch") || invocation.is_set("watch-only");
    if watching && let Err(refusal) = console.may_follow("get --watch") {
        return refusal;
    }
    if watching && !matches!(printer, Printer::Kubectl) {
        return Ran::error(format!(
            "error: the console follows -w as a table, or -o wide, name, yaml or json; not -o {format}"
        ));
    }
    if invocation.args.is_empty() {
        return Ran::error("You must specify the type of resource to get. Use \"kubectl api-resources\" for a complete list of supported resources.\n\nerror: Required resource not specified.\nUse \"kubectl explain <resource>\" for a detailed description of that resource (e.g. kubectl explain pods).\nSee 'kubectl get -h' for help and examples".into());
    }
    let wanted = match targets::wanted(console, &invocation.args).await {
        Ok(wanted) => wanted,
        Err(ran) => return ran,
    };
    if watching && wanted.len() > 1 {
        return Ran::error("error: you may only specify a single resource type".into());
    }
    let namespaces = match targets::namespaces(console, invocation).await {
        Ok(namespaces) => namespaces,
        Err(ran) => return ran,
    };
    let mut found = Found::default();
    // Where each listing left off, for a watch to go on from.
    let mut versions = Vec::new();
    for want in &wanted {
        let scopes: Vec<Option<&str>> = if want.resource.namespaced {
            namespaces.iter().map(|n| Some(n.as_str())).collect()
        } else {
            vec![None]
        };
        let mut section = Section {
            resource: want.resource.clone(),
            columns: Vec::new(),
            rows: Vec::new(),
        };
        for scope in scopes {
            let version = fetch(
                console,
                invocation,
                want,
                scope,
                format,
                &mut section,
                &mut found,
            )
            .await;
            versions.push((scope.map(str::to_string), version));
        }
        found.sections.push(section);
    }
    if watching {
        return super::watch::follow(console, invocation, &wanted[0], found, versions).await;
    }
    let mut out = match format {
        "name" => print::names(&found),
        "yaml" | "json" => print::objects(&found, format),
        _ => match &printer {
            Printer::JsonPath(template) => print::jsonpath(&found, template),
            Printer::Columns(columns) => {
                print::custom_columns(&found, columns, !invocation.is_set("no-headers"))
            }
            Printer::Kubectl => {
                print::tables(&found, invocation, wanted.len() > 1, format == "wide")
            }
        },
    };
    let empty = found.sections.iter().all(|s| s.rows.is_empty());
    let named = wanted.iter().any(|w| !w.names.is_empty());
    if empty && found.errors.is_empty() && !named {
        let namespaced = wanted.iter().any(|w| w.resource.namespaced);
        out = if invocation.is_set("all-namespaces") || !namespaced {
            "No resources found\n".into()
        } else {
            format!("No resources found in {} namespace.\n", namespaces[0])
        };
    }
    for error in &found.errors {
        out.push_str(error);
        out.push('\n');
    }
    Ran {
        output: out,
        exit_code: i32::from(!found.errors.is_empty()),
    }
}

/// How `-o jsonpath` and `-o custom-columns` print, parsed before anything is fetched.
enum Printer {
    Kubectl,
    JsonPath(Template),
    Columns(Vec<(String, Template)>),
}

impl Printer {
    fn of(format: &str, template: &str) -> Result<Printer, Ran> {
        match format {
            "jsonpath" if template.is_empty() => Err(Ran::error(
                "error: template format specified but no template given".into(),
            )),
            "jsonpath" => Template::parse(template).map(Printer::JsonPath).map_err(|e| {
                Ran::error(format!("error: error parsing jsonpath {template}, {e}"))
            }),
            "custom-columns" if template.is_empty() => Err(Ran::error(
                "error: custom-columns format specified but no custom columns given".into(),
            )),
            "custom-columns" => template
                .split(',')
                .map(|spec| {
                    let Some((header, path)) = spec.split_once(':') else {
                        return Err(Ran::error(format!("error: unexpected custom-columns spec: {spec}, expected <header>:<json-path-expr>")));
                    };
                    // kubectl takes `.a.b` for `{.a.b}`.
                    let path = if path.starts_with('{') { path.to_string() } else { format!("{{{path}}}") };
                    Template::parse(&path)
                        .map(|t| (header.to_string(), t))
                        .map_err(|e| Ran::error(format!("error: error parsing jsonpath {path}, {e}")))
                })
                .collect::<Result<_, _>>()
                .map(Printer::Columns),
            _ => Ok(Printer::Kubectl),
        }
    }
}

/// Lists (or gets) one scope's objects into `section`; gives the listing's
/// resourceVersion (none for objects got by name).
async fn fetch(
    console: &Console<'_>,
    invocation: &Invocation,
    want: &Wanted,
    short: Option<&str>,
    format: &str,
    section: &mut Section,
    found: &mut Found,
) -> Option<String> {
    let mut version = None;
    let real = short.map(|s| console.workspace.namespace(s));
    let url = DynamicObject::url_path(&want.resource.api_resource(), real.as_deref());
    let request = kube::core::Request::new(url);
    let table = matches!(format, "" | "wide");
    let requests = if want.names.is_empty() {
        let mut params = ListParams::default();
        if let Some(labels) = invocation.flag("selector") {
            params = params.labels(labels);
        }
        if let Some(fields) = invocation.flag("field-selector") {
            params = params.fields(fields);
        }
        vec![request.list(&params)]
    } else {
        want.names
            .iter()
            .map(|name| request.get(name, &GetParams::default()))
            .collect()
    };
    for built in requests {
        let mut http = match built {
            Ok(http) => http,
            Err(e) => {
                found.errors.push(format!("error: {e}"));
                continue;
            }
        };
        if table {
            http.headers_mut()
                .insert(http::header::ACCEPT, http::HeaderValue::from_static(TABLE));
        }
        let answer: Value = match console.tenant.request(http).await {
            Ok(answer) => answer,
            Err(kube::Error::Api(s)) if s.code == 404 && invocation.is_set("ignore-not-found") => {
                continue;
            }
            Err(e) => {
                found.errors.push(from_server(&e));
                continue;
            }
        };
        if want.names.is_empty() {
            version = answer["metadata"]["resourceVersion"]
                .as_str()
                .map(str::to_string);
        }
        let short = short.unwrap_or_default().to_string();
        if table {
            if section.columns.is_empty() {
                section.columns = answer["columnDefinitions"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
            }
            for row in answer["rows"].as_array().into_iter().flatten() {
                section.rows.push((short.clone(), row.clone()));
            }
        } else if answer["kind"].as_str().is_some_and(|k| k.ends_with("List")) {
            for item in answer["items"].as_array().into_iter().flatten() {
                let mut item = item.clone();
                item["apiVersion"] = json!(want.resource.api_version());
                item["kind"] = json!(want.resource.kind);
                section.rows.push((short.clone(), item));
            }
        } else {
            section.rows.push((short, answer));
        }
    }
    version
}

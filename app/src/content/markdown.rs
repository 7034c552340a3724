//! Markdown to HTML, once per lesson at load time: splits the body into sections at `## `
//! headings, turns `pane=` blocks into panes and `check` blocks into checks, highlights
//! code, anchors headings, points image paths at the course's folder and sanitises the
//! result (lessons may contain raw HTML).

use super::check::Check;
use super::highlight::{Highlighter, escape};
use super::outcome::{self, TryTarget};
use super::panes;
use pulldown_cmark::{CodeBlockKind, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

/// A rendered part of the body: section 0 is the introduction, then one per step.
#[derive(Debug, Default)]
pub struct Section {
    pub title: String,
    pub html: String,
    pub checks: Vec<Check>,
    /// What an attendee does in the section, in the order the text asks it.
    pub actions: Vec<Action>,
}

/// One thing a step asks the attendee to do in the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Apply the pane the step writes (its marker says so).
    Apply(String),
    /// Run a command of a Run button in the console.
    Run(String),
    /// Ask Try the app for a path of a Service.
    Try(TryTarget),
}

/// A pane and the text each section gave it, as `(section index, text)`.
#[derive(Debug)]
pub struct Pane {
    pub name: String,
    pub versions: Vec<(usize, String)>,
}

/// The rendered body.
#[derive(Debug)]
pub struct Doc {
    pub sections: Vec<Section>,
    pub panes: Vec<Pane>,
}

/// A problem at a 1-based line of the body.
pub type LineError = (usize, String);

/// Renders `body` (the lesson without its front matter).
pub fn render(
    body: &str,
    course: &str,
    namespaces: &[String],
    hl: &Highlighter,
) -> Result<Doc, LineError> {
    let line_of = |offset: usize| body[..offset].matches('\n').count() + 1;
    let mut sections = vec![Section::default()];
    let mut section_events: Vec<Vec<Event>> = vec![Vec::new()];
    let mut panes: Vec<Pane> = Vec::new();
    let mut events = Parser::new_ext(body, options()).into_offset_iter();

    while let Some((event, range)) = events.next() {
        let line = line_of(range.start);
        match event {
            Event::Start(Tag::Heading {
                level,
                id,
                classes,
                attrs,
            }) => {
                let inner: Vec<Event> = events
                    .by_ref()
                    .map(|(e, _)| e)
                    .take_while(|e| !matches!(e, Event::End(TagEnd::Heading(_))))
                    .collect();
                let text = plain_text(&inner);
                let id = if level == HeadingLevel::H2 {
                    sections.push(Section {
                        title: text,
                        ..Section::default()
                    });
                    section_events.push(Vec::new());
                    CowStr::from(format!("step-{}", sections.len() - 1))
                } else {
                    id.unwrap_or_else(|| slug(&text).into())
                };
                let out = section_events.last_mut().expect("one section at least");
                out.push(Event::Start(Tag::Heading {
                    level,
                    id: Some(id),
                    classes,
                    attrs,
                }));
                out.extend(inner);
                out.push(Event::End(TagEnd::Heading(level)));
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                let info = match &kind {
                    CodeBlockKind::Fenced(info) => info.to_string(),
                    CodeBlockKind::Indented => String::new(),
                };
                let mut code = String::new();
                for (e, _) in events.by_ref() {
                    match e {
                        Event::Text(t) => code.push_str(&t),
                        Event::End(TagEnd::CodeBlock) => break,
                        _ => {}
                    }
                }
                let code_line = line + 1;
                let section = sections.len() - 1;
                let mut words = info.split_whitespace();
                let lang = words.next().unwrap_or("");
                let rest: Vec<&str> = words.collect();
                let pane = rest.iter().find_map(|w| w.strip_prefix("pane="));
                // `sh no-run`: commands for the attendee's own machine, not the console.
                let runnable = !rest.contains(&"no-run");
                let out = section_events.last_mut().expect("one section at least");
                if let Some(name) = pane {
                    if section == 0 {
                        return Err((
                            line,
                            format!(
                                "pane `{name}` is outside a step: put it under a `## ` heading"
                            ),
                        ));
                    }
                    if lang != "yaml" {
                        return Err((line, format!("pane `{name}` must be a yaml block")));
                    }
                    panes::validate(&code, namespaces)
                        .map_err(|(l, m)| (code_line + l - 1, format!("pane `{name}`: {m}")))?;
                    add_pane_version(&mut panes, name, section, code).map_err(|m| (line, m))?;
                    out.push(Event::Html(pane_marker(name).into()));
                    sections[section]
                        .actions
                        .push(Action::Apply(name.to_string()));
                } else if lang == "try" {
                    if section == 0 {
                        return Err((
                            line,
                            "a try block is outside a step: put it under a `## ` heading".into(),
                        ));
                    }
                    for (i, text) in code
                        .lines()
                        .enumerate()
                        .filter(|(_, t)| !t.trim().is_empty())
                    {
                        let target = outcome::try_target(text.trim(), namespaces)
                            .map_err(|e| (code_line + i, format!("try: {e}")))?;
                        out.push(Event::Html(try_button(&target).into()));
                        sections[section].actions.push(Action::Try(target));
                    }
                } else if lang == "check" {
                    if section == 0 {
                        return Err((
                            line,
                            "checks are outside a step: put them under a `## ` heading".into(),
                        ));
                    }
                    for (i, text) in code.lines().enumerate() {
                        let text = text.trim();
                        if text.is_empty() || text.starts_with('#') {
                            continue;
                        }
                        let check = Check::parse(text, namespaces)
                            .map_err(|e| (code_line + i, format!("check: {e}")))?;
                        sections[section].checks.push(check);
                    }
                } else {
                    out.push(Event::Html(hl.highlight(&code, lang).into()));
                    let commands = run_commands(lang, &code);
                    if let Some(button) = run_button(&commands).filter(|_| runnable) {
                        out.push(Event::Html(button.into()));
                        sections[section]
                            .actions
                            .extend(commands.into_iter().map(Action::Run));
                    }
                }
            }
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let dest_url = if is_relative(&dest_url) {
                    CowStr::from(format!(
                        "/content/{course}/{}",
                        dest_url.trim_start_matches("./")
                    ))
                } else {
                    dest_url
                };
                let out = section_events.last_mut().expect("one section at least");
                out.push(Event::Start(Tag::Image {
                    link_type,
                    dest_url,
                    title,
                    id,
                }));
            }
            other => section_events
                .last_mut()
                .expect("one section at least")
                .push(other),
        }
    }

    for (section, events) in sections.iter_mut().zip(section_events) {
        let mut html = String::new();
        pulldown_cmark::html::push_html(&mut html, events.into_iter());
        section.html = sanitise(&html);
    }
    Ok(Doc { sections, panes })
}

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_GFM
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_SMART_PUNCTUATION
}

fn add_pane_version(
    panes: &mut Vec<Pane>,
    name: &str,
    section: usize,
    text: String,
) -> Result<(), String> {
    match panes.iter_mut().find(|p| p.name == name) {
        Some(pane) if pane.versions.last().is_some_and(|(s, _)| *s == section) => {
            Err(format!("pane `{name}` is written twice in the same step"))
        }
        Some(pane) => {
            pane.versions.push((section, text));
            Ok(())
        }
        None => {
            panes.push(Pane {
                name: name.into(),
                versions: vec![(section, text)],
            });
            Ok(())
        }
    }
}

/// The kubectl and curl commands of a shell block, a line ending in `\` going on on the
/// next, as in a shell.
fn run_commands(lang: &str, code: &str) -> Vec<String> {
    if !["sh", "bash", "shell", "console"].contains(&lang) {
        return Vec::new();
    }
    let mut lines: Vec<String> = Vec::new();
    let mut continued = false;
    for line in code.lines() {
        let line = line.trim();
        match lines.last_mut() {
            Some(last) if continued => last.push_str(line),
            _ => lines.push(line.trim_start_matches("$ ").to_string()),
        }
        continued = line.ends_with('\\');
        if let Some(last) = lines.last_mut().filter(|_| continued) {
            last.pop();
        }
    }
    lines
        .into_iter()
        .filter(|l| l.starts_with("kubectl ") || l.starts_with("curl "))
        .collect()
}

/// A Run button under a shell block that holds kubectl or curl commands: the page's
/// console runs them, one after another (the lesson page listens for clicks on
/// `.run-command`).
fn run_button(commands: &[String]) -> Option<String> {
    let label = match commands.len() {
        0 => return None,
        1 => "Run in the console".to_string(),
        n => format!("Run these {n} commands in the console"),
    };
    Some(format!(
        "<button type=\"button\" class=\"button small run-command\" data-command=\"{}\">{label}</button>\n",
        escape(&commands.join("\n"))
    ))
}

/// A button that asks Try the app for `path` of a Service, as the attendee would in the
/// cluster panel (the lesson page listens for clicks on `.try-app-button`).
fn try_button(target: &TryTarget) -> String {
    let (namespace, service, path) = (
        escape(&target.namespace),
        escape(&target.service),
        escape(&target.path),
    );
    format!(
        "<p><button type=\"button\" class=\"button small try-app-button\" data-try-namespace=\"{namespace}\" data-try-service=\"{service}\" data-try-path=\"{path}\">Try the app: GET <code>{path}</code> from <code>{service}</code></button></p>\n"
    )
}

fn pane_marker(name: &str) -> String {
    let name = escape(name);
    format!(
        "<p class=\"pane-marker\" data-pane=\"{name}\">This step writes <code>{name}</code>: it is open in the editor.</p>\n"
    )
}

fn plain_text(events: &[Event]) -> String {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Text(t) | Event::Code(t) => Some(t.as_ref()),
            _ => None,
        })
        .collect()
}

/// A heading anchor: lower case, words joined with `-`.
fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

fn is_relative(url: &str) -> bool {
    !(url.contains("://")
        || url.starts_with('/')
        || url.starts_with('#')
        || url.starts_with("data:"))
}

/// Keeps what markdown and the highlighter produce and drops what raw HTML could abuse
/// (scripts, styles, event handlers, forms, frames).
fn sanitise(html: &str) -> String {
    ammonia::Builder::default()
        .add_generic_attributes(["class", "id"])
        .add_tags(["input", "button"])
        .add_tag_attributes("input", ["type", "checked", "disabled"])
        .add_tag_attributes(
            "button",
            [
                "type",
                "data-command",
                "data-try-namespace",
                "data-try-service",
                "data-try-path",
            ],
        )
        .add_tag_attributes("p", ["data-pane"])
        .add_tag_attributes("pre", ["data-lang", "tabindex"])
        .link_rel(Some("noopener noreferrer"))
        .clean(html)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn html(body: &str) -> String {
        let doc =
            render(body, "course", &["default".into()], &Highlighter::new()).expect("renders");
        doc.sections.iter().map(|s| s.html.as_str()).collect()
    }

    #[test]
    fn shell_blocks_with_kubectl_get_a_run_button() {
        let out = html(
            "## Step\n\n```sh\n# look\nkubectl get pods -l 'app=web'\n$ kubectl get svc\n```\n\n```sh\nkubectl run c --rm -it --image=curlimages/curl -- \\\n  curl -s http://web/\ncurl localhost\n```\n\n```sh\nmake run\n```\n",
        );
        assert!(
            out.contains("<button type=\"button\" class=\"button small run-command\" data-command=\"kubectl get pods -l 'app=web'\nkubectl get svc\">Run these 2 commands in the console</button>"),
            "{out}"
        );
        assert!(
            out.contains("data-command=\"kubectl run c --rm -it --image=curlimages/curl -- curl -s http://web/\ncurl localhost\">Run these 2 commands"),
            "{out}"
        );
        assert_eq!(out.matches("run-command").count(), 2, "{out}");
    }

    #[test]
    fn headings_get_anchors_and_steps_get_numbers() {
        let out = html("# Top\n\n## Run it now\n\n### Look: `pods`\n");
        assert!(out.contains(r#"<h1 id="top">"#), "{out}");
        assert!(out.contains(r#"<h2 id="step-1">Run it now</h2>"#), "{out}");
        assert!(out.contains(r#"<h3 id="look-pods">"#), "{out}");
    }

    #[test]
    fn raw_html_is_sanitised() {
        let out = html(
            "<script>alert(1)</script>\n\n<p onclick=\"x()\">hi</p>\n\n<b style=\"color:red\">b</b>\n",
        );
        assert!(
            !out.contains("script") && !out.contains("onclick") && !out.contains("style"),
            "{out}"
        );
        assert!(
            out.contains("<p>hi</p>") && out.contains("<b>b</b>"),
            "{out}"
        );
    }

    #[test]
    fn callouts_tables_images_and_code() {
        let out = html(
            "> [!WARNING]\n> Careful.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n![a cat](images/cat.svg)\n\n```sh\nkubectl get pods\n```\n",
        );
        assert!(
            out.contains(r#"<blockquote class="markdown-alert-warning">"#),
            "{out}"
        );
        assert!(
            out.contains("<table>") && out.contains("<td>2</td>"),
            "{out}"
        );
        assert!(
            out.contains(r#"<img src="/content/course/images/cat.svg" alt="a cat">"#),
            "{out}"
        );
        assert!(
            out.contains(r#"<pre class="code" data-lang="sh" tabindex="0">"#)
                && out.contains("hl-"),
            "{out}"
        );
    }

    #[test]
    fn a_pane_outside_a_step_is_refused_with_its_line() {
        let err = render(
            "Intro\n\n```yaml pane=a.yaml\nkind: Pod\n```\n",
            "c",
            &[],
            &Highlighter::new(),
        )
        .unwrap_err();
        assert_eq!(
            err,
            (
                3,
                "pane `a.yaml` is outside a step: put it under a `## ` heading".into()
            )
        );
    }

    #[test]
    fn steps_keep_their_actions_in_order_and_try_blocks_get_a_button() {
        let body = "## Step\n\n```yaml pane=a.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: default}\n```\n\n```sh\nkubectl get cm -n default\n```\n\n```try\nweb/healthz in default\n```\n";
        let doc = render(body, "c", &["default".into()], &Highlighter::new()).expect("renders");
        let target = TryTarget {
            namespace: "default".into(),
            service: "web".into(),
            path: "/healthz".into(),
        };
        assert_eq!(
            doc.sections[1].actions,
            [
                Action::Apply("a.yaml".into()),
                Action::Run("kubectl get cm -n default".into()),
                Action::Try(target)
            ]
        );
        assert!(
            doc.sections[1].html.contains("<button type=\"button\" class=\"button small try-app-button\" data-try-namespace=\"default\" data-try-service=\"web\" data-try-path=\"/healthz\">Try the app: GET <code>/healthz</code> from <code>web</code></button>"),
            "{}",
            doc.sections[1].html
        );
        let wrong = render(
            "## S\n\n```try\nweb in prod\n```\n",
            "c",
            &["default".into()],
            &Highlighter::new(),
        );
        assert_eq!(
            wrong.unwrap_err(),
            (
                4,
                "try: namespace `prod` is not among the lesson's namespaces (default)".into()
            )
        );
    }
}

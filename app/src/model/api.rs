//! The workspace HTTP API (`docs/api.md`): every path and every request and answer body,
//! defined once. The server's router and handlers and the browser's client
//! (`live::api`) both use these, so the two sides cannot drift apart. The live stream's
//! messages are in [`super::live`].

use super::live::ObjectView;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The header a Try the app request names its lesson in (`course/slug`), so that the
/// lesson's checks on Try the app judge the answer.
pub const LESSON_HEADER: &str = "kubeclass-lesson";

/// The routes, as axum patterns (`{name}` is a path parameter). The browser builds the
/// concrete paths with the functions of [`path`].
pub mod route {
    pub const APPLY: &str = "/api/workspace/apply";
    pub const DELETE: &str = "/api/workspace/delete";
    pub const WORKSPACE: &str = "/api/workspace";
    pub const OBJECTS: &str = "/api/workspace/objects";
    pub const OBJECT: &str = "/api/workspace/object/{namespace}/{kind}/{name}";
    pub const TRY_ROOT: &str = "/api/workspace/try/{namespace}/{service}/{port}/";
    pub const TRY: &str = "/api/workspace/try/{namespace}/{service}/{port}/{*path}";
    pub const STREAM: &str = "/api/stream";
    pub const DRAFTS: &str = "/api/drafts";
    pub const PROGRESS: &str = "/api/progress";
    pub const CONSOLE: &str = "/api/workspace/console";
    pub const CONSOLE_HISTORY: &str = "/api/workspace/console/history";
    pub const LESSON_IMAGE: &str = "/content/{course}/images/{file}";
    pub const HEALTH: &str = "/healthz";
    /// The trainer's login page (`GET`, a page) and its form's target (`POST`).
    pub const TRAINER_LOGIN: &str = "/trainer/login";
    pub const TRAINER_LOGOUT: &str = "/trainer/logout";
    /// The trainers' pages start here.
    pub const TRAINER_HOME: &str = "/trainer";
    pub const TRAINER_ME: &str = "/api/trainer/me";
    pub const TRAINER_AUDIT: &str = "/api/trainer/audit";
    pub const TRAINER_ROOMS: &str = "/api/trainer/rooms";
    pub const TRAINER_ROOM: &str = "/api/trainer/rooms/{id}";
    pub const TRAINER_ROOM_UNLOCK: &str = "/api/trainer/rooms/{id}/unlock";
    pub const TRAINER_ROSTER_RESEAT: &str = "/api/trainer/rooms/{id}/roster/{code}/reseat";
    pub const TRAINER_ROOM_QR: &str = "/api/trainer/rooms/{id}/qr.svg";
    pub const TRAINER_ROOM_REPORT_CSV: &str = "/api/trainer/rooms/{id}/report.csv";
    pub const TRAINER_ROOM_TROUBLE_CSV: &str = "/api/trainer/rooms/{id}/trouble.csv";
    pub const TRAINER_ROOM_REPORT_JSON: &str = "/api/trainer/rooms/{id}/report.json";
    pub const TRAINER_ATTENDEE_RESET: &str = "/api/trainer/rooms/{id}/attendees/{attendee}/reset";
    pub const TRAINER_ATTENDEE_EXTEND: &str = "/api/trainer/rooms/{id}/attendees/{attendee}/extend";
    pub const TRAINER_ATTENDEE_END: &str = "/api/trainer/rooms/{id}/attendees/{attendee}/end";
    pub const TRAINER_HELP_ANSWER: &str = "/api/trainer/rooms/{id}/help/{help}/answer";
    pub const TRAINER_HELP_DONE: &str = "/api/trainer/rooms/{id}/help/{help}/done";
    pub const TRAINER_MESSAGES: &str = "/api/trainer/rooms/{id}/messages";
    pub const TRAINER_PREFLIGHT: &str = "/api/trainer/rooms/{id}/preflight";
    pub const TRAINER_ATTENDEE_WORKSPACE: &str =
        "/api/trainer/rooms/{id}/attendees/{attendee}/workspace";
    pub const TRAINER_ATTENDEE_LOGS: &str =
        "/api/trainer/rooms/{id}/attendees/{attendee}/logs/{namespace}/{pod}";
    pub const MY_ROOM: &str = "/api/room";
    pub const MY_HELP: &str = "/api/room/help";
    /// A room's join link: `GET` the join page (a page), `POST` its form.
    pub const JOIN: &str = "/join/{room}";
    /// A docs reader's embed sandbox: `POST` starts one (or a place in line).
    pub const EMBED_SESSIONS: &str = "/api/embed/sessions";
    /// A single-use ticket for the live stream of an embed's sandbox.
    pub const EMBED_TICKETS: &str = "/api/embed/tickets";
    /// `POST` (a form, in a new tab): the embed's sandbox becomes this browser's own.
    pub const EMBED_ADOPT: &str = "/api/embed/adopt";
    /// The docs sites' script: the `<kubeclass-lesson>` element.
    pub const EMBED_LOADER: &str = "/embed/v1/loader.js";
}

/// Concrete paths for the browser, built from the routes above.
pub mod path {
    use super::route;

    /// `POST` target of an apply, a dry run or a delete.
    pub fn pipeline(run: super::Run, lesson: &str) -> String {
        let lesson = super::encode(lesson);
        match run {
            super::Run::Apply => format!("{}?lesson={lesson}", route::APPLY),
            super::Run::DryRun => format!("{}?lesson={lesson}&dryRun=true", route::APPLY),
            super::Run::Delete => format!("{}?lesson={lesson}", route::DELETE),
        }
    }

    /// One object of the workspace, as YAML.
    pub fn object(namespace: &str, kind: &str, name: &str) -> String {
        route::OBJECT
            .replace("{namespace}", namespace)
            .replace("{kind}", kind)
            .replace("{name}", name)
    }

    /// "Try the app": `path` is what follows the Service and port (may be empty).
    pub fn try_app(namespace: &str, service: &str, port: &str, path: &str) -> String {
        let root = route::TRY_ROOT
            .replace("{namespace}", namespace)
            .replace("{service}", service)
            .replace("{port}", port);
        format!("{root}{}", path.trim_start_matches('/'))
    }

    /// The drafts of a lesson, or (with `pane`) one pane's draft.
    pub fn drafts(lesson: &str, pane: Option<&str>) -> String {
        let lesson = super::encode(lesson);
        match pane {
            Some(pane) => format!(
                "{}?lesson={lesson}&pane={}",
                route::DRAFTS,
                super::encode(pane)
            ),
            None => format!("{}?lesson={lesson}", route::DRAFTS),
        }
    }

    /// The live stream's websocket, on the page's own host (an embed's with its ticket:
    /// a browser cannot put a header on a websocket).
    pub fn stream(secure: bool, host: &str, ticket: Option<&str>) -> String {
        let scheme = if secure { "wss" } else { "ws" };
        match ticket {
            Some(ticket) => format!(
                "{scheme}://{host}{}?ticket={}",
                route::STREAM,
                super::encode(ticket)
            ),
            None => format!("{scheme}://{host}{}", route::STREAM),
        }
    }
}

/// What a pipeline request asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Run {
    Apply,
    DryRun,
    Delete,
}

/// Query of `POST /api/workspace/apply` and `/delete`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PipelineQuery {
    /// Check everything, change nothing (the answer doubles as the diff).
    #[serde(rename = "dryRun", default)]
    pub dry_run: bool,
    /// `COURSE/SLUG` of the lesson whose namespaces the manifests use.
    #[serde(default)]
    pub lesson: Option<String>,
}

/// The answer when the manifests' text itself is refused (syntax, budgets), and the
/// body of every other error: `{"error": …}`, located where that means something.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: String,
    /// The document (from 0) the error concerns.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document: Option<usize>,
    /// The line (from 1) of the manifests' text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
}

/// `GET /api/workspace/objects`: the workspace's objects, by short namespace.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Objects {
    pub namespaces: BTreeMap<String, Vec<ObjectView>>,
}

/// `GET /api/workspace/object/…`: one object as `kubectl get -o yaml` shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ObjectYaml {
    pub yaml: String,
}

/// `DELETE /api/workspace`: how many namespaces the reset deleted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResetAnswer {
    #[serde(rename = "deletedNamespaces")]
    pub deleted_namespaces: usize,
}

/// "Try the app": what a Service answered (its status, not this request's).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TryAnswer {
    pub status: u16,
    #[serde(default, rename = "contentType")]
    pub content_type: Option<String>,
    pub body: String,
}

/// A console command (`POST /api/workspace/console`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConsoleCommand {
    pub command: String,
    /// The text of each lesson pane the line names with `-f`, by the pane's name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub files: BTreeMap<String, String>,
    /// The lesson (COURSE/SLUG) whose namespaces an `apply -f` may create, as its panes'
    /// Apply may.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lesson: Option<String>,
}

/// The lines the attendee ran in the console, oldest first (`GET /api/workspace/console/history`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConsoleHistory {
    pub lines: Vec<String>,
}

/// What a console command printed and its exit code, as kubectl would have.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConsoleAnswer {
    pub output: String,
    #[serde(rename = "exitCode")]
    pub exit_code: i32,
}

/// Query of `/api/drafts`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DraftQuery {
    /// `COURSE/SLUG`.
    pub lesson: String,
    /// The pane's draft key (`deployment.yaml@2`); required to save or forget.
    #[serde(default)]
    pub pane: Option<String>,
}

/// `GET /api/drafts`: the attendee's edited panes of a lesson, by draft key.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Drafts {
    pub panes: BTreeMap<String, String>,
}

/// `GET /api/progress`: the steps (from 0) the attendee completed, by `COURSE/SLUG`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    pub lessons: BTreeMap<String, Vec<usize>>,
}

/// Percent-encodes a query value (lesson ids and pane keys are plain, but a pane name
/// may hold what a query cannot).
pub fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' | b'@' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_fill_the_routes() {
        assert_eq!(
            path::pipeline(Run::DryRun, "fundamentals/pods"),
            "/api/workspace/apply?lesson=fundamentals/pods&dryRun=true"
        );
        assert_eq!(
            path::object("server", "Deployment", "web"),
            "/api/workspace/object/server/Deployment/web"
        );
        assert_eq!(
            path::try_app("server", "web", "80", "/healthz"),
            "/api/workspace/try/server/web/80/healthz"
        );
        assert_eq!(
            path::drafts("f/p", Some("a b.yaml@1")),
            "/api/drafts?lesson=f/p&pane=a%20b.yaml@1"
        );
    }

    #[test]
    fn bodies_read_as_documented() {
        let reset: ResetAnswer = serde_json::from_str(r#"{"deletedNamespaces": 2}"#).unwrap();
        assert_eq!(reset.deleted_namespaces, 2);
        let error: ErrorBody = serde_json::from_str(r#"{"error": "bad", "line": 3}"#).unwrap();
        assert_eq!((error.document, error.line), (None, Some(3)));
        let query: PipelineQuery = serde_json::from_str(r#"{"dryRun": true}"#).unwrap();
        assert!(query.dry_run && query.lesson.is_none());
    }
}

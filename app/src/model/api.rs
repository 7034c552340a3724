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
    pub const TRAINER_ROOM_REPORT_CSV: &str = "/api/trainer/rooms/{id}/report.csv";
    pub const TRAINER_ROOM_REPORT_JSON: &str = "/api/trainer/rooms/{id}/report.json";
    pub const TRAINER_ATTENDEE_RESET: &str = "/api/trainer/rooms/{id}/attendees/{attendee}/reset";
    pub const TRAINER_ATTENDEE_EXTEND: &str = "/api/trainer/rooms/{id}/attendees/{attendee}/extend";
    pub const TRAINER_ATTENDEE_END: &str = "/api/trainer/rooms/{id}/attendees/{attendee}/end";
    pub const TRAINER_HELP_ANSWER: &str = "/api/trainer/rooms/{id}/help/{help}/answer";
    pub const TRAINER_HELP_DONE: &str = "/api/trainer/rooms/{id}/help/{help}/done";
    pub const TRAINER_MESSAGES: &str = "/api/trainer/rooms/{id}/messages";
    pub const TRAINER_PREFLIGHT: &str = "/api/trainer/rooms/{id}/preflight";
    pub const MY_ROOM: &str = "/api/room";
    pub const MY_HELP: &str = "/api/room/help";
    /// A room's join link: `GET` the join page (a page), `POST` its form.
    pub const JOIN: &str = "/join/{room}";
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

    /// The live stream's websocket, on the page's own host.
    pub fn stream(secure: bool, host: &str) -> String {
        let scheme = if secure { "wss" } else { "ws" };
        format!("{scheme}://{host}{}", route::STREAM)
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
fn encode(value: &str) -> String {
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

/// `GET /api/trainer/me`: the trainer the request speaks for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrainerMe {
    pub name: String,
}

/// `POST /api/trainer/rooms`: a new room. Unknown fields are refused, so a misspelt one
/// is an error rather than a default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewRoom {
    pub title: String,
    /// `COURSE/SLUG`, in the order attendees take them.
    pub lessons: Vec<String>,
    /// Attendees at most.
    pub capacity: u32,
    /// Workspaces to have ready before attendees come.
    #[serde(default)]
    pub warm: u32,
    /// When joining opens and closes (RFC 3339); open at once and never closing if left out.
    #[serde(default)]
    pub opens: Option<String>,
    #[serde(default)]
    pub closes: Option<String>,
    /// Minutes each attendee has from joining (the trainer may extend it); no limit if
    /// left out.
    #[serde(default)]
    pub time_limit_minutes: Option<u32>,
    /// When every attendee's time ends, extensions included (RFC 3339): their
    /// workspaces are deleted then, their results kept.
    #[serde(default)]
    pub deadline: Option<String>,
    /// Days the room and its results are kept after it ends (90 if left out).
    #[serde(default)]
    pub retention_days: Option<u32>,
}

/// The answer to `POST /api/trainer/rooms` (`201`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoomCreated {
    pub id: String,
    pub join_url: String,
    pub access_code: String,
}

/// A room as its trainer sees it (`GET /api/trainer/rooms/{id}`; without attendees in
/// the list of `GET /api/trainer/rooms`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoomView {
    pub id: String,
    pub title: String,
    pub lessons: Vec<RoomLesson>,
    pub capacity: u32,
    pub warm: u32,
    pub access_code: String,
    pub join_url: String,
    /// RFC 3339, if set.
    pub opens: Option<String>,
    pub closes: Option<String>,
    #[serde(default)]
    pub time_limit_minutes: Option<u32>,
    #[serde(default)]
    pub deadline: Option<String>,
    #[serde(default)]
    pub retention_days: u32,
    /// How many have joined.
    pub joined: usize,
    /// The warm pool: workspaces made ahead and waiting, and how many should wait now
    /// (`warm`, never more than the seats left).
    #[serde(default)]
    pub warm_ready: usize,
    #[serde(default)]
    pub warm_wanted: usize,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attendees: Vec<RoomAttendee>,
    /// The raised hands not yet done, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub help: Vec<HelpView>,
}

/// One lesson of a room.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoomLesson {
    /// `COURSE/SLUG`.
    pub id: String,
    pub title: String,
    pub steps: usize,
}

/// One attendee of a room and where they are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoomAttendee {
    pub id: String,
    pub name: String,
    /// RFC 3339.
    pub joined: String,
    /// When their time ends (RFC 3339), if it does; `ended` once it has.
    #[serde(default)]
    pub ends: Option<String>,
    #[serde(default)]
    pub ended: bool,
    /// The trainer's last reset of their workspace, since the server started.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reset: Option<ResetStatus>,
    /// Per lesson of the room (`COURSE/SLUG`), each step's state, in order.
    pub steps: BTreeMap<String, Vec<StepState>>,
}

/// `POST …/attendees/{attendee}/reset`: rewind the attendee's workspace to the start of
/// `step` (from 1) of `lesson` (`COURSE/SLUG`; by default the room's lesson they last
/// passed a step in, or its first).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ResetTo {
    pub step: usize,
    #[serde(default)]
    pub lesson: Option<String>,
}

/// A reset of an attendee's workspace (the answer to a reset, `202`, and in the room
/// view until the next): to the start of which step, whether it is still under way, and
/// what did not come back as the lesson expects while replaying the steps before it
/// (empty when all did).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResetStatus {
    pub lesson: String,
    pub step: usize,
    pub running: bool,
    pub failures: Vec<String>,
}

/// `POST …/attendees/{attendee}/extend`: more time (15 minutes if left out).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Extend {
    #[serde(default)]
    pub minutes: Option<u32>,
}

/// The answer to extend and end: when the attendee's time ends now (RFC 3339).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TimeEnds {
    pub ends: String,
}

/// A raised hand, as the attendee and the trainer see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HelpView {
    pub id: i64,
    pub attendee: String,
    /// The attendee's display name in the room.
    pub name: String,
    pub lesson: String,
    /// From 1.
    pub step: usize,
    pub question: String,
    /// The step's checks that did not hold when the hand went up.
    pub failing: Vec<String>,
    /// The workspace's latest warning events then (`Reason: message`).
    pub warnings: Vec<String>,
    /// RFC 3339.
    pub asked: String,
    #[serde(default)]
    pub answer: Option<String>,
    /// Whether the hand is down (done, or lowered).
    #[serde(default)]
    pub closed: bool,
}

/// `POST /api/room/help`: raise a hand on a step (from 1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RaiseHand {
    pub lesson: String,
    pub step: usize,
    #[serde(default)]
    pub question: String,
}

/// `POST …/help/{n}/answer`, and a message's text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Said {
    pub text: String,
}

/// `POST /api/trainer/rooms/{id}/messages`: to the whole room, to one attendee, or to
/// those whose tab is on a step (from 1) of a lesson.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewMessage {
    pub text: String,
    #[serde(default)]
    pub attendee: Option<String>,
    #[serde(default)]
    pub lesson: Option<String>,
    #[serde(default)]
    pub step: Option<usize>,
}

/// How many a message reached.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MessageSent {
    pub recipients: usize,
}

/// A trainer's message, as its attendee sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MessageView {
    pub id: i64,
    pub text: String,
    /// RFC 3339.
    pub sent: String,
    /// Whether it went to the whole room (else to them alone, or to their step).
    pub everyone: bool,
}

/// `GET /api/room`: the room the attendee is in, as their page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MyRoom {
    pub id: String,
    pub title: String,
    #[serde(default)]
    pub ends: Option<String>,
    pub ended: bool,
    /// Their hand, if it is up (or was answered and not yet closed).
    #[serde(default)]
    pub help: Option<HelpView>,
    /// The trainer's messages to them, newest last.
    pub messages: Vec<MessageView>,
}

/// The rule for [`StepState::Stuck`], which the server applies and the room page's legend
/// states: seconds on a step while too few have passed it to say what is usual, the least
/// time that counts, and how many passes set the usual time (their 75th percentile).
pub mod stuck {
    pub const DEFAULT_SECONDS: i64 = 600;
    pub const LEAST_SECONDS: i64 = 120;
    pub const SAMPLES: usize = 3;
}

/// A room's preflight (`POST`/`GET /api/trainer/rooms/{id}/preflight`): every step of
/// every lesson of the room played on a fresh workspace, each check green or red.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PreflightStatus {
    pub running: bool,
    /// RFC 3339.
    pub started: String,
    #[serde(default)]
    pub finished: Option<String>,
    /// How many lessons it plays; those played so far are in `lessons`.
    pub lessons_total: usize,
    /// The lesson being played now.
    #[serde(default)]
    pub playing: Option<String>,
    pub lessons: Vec<PreflightLesson>,
}

impl PreflightStatus {
    /// Whether every check of every lesson played so far held.
    pub fn all_green(&self) -> bool {
        self.lessons
            .iter()
            .flat_map(|l| &l.steps)
            .flat_map(|s| &s.checks)
            .all(|c| c.passed)
            && self.lessons.iter().all(|l| l.failures.is_empty())
    }
}

/// One lesson of a preflight.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PreflightLesson {
    pub id: String,
    pub title: String,
    pub steps: Vec<PreflightStep>,
    /// What went wrong besides checks (a refused apply, a command that failed), and why
    /// checks failed, as the rehearsal explains it.
    pub failures: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PreflightStep {
    pub title: String,
    /// How long the step took until its checks held (or gave up), in seconds.
    pub seconds: u64,
    pub checks: Vec<PreflightCheck>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PreflightCheck {
    pub label: String,
    pub passed: bool,
}

/// Where an attendee stands on one step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum StepState {
    NotStarted,
    /// Their tab is on the step, and they have not yet changed anything its checks see, or
    /// every check holds a moment before it is recorded.
    Working,
    /// On the step, they changed something, and a check still fails.
    Failing,
    /// On the step longer than three in four of those who passed it took (ten minutes
    /// until three have), with a check still failing.
    Stuck,
    /// Their hand is up on this step.
    Help,
    /// Every check passed (the time is in the room's report).
    Passed,
}

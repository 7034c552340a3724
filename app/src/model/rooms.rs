//! The trainers' HTTP API (`docs/trainer-api.md`) and the attendee's side of a room:
//! every request and answer body of rooms, their live view, the actions on one attendee,
//! helping, the preflight, defined once for the server's handlers and the browser's
//! client. Their paths are with the others in [`super::api::route`].

use super::pacing::{Pacing, Unlocked};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

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
    /// `"self"` (the default) or `"trainer"`: the trainer opens the steps, the first
    /// step of the first lesson being open at the start.
    #[serde(default)]
    pub pacing: Pacing,
    /// A named roster as CSV (a header line with `name`, and `email` if wanted; a
    /// person per line): each gets a personal code and joins under their name. Left
    /// out, attendees join with the room's access code and a name they choose.
    #[serde(default)]
    pub roster: Option<String>,
}

/// A room as its join page shows it: its title, and whether each attendee joins with a
/// personal code from the roster (their name comes from it) or with the room's access
/// code and a name of their choosing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JoinRoom {
    pub title: String,
    pub roster: bool,
}

/// One person of a room's roster, as its trainer sees it: their personal code (and the
/// join link that carries it, to send them), and whether they joined.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RosterSeat {
    pub name: String,
    #[serde(default)]
    pub email: Option<String>,
    pub code: String,
    pub link: String,
    pub joined: bool,
    /// The trainer reopened the code: the next new browser with it becomes the same
    /// attendee.
    #[serde(default)]
    pub reopened: bool,
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
    #[serde(default)]
    pub pacing: Pacing,
    /// What is open, when the trainer paces the room.
    #[serde(default)]
    pub unlocked: Option<Unlocked>,
    /// The named roster, if the room has one (in the room's own view only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roster: Vec<RosterSeat>,
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
    /// What held the attendees up (in the room's own view only).
    #[serde(default)]
    pub trouble: Trouble,
}

/// What held a room's attendees up, most first: the checks that troubled them (still
/// failing [`stuck::LEAST_SECONDS`] after they started trying on the step, or failing
/// when they raised a hand) and the messages the pipeline refused their manifests with.
/// Kept with the room's results.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Trouble {
    pub checks: Vec<TroubledCheck>,
    pub refusals: Vec<Refusal>,
}

/// A check, and how many attendees it troubled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TroubledCheck {
    pub lesson: String,
    /// From 1.
    pub step: usize,
    pub label: String,
    pub attendees: usize,
}

/// A refusal's message, how many attendees met it and how often.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Refusal {
    pub message: String,
    pub attendees: usize,
    pub times: usize,
}

/// One lesson of a room.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoomLesson {
    /// `COURSE/SLUG`.
    pub id: String,
    pub title: String,
    pub steps: usize,
    /// Per step, the median seconds those who passed it took (the report's), if any
    /// did (in the room's own view only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub median_seconds: Vec<Option<i64>>,
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
    /// What is open, when the trainer paces the room.
    #[serde(default)]
    pub unlocked: Option<Unlocked>,
    /// The room's lessons (`COURSE/SLUG`), in order.
    #[serde(default)]
    pub lessons: Vec<String>,
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

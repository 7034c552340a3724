//! The browser's client of the workspace API: one typed function per call, built on the
//! paths and bodies of [`crate::model::api`]. Components call these and never write a
//! path themselves. Errors are the server's `{"error"}` message, or what went wrong
//! reaching it, ready to show. On the server (SSR) every call fails: pages make no calls
//! while rendering.

use crate::model::api::{
    ConsoleAnswer, ConsoleCommand, ConsoleHistory, Drafts, ErrorBody, ObjectYaml, Progress,
    ResetAnswer, Run, TryAnswer, path, route,
};
use crate::model::embed::{StartAnswer, StartRequest};
use crate::model::inspection::{Inspection, LogLines};
use crate::model::live::Report;
use crate::model::pacing::Unlocked;
use crate::model::rooms::{
    Extend, HelpView, MessageSent, MyRoom, NewMessage, NewRoom, PreflightStatus, RaiseHand,
    ResetStatus, ResetTo, RoomCreated, RoomView, Said, TimeEnds, TrainerMe,
};

/// What a pipeline request came to.
#[derive(Debug, Clone, PartialEq)]
pub enum PipelineAnswer {
    /// Each document's result (some may be refused).
    Report(Report),
    /// The text itself was refused (syntax, budgets), located where possible.
    Refused(ErrorBody),
}

/// Applies, dry-runs or deletes the manifests `text` for `lesson` (`COURSE/SLUG`).
pub async fn pipeline(run: Run, lesson: &str, text: &str) -> Result<PipelineAnswer, String> {
    let answer = call("POST", &path::pipeline(run, lesson), Some(text)).await?;
    if answer.status == 400 {
        return Ok(PipelineAnswer::Refused(answer.json()?));
    }
    answer.json().map(PipelineAnswer::Report)
}

/// One object of the workspace as YAML.
pub async fn object_yaml(namespace: &str, kind: &str, name: &str) -> Result<String, String> {
    let answer = call("GET", &path::object(namespace, kind, name), None).await?;
    answer.ok()?.json::<ObjectYaml>().map(|y| y.yaml)
}

/// Deletes every namespace of the workspace; says how many.
pub async fn reset() -> Result<usize, String> {
    let answer = call("DELETE", route::WORKSPACE, None).await?;
    answer
        .ok()?
        .json::<ResetAnswer>()
        .map(|r| r.deleted_namespaces)
}

/// An HTTP GET to a Service of the workspace, from `lesson` (`course/slug`).
pub async fn try_app(
    (namespace, service, port): (&str, &str, &str),
    request_path: &str,
    lesson: &str,
) -> Result<TryAnswer, String> {
    let url = path::try_app(namespace, service, port, request_path);
    let named = [(crate::model::api::LESSON_HEADER, lesson)];
    send_with("GET", &url, None, &named).await?.ok()?.json()
}

/// Runs a kubectl command line in the console, as the attendee.
pub async fn console(command: &str) -> Result<ConsoleAnswer, String> {
    let body = serde_json::to_string(&ConsoleCommand {
        command: command.to_string(),
        files: Default::default(),
        lesson: None,
    })
    .map_err(|e| e.to_string())?;
    send("POST", route::CONSOLE, Some((&body, JSON)))
        .await?
        .ok()?
        .json()
}

/// The lines the attendee ran in the console, oldest first.
pub async fn console_history() -> Result<ConsoleHistory, String> {
    call("GET", route::CONSOLE_HISTORY, None)
        .await?
        .ok()?
        .json()
}

/// The attendee's drafts of a lesson's panes.
pub async fn drafts(lesson: &str) -> Result<Drafts, String> {
    call("GET", &path::drafts(lesson, None), None)
        .await?
        .ok()?
        .json()
}

/// Saves the draft `key` of a lesson's pane (`None`: forgets it).
pub async fn save_draft(lesson: &str, key: &str, text: Option<&str>) -> Result<(), String> {
    let method = if text.is_some() { "PUT" } else { "DELETE" };
    call(method, &path::drafts(lesson, Some(key)), text)
        .await?
        .ok()
        .map(drop)
}

/// The steps the attendee completed. Also the page's first request: it starts the
/// attendee's session, whose cookie every later request carries.
pub async fn progress() -> Result<Progress, String> {
    call("GET", route::PROGRESS, None).await?.ok()?.json()
}

/// A docs reader's Start on `site`: a sandbox's token, or a place in line (ask again
/// with its `waiter`).
pub async fn embed_start(site: &str, waiter: Option<String>) -> Result<StartAnswer, String> {
    let body = serde_json::to_string(&StartRequest {
        site: site.to_string(),
        waiter,
    })
    .map_err(|e| e.to_string())?;
    send("POST", route::EMBED_SESSIONS, Some((&body, JSON)))
        .await?
        .ok()?
        .json()
}

/// The signed-in trainer, or `None` when the browser is not signed in as one.
pub async fn trainer_me() -> Result<Option<TrainerMe>, String> {
    let answer = call("GET", route::TRAINER_ME, None).await?;
    if answer.status == 401 {
        return Ok(None);
    }
    answer.ok()?.json().map(Some)
}

/// The signed-in trainer's rooms, newest first.
pub async fn trainer_rooms() -> Result<Vec<RoomView>, String> {
    call("GET", route::TRAINER_ROOMS, None).await?.ok()?.json()
}

/// Makes a room.
pub async fn create_room(room: &NewRoom) -> Result<RoomCreated, String> {
    let body = serde_json::to_string(room).map_err(|e| e.to_string())?;
    send("POST", route::TRAINER_ROOMS, Some((&body, JSON)))
        .await?
        .ok()?
        .json()
}

/// One of the trainer's rooms, with its attendees.
pub async fn trainer_room(id: &str) -> Result<RoomView, String> {
    let path = route::TRAINER_ROOM.replace("{id}", id);
    call("GET", &path, None).await?.ok()?.json()
}

/// The path of a trainer's action on one attendee of a room.
fn attendee_path(route: &str, room: &str, attendee: &str) -> String {
    route.replace("{id}", room).replace("{attendee}", attendee)
}

/// Starts resetting an attendee's workspace to the start of a step.
pub async fn reset_attendee(
    room: &str,
    attendee: &str,
    to: &ResetTo,
) -> Result<ResetStatus, String> {
    let body = serde_json::to_string(to).map_err(|e| e.to_string())?;
    let path = attendee_path(route::TRAINER_ATTENDEE_RESET, room, attendee);
    send("POST", &path, Some((&body, JSON))).await?.ok()?.json()
}

/// Gives an attendee more time.
pub async fn extend_attendee(room: &str, attendee: &str, minutes: u32) -> Result<TimeEnds, String> {
    let body = serde_json::to_string(&Extend {
        minutes: Some(minutes),
    })
    .map_err(|e| e.to_string())?;
    let path = attendee_path(route::TRAINER_ATTENDEE_EXTEND, room, attendee);
    send("POST", &path, Some((&body, JSON))).await?.ok()?.json()
}

/// Ends an attendee's time now.
pub async fn end_attendee(room: &str, attendee: &str) -> Result<TimeEnds, String> {
    let path = attendee_path(route::TRAINER_ATTENDEE_END, room, attendee);
    send("POST", &path, Some(("", JSON))).await?.ok()?.json()
}

/// What an attendee of the room has in their workspace, read-only.
pub async fn inspect_attendee(room: &str, attendee: &str) -> Result<Inspection, String> {
    let path = attendee_path(route::TRAINER_ATTENDEE_WORKSPACE, room, attendee);
    call("GET", &path, None).await?.ok()?.json()
}

/// The last lines of one of an attendee's pods' log.
pub async fn attendee_logs(
    (room, attendee): (&str, &str),
    namespace: &str,
    pod: &str,
) -> Result<LogLines, String> {
    let path = attendee_path(route::TRAINER_ATTENDEE_LOGS, room, attendee)
        .replace("{namespace}", namespace)
        .replace("{pod}", pod);
    call("GET", &path, None).await?.ok()?.json()
}

/// Opens a paced room up to a step (closing what lies after it).
pub async fn unlock(room: &str, to: &Unlocked) -> Result<Unlocked, String> {
    let body = serde_json::to_string(to).map_err(|e| e.to_string())?;
    let path = route::TRAINER_ROOM_UNLOCK.replace("{id}", room);
    send("POST", &path, Some((&body, JSON))).await?.ok()?.json()
}

/// Lets the person of a roster code join again from a new browser, as themselves.
pub async fn reseat(room: &str, code: &str) -> Result<(), String> {
    let path = route::TRAINER_ROSTER_RESEAT
        .replace("{id}", room)
        .replace("{code}", code);
    send("POST", &path, Some(("", JSON)))
        .await?
        .ok()
        .map(|_| ())
}

/// The room the attendee is in (`None`: none).
pub async fn my_room() -> Result<Option<MyRoom>, String> {
    let answer = call("GET", route::MY_ROOM, None).await?;
    if answer.status == 204 {
        return Ok(None);
    }
    answer.ok()?.json().map(Some)
}

/// Raises the attendee's hand (or asks again with the hand up).
pub async fn raise_hand(hand: &RaiseHand) -> Result<HelpView, String> {
    let body = serde_json::to_string(hand).map_err(|e| e.to_string())?;
    send("POST", route::MY_HELP, Some((&body, JSON)))
        .await?
        .ok()?
        .json()
}

/// Lowers the attendee's hand.
pub async fn lower_hand() -> Result<(), String> {
    call("DELETE", route::MY_HELP, None).await?.ok().map(|_| ())
}

/// The path of a trainer's action on one hand of a room.
fn help_path(route: &str, room: &str, help: i64) -> String {
    route
        .replace("{id}", room)
        .replace("{help}", &help.to_string())
}

/// Answers a raised hand.
pub async fn answer_hand(room: &str, help: i64, text: &str) -> Result<(), String> {
    let body = serde_json::to_string(&Said {
        text: text.to_string(),
    })
    .map_err(|e| e.to_string())?;
    let path = help_path(route::TRAINER_HELP_ANSWER, room, help);
    send("POST", &path, Some((&body, JSON)))
        .await?
        .ok()
        .map(|_| ())
}

/// Puts a raised hand down.
pub async fn hand_done(room: &str, help: i64) -> Result<(), String> {
    let path = help_path(route::TRAINER_HELP_DONE, room, help);
    send("POST", &path, Some(("", JSON)))
        .await?
        .ok()
        .map(|_| ())
}

/// Sends a message to the room, one attendee, or those on a step.
pub async fn send_message(room: &str, message: &NewMessage) -> Result<MessageSent, String> {
    let body = serde_json::to_string(message).map_err(|e| e.to_string())?;
    let path = route::TRAINER_MESSAGES.replace("{id}", room);
    send("POST", &path, Some((&body, JSON))).await?.ok()?.json()
}

/// Starts a room's preflight.
pub async fn start_preflight(room: &str) -> Result<PreflightStatus, String> {
    let path = route::TRAINER_PREFLIGHT.replace("{id}", room);
    send("POST", &path, Some(("", JSON))).await?.ok()?.json()
}

/// A room's last preflight (`None`: none since the server started).
pub async fn preflight(room: &str) -> Result<Option<PreflightStatus>, String> {
    let path = route::TRAINER_PREFLIGHT.replace("{id}", room);
    let answer = call("GET", &path, None).await?;
    if answer.status == 204 {
        return Ok(None);
    }
    answer.ok()?.json().map(Some)
}

/// An HTTP answer: status and body text.
struct Answer {
    status: u16,
    body: String,
}

impl Answer {
    /// The answer if it is a success, else the server's message.
    fn ok(self) -> Result<Answer, String> {
        if (200..300).contains(&self.status) {
            Ok(self)
        } else {
            Err(self.error_message())
        }
    }

    /// The body as `T`, or the server's `{"error"}` message.
    fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T, String> {
        serde_json::from_str(&self.body).map_err(|_| self.error_message())
    }

    /// The server's `{"error": …}` text, or the status and the start of the body.
    fn error_message(&self) -> String {
        serde_json::from_str::<ErrorBody>(&self.body)
            .map(|e| e.error)
            .unwrap_or_else(|_| {
                format!(
                    "HTTP {}: {}",
                    self.status,
                    self.body.chars().take(300).collect::<String>()
                )
            })
    }
}

/// The content types of request bodies: manifests and drafts are text, the console's
/// command is JSON.
const TEXT: &str = "text/plain; charset=utf-8";
const JSON: &str = "application/json";

/// One same-origin request with a text body (or none).
async fn call(method: &str, path: &str, body: Option<&str>) -> Result<Answer, String> {
    send(method, path, body.map(|b| (b, TEXT))).await
}

/// One same-origin request with a body of a content type; `Err` when no answer came (and
/// always on the server).
async fn send(method: &str, path: &str, body: Option<(&str, &str)>) -> Result<Answer, String> {
    send_with(method, path, body, &[]).await
}

/// [`send`] with more request headers.
async fn send_with(
    method: &str,
    path: &str,
    body: Option<(&str, &str)>,
    headers: &[(&str, &str)],
) -> Result<Answer, String> {
    #[cfg(feature = "hydrate")]
    {
        let (status, body) = super::client::fetch(method, path, body, headers).await?;
        Ok(Answer { status, body })
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (method, path, body, headers);
        Err("the workspace API is called from the browser".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_read_the_servers_message() {
        let refused = Answer {
            status: 403,
            body: r#"{"error":"requests from another site may not change your workspace"}"#.into(),
        };
        assert_eq!(
            refused.ok().err().as_deref(),
            Some("requests from another site may not change your workspace")
        );
        let broken = Answer {
            status: 502,
            body: "<html>bad gateway</html>".into(),
        };
        assert_eq!(
            broken.json::<Progress>().unwrap_err(),
            "HTTP 502: <html>bad gateway</html>"
        );
    }
}

//! Helping in a room (`docs/trainer-api.md`). The attendee's side: `GET /api/room` (their
//! room, time, hand and the trainer's messages, which their page shows), `POST
//! /api/room/help` (raise a hand on a step: the server adds the step's failing checks, as
//! their page shows them, and the workspace's latest warning events) and `DELETE
//! /api/room/help` (lower it). The trainer's: answer a hand, mark it done, and send a
//! message to the room, to one attendee, or to those on a step.

use super::error::AppError;
use super::rooms::{ends_at, own_room};
use crate::clock::rfc3339;
use crate::db::help::Hand;
use crate::sessions::Attendee;
use crate::state::AppState;
use crate::trainer::Trainer;
use app::model::rooms::{HelpView, MessageSent, MessageView, MyRoom, NewMessage, RaiseHand, Said};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use k8s_openapi::api::core::v1::Event;
use kube::api::{Api, ListParams};

/// The longest question, answer or message.
const TEXT_MAX: usize = 2000;
/// How many messages the attendee's page shows, and warning events a hand carries.
const MESSAGES_SHOWN: i64 = 20;
const WARNINGS_KEPT: usize = 5;

fn text(field: &str, text: &str, required: bool) -> Result<String, AppError> {
    let text = text.trim();
    if (required && text.is_empty()) || text.chars().count() > TEXT_MAX {
        let least = if required { 1 } else { 0 };
        return Err(AppError::BadRequest(format!(
            "{field}: {least} to {TEXT_MAX} characters"
        )));
    }
    Ok(text.to_string())
}

fn json<T: serde::de::DeserializeOwned>(bytes: &Bytes) -> Result<T, AppError> {
    serde_json::from_slice(bytes).map_err(|e| AppError::BadRequest(format!("the body: {e}")))
}

/// A hand as both sides see it, under the attendee's name in the room.
pub(super) fn help_view(hand: Hand, name: &str) -> HelpView {
    HelpView {
        id: hand.id,
        attendee: hand.attendee,
        name: name.to_string(),
        lesson: hand.lesson,
        step: hand.step + 1,
        question: hand.question,
        failing: hand.failing,
        warnings: hand.warnings,
        asked: rfc3339(hand.asked_at),
        answer: hand.answer,
        closed: hand.closed,
    }
}

/// The room the attendee is in and their seat's name; 404 when they joined none.
async fn my_room(
    state: &AppState,
    attendee: &str,
) -> Result<(crate::db::rooms::Room, crate::db::rooms::Member), AppError> {
    let not_in = || AppError::NotFound("you are not in a room".into());
    let id = state.db.room_of(attendee).await?.ok_or_else(not_in)?;
    let room = state.db.room(&id).await?.ok_or_else(not_in)?;
    let member = state
        .db
        .member(&room.id, attendee)
        .await?
        .ok_or_else(not_in)?;
    Ok((room, member))
}

/// `GET /api/room`: the attendee's room, their time, their hand, the trainer's messages;
/// `204` for an attendee in no room (every lesson page asks).
pub async fn mine(
    State(state): State<AppState>,
    Attendee(attendee): Attendee,
) -> Result<axum::response::Response, AppError> {
    use axum::response::IntoResponse;
    let (room, member) = match my_room(&state, &attendee).await {
        Ok(found) => found,
        Err(AppError::NotFound(_)) => return Ok(StatusCode::NO_CONTENT.into_response()),
        Err(e) => return Err(e),
    };
    let ends = ends_at(&room, &member);
    let help = state
        .db
        .open_hand(&room.id, &attendee)
        .await?
        .map(|h| help_view(h, &member.name));
    let messages = state
        .db
        .messages_for(&room.id, &attendee, MESSAGES_SHOWN)
        .await?
        .into_iter()
        .map(|(id, text, at, everyone)| MessageView {
            id,
            text,
            sent: rfc3339(at),
            everyone,
        })
        .collect();
    Ok(Json(MyRoom {
        id: room.id,
        title: room.title,
        ends: ends.map(rfc3339),
        ended: ends.is_some_and(|t| t <= state.db.now()),
        help,
        messages,
        unlocked: room.unlocked,
        lessons: room.lessons,
    })
    .into_response())
}

/// `POST /api/room/help` with `{"lesson", "step", "question"}`: raises the attendee's
/// hand (or replaces the question of the one up); `201` with the hand.
pub async fn raise(
    State(state): State<AppState>,
    Attendee(attendee): Attendee,
    bytes: Bytes,
) -> Result<(StatusCode, Json<HelpView>), AppError> {
    let asked: RaiseHand = json(&bytes)?;
    let question = text("question", &asked.question, false)?;
    let (room, member) = my_room(&state, &attendee).await?;
    if !room.lessons.contains(&asked.lesson) {
        return Err(AppError::BadRequest(format!(
            "lesson: {:?} is not one of the room's",
            asked.lesson
        )));
    }
    let steps = state.lesson(&asked.lesson).map_or(0, |l| l.steps.len());
    if asked.step == 0 || asked.step > steps {
        return Err(AppError::BadRequest(format!("step: 1 to {steps}")));
    }
    let step = asked.step - 1;
    // The failing checks as the attendee's page last showed them, if it is on the step.
    let failing = state
        .presence
        .of(&attendee)
        .filter(|s| s.lesson == asked.lesson && s.step == step)
        .map(|s| s.failing)
        .unwrap_or_default();
    let hand = Hand {
        id: 0,
        attendee: attendee.clone(),
        lesson: asked.lesson,
        step,
        question,
        failing,
        warnings: warnings(&state, &attendee).await,
        asked_at: state.db.now(),
        answer: None,
        closed: false,
    };
    let id = state.db.raise_hand(&room.id, &hand).await?;
    // What fails when someone asks for help troubled them: the report counts it.
    state
        .db
        .troubled(&room.id, &attendee, (&hand.lesson, step), &hand.failing)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(help_view(Hand { id, ..hand }, &member.name)),
    ))
}

/// The workspace's latest warning events, `Reason: message` (object), newest first, read
/// as the attendee.
async fn warnings(state: &AppState, attendee: &str) -> Vec<String> {
    let workspace = state.workspace(attendee);
    let namespaces = workspace
        .namespaces(state.platform())
        .await
        .unwrap_or_default();
    let mut seen: Vec<(String, String)> = Vec::new();
    for (_, real) in namespaces {
        let events: Api<Event> = Api::namespaced(state.tenant(&workspace), &real);
        let listed = events
            .list(&ListParams::default().fields("type=Warning"))
            .await
            .map(|l| l.items)
            .unwrap_or_default();
        for event in listed {
            let at = event
                .last_timestamp
                .as_ref()
                .map(|t| t.0.to_string())
                .unwrap_or_default();
            let object = event.involved_object.name.clone().unwrap_or_default();
            let kind = event.involved_object.kind.clone().unwrap_or_default();
            seen.push((
                at,
                format!(
                    "{}: {} ({}/{object})",
                    event.reason.unwrap_or_default(),
                    event.message.unwrap_or_default().trim(),
                    kind.to_lowercase()
                ),
            ));
        }
    }
    seen.sort_by(|a, b| b.0.cmp(&a.0));
    seen.into_iter()
        .map(|(_, line)| line)
        .take(WARNINGS_KEPT)
        .collect()
}

/// `DELETE /api/room/help`: the attendee lowers their hand.
pub async fn lower(
    State(state): State<AppState>,
    Attendee(attendee): Attendee,
) -> Result<StatusCode, AppError> {
    let (room, _) = my_room(&state, &attendee).await?;
    if let Some(hand) = state.db.open_hand(&room.id, &attendee).await? {
        state.db.close_hand(&room.id, hand.id).await?;
    }
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/trainer/rooms/{id}/help/{help}/answer` with `{"text"}`: the attendee's page
/// shows the answer under their hand, which stays up until done.
pub async fn answer(
    State(state): State<AppState>,
    Trainer(trainer): Trainer,
    Path((id, help)): Path<(String, i64)>,
    bytes: Bytes,
) -> Result<StatusCode, AppError> {
    let said: Said = json(&bytes)?;
    let answer = text("text", &said.text, true)?;
    let room = own_room(&state, &trainer, &id).await?;
    if !state.db.answer_hand(&room.id, help, &answer).await? {
        return Err(AppError::NotFound(format!(
            "room {id:?} has no hand {help} up"
        )));
    }
    let detail = serde_json::json!({"room": room.id, "help": help});
    state
        .db
        .audit(&trainer, "help answered", &detail.to_string())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/trainer/rooms/{id}/help/{help}/done`: the hand goes down.
pub async fn done(
    State(state): State<AppState>,
    Trainer(trainer): Trainer,
    Path((id, help)): Path<(String, i64)>,
) -> Result<StatusCode, AppError> {
    let room = own_room(&state, &trainer, &id).await?;
    if !state.db.close_hand(&room.id, help).await? {
        return Err(AppError::NotFound(format!(
            "room {id:?} has no hand {help} up"
        )));
    }
    let detail = serde_json::json!({"room": room.id, "help": help});
    state
        .db
        .audit(&trainer, "help done", &detail.to_string())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/trainer/rooms/{id}/messages` with `{"text"}` and at most one of
/// `"attendee"` or `"lesson"` + `"step"` (from 1): `201` with how many it reached.
pub async fn message(
    State(state): State<AppState>,
    Trainer(trainer): Trainer,
    Path(id): Path<String>,
    bytes: Bytes,
) -> Result<(StatusCode, Json<MessageSent>), AppError> {
    let asked: NewMessage = json(&bytes)?;
    let said = text("text", &asked.text, true)?;
    let room = own_room(&state, &trainer, &id).await?;
    let members = state.db.members(&room.id).await?;
    let to: Option<Vec<String>> = match (&asked.attendee, &asked.lesson, asked.step) {
        (None, None, None) => None,
        (Some(attendee), None, None) => {
            if !members.iter().any(|m| &m.attendee == attendee) {
                return Err(AppError::NotFound(format!(
                    "room {id:?} has no attendee {attendee:?}"
                )));
            }
            Some(vec![attendee.clone()])
        }
        (None, Some(lesson), Some(step)) if step > 0 => {
            let on_step = state.presence.on_step(lesson, step - 1);
            Some(
                members
                    .iter()
                    .filter(|m| on_step.contains(&m.attendee))
                    .map(|m| m.attendee.clone())
                    .collect(),
            )
        }
        _ => {
            return Err(AppError::BadRequest(
                "send to the room (no more fields), to one \"attendee\", or to those on a \"lesson\" and \"step\" (from 1)".into(),
            ));
        }
    };
    let recipients = match &to {
        None => {
            state.db.send_message(&room.id, None, &said).await?;
            members.len()
        }
        Some(attendees) => {
            for attendee in attendees {
                state
                    .db
                    .send_message(&room.id, Some(attendee), &said)
                    .await?;
            }
            attendees.len()
        }
    };
    let detail = serde_json::json!({"room": room.id, "attendee": asked.attendee, "lesson": asked.lesson, "step": asked.step, "recipients": recipients});
    state
        .db
        .audit(&trainer, "message sent", &detail.to_string())
        .await?;
    Ok((StatusCode::CREATED, Json(MessageSent { recipients })))
}

//! Rooms: a trainer makes one (`POST /api/trainer/rooms`) and lists theirs (`GET
//! /api/trainer/rooms`; one room with its attendees is `room_view.rs`); attendees join with its link and code
//! (`POST /join/{room}`, the join page's form). A room is only ever its own trainer's:
//! another trainer gets the same 404 as for a room that does not exist.

use super::error::AppError;
use super::join_link::{join_url, random_code, random_text};
use super::roster::Seating;
use crate::clock::rfc3339;
use crate::db::rooms::{Joined, Room};
use crate::sessions::{Attendee, ClientAddress};
use crate::state::AppState;
use crate::trainer::Trainer;
use app::model::pacing::{Pacing, Unlocked};
use app::model::rooms::{NewRoom, RoomAttendee, RoomCreated, RoomLesson, RoomView};
use axum::Form;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Redirect;
use serde::Deserialize;

/// The longest title, and the most lessons, a room may have.
const TITLE_MAX: usize = 120;
const LESSONS_MAX: usize = 30;
/// The longest display name an attendee may give.
const NAME_MAX: usize = 60;
/// The longest time limit per attendee, in minutes (a week).
const TIME_LIMIT_MAX: u32 = 7 * 24 * 60;
/// How long a room's results are kept after it ends, by default and at most (days).
const RETENTION_DEFAULT: u32 = 90;
const RETENTION_MAX: u32 = 3650;

/// `POST /api/trainer/rooms`: makes a room; `201` with its id, join link and access code.
pub async fn create(
    State(state): State<AppState>,
    Trainer(trainer): Trainer,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, Json<RoomCreated>), AppError> {
    let asked: NewRoom = serde_json::from_slice(&body)
        .map_err(|e| AppError::BadRequest(format!("the room: {e}")))?;
    let roster_text = asked.roster.clone();
    let room = checked(&state, &trainer, asked)?;
    let roster = match roster_text {
        Some(text) => super::roster::people(&text, room.capacity)?,
        None => Vec::new(),
    };
    state.db.create_room(&room, &roster).await?;
    let detail = serde_json::json!({"room": room.id, "title": room.title}).to_string();
    state.db.audit(&trainer, "room created", &detail).await?;
    Ok((
        StatusCode::CREATED,
        Json(RoomCreated {
            join_url: join_url(&headers, &room.id),
            id: room.id,
            access_code: room.access_code,
        }),
    ))
}

/// The room `asked` describes, or what is wrong with it.
fn checked(state: &AppState, trainer: &str, asked: NewRoom) -> Result<Room, AppError> {
    let bad = |m: String| Err(AppError::BadRequest(m));
    let title = asked.title.trim().to_string();
    if title.is_empty() || title.chars().count() > TITLE_MAX {
        return bad(format!("title: 1 to {TITLE_MAX} characters"));
    }
    if asked.lessons.is_empty() || asked.lessons.len() > LESSONS_MAX {
        return bad(format!(
            "lessons: 1 to {LESSONS_MAX} lessons, as \"COURSE/SLUG\""
        ));
    }
    if let Some(unknown) = asked.lessons.iter().find(|l| state.lesson(l).is_none()) {
        return bad(format!(
            "lessons: no lesson {unknown:?} (write \"COURSE/SLUG\", such as \"fundamentals/deployments\")"
        ));
    }
    let most = state.limits.config.max_attendees;
    if asked.capacity == 0 || u64::from(asked.capacity) > most {
        return bad(format!(
            "capacity: 1 to {most} attendees (the server's --max-attendees)"
        ));
    }
    if asked.warm > asked.capacity {
        return bad(format!("warm: at most the capacity, {}", asked.capacity));
    }
    let opens_at = instant("opens", asked.opens.as_deref())?;
    let closes_at = instant("closes", asked.closes.as_deref())?;
    if let (Some(opens), Some(closes)) = (opens_at, closes_at)
        && closes <= opens
    {
        return bad("closes: must come after opens".into());
    }
    let deadline = instant("deadline", asked.deadline.as_deref())?;
    if let (Some(opens), Some(deadline)) = (opens_at, deadline)
        && deadline <= opens
    {
        return bad("deadline: must come after opens".into());
    }
    let time_limit = match asked.time_limit_minutes {
        Some(minutes) if minutes == 0 || minutes > TIME_LIMIT_MAX => {
            return bad(format!("timeLimitMinutes: 1 to {TIME_LIMIT_MAX}"));
        }
        minutes => minutes.map(|m| i64::from(m) * 60),
    };
    let retention_days = asked.retention_days.unwrap_or(RETENTION_DEFAULT);
    if retention_days == 0 || retention_days > RETENTION_MAX {
        return bad(format!("retentionDays: 1 to {RETENTION_MAX}"));
    }
    Ok(Room {
        id: random_text(b"abcdefghijklmnopqrstuvwxyz0123456789", 10),
        trainer: trainer.to_string(),
        title,
        capacity: i64::from(asked.capacity),
        warm: i64::from(asked.warm),
        access_code: random_code(6),
        opens_at,
        closes_at,
        created_at: state.db.now(),
        time_limit,
        deadline,
        retention_days: i64::from(retention_days),
        // A paced room opens on its first step.
        unlocked: (asked.pacing == Pacing::Trainer).then(|| Unlocked {
            lesson: asked.lessons[0].clone(),
            step: 1,
        }),
        lessons: asked.lessons,
    })
}

/// Seconds since the epoch of an RFC 3339 time, if given.
fn instant(field: &str, text: Option<&str>) -> Result<Option<i64>, AppError> {
    text.map(|t| {
        t.parse::<jiff::Timestamp>()
            .map(|t| t.as_second())
            .map_err(|e| {
                AppError::BadRequest(format!("{field}: {t:?} is not an RFC 3339 time ({e})"))
            })
    })
    .transpose()
}

/// `GET /api/trainer/rooms`: the trainer's rooms, newest first.
pub async fn list(
    State(state): State<AppState>,
    Trainer(trainer): Trainer,
    headers: HeaderMap,
) -> Result<Json<Vec<RoomView>>, AppError> {
    let mut views = Vec::new();
    for room in state.db.rooms_of(&trainer).await? {
        let joined = state.db.members(&room.id).await?.len();
        views.push(view(&state, &headers, room, joined, Vec::new()));
    }
    Ok(Json(views))
}

/// When the member's time ends: their own end, or the room's deadline if sooner.
pub(super) fn ends_at(room: &Room, member: &crate::db::rooms::Member) -> Option<i64> {
    match (member.ends_at, room.deadline) {
        (Some(own), Some(deadline)) => Some(own.min(deadline)),
        (own, deadline) => own.or(deadline),
    }
}

/// The room `id` if it is `trainer`'s; 404 otherwise, whoever it belongs to.
pub(super) async fn own_room(state: &AppState, trainer: &str, id: &str) -> Result<Room, AppError> {
    match state.db.room(id).await? {
        Some(room) if room.trainer == trainer => Ok(room),
        _ => Err(AppError::NotFound(format!("you have no room {id:?}"))),
    }
}

pub(super) fn view(
    state: &AppState,
    headers: &HeaderMap,
    room: Room,
    joined: usize,
    attendees: Vec<RoomAttendee>,
) -> RoomView {
    let lessons = room
        .lessons
        .iter()
        .map(|id| {
            let lesson = state.lesson(id);
            RoomLesson {
                id: id.clone(),
                title: lesson.map_or_else(|| id.clone(), |l| l.front.title.clone()),
                steps: lesson.map_or(0, |l| l.steps.len()),
                median_seconds: Vec::new(),
            }
        })
        .collect();
    RoomView {
        join_url: join_url(headers, &room.id),
        id: room.id,
        title: room.title,
        lessons,
        capacity: u32::try_from(room.capacity).unwrap_or(0),
        warm: u32::try_from(room.warm).unwrap_or(0),
        access_code: room.access_code,
        opens: room.opens_at.map(rfc3339),
        closes: room.closes_at.map(rfc3339),
        time_limit_minutes: room.time_limit.and_then(|s| u32::try_from(s / 60).ok()),
        deadline: room.deadline.map(rfc3339),
        retention_days: u32::try_from(room.retention_days).unwrap_or(0),
        pacing: if room.unlocked.is_some() {
            Pacing::Trainer
        } else {
            Pacing::SelfPaced
        },
        unlocked: room.unlocked,
        roster: Vec::new(),
        joined,
        attendees,
        help: Vec::new(),
        trouble: app::model::rooms::Trouble::default(),
        warm_ready: 0,
        warm_wanted: 0,
    }
}

/// The join page's form.
#[derive(Debug, Deserialize)]
pub struct JoinForm {
    pub code: String,
    /// Left out in a room with a roster: the roster names the attendee.
    #[serde(default)]
    pub name: String,
}

/// `POST /join/{room}`: seats the browser's attendee (made now if new) in the room under
/// the name given, then goes to the room's first lesson. Anything wrong goes back to the
/// join page, which says what (`?failed=code|name|full|early|closed|room`). Wrong codes
/// count against the address's sign-in attempts, so codes cannot be guessed.
pub async fn join(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ClientAddress(address): ClientAddress,
    parts: axum::http::request::Parts,
    Form(form): Form<JoinForm>,
) -> Result<Redirect, AppError> {
    let back = |why: &str| Ok(Redirect::to(&format!("/join/{id}?failed={why}")));
    let Some(room) = state.db.room(&id).await? else {
        return back("room");
    };
    // A room with a roster takes personal codes only; any other its access code.
    let listed = if state.db.has_roster(&room.id).await? {
        state
            .db
            .listed(&room.id, &form.code)
            .await?
            .map(Some)
            .ok_or(())
    } else if form.code.trim().eq_ignore_ascii_case(&room.access_code) {
        Ok(None)
    } else {
        Err(())
    };
    let Ok(listed) = listed else {
        if !state.limits.admit_login(address) {
            return Err(AppError::TooMany(
                "too many wrong codes from your address; wait a minute".into(),
            ));
        }
        return back("code");
    };
    let mut parts = parts;
    let known = crate::sessions::known_attendee(&mut parts, &state).await;
    let mut again = None;
    let name = match &listed {
        Some(listed) => {
            match super::roster::seating(&state, listed, known.as_deref()).await? {
                Seating::Refused(why) => return back(why),
                Seating::Again(holder) => again = Some(holder),
                Seating::Own => {}
            }
            listed.name.clone()
        }
        None => form.name.trim().to_string(),
    };
    if name.is_empty() || name.chars().count() > NAME_MAX || name.chars().any(char::is_control) {
        return back("name");
    }
    let now = state.db.now();
    if room.opens_at.is_some_and(|opens| now < opens) {
        return back("early");
    }
    if room.closes_at.is_some_and(|closes| now >= closes)
        || room.deadline.is_some_and(|deadline| now >= deadline)
    {
        return back("closed");
    }
    // Only now: a refused join makes no attendee (nor a session). A new browser is handed
    // a workspace from the room's warm pool, if one waits.
    if let Some(holder) = again {
        parts.extensions.insert(crate::sessions::Seat(holder));
    } else if known.is_none()
        && let Some(pooled) = state.db.claim_pooled(&room.id).await?
    {
        parts.extensions.insert(crate::sessions::Seat(pooled));
    }
    let Attendee(attendee) = Attendee::from_request_parts(&mut parts, &state).await?;
    if let Some(listed) = &listed
        && !state
            .db
            .claim_listed(&room.id, &listed.code, &attendee)
            .await?
    {
        return back("used");
    }
    if let Some(listed) = listed.as_ref().filter(|l| l.reseat) {
        state.db.set_reseat(&room.id, &listed.code, false).await?;
    }
    let ends_at = room.time_limit.map(|limit| now + limit);
    if state
        .db
        .join_room(&room.id, (&attendee, &name), ends_at)
        .await?
        == Joined::Full
    {
        return back("full");
    }
    let first = room.lessons.first().cloned().unwrap_or_default();
    Ok(Redirect::to(&format!("/learn/{first}")))
}

//! Rooms with a named roster (`docs/trainer-api.md`): the people a trainer listed get a
//! personal code each (and a join link that carries it); one joins under the roster's
//! name, and a code seats one attendee only — the same browser may come back with it,
//! another may not.

use super::error::AppError;
use crate::db::roster::Listed;
use crate::state::AppState;
use crate::trainer::roster;
use app::model::rooms::RosterSeat;
use axum::http::HeaderMap;

/// The length of a personal code (from the access code's alphabet, read aloud as easily).
const CODE_LENGTH: usize = 8;

/// The roster `text` as `(code, name, email)` for a room of `capacity`, or what is
/// wrong with it.
pub(super) fn people(
    text: &str,
    capacity: i64,
) -> Result<Vec<(String, String, Option<String>)>, AppError> {
    let people = roster::parse(text).map_err(|e| AppError::BadRequest(format!("roster: {e}")))?;
    if i64::try_from(people.len()).unwrap_or(i64::MAX) > capacity {
        return Err(AppError::BadRequest(format!(
            "roster: {} people, more than the capacity of {capacity}",
            people.len()
        )));
    }
    let mut codes: Vec<String> = Vec::new();
    while codes.len() < people.len() {
        let code = super::join_link::random_code(CODE_LENGTH);
        if !codes.contains(&code) {
            codes.push(code);
        }
    }
    Ok(codes
        .into_iter()
        .zip(people)
        .map(|(code, person)| (code, person.name, person.email))
        .collect())
}

/// The roster as its trainer sees it, with each person's join link.
pub(super) async fn seats(
    state: &AppState,
    headers: &HeaderMap,
    room: &str,
) -> Result<Vec<RosterSeat>, AppError> {
    let link = super::join_link::join_url(headers, room);
    Ok(state
        .db
        .roster(room)
        .await?
        .into_iter()
        .map(|listed| RosterSeat {
            link: format!("{link}?code={}", listed.code),
            joined: listed.attendee.is_some(),
            reopened: listed.reseat,
            name: listed.name,
            email: listed.email,
            code: listed.code,
        })
        .collect())
}

/// How a personal code seats the browser whose attendee is `known`.
pub(super) enum Seating {
    /// As the browser's own attendee (new, or the one who joined with it before).
    Own,
    /// As the attendee who joined with it before, on a new browser: the trainer reopened
    /// the code for someone who changed machines.
    Again(String),
    /// Not at all: the join page's `?failed=` word. `used`: another browser joined with
    /// it; `another`: this browser joined the room with another person's code (one
    /// person, one seat).
    Refused(&'static str),
}

/// How `listed`'s code seats the browser whose attendee is `known`.
pub(super) async fn seating(
    state: &AppState,
    listed: &Listed,
    known: Option<&str>,
) -> Result<Seating, AppError> {
    if let Some(holder) = &listed.attendee
        && known != Some(holder.as_str())
    {
        return Ok(match (listed.reseat, known) {
            (true, None) => Seating::Again(holder.clone()),
            _ => Seating::Refused("used"),
        });
    }
    if let Some(known) = known
        && let Some(held) = state.db.code_of(&listed.room, known).await?
        && held != listed.code
    {
        return Ok(Seating::Refused("another"));
    }
    Ok(Seating::Own)
}

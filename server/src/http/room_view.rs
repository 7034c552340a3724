//! `GET /api/trainer/rooms/{id}`: the live room view. Each attendee's state on every step
//! comes from three places: passes and their times from the database (the report's own
//! reading), working, failing and stuck from the live checks of the step they are on
//! (`trainer::presence`, written by their tab and by the room's watch, which reading
//! this view keeps running: `trainer::room_watch`; judged by `trainer::live`), help from
//! their raised hand.

use super::error::AppError;
use super::rooms::{ends_at, own_room, view};
use crate::clock::rfc3339;
use crate::state::AppState;
use crate::trainer::{Trainer, live};
use app::model::rooms::{RoomAttendee, RoomView, StepState};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, header};
use axum::response::IntoResponse;
use std::collections::BTreeMap;

/// `GET /api/trainer/rooms/{id}`: the room, its attendees with each one's state on
/// every step (passed from the database; working, failing, stuck from the live checks
/// of their step; help from their raised hand), and the hands up.
pub async fn get(
    State(state): State<AppState>,
    Trainer(trainer): Trainer,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<RoomView>, AppError> {
    let room = own_room(&state, &trainer, &id).await?;
    // While the trainer looks, the room's watch judges every attendee.
    crate::trainer::room_watch::look(&state, &room.id);
    let report = super::report::of_room(&state, room.clone()).await?;
    let members = state.db.members(&room.id).await?;
    let hands = state.db.open_hands(&room.id).await?;
    let now = state.db.now();
    // What those who passed each step took: what "stuck" is measured against.
    let took: Vec<Vec<i64>> = (0..report.steps.len())
        .map(|i| {
            report
                .attendees
                .iter()
                .filter_map(|a| a.seconds[i])
                .collect()
        })
        .collect();
    let mut attendees = Vec::new();
    for (member, row) in members.into_iter().zip(&report.attendees) {
        let seen = state.presence.of(&member.attendee);
        let hand = hands
            .iter()
            .find(|h| h.attendee == member.attendee)
            .map(|h| (h.lesson.as_str(), h.step));
        let mut steps: BTreeMap<String, Vec<StepState>> = BTreeMap::new();
        for (index, funnel) in report.steps.iter().enumerate() {
            let cell = live::Cell {
                lesson: &funnel.lesson,
                step: funnel.step - 1,
                passed: row.passed[index].is_some(),
                took: &took[index],
            };
            steps
                .entry(funnel.lesson.clone())
                .or_default()
                .push(live::state(&cell, seen.as_ref(), hand, now));
        }
        let ends_at = ends_at(&room, &member);
        let reset = state.resets.of(&member.attendee);
        attendees.push(RoomAttendee {
            joined: rfc3339(member.joined_at),
            ends: ends_at.map(rfc3339),
            ended: ends_at.is_some_and(|t| t <= now),
            reset,
            steps,
            id: member.attendee,
            name: member.name,
        });
    }
    let help = hands
        .into_iter()
        .map(|hand| {
            let name = attendees
                .iter()
                .find(|a| a.id == hand.attendee)
                .map(|a| a.name.clone())
                .unwrap_or_default();
            super::helping::help_view(hand, &name)
        })
        .collect();
    let joined = attendees.len();
    let (waiting, _) = state.db.pool_of(&room.id).await?;
    let seats_left = usize::try_from(room.capacity)
        .unwrap_or(0)
        .saturating_sub(joined);
    let warm_wanted = usize::try_from(room.warm).unwrap_or(0).min(seats_left);
    let roster = super::roster::seats(&state, &headers, &room.id).await?;
    let mut view = view(&state, &headers, room, joined, attendees);
    for lesson in &mut view.lessons {
        lesson.median_seconds = report
            .steps
            .iter()
            .filter(|s| s.lesson == lesson.id)
            .map(|s| s.median_seconds)
            .collect();
    }
    view.roster = roster;
    view.help = help;
    view.trouble = report.trouble;
    view.warm_ready = waiting.len();
    view.warm_wanted = warm_wanted;
    Ok(Json(view))
}

/// `GET /api/trainer/rooms/{id}/qr.svg`: the join link with its access code as a QR
/// code, for the trainer to show on a projector: a phone that scans it lands on the join
/// form with the code filled in. The trainer's only: it carries the code. A room with a
/// roster has none (409): each person joins by their own link.
pub async fn qr(
    State(state): State<AppState>,
    Trainer(trainer): Trainer,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, AppError> {
    let room = own_room(&state, &trainer, &id).await?;
    if state.db.has_roster(&room.id).await? {
        return Err(AppError::Conflict(format!(
            "room {:?} joins by its roster: each person has their own link, which the room view lists",
            room.id
        )));
    }
    let link = format!(
        "{}?code={}",
        super::join_link::join_url(&headers, &room.id),
        room.access_code
    );
    let code = qrcode::QrCode::new(link.as_bytes())
        .map_err(|e| AppError::internal("drawing the join link's QR code", e))?;
    let svg = code
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(320, 320)
        .build();
    Ok((
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "private, no-store"),
        ],
        svg,
    ))
}

//! A room's report, for its trainer, kept as long as the database keeps the room:
//! `GET /api/trainer/rooms/{id}/report.json` (the funnel per step: how many passed, and the
//! median time they took; and each attendee's steps with when they passed) and
//! `GET …/report.csv` (one row per attendee, one column per step, for a spreadsheet),
//! and what held the attendees up — the checks that troubled them and the refusals they
//! met, most first — in the JSON and in `GET …/trouble.csv`.
//! The time a step took is from the attendee's previous passed step of the room (or from
//! joining) to this one.

use super::error::AppError;
use super::rooms::own_room;
use crate::clock::rfc3339;
use crate::db::rooms::Room;
use crate::state::AppState;
use crate::trainer::Trainer;
use app::model::rooms::Trouble;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// The report's JSON.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    pub room: String,
    pub title: String,
    pub steps: Vec<StepFunnel>,
    pub attendees: Vec<AttendeeReport>,
    /// What held the attendees up, most first.
    pub trouble: Trouble,
}

/// One step of the room: who passed it and how long it took them.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StepFunnel {
    pub lesson: String,
    /// From 1, as the page numbers steps.
    pub step: usize,
    pub title: String,
    pub passed: usize,
    pub median_seconds: Option<i64>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AttendeeReport {
    pub id: String,
    pub name: String,
    pub joined: String,
    /// Per step of the room, in order: when it was passed (RFC 3339), if it was.
    pub passed: Vec<Option<String>>,
    /// Per step: the seconds it took, if it was passed.
    pub seconds: Vec<Option<i64>>,
}

async fn report(state: &AppState, trainer: &str, id: &str) -> Result<Report, AppError> {
    let room = own_room(state, trainer, id).await?;
    of_room(state, room).await
}

/// The report of `room` (its attendees in the order they joined): the live room view
/// reads its passes and times too.
pub(super) async fn of_room(state: &AppState, room: Room) -> Result<Report, AppError> {
    let mut steps = Vec::new();
    for lesson in &room.lessons {
        for (index, step) in state
            .lesson(lesson)
            .map(|l| l.steps.as_slice())
            .unwrap_or_default()
            .iter()
            .enumerate()
        {
            steps.push(StepFunnel {
                lesson: lesson.clone(),
                step: index + 1,
                title: step.title.clone(),
                passed: 0,
                median_seconds: None,
            });
        }
    }
    let mut attendees = Vec::new();
    for member in state.db.members(&room.id).await? {
        let times = state.db.progress_times(&member.attendee).await?;
        let mut since = member.joined_at;
        let (mut passed, mut seconds) = (Vec::new(), Vec::new());
        for funnel in &steps {
            let at = times
                .iter()
                .find(|(l, s, _)| *l == funnel.lesson && s + 1 == funnel.step)
                .map(|(_, _, at)| *at);
            passed.push(at.map(rfc3339));
            seconds.push(at.map(|at| (at - since).max(0)));
            if let Some(at) = at {
                since = since.max(at);
            }
        }
        attendees.push(AttendeeReport {
            id: member.attendee,
            name: member.name,
            joined: rfc3339(member.joined_at),
            passed,
            seconds,
        });
    }
    for (index, funnel) in steps.iter_mut().enumerate() {
        let mut took: Vec<i64> = attendees.iter().filter_map(|a| a.seconds[index]).collect();
        took.sort_unstable();
        funnel.passed = took.len();
        funnel.median_seconds = took.get(took.len().saturating_sub(1) / 2).copied();
    }
    Ok(Report {
        trouble: state.db.trouble(&room.id).await?,
        room: room.id,
        title: room.title,
        steps,
        attendees,
    })
}

/// `GET /api/trainer/rooms/{id}/report.json`.
pub async fn json(
    State(state): State<AppState>,
    Trainer(trainer): Trainer,
    Path(id): Path<String>,
) -> Result<Json<Report>, AppError> {
    Ok(Json(report(&state, &trainer, &id).await?))
}

/// `GET /api/trainer/rooms/{id}/report.csv`: `attendee,name,joined`, then per step its
/// pass time and the seconds it took; a last row holds each step's passed count.
pub async fn csv(
    State(state): State<AppState>,
    Trainer(trainer): Trainer,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let report = report(&state, &trainer, &id).await?;
    let mut header_row = vec!["attendee".to_string(), "name".into(), "joined".into()];
    for s in &report.steps {
        header_row.push(format!("{} step {} passed", s.lesson, s.step));
        header_row.push(format!("{} step {} seconds", s.lesson, s.step));
    }
    let mut lines = vec![row(&header_row)];
    for a in &report.attendees {
        let mut cells = vec![a.id.clone(), a.name.clone(), a.joined.clone()];
        for (at, took) in a.passed.iter().zip(&a.seconds) {
            cells.push(at.clone().unwrap_or_default());
            cells.push(took.map(|t| t.to_string()).unwrap_or_default());
        }
        lines.push(row(&cells));
    }
    let mut totals = vec!["passed".to_string(), String::new(), String::new()];
    for s in &report.steps {
        totals.push(s.passed.to_string());
        totals.push(s.median_seconds.map(|m| m.to_string()).unwrap_or_default());
    }
    lines.push(row(&totals));
    Ok(csv_file(
        &format!("room-{}-report.csv", report.room),
        &lines,
    ))
}

/// `GET /api/trainer/rooms/{id}/trouble.csv`: `what,lesson,step,text,attendees,times`, a
/// row per troubling check (`check`) and per refusal (`refusal`), most first.
pub async fn trouble_csv(
    State(state): State<AppState>,
    Trainer(trainer): Trainer,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let room = own_room(&state, &trainer, &id).await?;
    let trouble = state.db.trouble(&room.id).await?;
    let mut lines = vec![row(&[
        "what",
        "lesson",
        "step",
        "text",
        "attendees",
        "times",
    ]
    .map(String::from))];
    for c in &trouble.checks {
        lines.push(row(&[
            "check".into(),
            c.lesson.clone(),
            c.step.to_string(),
            c.label.clone(),
            c.attendees.to_string(),
            String::new(),
        ]));
    }
    for r in &trouble.refusals {
        lines.push(row(&[
            "refusal".into(),
            String::new(),
            String::new(),
            r.message.clone(),
            r.attendees.to_string(),
            r.times.to_string(),
        ]));
    }
    Ok(csv_file(&format!("room-{}-trouble.csv", room.id), &lines))
}

/// A CSV download of `lines`.
fn csv_file(name: &str, lines: &[String]) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        lines.concat(),
    )
        .into_response()
}

/// One CSV line (RFC 4180): fields quoted where needed; a field a spreadsheet would take
/// for a formula (`=`, `+`, `-`, `@`, tab, CR first) gets a leading `'`, as a display name
/// is the attendee's own text.
fn row(cells: &[String]) -> String {
    let fields: Vec<String> = cells
        .iter()
        .map(|cell| {
            let cell = if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
                format!("'{cell}")
            } else {
                cell.clone()
            };
            if cell.contains([',', '"', '\n', '\r']) {
                format!("\"{}\"", cell.replace('"', "\"\""))
            } else {
                cell
            }
        })
        .collect();
    format!("{}\r\n", fields.join(","))
}

#[cfg(test)]
mod tests {
    use super::row;

    #[test]
    fn csv_fields_are_quoted_and_formulas_defused() {
        let cells = [
            "Ada, L.".to_string(),
            "say \"hi\"".into(),
            "=1+1".into(),
            "-2".into(),
            "plain".into(),
        ];
        assert_eq!(
            row(&cells),
            "\"Ada, L.\",\"say \"\"hi\"\"\",'=1+1,'-2,plain\r\n"
        );
    }
}

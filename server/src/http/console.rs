//! The kubectl console's commands that end (`POST /api/workspace/console`): the line run
//! as the attendee, answered with what kubectl would have printed and its exit code.

use super::error::AppError;
use crate::sessions::Attendee;
use crate::state::AppState;
use app::model::api::{ConsoleAnswer, ConsoleCommand, ConsoleHistory};
use axum::Json;
use axum::extract::State;

/// `POST /api/workspace/console` — body `{"command": "kubectl get pods"}`, with the
/// text of the panes it applies (`"files": {"web.yaml": "…"}`) and the lesson.
pub async fn run(
    State(state): State<AppState>,
    Attendee(attendee): Attendee,
    Json(command): Json<ConsoleCommand>,
) -> Result<Json<ConsoleAnswer>, AppError> {
    if let Some(refusal) = crate::console::too_long(&command.command) {
        return Err(AppError::BadRequest(refusal));
    }
    state.db.touch(&attendee).await?;
    let workspace = state.workspace(&attendee);
    let namespaces = state.lesson_namespaces(command.lesson.as_deref());
    let console = crate::console::Console {
        panes: crate::console::Panes {
            files: command.files,
            namespaces,
        },
        lesson: command.lesson.clone(),
        ..state.console(&workspace)
    };
    let ran = crate::console::run(&console, &command.command).await;
    Ok(Json(ConsoleAnswer {
        output: ran.output,
        exit_code: ran.exit_code,
    }))
}

/// `GET /api/workspace/console/history` — the lines the attendee ran, oldest first.
pub async fn history(
    State(state): State<AppState>,
    Attendee(attendee): Attendee,
) -> Result<Json<ConsoleHistory>, AppError> {
    let workspace = state.workspace(&attendee);
    let lines = state.db.history(&workspace.id).await?;
    Ok(Json(ConsoleHistory { lines }))
}

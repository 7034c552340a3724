//! Trainers: who they are ([`credentials`]: passwords and API tokens), how a request
//! proves it is one ([`Trainer`]: an API token, or a browser session signed in at
//! `/trainer/login`), and the command line that makes them ([`cli`]). Their routes are
//! in `http/trainer.rs`; what they did goes to the audit log (`db::trainers`).

pub mod cli;
pub mod credentials;
pub mod inspect;
pub mod jobs;
pub mod live;
pub mod pacing;
pub mod pool;
pub mod preflight;
pub mod presence;
pub mod rewind;
pub mod room_watch;
pub mod room_watches;
pub mod roster;
pub mod trouble;

use crate::http::error::AppError;
use crate::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use tower_sessions::Session;

/// The session key holding the signed-in trainer's name.
pub const SESSION_KEY: &str = "trainer";

/// The trainer making a request: from `Authorization: Bearer TOKEN`, or from the
/// session of a browser that signed in. Anyone else (attendees included) is refused
/// with 401, before the handler runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trainer(pub String);

impl FromRequestParts<AppState> for Trainer {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(value) = parts.headers.get(AUTHORIZATION) {
            let token = value
                .to_str()
                .ok()
                .and_then(|v| v.strip_prefix("Bearer "))
                .map(str::trim)
                .ok_or_else(|| {
                    AppError::Unauthorized("the Authorization header is not `Bearer TOKEN`".into())
                })?;
            let digest = credentials::digest(token);
            return match state.db.trainer_of_token(&digest).await? {
                Some(name) => Ok(Trainer(name)),
                None => Err(AppError::Unauthorized(
                    "that token is not a trainer's (make one with `kubeclass trainer token NAME`)"
                        .into(),
                )),
            };
        }
        let session = Session::from_request_parts(parts, state)
            .await
            .map_err(|(_, message)| AppError::internal("the session layer is missing", message))?;
        match session.get::<String>(SESSION_KEY).await {
            Ok(Some(name)) => Ok(Trainer(name)),
            Ok(None) => Err(AppError::Unauthorized(
                "trainers only: sign in at /trainer/login, or send `Authorization: Bearer TOKEN`"
                    .into(),
            )),
            Err(e) => Err(AppError::internal("reading the session", e)),
        }
    }
}

//! The trainers' sign-in and their account: `POST /trainer/login` (the login page's form),
//! `POST /trainer/logout`, `GET /api/trainer/me`, `GET /api/trainer/audit`. Every route
//! but the login takes a [`Trainer`], so attendees get 401 before a handler runs; every
//! trainer action is written to the audit log.

use super::error::AppError;
use crate::sessions::ClientAddress;
use crate::state::AppState;
use crate::trainer::{SESSION_KEY, Trainer, credentials};
use app::model::api::route;
use app::model::rooms::TrainerMe;
use axum::Form;
use axum::Json;
use axum::extract::{Query, State};
use axum::response::Redirect;
use serde::Deserialize;
use tower_sessions::Session;

/// The login form's fields.
#[derive(Debug, Deserialize)]
pub struct LoginForm {
    pub name: String,
    pub password: String,
}

/// `POST /trainer/login`: checks the password (Argon2, at the per-address pace of
/// `--logins-per-minute`) and signs the browser in under a new session id, then
/// redirects to the trainer's pages; a failure goes back to the form, which says so
/// without telling whether the name exists.
pub async fn login(
    State(state): State<AppState>,
    session: Session,
    ClientAddress(address): ClientAddress,
    Form(form): Form<LoginForm>,
) -> Result<Redirect, AppError> {
    if !state.limits.admit_login(address) {
        return Err(AppError::TooMany(
            "too many sign-in attempts from your address; wait a minute".into(),
        ));
    }
    let stored = state.db.trainer_password(&form.name).await?;
    let password = form.password;
    let hash = stored.clone();
    let matches = tokio::task::spawn_blocking(move || {
        credentials::verify_password(&password, hash.as_deref())
    })
    .await
    .map_err(|e| AppError::internal("checking the password", e))?;
    if !matches {
        if stored.is_some() {
            state
                .db
                .audit(&form.name, "login refused", "wrong password")
                .await?;
        }
        return Ok(Redirect::to(&format!("{}?failed", route::TRAINER_LOGIN)));
    }
    let failed = |e| AppError::internal("saving the session", e);
    // A new id on sign-in: a session id planted before it (fixation) stays anonymous.
    session.cycle_id().await.map_err(failed)?;
    session
        .insert(SESSION_KEY, &form.name)
        .await
        .map_err(failed)?;
    state.db.audit(&form.name, "login", "").await?;
    Ok(Redirect::to(route::TRAINER_HOME))
}

/// `POST /trainer/logout`: signs the browser out.
pub async fn logout(
    State(state): State<AppState>,
    Trainer(name): Trainer,
    session: Session,
) -> Result<Redirect, AppError> {
    session
        .remove::<String>(SESSION_KEY)
        .await
        .map_err(|e| AppError::internal("saving the session", e))?;
    state.db.audit(&name, "logout", "").await?;
    Ok(Redirect::to(route::TRAINER_LOGIN))
}

/// `GET /api/trainer/me`: who the request speaks for.
pub async fn me(Trainer(name): Trainer) -> Json<TrainerMe> {
    Json(TrainerMe { name })
}

#[derive(Debug, Deserialize)]
pub struct AuditQuery {
    pub limit: Option<i64>,
}

/// `GET /api/trainer/audit?limit=N`: the asking trainer's newest actions (100 unless
/// said, at most 1000), oldest first.
pub async fn audit(
    State(state): State<AppState>,
    Trainer(name): Trainer,
    Query(query): Query<AuditQuery>,
) -> Result<Json<Vec<crate::db::trainers::AuditEntry>>, AppError> {
    let limit = query.limit.unwrap_or(100).clamp(1, 1000);
    Ok(Json(state.db.audit_log(&name, limit).await?))
}

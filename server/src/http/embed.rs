//! Docs sites' embeds ([`crate::embed`]): a reader's Start (`POST /api/embed/sessions`),
//! the live stream's ticket (`POST /api/embed/tickets`), and "Open in kubeclass", which
//! makes the sandbox the new tab's own (`POST /api/embed/adopt`). These requests come
//! from the embed's page, on kubeclass's own origin inside the docs site's frame, so the
//! router's same-origin check holds for them as for every other; which docs pages may
//! frame that page is the CSP's `frame-ancestors` ([`super::headers`]).

use super::error::AppError;
use crate::embed::{self, Start, sites, tokens};
use crate::sessions::ClientAddress;
use crate::state::AppState;
use app::model::embed::{Adopt, StartAnswer, StartRequest, Ticket};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Redirect;
use axum::{Form, Json};
use tower_sessions::Session;

/// How often a reader in line asks again.
const RETRY_SECONDS: u32 = 3;

/// `POST /api/embed/sessions`: a sandbox for the reader (201), or their place in line (202).
pub async fn start(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    Json(request): Json<StartRequest>,
) -> Result<(StatusCode, Json<StartAnswer>), AppError> {
    let unknown = || {
        AppError::NotFound(format!(
            "no docs site has the key {:?}: the site's owner registers it with \
             `kubeclass embed add-site --origin ORIGIN`",
            request.site
        ))
    };
    if !sites::plausible_key(&request.site) {
        return Err(unknown());
    }
    let site = state
        .db
        .embed_site(&request.site)
        .await?
        .ok_or_else(unknown)?;
    Ok(
        match embed::start(&state, &site, address, request.waiter.as_deref()).await? {
            Start::Started { token, .. } => (
                StatusCode::CREATED,
                Json(StartAnswer::Started {
                    token,
                    seconds: tokens::lifetime_seconds(&state),
                    idle_seconds: tokens::idle_seconds(&state),
                }),
            ),
            Start::Waiting { position, waiter } => (
                StatusCode::ACCEPTED,
                Json(StartAnswer::Waiting {
                    position,
                    waiter,
                    retry_seconds: RETRY_SECONDS,
                }),
            ),
        },
    )
}

/// `POST /api/embed/tickets`: a single-use ticket for the live stream of the sandbox the
/// bearer token names (never a cookie's: a ticket is what an embed needs instead).
pub async fn ticket(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<Ticket>, AppError> {
    let attendee = match bearer(&headers) {
        Some(token) => tokens::attendee_of(&state, token).await?,
        None => None,
    }
    .ok_or_else(|| {
        AppError::Unauthorized(
            "a ticket needs a live sandbox's token as `Authorization: Bearer TOKEN`".into(),
        )
    })?;
    Ok(Json(Ticket {
        ticket: tokens::ticket(&state, &attendee).await?,
    }))
}

/// `POST /api/embed/adopt` (a form the embed posts into a new tab): the sandbox becomes
/// this browser's own workspace, an attendee like any other, and the embed's token ends.
pub async fn adopt(
    State(state): State<AppState>,
    session: Session,
    Form(form): Form<Adopt>,
) -> Result<Redirect, AppError> {
    let Some(lesson) = state.lesson(&form.lesson) else {
        return Err(AppError::NotFound(format!("no lesson {}", form.lesson)));
    };
    let href = format!("/learn/{}", lesson.id);
    let attendee = tokens::end(&state, &form.token).await?.ok_or_else(|| {
        AppError::Unauthorized(
            "this sandbox has ended: open the lesson and press Start again".into(),
        )
    })?;
    crate::sessions::adopt(&session, &attendee).await?;
    Ok(Redirect::to(&match form.step {
        Some(step) => format!("{href}?step={step}"),
        None => href,
    }))
}

/// The bearer token of a request, if it has one.
fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
}

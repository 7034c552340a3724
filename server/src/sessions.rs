//! Sessions: every browser gets one (tower-sessions, stored in the database, so sessions
//! survive a restart), holding the attendee's id, which names their workspace.

use crate::db::Database;
use crate::http::error::AppError;
use crate::state::AppState;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use rand::Rng;
use std::net::{IpAddr, SocketAddr};
use tower_sessions::{Expiry, Session, SessionManagerLayer};
use tower_sessions_sqlx_store::SqliteStore;

/// The session key holding the attendee's id.
const ATTENDEE: &str = "attendee";

/// The session layer: HttpOnly cookies, SameSite=Lax, `Secure` when the site is served
/// over TLS, kept for a week of inactivity. The store's table is part of the database's
/// migrations.
pub fn layer(db: &Database, secure_cookies: bool) -> SessionManagerLayer<SqliteStore> {
    SessionManagerLayer::new(SqliteStore::new(db.pool.clone()))
        .with_name("kubeclass")
        .with_http_only(true)
        .with_same_site(tower_sessions::cookie::SameSite::Lax)
        .with_secure(secure_cookies)
        .with_expiry(Expiry::OnInactivity(time::Duration::days(7)))
}

/// A fresh attendee id: eight lowercase letters and digits (a namespace-name part).
pub fn new_id() -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::rng();
    (0..8)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect()
}

/// The attendee of a request that changes their workspace (apply, delete, Try the app):
/// refused with 403 once their time in a room is over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Working(pub String);

impl FromRequestParts<AppState> for Working {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Attendee(attendee) = Attendee::from_request_parts(parts, state).await?;
        match state.db.time_over(&attendee).await? {
            Some(room) => Err(AppError::Forbidden(crate::workspace::closed(&room))),
            None => Ok(Working(attendee)),
        }
    }
}

/// A workspace from a room's warm pool, for the attendee a join is about to make: put in
/// the request's extensions, it becomes the new attendee's id.
#[derive(Debug, Clone)]
pub struct Seat(pub String);

/// Makes `attendee` this browser's attendee (an embed's sandbox opened in a tab of its
/// own), in a fresh session.
pub async fn adopt(session: &Session, attendee: &str) -> Result<(), AppError> {
    let failed = |e| AppError::internal("saving the session", e);
    session.cycle_id().await.map_err(failed)?;
    session.insert(ATTENDEE, attendee).await.map_err(failed)
}

/// The request's browser's attendee, if it has one (none is made here); `None` too when
/// the session cannot be read.
pub async fn known_attendee(parts: &mut Parts, state: &AppState) -> Option<String> {
    let session = Session::from_request_parts(parts, state).await.ok()?;
    session.get::<String>(ATTENDEE).await.ok().flatten()
}

/// The attendee making a request, created with their session on first use — within the
/// limits: so many new attendees a minute from one address, so many at once in all. A
/// request with `Authorization: Bearer` is a docs reader's embed sandbox
/// ([`crate::embed`]): the token names the attendee, and no cookie is read or made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attendee(pub String);

/// The attendee an embed's bearer token stands for, if the request carries one (a
/// trainer's token is not one: it goes by); 401 for a token that has ended or never was.
async fn embed_attendee(parts: &Parts, state: &AppState) -> Result<Option<String>, AppError> {
    let Some(token) = parts
        .headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .filter(|t| t.starts_with(crate::embed::tokens::SESSION_PREFIX))
    else {
        return Ok(None);
    };
    match crate::embed::tokens::attendee_of(state, token).await? {
        Some(attendee) => Ok(Some(attendee)),
        None => {
            let config = &state.limits.config;
            Err(AppError::Unauthorized(format!(
                "this sandbox has ended (a sandbox lasts {} minutes, and ends after {} idle): \
                 press Start for a new one",
                config.embed_minutes, config.embed_idle_minutes
            )))
        }
    }
}

impl FromRequestParts<AppState> for Attendee {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(id) = embed_attendee(parts, state).await? {
            return Ok(Attendee(id));
        }
        let session = Session::from_request_parts(parts, state)
            .await
            .map_err(|(_, message)| AppError::internal("the session layer is missing", message))?;
        let failed = |e: tower_sessions::session::Error| {
            AppError::internal("reading or saving the session", e)
        };
        if let Some(id) = session.get::<String>(ATTENDEE).await.map_err(failed)? {
            return Ok(Attendee(id));
        }
        let address = client_address(parts, state);
        if !state.limits.admit_new_attendee(address) {
            return Err(AppError::TooMany(
                "too many new visitors from your address in the last minute; try again shortly"
                    .into(),
            ));
        }
        if state.db.live_attendees().await? >= state.limits.config.max_attendees {
            return Err(AppError::Full(
                "the workshop is full right now; try again later".into(),
            ));
        }
        // A join that claimed a warm workspace made ahead gives its id to the attendee.
        let id = parts
            .extensions
            .get::<Seat>()
            .map_or_else(new_id, |seat| seat.0.clone());
        session.insert(ATTENDEE, &id).await.map_err(failed)?;
        Ok(Attendee(id))
    }
}

/// The client's address, as the limits count it (see [`crate::limits::Limits::client_address`]).
pub fn client_address(parts: &Parts, state: &AppState) -> IpAddr {
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0);
    state.limits.client_address(peer, &parts.headers)
}

/// The client's address as an extractor, for handlers that limit by it.
#[derive(Debug, Clone, Copy)]
pub struct ClientAddress(pub IpAddr);

impl FromRequestParts<AppState> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(ClientAddress(client_address(parts, state)))
    }
}

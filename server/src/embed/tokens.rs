//! The secrets of an embed's sandbox: the bearer token a reader's page holds (kept only as
//! its digest) and the single-use tickets its live stream gets in with.

use crate::http::error::AppError;
use crate::state::AppState;
use crate::trainer::credentials::{digest, new_secret};

/// What an embed's session token starts with (a trainer's token starts `kct_`).
pub const SESSION_PREFIX: &str = "kce_";
/// What a live stream's ticket starts with.
const TICKET_PREFIX: &str = "kcw_";
/// How long a ticket is good for: the page asks for one just before it connects.
const TICKET_SECONDS: i64 = 30;

/// The attendee of a live session's token (marked used now); `None` for a token that
/// has ended or never was. (A token without [`SESSION_PREFIX`] is not looked up by
/// [`crate::sessions::Attendee`].)
pub async fn attendee_of(state: &AppState, token: &str) -> Result<Option<String>, AppError> {
    Ok(state
        .db
        .use_embed_session(&digest(token), idle_seconds(state))
        .await?)
}

/// Seconds an embed's session lives at most.
pub fn lifetime_seconds(state: &AppState) -> i64 {
    i64::from(state.limits.config.embed_minutes) * 60
}

/// Seconds an embed's session may sit unused.
pub fn idle_seconds(state: &AppState) -> i64 {
    i64::from(state.limits.config.embed_idle_minutes) * 60
}

/// A single-use ticket that lets `attendee`'s live stream in within a few seconds.
pub async fn ticket(state: &AppState, attendee: &str) -> Result<String, AppError> {
    let ticket = new_secret(TICKET_PREFIX);
    state
        .db
        .add_embed_ticket(&digest(&ticket), attendee, TICKET_SECONDS)
        .await?;
    Ok(ticket)
}

/// The attendee a ticket lets in, using it up; `None` for a used, late or made-up one.
pub async fn use_ticket(state: &AppState, ticket: &str) -> Result<Option<String>, AppError> {
    if !ticket.starts_with(TICKET_PREFIX) {
        return Ok(None);
    }
    Ok(state.db.take_embed_ticket(&digest(ticket)).await?)
}

/// Ends a session now (its sandbox carried over to a tab of its own): its attendee, if it
/// was live.
pub async fn end(state: &AppState, token: &str) -> Result<Option<String>, AppError> {
    let Some(attendee) = attendee_of(state, token).await? else {
        return Ok(None);
    };
    state.db.end_embed_session(&digest(token)).await?;
    Ok(Some(attendee))
}

/// How often an embed's open live stream checks that its sandbox is live.
pub const STREAM_CHECK: std::time::Duration = std::time::Duration::from_secs(30);

/// Returns once `attendee`'s sandbox has ended; until then, `every` ([`STREAM_CHECK`]),
/// marks it used: an open frame is a reader, so a sandbox idles only with no frame open.
pub async fn while_live(state: &AppState, attendee: &str, every: std::time::Duration) {
    let mut tick = tokio::time::interval(every);
    tick.tick().await;
    loop {
        tick.tick().await;
        match state
            .db
            .touch_embed_attendee(attendee, idle_seconds(state))
            .await
        {
            Ok(true) => {}
            Ok(false) => return,
            Err(e) => tracing::warn!(%attendee, "checking an embed's sandbox: {e}"),
        }
    }
}

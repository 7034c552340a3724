//! Docs sites embedding lessons: which sites may frame `/embed/*` ([`sites`], registered
//! with `kubeclass embed add-site`, [`cli`]), and the readers' sandboxes behind an embed.
//!
//! An embed lives in a third-party iframe, where browsers block (or partition) cookies,
//! so a reader's sandbox is not a cookie session: pressing Start asks
//! `POST /api/embed/sessions` for an opaque bearer token (kept hashed, good for
//! [`crate::config::LimitsConfig::embed_minutes`] and ended sooner when idle), which the
//! page sends as `Authorization: Bearer` on every call ([`crate::sessions::Attendee`]
//! reads it). A websocket cannot carry that header, so the page trades the token for a
//! single-use ticket a few seconds before it opens the live stream. Past the caps,
//! readers wait in a [`line::Line`].

pub mod cli;
pub mod line;
pub mod sites;
pub mod tokens;

use crate::db::embed::Site;
use crate::http::error::AppError;
use crate::state::AppState;
use crate::trainer::credentials::{digest, new_secret};
use std::net::IpAddr;
use std::time::Duration;
use tokens::{SESSION_PREFIX, idle_seconds};

/// The answer to a reader's Start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Start {
    /// A sandbox: its token (shown this once) and attendee.
    Started { token: String, attendee: String },
    /// Every sandbox is taken: the reader is `position`th in line (1-based) and asks
    /// again with `waiter`.
    Waiting { position: usize, waiter: String },
}

/// Starts a sandbox for a reader of `site` at `address`, or puts them in line.
pub async fn start(
    state: &AppState,
    site: &Site,
    address: IpAddr,
    waiter: Option<&str>,
) -> Result<Start, AppError> {
    let config = &state.limits.config;
    let idle = idle_seconds(state);
    let free = |live: u64, cap: u64| usize::try_from(cap.saturating_sub(live)).unwrap_or(0);
    let room = free(
        state.db.live_embed_sessions(None, idle).await?,
        config.embed_sandboxes,
    )
    .min(free(
        state.db.live_embed_sessions(Some(&site.key), idle).await?,
        config.embed_sandboxes_per_site,
    ));
    if let line::Turn::Wait { position, waiter } = state.embed_line.admit(waiter, room) {
        return Ok(Start::Waiting { position, waiter });
    }
    if !state.limits.admit_embed_start(address, &site.key) {
        return Err(AppError::TooMany(
            "too many sandboxes started from your address or this site in the last minute; \
             try again shortly"
                .into(),
        ));
    }
    let attendee = crate::sessions::new_id();
    let token = new_secret(SESSION_PREFIX);
    let lifetime = tokens::lifetime_seconds(state);
    state
        .db
        .add_embed_session(&digest(&token), &attendee, &site.key, lifetime)
        .await?;
    tracing::info!(site = %site.key, %attendee, "embed sandbox started");
    Ok(Start::Started { token, attendee })
}

/// Ends the sandboxes past their time or idle too long, every `every`, forever: their
/// workspaces are deleted (the tokens stop working at once: the lookup checks the times).
pub async fn sweep(state: AppState, every: Duration) {
    let mut tick = tokio::time::interval(every);
    loop {
        tick.tick().await;
        if let Err(e) = end_sandboxes(&state).await {
            tracing::warn!("ending embed sandboxes: {e}");
        }
    }
}

/// Ends the sandboxes past their time or idle too long; how many.
pub async fn end_sandboxes(state: &AppState) -> Result<usize, sqlx::Error> {
    let ended = state
        .db
        .take_ended_embed_sessions(idle_seconds(state))
        .await?;
    for attendee in &ended {
        match state.workspace(attendee).reset(state.platform()).await {
            Ok(n) => tracing::info!(%attendee, namespaces = n, "embed sandbox ended"),
            Err(e) => tracing::warn!(%attendee, "deleting an ended embed sandbox: {e}"),
        }
        state.db.workspace_reclaimed(attendee).await?;
    }
    Ok(ended.len())
}

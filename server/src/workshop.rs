//! Attendees and their workspaces. Every browser gets a session (tower-sessions, stored
//! in SQLite through sqlx, so sessions survive a restart); the session holds the
//! attendee's id, which names their workspace. Workspaces idle for longer than the
//! configured time are deleted, and come back empty on the next visit.

use crate::workspace::Workspace;
use crate::workspace::apply::Kinds;
use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use rand::Rng;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqliteSynchronous};
use std::sync::Arc;
use std::time::Duration;
use tower_sessions::{Expiry, Session, SessionManagerLayer};
use tower_sessions_sqlx_store::SqliteStore;

/// The session key holding the attendee's id.
const ATTENDEE: &str = "attendee";

/// Everything about the room: the database, how workspaces are named, and the kinds the
/// cluster serves.
pub struct Workshop {
    pub db: SqlitePool,
    pub store: SqliteStore,
    /// What workspace namespace names start with.
    pub prefix: String,
    /// How long a workspace may sit unused before it is deleted.
    pub idle: Duration,
    /// Discovery of the cluster's kinds, shared by every apply.
    pub kinds: Kinds,
    /// Whether session cookies are `Secure` (the site is served over TLS).
    pub secure_cookies: bool,
}

impl Workshop {
    /// Opens (creating if need be) the database at `path` (`:memory:` for tests).
    pub async fn open(
        path: &str,
        prefix: &str,
        idle: Duration,
        secure_cookies: bool,
    ) -> Result<Arc<Workshop>, sqlx::Error> {
        let options = if path == ":memory:" {
            "sqlite::memory:".parse::<SqliteConnectOptions>()?
        } else {
            SqliteConnectOptions::new()
                .filename(path)
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                // With the write-ahead log, NORMAL loses at most the last moments on a
                // power cut (never consistency) and spares an fsync per request.
                .synchronous(SqliteSynchronous::Normal)
        };
        let db = sqlx::pool::PoolOptions::new()
            .max_connections(if path == ":memory:" { 1 } else { 4 })
            .connect_with(options)
            .await?;
        sqlx::query(
            "CREATE TABLE IF NOT EXISTS attendees (
                id TEXT PRIMARY KEY,
                created_at INTEGER NOT NULL,
                last_seen INTEGER NOT NULL,
                workspace_live INTEGER NOT NULL DEFAULT 0
            )",
        )
        .execute(&db)
        .await?;
        sqlx::query(
            "CREATE TABLE IF NOT EXISTS drafts (
                attendee TEXT NOT NULL, lesson TEXT NOT NULL, pane TEXT NOT NULL,
                text TEXT NOT NULL, updated_at INTEGER NOT NULL,
                PRIMARY KEY (attendee, lesson, pane)
            )",
        )
        .execute(&db)
        .await?;
        sqlx::query(
            "CREATE TABLE IF NOT EXISTS progress (
                attendee TEXT NOT NULL, lesson TEXT NOT NULL, step INTEGER NOT NULL,
                completed_at INTEGER NOT NULL,
                PRIMARY KEY (attendee, lesson, step)
            )",
        )
        .execute(&db)
        .await?;
        let store = SqliteStore::new(db.clone());
        store.migrate().await?;
        Ok(Arc::new(Workshop {
            db,
            store,
            prefix: prefix.to_string(),
            idle,
            kinds: Kinds::default(),
            secure_cookies,
        }))
    }

    /// The session layer: HttpOnly cookies, SameSite=Lax, Secure under TLS, kept for a
    /// week of inactivity.
    pub fn sessions(&self) -> SessionManagerLayer<SqliteStore> {
        SessionManagerLayer::new(self.store.clone())
            .with_name("kubeclass")
            .with_http_only(true)
            .with_same_site(tower_sessions::cookie::SameSite::Lax)
            .with_secure(self.secure_cookies)
            .with_expiry(Expiry::OnInactivity(time::Duration::days(7)))
    }

    /// The workspace of an attendee.
    pub fn workspace(&self, attendee: &str) -> Workspace {
        Workspace::new(attendee, &self.prefix)
    }

    /// Records that an attendee used their workspace now.
    pub async fn touch(&self, attendee: &str) -> Result<(), sqlx::Error> {
        let now = now_seconds();
        sqlx::query(
            "INSERT INTO attendees (id, created_at, last_seen, workspace_live) VALUES (?1, ?2, ?2, 1)
             ON CONFLICT(id) DO UPDATE SET last_seen = ?2, workspace_live = 1",
        )
        .bind(attendee)
        .bind(now)
        .execute(&self.db)
        .await?;
        Ok(())
    }

    /// The attendee's saved pane texts for a lesson, by pane name.
    pub async fn drafts(
        &self,
        attendee: &str,
        lesson: &str,
    ) -> Result<Vec<(String, String)>, sqlx::Error> {
        sqlx::query_as(
            "SELECT pane, text FROM drafts WHERE attendee = ?1 AND lesson = ?2 ORDER BY pane",
        )
        .bind(attendee)
        .bind(lesson)
        .fetch_all(&self.db)
        .await
    }

    /// Saves a pane's text (`None`: forgets it, so the lesson's text shows again).
    pub async fn save_draft(
        &self,
        attendee: &str,
        lesson: &str,
        pane: &str,
        text: Option<&str>,
    ) -> Result<(), sqlx::Error> {
        match text {
            Some(text) => {
                sqlx::query(
                    "INSERT INTO drafts (attendee, lesson, pane, text, updated_at) VALUES (?1, ?2, ?3, ?4, ?5)
                     ON CONFLICT(attendee, lesson, pane) DO UPDATE SET text = ?4, updated_at = ?5",
                )
                .bind(attendee)
                .bind(lesson)
                .bind(pane)
                .bind(text)
                .bind(now_seconds())
                .execute(&self.db)
                .await?;
            }
            None => {
                sqlx::query("DELETE FROM drafts WHERE attendee = ?1 AND lesson = ?2 AND pane = ?3")
                    .bind(attendee)
                    .bind(lesson)
                    .bind(pane)
                    .execute(&self.db)
                    .await?;
            }
        }
        Ok(())
    }

    /// Records that every check of a lesson step passed for the attendee.
    pub async fn complete_step(
        &self,
        attendee: &str,
        lesson: &str,
        step: usize,
    ) -> Result<(), sqlx::Error> {
        sqlx::query("INSERT OR IGNORE INTO progress (attendee, lesson, step, completed_at) VALUES (?1, ?2, ?3, ?4)")
            .bind(attendee)
            .bind(lesson)
            .bind(i64::try_from(step).unwrap_or(i64::MAX))
            .bind(now_seconds())
            .execute(&self.db)
            .await?;
        Ok(())
    }

    /// The steps the attendee completed, by lesson (`COURSE/SLUG`).
    pub async fn progress(&self, attendee: &str) -> Result<Vec<(String, i64)>, sqlx::Error> {
        sqlx::query_as(
            "SELECT lesson, step FROM progress WHERE attendee = ?1 ORDER BY lesson, step",
        )
        .bind(attendee)
        .fetch_all(&self.db)
        .await
    }

    /// Deletes the workspaces idle for longer than `idle`; returns how many.
    pub async fn delete_idle(&self, client: &kube::Client) -> Result<usize, sqlx::Error> {
        let cutoff = now_seconds() - i64::try_from(self.idle.as_secs()).unwrap_or(i64::MAX);
        let idle: Vec<(String,)> =
            sqlx::query_as("SELECT id FROM attendees WHERE workspace_live = 1 AND last_seen < ?1")
                .bind(cutoff)
                .fetch_all(&self.db)
                .await?;
        for (id,) in &idle {
            match self.workspace(id).reset(client).await {
                Ok(n) => tracing::info!(attendee = %id, namespaces = n, "idle workspace deleted"),
                Err(e) => tracing::warn!(attendee = %id, "deleting an idle workspace: {e}"),
            }
            sqlx::query("UPDATE attendees SET workspace_live = 0 WHERE id = ?1")
                .bind(id)
                .execute(&self.db)
                .await?;
        }
        Ok(idle.len())
    }

    /// Runs [`Workshop::delete_idle`] every minute, forever.
    pub async fn sweep_idle(self: Arc<Self>, client: kube::Client) {
        let mut tick = tokio::time::interval(Duration::from_secs(60));
        loop {
            tick.tick().await;
            if let Err(e) = self.delete_idle(&client).await {
                tracing::warn!("sweeping idle workspaces: {e}");
            }
        }
    }
}

fn now_seconds() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(0))
}

/// A fresh attendee id: eight lowercase letters and digits (a namespace-name part).
fn new_id() -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::rng();
    (0..8)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect()
}

/// The attendee making a request, created with their session on first use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attendee(pub String);

impl<S: Send + Sync> FromRequestParts<S> for Attendee {
    type Rejection = (StatusCode, String);

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let session = Session::from_request_parts(parts, state)
            .await
            .map_err(|(code, message)| (code, message.to_string()))?;
        let failed = |e: tower_sessions::session::Error| {
            (StatusCode::INTERNAL_SERVER_ERROR, format!("session: {e}"))
        };
        if let Some(id) = session.get::<String>(ATTENDEE).await.map_err(failed)? {
            return Ok(Attendee(id));
        }
        let id = new_id();
        session.insert(ATTENDEE, &id).await.map_err(failed)?;
        Ok(Attendee(id))
    }
}

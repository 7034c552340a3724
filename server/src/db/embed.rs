//! Docs sites that embed lessons (`embed_sites`), the readers' sandboxes behind them
//! (`embed_sessions`, bearer-token digests only) and the single-use websocket tickets of
//! those sessions (`embed_tickets`). What a session may do and for how long is decided in
//! [`crate::embed`]; this file only keeps it.

use super::Database;

/// A registered docs site.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Site {
    pub key: String,
    pub origins: Vec<String>,
}

impl Database {
    /// Registers a site under `key`, or gives an existing one these origins.
    pub async fn put_embed_site(&self, key: &str, origins: &[String]) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO embed_sites (key, origins, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (key) DO UPDATE SET origins = excluded.origins",
        )
        .bind(key)
        .bind(origins.join("\n"))
        .bind(self.now())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The site registered under `key`.
    pub async fn embed_site(&self, key: &str) -> Result<Option<Site>, sqlx::Error> {
        let row: Option<(String, String)> =
            sqlx::query_as("SELECT key, origins FROM embed_sites WHERE key = $1")
                .bind(key)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.map(site))
    }

    /// Every registered site, oldest first.
    pub async fn embed_sites(&self) -> Result<Vec<Site>, sqlx::Error> {
        let rows: Vec<(String, String)> =
            sqlx::query_as("SELECT key, origins FROM embed_sites ORDER BY created_at, key")
                .fetch_all(&self.pool)
                .await?;
        Ok(rows.into_iter().map(site).collect())
    }

    /// Removes a site and its sessions. Whether there was one.
    pub async fn remove_embed_site(&self, key: &str) -> Result<bool, sqlx::Error> {
        sqlx::query("DELETE FROM embed_sessions WHERE site = $1")
            .bind(key)
            .execute(&self.pool)
            .await?;
        let done = sqlx::query("DELETE FROM embed_sites WHERE key = $1")
            .bind(key)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Keeps a new session's token digest for `attendee`, ending `lifetime` seconds from now.
    pub async fn add_embed_session(
        &self,
        digest: &str,
        attendee: &str,
        site: &str,
        lifetime: i64,
    ) -> Result<(), sqlx::Error> {
        let now = self.now();
        sqlx::query(
            "INSERT INTO embed_sessions (digest, attendee, site, created_at, last_seen, expires_at) \
             VALUES ($1, $2, $3, $4, $4, $5)",
        )
        .bind(digest)
        .bind(attendee)
        .bind(site)
        .bind(now)
        .bind(now + lifetime)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The attendee of a live session (not past its end, used in the last `idle`
    /// seconds), marked used now.
    pub async fn use_embed_session(
        &self,
        digest: &str,
        idle: i64,
    ) -> Result<Option<String>, sqlx::Error> {
        let now = self.now();
        let row: Option<(String,)> = sqlx::query_as(
            "UPDATE embed_sessions SET last_seen = $2 \
             WHERE digest = $1 AND expires_at > $2 AND last_seen >= $3 RETURNING attendee",
        )
        .bind(digest)
        .bind(now)
        .bind(now - idle)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|(attendee,)| attendee))
    }

    /// Marks `attendee`'s live session used now; whether it is live.
    pub async fn touch_embed_attendee(
        &self,
        attendee: &str,
        idle: i64,
    ) -> Result<bool, sqlx::Error> {
        let now = self.now();
        let done = sqlx::query(
            "UPDATE embed_sessions SET last_seen = $2 \
             WHERE attendee = $1 AND expires_at > $2 AND last_seen >= $3",
        )
        .bind(attendee)
        .bind(now)
        .bind(now - idle)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// How many sessions are live (of one site, or of all).
    pub async fn live_embed_sessions(
        &self,
        site: Option<&str>,
        idle: i64,
    ) -> Result<u64, sqlx::Error> {
        let now = self.now();
        let (count,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM embed_sessions \
             WHERE expires_at > $1 AND last_seen >= $2 AND ($3 IS NULL OR site = $3)",
        )
        .bind(now)
        .bind(now - idle)
        .bind(site)
        .fetch_one(&self.pool)
        .await?;
        Ok(u64::try_from(count).unwrap_or(0))
    }

    /// Takes the sessions that have ended (past their end, or idle longer than `idle`
    /// seconds) out of the table: their attendees, whose workspaces go next.
    pub async fn take_ended_embed_sessions(&self, idle: i64) -> Result<Vec<String>, sqlx::Error> {
        let now = self.now();
        let rows: Vec<(String,)> = sqlx::query_as(
            "DELETE FROM embed_sessions WHERE expires_at <= $1 OR last_seen < $2 \
             RETURNING attendee",
        )
        .bind(now)
        .bind(now - idle)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|(attendee,)| attendee).collect())
    }

    /// Ends every live session of a site now (the sweep deletes their workspaces); how many.
    pub async fn end_embed_sessions_of(&self, site: &str) -> Result<u64, sqlx::Error> {
        let now = self.now();
        let done = sqlx::query(
            "UPDATE embed_sessions SET expires_at = $2 WHERE site = $1 AND expires_at > $2",
        )
        .bind(site)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected())
    }

    /// Removes a session (its workspace stays, as someone else's now).
    pub async fn end_embed_session(&self, digest: &str) -> Result<(), sqlx::Error> {
        sqlx::query("DELETE FROM embed_sessions WHERE digest = $1")
            .bind(digest)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Keeps a websocket ticket's digest for `attendee`, good for `lifetime` seconds.
    pub async fn add_embed_ticket(
        &self,
        digest: &str,
        attendee: &str,
        lifetime: i64,
    ) -> Result<(), sqlx::Error> {
        let now = self.now();
        sqlx::query("DELETE FROM embed_tickets WHERE expires_at <= $1")
            .bind(now)
            .execute(&self.pool)
            .await?;
        sqlx::query("INSERT INTO embed_tickets (digest, attendee, expires_at) VALUES ($1, $2, $3)")
            .bind(digest)
            .bind(attendee)
            .bind(now + lifetime)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Uses up a ticket: its attendee if it was good (once only).
    pub async fn take_embed_ticket(&self, digest: &str) -> Result<Option<String>, sqlx::Error> {
        let row: Option<(String,)> = sqlx::query_as(
            "DELETE FROM embed_tickets WHERE digest = $1 AND expires_at > $2 RETURNING attendee",
        )
        .bind(digest)
        .bind(self.now())
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|(attendee,)| attendee))
    }
}

fn site((key, origins): (String, String)) -> Site {
    Site {
        key,
        origins: origins.lines().map(str::to_string).collect(),
    }
}

//! Attendees: who has a workspace, and when they last used it (idle reclaim reads it).

use super::Database;

impl Database {
    /// Records that an attendee used their workspace now.
    pub async fn touch(&self, attendee: &str) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO attendees (id, created_at, last_seen, workspace_live) VALUES ($1, $2, $2, 1)
             ON CONFLICT (id) DO UPDATE SET last_seen = excluded.last_seen, workspace_live = 1",
        )
        .bind(attendee)
        .bind(self.now())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// How many attendees have a live workspace.
    pub async fn live_attendees(&self) -> Result<u64, sqlx::Error> {
        let (count,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM attendees WHERE workspace_live = 1")
                .fetch_one(&self.pool)
                .await?;
        Ok(u64::try_from(count).unwrap_or(0))
    }

    /// The attendees whose workspace is live but unused since `cutoff` (seconds).
    pub async fn idle_since(&self, cutoff: i64) -> Result<Vec<String>, sqlx::Error> {
        let rows: Vec<(String,)> =
            sqlx::query_as("SELECT id FROM attendees WHERE workspace_live = 1 AND last_seen < $1")
                .bind(cutoff)
                .fetch_all(&self.pool)
                .await?;
        Ok(rows.into_iter().map(|(id,)| id).collect())
    }

    /// Records that an attendee's workspace was deleted (it comes back on next use).
    pub async fn workspace_reclaimed(&self, attendee: &str) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE attendees SET workspace_live = 0 WHERE id = $1")
            .bind(attendee)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

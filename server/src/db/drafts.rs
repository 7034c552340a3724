//! Drafts: the attendee's edits of a lesson's panes, by draft key (`pane@version`).

use super::Database;

impl Database {
    /// The attendee's saved pane texts for a lesson, by draft key.
    pub async fn drafts(
        &self,
        attendee: &str,
        lesson: &str,
    ) -> Result<Vec<(String, String)>, sqlx::Error> {
        sqlx::query_as(
            "SELECT pane, text FROM drafts WHERE attendee = $1 AND lesson = $2 ORDER BY pane",
        )
        .bind(attendee)
        .bind(lesson)
        .fetch_all(&self.pool)
        .await
    }

    /// How many drafts the attendee keeps, over all lessons, other than `except` (the
    /// pane about to be saved, which replaces itself).
    pub async fn draft_count(
        &self,
        attendee: &str,
        (lesson, pane): (&str, &str),
    ) -> Result<u64, sqlx::Error> {
        let (count,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM drafts WHERE attendee = $1 AND NOT (lesson = $2 AND pane = $3)",
        )
        .bind(attendee)
        .bind(lesson)
        .bind(pane)
        .fetch_one(&self.pool)
        .await?;
        Ok(u64::try_from(count).unwrap_or(0))
    }

    /// Saves a pane's text (`None`: forgets it, so the lesson's text shows again).
    pub async fn save_draft(
        &self,
        attendee: &str,
        lesson: &str,
        pane: &str,
        text: Option<&str>,
    ) -> Result<(), sqlx::Error> {
        let query = match text {
            Some(text) => sqlx::query(
                "INSERT INTO drafts (attendee, lesson, pane, text, updated_at) VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (attendee, lesson, pane) DO UPDATE SET text = excluded.text, updated_at = excluded.updated_at",
            )
            .bind(attendee)
            .bind(lesson)
            .bind(pane)
            .bind(text)
            .bind(self.now()),
            None => sqlx::query("DELETE FROM drafts WHERE attendee = $1 AND lesson = $2 AND pane = $3")
                .bind(attendee)
                .bind(lesson)
                .bind(pane),
        };
        query.execute(&self.pool).await?;
        Ok(())
    }
}

//! Progress: the lesson steps whose checks all passed, per attendee.

use super::Database;

impl Database {
    /// Records that every check of a lesson step passed for the attendee (once).
    pub async fn complete_step(
        &self,
        attendee: &str,
        lesson: &str,
        step: usize,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO progress (attendee, lesson, step, completed_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (attendee, lesson, step) DO NOTHING",
        )
        .bind(attendee)
        .bind(lesson)
        .bind(i64::try_from(step).unwrap_or(i64::MAX))
        .bind(self.now())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The steps the attendee completed: (lesson `COURSE/SLUG`, step), in order.
    pub async fn progress(&self, attendee: &str) -> Result<Vec<(String, usize)>, sqlx::Error> {
        let rows: Vec<(String, i64)> = sqlx::query_as(
            "SELECT lesson, step FROM progress WHERE attendee = $1 ORDER BY lesson, step",
        )
        .bind(attendee)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(lesson, step)| (lesson, usize::try_from(step).unwrap_or(0)))
            .collect())
    }

    /// The steps the attendee completed, each with when (seconds since the epoch).
    pub async fn progress_times(
        &self,
        attendee: &str,
    ) -> Result<Vec<(String, usize, i64)>, sqlx::Error> {
        let rows: Vec<(String, i64, i64)> = sqlx::query_as(
            "SELECT lesson, step, completed_at FROM progress WHERE attendee = $1 ORDER BY lesson, step",
        )
        .bind(attendee)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(lesson, step, at)| (lesson, usize::try_from(step).unwrap_or(0), at))
            .collect())
    }

    /// Forgets what the attendee did in a lesson from `step` (from 0) on, for a trainer's
    /// reset to that step: the edited panes (the lesson's text shows again), the kept
    /// console and Try the app answers, and the steps from `step` on. Earlier steps stay
    /// passed: the reset plays them again.
    pub async fn rewind(
        &self,
        attendee: &str,
        lesson: &str,
        step: usize,
    ) -> Result<(), sqlx::Error> {
        let mut transaction = self.pool.begin().await?;
        for statement in [
            "DELETE FROM drafts WHERE attendee = $1 AND lesson = $2",
            "DELETE FROM answers WHERE attendee = $1 AND lesson = $2",
        ] {
            sqlx::query(statement)
                .bind(attendee)
                .bind(lesson)
                .execute(&mut *transaction)
                .await?;
        }
        sqlx::query("DELETE FROM progress WHERE attendee = $1 AND lesson = $2 AND step >= $3")
            .bind(attendee)
            .bind(lesson)
            .bind(i64::try_from(step).unwrap_or(i64::MAX))
            .execute(&mut *transaction)
            .await?;
        transaction.commit().await
    }
}

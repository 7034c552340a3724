//! The kubectl console's history per attendee (`console_history`): every line they ran,
//! the newest [`KEPT`] of them, for ↑ and ↓ in any tab, browser or device.

use super::Database;

/// How many lines are kept per attendee.
pub const KEPT: i64 = 200;

impl Database {
    /// The attendee's lines, oldest first.
    pub async fn history(&self, attendee: &str) -> Result<Vec<String>, sqlx::Error> {
        let rows: Vec<(String,)> =
            sqlx::query_as("SELECT line FROM console_history WHERE attendee = $1 ORDER BY seq")
                .bind(attendee)
                .fetch_all(&self.pool)
                .await?;
        Ok(rows.into_iter().map(|(line,)| line).collect())
    }

    /// The attendee's lines run since `since` (seconds since the epoch), oldest first.
    pub async fn history_since(
        &self,
        attendee: &str,
        since: i64,
    ) -> Result<Vec<String>, sqlx::Error> {
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT line FROM console_history WHERE attendee = $1 AND at >= $2 ORDER BY seq",
        )
        .bind(attendee)
        .bind(since)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|(line,)| line).collect())
    }

    /// Adds a line the attendee ran (not again right after itself), and forgets what
    /// falls past [`KEPT`]. Each statement numbers and trims on its own, so lines from
    /// two tabs at once cannot take the same place.
    pub async fn remember(&self, attendee: &str, line: &str) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO console_history (attendee, seq, line, at) \
             SELECT $1, COALESCE(MAX(seq), 0) + 1, $2, $3 FROM console_history WHERE attendee = $1 \
             HAVING COALESCE((SELECT line FROM console_history WHERE attendee = $1 \
                              ORDER BY seq DESC LIMIT 1), '') <> $2",
        )
        .bind(attendee)
        .bind(line)
        .bind(self.now())
        .execute(&self.pool)
        .await?;
        sqlx::query(
            "DELETE FROM console_history WHERE attendee = $1 \
             AND seq <= (SELECT MAX(seq) FROM console_history WHERE attendee = $1) - $2",
        )
        .bind(attendee)
        .bind(KEPT)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_newest_lines_are_kept_in_order_without_repeats() {
        let clock: crate::clock::SharedClock = std::sync::Arc::new(crate::clock::SystemClock);
        let db = Database::open(":memory:", clock).await.expect("db");
        for i in 0..(KEPT + 5) {
            db.remember("ada", &format!("kubectl get pods # {i}"))
                .await
                .expect("remember");
        }
        db.remember("ada", "kubectl get pods # 204")
            .await
            .expect("again");
        db.remember("bob", "kubectl version").await.expect("bob");
        let lines = db.history("ada").await.expect("history");
        assert_eq!(lines.len(), KEPT as usize);
        assert_eq!(lines[0], "kubectl get pods # 5");
        assert_eq!(
            lines.last().map(String::as_str),
            Some("kubectl get pods # 204")
        );
        assert_eq!(db.history("bob").await.expect("bob's"), ["kubectl version"]);
    }

    #[tokio::test]
    async fn lines_since_a_time_leave_out_those_run_before() {
        let clock = std::sync::Arc::new(crate::clock::ManualClock::at(1_000));
        let db = Database::open(":memory:", clock.clone()).await.expect("db");
        db.remember("ada", "kubectl get pods")
            .await
            .expect("before");
        clock.advance(60);
        db.remember("ada", "kubectl get services")
            .await
            .expect("after");
        assert_eq!(
            db.history_since("ada", 1_060).await.expect("since"),
            ["kubectl get services"]
        );
        assert_eq!(db.history("ada").await.expect("all").len(), 2);
    }
}

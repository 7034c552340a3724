//! What troubled a room's attendees (`room_troubled_checks`, `room_refusals`), for the
//! room's view and report: recorded by `trainer::trouble`, read here most first, deleted
//! with the room.

use super::Database;
use app::model::rooms::{Refusal, Trouble, TroubledCheck};

/// How many different refusals are kept per attendee and room: a flood of distinct
/// bad manifests stops being written down, not being answered.
const REFUSALS_KEPT: i64 = 100;

/// How many of each are listed.
const LISTED: i64 = 20;

/// A refusal's message as kept: its first 500 characters.
const MESSAGE_CHARS: usize = 500;

impl Database {
    /// Notes that `labels` of `lesson`'s `step` (from 0) troubled `attendee` in `room`
    /// (once per attendee, step and check).
    pub async fn troubled(
        &self,
        room: &str,
        attendee: &str,
        (lesson, step): (&str, usize),
        labels: &[String],
    ) -> Result<(), sqlx::Error> {
        for label in labels {
            sqlx::query(
                "INSERT INTO room_troubled_checks (room, attendee, lesson, step, label) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
            )
            .bind(room)
            .bind(attendee)
            .bind(lesson)
            .bind(i64::try_from(step).unwrap_or(i64::MAX))
            .bind(label)
            .execute(&self.pool)
            .await?;
        }
        Ok(())
    }

    /// Notes that the pipeline refused `attendee`'s manifests in `room` with `message`.
    pub async fn refused(
        &self,
        room: &str,
        attendee: &str,
        lesson: &str,
        message: &str,
    ) -> Result<(), sqlx::Error> {
        let message: String = message.chars().take(MESSAGE_CHARS).collect();
        sqlx::query(
            "INSERT INTO room_refusals (room, attendee, lesson, message, times) \
             SELECT $1, $2, $3, $4, 1 WHERE \
             (SELECT COUNT(*) FROM room_refusals WHERE room = $1 AND attendee = $2) < $5 \
             OR EXISTS (SELECT 1 FROM room_refusals WHERE room = $1 AND attendee = $2 AND lesson = $3 AND message = $4) \
             ON CONFLICT (room, attendee, lesson, message) DO UPDATE SET times = room_refusals.times + 1",
        )
        .bind(room)
        .bind(attendee)
        .bind(lesson)
        .bind(&message)
        .bind(REFUSALS_KEPT)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// What troubled `room`'s attendees, most first.
    pub async fn trouble(&self, room: &str) -> Result<Trouble, sqlx::Error> {
        let checks: Vec<(String, i64, String, i64)> = sqlx::query_as(
            "SELECT lesson, step, label, COUNT(*) AS n FROM room_troubled_checks WHERE room = $1 \
             GROUP BY lesson, step, label ORDER BY n DESC, lesson, step, label LIMIT $2",
        )
        .bind(room)
        .bind(LISTED)
        .fetch_all(&self.pool)
        .await?;
        let refusals: Vec<(String, i64, i64)> = sqlx::query_as(
            "SELECT message, COUNT(DISTINCT attendee) AS n, SUM(times) AS t FROM room_refusals \
             WHERE room = $1 GROUP BY message ORDER BY n DESC, t DESC, message LIMIT $2",
        )
        .bind(room)
        .bind(LISTED)
        .fetch_all(&self.pool)
        .await?;
        let count = |n: i64| usize::try_from(n).unwrap_or(0);
        Ok(Trouble {
            checks: checks
                .into_iter()
                .map(|(lesson, step, label, n)| TroubledCheck {
                    lesson,
                    step: count(step) + 1,
                    label,
                    attendees: count(n),
                })
                .collect(),
            refusals: refusals
                .into_iter()
                .map(|(message, n, times)| Refusal {
                    message,
                    attendees: count(n),
                    times: count(times),
                })
                .collect(),
        })
    }
}

//! What each attendee saw last from the console and from Try the app (`answers`), by
//! lesson: the lesson checks on an answer ([`app::content::outcome`]) are judged on the
//! rows of their lesson (so what a command printed in another lesson counts for nothing
//! here), and any tab, or a tab that reconnects, ticks them the same.

use super::Database;
use app::content::outcome::{Answer, Source};

/// How many answers are kept per attendee.
pub const KEPT: i64 = 100;

/// Bytes of an answer's text kept (a check looks for a word or a line in it).
pub const TEXT_KEPT: usize = 16 * 1024;

impl Database {
    /// The attendee's answers in `lesson`, oldest first.
    pub async fn answers(&self, attendee: &str, lesson: &str) -> Result<Vec<Answer>, sqlx::Error> {
        let rows: Vec<(String, String, i64, String)> = sqlx::query_as(
            "SELECT source, subject, code, text FROM answers \
             WHERE attendee = $1 AND lesson = $2 ORDER BY seq",
        )
        .bind(attendee)
        .bind(lesson)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(source, subject, code, text)| Answer {
                source: if source == "try" {
                    Source::Try
                } else {
                    Source::Console
                },
                subject,
                code,
                text,
            })
            .collect())
    }

    /// Keeps an answer the attendee saw in `lesson` (its text cut at [`TEXT_KEPT`]
    /// bytes), and forgets what falls past [`KEPT`] (over all lessons).
    pub async fn keep_answer(
        &self,
        attendee: &str,
        lesson: &str,
        answer: &Answer,
    ) -> Result<(), sqlx::Error> {
        let text = &answer.text[..answer.text.floor_char_boundary(TEXT_KEPT)];
        sqlx::query(
            "INSERT INTO answers (attendee, seq, lesson, source, subject, code, text) \
             SELECT $1, COALESCE(MAX(seq), 0) + 1, $2, $3, $4, $5, $6 FROM answers WHERE attendee = $1",
        )
        .bind(attendee)
        .bind(lesson)
        .bind(answer.source.as_str())
        .bind(&answer.subject)
        .bind(answer.code)
        .bind(text)
        .execute(&self.pool)
        .await?;
        sqlx::query(
            "DELETE FROM answers WHERE attendee = $1 \
             AND seq <= (SELECT MAX(seq) FROM answers WHERE attendee = $1) - $2",
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
    async fn the_newest_answers_are_kept_in_order_and_cut() {
        let clock: crate::clock::SharedClock = std::sync::Arc::new(crate::clock::SystemClock);
        let db = Database::open(":memory:", clock).await.expect("db");
        let answer = |i: i64, text: String| Answer {
            source: Source::Console,
            subject: format!("kubectl get pods # {i}"),
            code: i,
            text,
        };
        for i in 0..(KEPT + 3) {
            db.keep_answer("ada", "a/b", &answer(i, "ok".into()))
                .await
                .expect("keep");
        }
        let long = "é".repeat(TEXT_KEPT);
        db.keep_answer("ada", "a/b", &answer(999, long))
            .await
            .expect("long");
        db.keep_answer("ada", "a/c", &answer(1000, "elsewhere".into()))
            .await
            .expect("another lesson");
        let tried = Answer {
            source: Source::Try,
            subject: "server/web/".into(),
            code: 200,
            text: "hello".into(),
        };
        db.keep_answer("bob", "a/b", &tried).await.expect("bob");
        let kept = db.answers("ada", "a/b").await.expect("answers");
        assert_eq!(kept.len(), KEPT as usize - 1);
        assert_eq!(kept[0].code, 5);
        let last = kept.last().expect("last");
        assert_eq!((last.code, last.text.len()), (999, TEXT_KEPT));
        assert_eq!(db.answers("ada", "a/c").await.expect("a/c").len(), 1);
        assert_eq!(db.answers("bob", "a/b").await.expect("bob's"), [tried]);
    }
}

//! Raised hands (`help_requests`) and the trainer's messages (`room_messages`). The rules
//! (whose room, lengths) are checked in `http/helping.rs`; here, one open hand per
//! attendee and room: raising it again replaces the question.

use super::Database;

/// A raised hand as kept. `step` is from 0, as progress counts steps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hand {
    pub id: i64,
    pub attendee: String,
    pub lesson: String,
    pub step: usize,
    pub question: String,
    pub failing: Vec<String>,
    pub warnings: Vec<String>,
    pub asked_at: i64,
    pub answer: Option<String>,
    pub closed: bool,
}

type HandRow = (
    i64,
    String,
    String,
    i64,
    String,
    String,
    String,
    i64,
    Option<String>,
    Option<i64>,
);

const HAND_COLUMNS: &str =
    "id, attendee, lesson, step, question, failing, warnings, asked_at, answer, closed_at";

fn hand(
    (id, attendee, lesson, step, question, failing, warnings, asked_at, answer, closed_at): HandRow,
) -> Hand {
    Hand {
        id,
        attendee,
        lesson,
        step: usize::try_from(step).unwrap_or(0),
        question,
        failing: serde_json::from_str(&failing).unwrap_or_default(),
        warnings: serde_json::from_str(&warnings).unwrap_or_default(),
        asked_at,
        answer,
        closed: closed_at.is_some(),
    }
}

/// A message as its attendee reads it: id, text, when, and whether to the whole room.
pub type Message = (i64, String, i64, bool);

impl Database {
    /// Raises `hand.attendee`'s hand in `room` (or replaces the question of the one up);
    /// its id.
    pub async fn raise_hand(&self, room: &str, hand: &Hand) -> Result<i64, sqlx::Error> {
        let json = |v: &Vec<String>| serde_json::to_string(v).unwrap_or_else(|_| "[]".into());
        let step = i64::try_from(hand.step).unwrap_or(i64::MAX);
        if let Some(open) = self.open_hand(room, &hand.attendee).await? {
            sqlx::query(
                "UPDATE help_requests SET lesson = $2, step = $3, question = $4, failing = $5, \
                 warnings = $6, asked_at = $7, answer = NULL, answered_at = NULL WHERE id = $1",
            )
            .bind(open.id)
            .bind(&hand.lesson)
            .bind(step)
            .bind(&hand.question)
            .bind(json(&hand.failing))
            .bind(json(&hand.warnings))
            .bind(self.now())
            .execute(&self.pool)
            .await?;
            return Ok(open.id);
        }
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO help_requests (room, attendee, lesson, step, question, failing, warnings, asked_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(room)
        .bind(&hand.attendee)
        .bind(&hand.lesson)
        .bind(step)
        .bind(&hand.question)
        .bind(json(&hand.failing))
        .bind(json(&hand.warnings))
        .bind(self.now())
        .fetch_one(&self.pool)
        .await?;
        Ok(id)
    }

    /// The attendee's hand in the room that is up, if one is.
    pub async fn open_hand(&self, room: &str, attendee: &str) -> Result<Option<Hand>, sqlx::Error> {
        let row: Option<HandRow> = sqlx::query_as(&format!(
            "SELECT {HAND_COLUMNS} FROM help_requests \
             WHERE room = $1 AND attendee = $2 AND closed_at IS NULL ORDER BY id DESC LIMIT 1"
        ))
        .bind(room)
        .bind(attendee)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(hand))
    }

    /// The room's hands that are up, oldest first.
    pub async fn open_hands(&self, room: &str) -> Result<Vec<Hand>, sqlx::Error> {
        let rows: Vec<HandRow> = sqlx::query_as(&format!(
            "SELECT {HAND_COLUMNS} FROM help_requests WHERE room = $1 AND closed_at IS NULL ORDER BY id"
        ))
        .bind(room)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(hand).collect())
    }

    /// The trainer's answer to hand `id` of `room`; whether there was such a hand up.
    pub async fn answer_hand(&self, room: &str, id: i64, text: &str) -> Result<bool, sqlx::Error> {
        let done = sqlx::query(
            "UPDATE help_requests SET answer = $3, answered_at = $4 \
             WHERE room = $1 AND id = $2 AND closed_at IS NULL",
        )
        .bind(room)
        .bind(id)
        .bind(text)
        .bind(self.now())
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Puts hand `id` of `room` down (the trainer's done); whether it was up.
    pub async fn close_hand(&self, room: &str, id: i64) -> Result<bool, sqlx::Error> {
        let done = sqlx::query(
            "UPDATE help_requests SET closed_at = $3 WHERE room = $1 AND id = $2 AND closed_at IS NULL",
        )
        .bind(room)
        .bind(id)
        .bind(self.now())
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Keeps a message of the trainer to `attendee`, or to the whole room.
    pub async fn send_message(
        &self,
        room: &str,
        attendee: Option<&str>,
        text: &str,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO room_messages (room, attendee, text, sent_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(room)
        .bind(attendee)
        .bind(text)
        .bind(self.now())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The latest `limit` messages `attendee` received in `room`, oldest first.
    pub async fn messages_for(
        &self,
        room: &str,
        attendee: &str,
        limit: i64,
    ) -> Result<Vec<Message>, sqlx::Error> {
        let rows: Vec<(i64, String, i64, Option<String>)> = sqlx::query_as(
            "SELECT id, text, sent_at, attendee FROM \
             (SELECT id, text, sent_at, attendee FROM room_messages \
              WHERE room = $1 AND (attendee IS NULL OR attendee = $2) ORDER BY id DESC LIMIT $3) \
             ORDER BY id",
        )
        .bind(room)
        .bind(attendee)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(id, text, at, to)| (id, text, at, to.is_none()))
            .collect())
    }

    /// The room the attendee joined last, if any. Two joins in one second are told
    /// apart by the order their rows were written (`seq` numbers within one room only).
    pub async fn room_of(&self, attendee: &str) -> Result<Option<String>, sqlx::Error> {
        let row: Option<(String,)> = sqlx::query_as(
            "SELECT room FROM room_attendees WHERE attendee = $1 ORDER BY joined_at DESC, rowid DESC LIMIT 1",
        )
        .bind(attendee)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|(room,)| room))
    }
}

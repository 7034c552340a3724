//! A room's named roster (`room_roster`): the people a trainer listed, each with a
//! personal code, and who joined with it.

use super::Database;

/// One person of a room's roster, as kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    pub room: String,
    pub code: String,
    pub name: String,
    pub email: Option<String>,
    /// The attendee who joined with the code.
    pub attendee: Option<String>,
    /// The trainer reopened the code: the next new browser with it becomes `attendee`.
    pub reseat: bool,
}

/// Keeps a new room's roster, `(code, name, email)` in order, in the transaction that
/// keeps the room (`Database::create_room`).
pub(super) async fn insert(
    connection: &mut sqlx::SqliteConnection,
    room: &str,
    people: &[(String, String, Option<String>)],
) -> Result<(), sqlx::Error> {
    for (seq, (code, name, email)) in people.iter().enumerate() {
        sqlx::query(
            "INSERT INTO room_roster (room, code, name, email, seq) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(room)
        .bind(code)
        .bind(name)
        .bind(email)
        .bind(i64::try_from(seq).unwrap_or(i64::MAX))
        .execute(&mut *connection)
        .await?;
    }
    Ok(())
}

type Row = (String, String, Option<String>, Option<String>, bool);

fn listed(room: &str, (code, name, email, attendee, reseat): Row) -> Listed {
    Listed {
        room: room.to_string(),
        code,
        name,
        email,
        attendee,
        reseat,
    }
}

impl Database {
    /// Whether the room joins by roster.
    pub async fn has_roster(&self, room: &str) -> Result<bool, sqlx::Error> {
        let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM room_roster WHERE room = $1")
            .bind(room)
            .fetch_one(&self.pool)
            .await?;
        Ok(count > 0)
    }

    /// The room's roster, in its order.
    pub async fn roster(&self, room: &str) -> Result<Vec<Listed>, sqlx::Error> {
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT code, name, email, attendee, reseat FROM room_roster WHERE room = $1 ORDER BY seq",
        )
        .bind(room)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|row| listed(room, row)).collect())
    }

    /// The person whose personal code `code` is (any case).
    pub async fn listed(&self, room: &str, code: &str) -> Result<Option<Listed>, sqlx::Error> {
        let row: Option<Row> = sqlx::query_as(
            "SELECT code, name, email, attendee, reseat FROM room_roster WHERE room = $1 AND code = $2",
        )
        .bind(room)
        .bind(code.trim().to_ascii_uppercase())
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|row| listed(room, row)))
    }

    /// Reopens a code someone joined with, for their next new browser (`reseat`), or
    /// closes it again once that browser joined; whether the room has the code.
    pub async fn set_reseat(
        &self,
        room: &str,
        code: &str,
        reseat: bool,
    ) -> Result<bool, sqlx::Error> {
        let done = sqlx::query("UPDATE room_roster SET reseat = $3 WHERE room = $1 AND code = $2")
            .bind(room)
            .bind(code)
            .bind(reseat)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    /// The personal code `attendee` joined the room with, if any.
    pub async fn code_of(&self, room: &str, attendee: &str) -> Result<Option<String>, sqlx::Error> {
        let row: Option<(String,)> =
            sqlx::query_as("SELECT code FROM room_roster WHERE room = $1 AND attendee = $2")
                .bind(room)
                .bind(attendee)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.map(|(code,)| code))
    }

    /// Gives the personal code to `attendee`, unless another attendee has it or they hold
    /// another code of the room (one person, one seat); whether `attendee` now holds it.
    pub async fn claim_listed(
        &self,
        room: &str,
        code: &str,
        attendee: &str,
    ) -> Result<bool, sqlx::Error> {
        let claimed = sqlx::query(
            "UPDATE room_roster SET attendee = $3 WHERE room = $1 AND code = $2 \
             AND (attendee IS NULL OR attendee = $3) \
             AND NOT EXISTS (SELECT 1 FROM room_roster WHERE room = $1 AND attendee = $3 AND code <> $2)",
        )
        .bind(room)
        .bind(code)
        .bind(attendee)
        .execute(&self.pool)
        .await?;
        Ok(claimed.rows_affected() > 0)
    }
}

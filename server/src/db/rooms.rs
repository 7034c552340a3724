//! Rooms (`rooms`) and who joined them (`room_attendees`). The rules of joining (the
//! code, the window, the capacity) are checked in `http/rooms.rs`, except the capacity's
//! last seat, which the insert itself guards so that two joins at once cannot both take
//! it.

use super::Database;
use app::model::pacing::Unlocked;

/// A room as kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Room {
    pub id: String,
    pub trainer: String,
    pub title: String,
    /// `COURSE/SLUG`, in order.
    pub lessons: Vec<String>,
    pub capacity: i64,
    pub warm: i64,
    pub access_code: String,
    pub opens_at: Option<i64>,
    pub closes_at: Option<i64>,
    pub created_at: i64,
    /// Seconds each attendee has from joining, and when everyone's time ends.
    pub time_limit: Option<i64>,
    pub deadline: Option<i64>,
    /// Days the room and its results are kept after it ends.
    pub retention_days: i64,
    /// What is open, when the trainer paces the room (`None`: self-paced).
    pub unlocked: Option<Unlocked>,
}

/// One attendee of a room.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub attendee: String,
    pub name: String,
    pub joined_at: i64,
    /// When their time ends (seconds since the epoch), if it does.
    pub ends_at: Option<i64>,
}

/// What joining came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Joined {
    /// A new member (or a member again, under the name given now).
    Yes,
    /// Every seat is taken.
    Full,
}

type RoomRow = (
    String,
    String,
    String,
    String,
    i64,
    i64,
    String,
    Option<i64>,
    Option<i64>,
    i64,
    Option<i64>,
    Option<i64>,
    i64,
    Option<String>,
);

const COLUMNS: &str = "id, trainer, title, lessons, capacity, warm, access_code, opens_at, \
     closes_at, created_at, time_limit, deadline, retention_days, unlocked";

fn room(
    (
        id,
        trainer,
        title,
        lessons,
        capacity,
        warm,
        access_code,
        opens_at,
        closes_at,
        created_at,
        time_limit,
        deadline,
        retention_days,
        unlocked,
    ): RoomRow,
) -> Room {
    Room {
        id,
        trainer,
        title,
        lessons: serde_json::from_str(&lessons).unwrap_or_default(),
        capacity,
        warm,
        access_code,
        opens_at,
        closes_at,
        created_at,
        time_limit,
        deadline,
        retention_days,
        unlocked: unlocked.and_then(|u| serde_json::from_str(&u).ok()),
    }
}

fn unlocked_text(unlocked: &Unlocked) -> String {
    serde_json::to_string(unlocked).unwrap_or_default()
}

impl Database {
    /// Opens a paced room up to `unlocked` (steps after it close again).
    pub async fn unlock(&self, room: &str, unlocked: &Unlocked) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE rooms SET unlocked = $1 WHERE id = $2 AND unlocked IS NOT NULL")
            .bind(unlocked_text(unlocked))
            .bind(room)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Keeps a new room (its `created_at` is stamped here) with its roster, if it has
    /// one (`(code, name, email)`), both or neither.
    pub async fn create_room(
        &self,
        room: &Room,
        roster: &[(String, String, Option<String>)],
    ) -> Result<(), sqlx::Error> {
        let mut transaction = self.pool.begin().await?;
        sqlx::query(&format!(
            "INSERT INTO rooms ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"
        ))
        .bind(&room.id)
        .bind(&room.trainer)
        .bind(&room.title)
        .bind(serde_json::to_string(&room.lessons).unwrap_or_default())
        .bind(room.capacity)
        .bind(room.warm)
        .bind(&room.access_code)
        .bind(room.opens_at)
        .bind(room.closes_at)
        .bind(self.now())
        .bind(room.time_limit)
        .bind(room.deadline)
        .bind(room.retention_days)
        .bind(room.unlocked.as_ref().map(unlocked_text))
        .execute(&mut *transaction)
        .await?;
        super::roster::insert(&mut transaction, &room.id, roster).await?;
        transaction.commit().await
    }

    /// The room `id`, whoever it belongs to.
    pub async fn room(&self, id: &str) -> Result<Option<Room>, sqlx::Error> {
        let row: Option<RoomRow> =
            sqlx::query_as(&format!("SELECT {COLUMNS} FROM rooms WHERE id = $1"))
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.map(room))
    }

    /// The trainer's rooms, newest first.
    pub async fn rooms_of(&self, trainer: &str) -> Result<Vec<Room>, sqlx::Error> {
        let rows: Vec<RoomRow> = sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM rooms WHERE trainer = $1 ORDER BY created_at DESC, id"
        ))
        .bind(trainer)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(room).collect())
    }

    /// Seats `attendee` in `room` under `name`, if a seat is free, with time until
    /// `ends_at` (a member who joins again keeps their seat and time, and takes the new
    /// name).
    pub async fn join_room(
        &self,
        room: &str,
        (attendee, name): (&str, &str),
        ends_at: Option<i64>,
    ) -> Result<Joined, sqlx::Error> {
        let renamed =
            sqlx::query("UPDATE room_attendees SET name = $3 WHERE room = $1 AND attendee = $2")
                .bind(room)
                .bind(attendee)
                .bind(name)
                .execute(&self.pool)
                .await?;
        if renamed.rows_affected() > 0 {
            return Ok(Joined::Yes);
        }
        let seated = sqlx::query(
            "INSERT INTO room_attendees (room, seq, attendee, name, joined_at, ends_at) \
             SELECT $1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM room_attendees WHERE room = $1), \
             $2, $3, $4, $5 WHERE \
             (SELECT COUNT(*) FROM room_attendees WHERE room = $1) < \
             (SELECT capacity FROM rooms WHERE id = $1) \
             ON CONFLICT (room, attendee) DO NOTHING",
        )
        .bind(room)
        .bind(attendee)
        .bind(name)
        .bind(self.now())
        .bind(ends_at)
        .execute(&self.pool)
        .await?;
        Ok(if seated.rows_affected() > 0 {
            Joined::Yes
        } else {
            Joined::Full
        })
    }

    /// The room's attendees, in the order they joined.
    pub async fn members(&self, room: &str) -> Result<Vec<Member>, sqlx::Error> {
        let rows: Vec<(String, String, i64, Option<i64>)> = sqlx::query_as(
            "SELECT attendee, name, joined_at, ends_at FROM room_attendees WHERE room = $1 ORDER BY seq",
        )
        .bind(room)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(attendee, name, joined_at, ends_at)| Member {
                attendee,
                name,
                joined_at,
                ends_at,
            })
            .collect())
    }

    /// One member of the room, if `attendee` is one.
    pub async fn member(&self, room: &str, attendee: &str) -> Result<Option<Member>, sqlx::Error> {
        let row: Option<(String, i64, Option<i64>)> = sqlx::query_as(
            "SELECT name, joined_at, ends_at FROM room_attendees WHERE room = $1 AND attendee = $2",
        )
        .bind(room)
        .bind(attendee)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|(name, joined_at, ends_at)| Member {
            attendee: attendee.to_string(),
            name,
            joined_at,
            ends_at,
        }))
    }

    /// Moves when the member's time ends (`None`: never). The room's deadline still
    /// ends it (checked by [`Database::time_over`]).
    pub async fn set_ends_at(
        &self,
        room: &str,
        attendee: &str,
        ends_at: Option<i64>,
    ) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE room_attendees SET ends_at = $3 WHERE room = $1 AND attendee = $2")
            .bind(room)
            .bind(attendee)
            .bind(ends_at)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The title of a room in which the attendee's time is over (the trainer ended it,
    /// their time limit ran out, or the room's deadline passed), if there is one.
    pub async fn time_over(&self, attendee: &str) -> Result<Option<String>, sqlx::Error> {
        let row: Option<(String,)> = sqlx::query_as(
            "SELECT r.title FROM room_attendees m JOIN rooms r ON r.id = m.room \
             WHERE m.attendee = $1 AND (m.ends_at <= $2 OR r.deadline <= $2) LIMIT 1",
        )
        .bind(attendee)
        .bind(self.now())
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|(title,)| title))
    }

    /// The attendees whose time in a room is over and whose workspace may still exist,
    /// for the sweep that deletes them.
    pub async fn over_with_workspace(&self) -> Result<Vec<String>, sqlx::Error> {
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT DISTINCT m.attendee FROM room_attendees m JOIN rooms r ON r.id = m.room \
             JOIN attendees a ON a.id = m.attendee \
             WHERE a.workspace_live = 1 AND (m.ends_at <= $1 OR r.deadline <= $1)",
        )
        .bind(self.now())
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|(a,)| a).collect())
    }

    /// Deletes the rooms kept past their retention (counted from the deadline, else from
    /// when joining closed, else from when the room was made), with their members, hands,
    /// messages, pool, roster and what troubled their attendees; their ids. The attendees' own progress stays theirs.
    pub async fn delete_expired_rooms(&self) -> Result<Vec<String>, sqlx::Error> {
        let expired: Vec<(String,)> = sqlx::query_as(
            "SELECT id FROM rooms WHERE \
             COALESCE(deadline, closes_at, created_at) + retention_days * 86400 < $1",
        )
        .bind(self.now())
        .fetch_all(&self.pool)
        .await?;
        for (id,) in &expired {
            let mut transaction = self.pool.begin().await?;
            for table in [
                "room_attendees",
                "help_requests",
                "room_messages",
                "room_pool",
                "room_roster",
                "room_troubled_checks",
                "room_refusals",
            ] {
                sqlx::query(&format!("DELETE FROM {table} WHERE room = $1"))
                    .bind(id)
                    .execute(&mut *transaction)
                    .await?;
            }
            sqlx::query("DELETE FROM rooms WHERE id = $1")
                .bind(id)
                .execute(&mut *transaction)
                .await?;
            transaction.commit().await?;
        }
        Ok(expired.into_iter().map(|(id,)| id).collect())
    }
}

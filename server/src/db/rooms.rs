//! Rooms (`rooms`) and who joined them (`room_attendees`). The rules of joining (the
//! code, the window, the capacity) are checked in `http/rooms.rs`, except the capacity's
//! last seat, which the insert itself guards so that two joins at once cannot both take
//! it.

use super::Database;

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
}

/// One attendee of a room.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub attendee: String,
    pub name: String,
    pub joined_at: i64,
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
);

const COLUMNS: &str =
    "id, trainer, title, lessons, capacity, warm, access_code, opens_at, closes_at, created_at";

fn room(
    (id, trainer, title, lessons, capacity, warm, access_code, opens_at, closes_at, created_at): RoomRow,
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
    }
}

impl Database {
    /// Keeps a new room (its `created_at` is stamped here).
    pub async fn create_room(&self, room: &Room) -> Result<(), sqlx::Error> {
        sqlx::query(&format!(
            "INSERT INTO rooms ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
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
        .execute(&self.pool)
        .await?;
        Ok(())
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

    /// Seats `attendee` in `room` under `name`, if a seat is free (a member who joins
    /// again keeps their seat and takes the new name).
    pub async fn join_room(
        &self,
        room: &str,
        attendee: &str,
        name: &str,
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
            "INSERT INTO room_attendees (room, seq, attendee, name, joined_at) \
             SELECT $1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM room_attendees WHERE room = $1), \
             $2, $3, $4 WHERE \
             (SELECT COUNT(*) FROM room_attendees WHERE room = $1) < \
             (SELECT capacity FROM rooms WHERE id = $1) \
             ON CONFLICT (room, attendee) DO NOTHING",
        )
        .bind(room)
        .bind(attendee)
        .bind(name)
        .bind(self.now())
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
        let rows: Vec<(String, String, i64)> = sqlx::query_as(
            "SELECT attendee, name, joined_at FROM room_attendees WHERE room = $1 ORDER BY seq",
        )
        .bind(room)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(attendee, name, joined_at)| Member {
                attendee,
                name,
                joined_at,
            })
            .collect())
    }
}

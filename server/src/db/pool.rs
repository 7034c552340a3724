//! A room's warm pool (`room_pool`): workspaces made ahead, waiting for attendees. The
//! keeper that makes and removes them is `trainer/pool.rs`; joining claims one.

use super::Database;

impl Database {
    /// Notes a workspace made for `room`'s pool.
    pub async fn pooled(&self, room: &str, workspace: &str) -> Result<(), sqlx::Error> {
        sqlx::query("INSERT INTO room_pool (workspace, room, made_at) VALUES ($1, $2, $3)")
            .bind(workspace)
            .bind(room)
            .bind(self.now())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Takes one waiting workspace of `room`'s pool, if one waits: its id, which becomes
    /// the new attendee's. Two joins at once never take the same one.
    pub async fn claim_pooled(&self, room: &str) -> Result<Option<String>, sqlx::Error> {
        let row: Option<(String,)> = sqlx::query_as(
            "UPDATE room_pool SET claimed_at = $2 WHERE workspace = \
             (SELECT workspace FROM room_pool WHERE room = $1 AND claimed_at IS NULL \
              ORDER BY made_at, workspace LIMIT 1) AND claimed_at IS NULL RETURNING workspace",
        )
        .bind(room)
        .bind(self.now())
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|(w,)| w))
    }

    /// `room`'s pool: the workspaces waiting, and how many were claimed.
    pub async fn pool_of(&self, room: &str) -> Result<(Vec<String>, usize), sqlx::Error> {
        let rows: Vec<(String, Option<i64>)> = sqlx::query_as(
            "SELECT workspace, claimed_at FROM room_pool WHERE room = $1 ORDER BY made_at, workspace",
        )
        .bind(room)
        .fetch_all(&self.pool)
        .await?;
        let claimed = rows.iter().filter(|(_, at)| at.is_some()).count();
        let waiting = rows
            .into_iter()
            .filter(|(_, at)| at.is_none())
            .map(|(w, _)| w)
            .collect();
        Ok((waiting, claimed))
    }

    /// Forgets a waiting workspace of the pool (the keeper deleted it).
    pub async fn unpool(&self, workspace: &str) -> Result<(), sqlx::Error> {
        sqlx::query("DELETE FROM room_pool WHERE workspace = $1 AND claimed_at IS NULL")
            .bind(workspace)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The rooms whose pool the keeper looks after: those that asked for warm workspaces
    /// and those with workspaces still waiting.
    pub async fn pooled_rooms(&self) -> Result<Vec<super::rooms::Room>, sqlx::Error> {
        let ids: Vec<(String,)> = sqlx::query_as(
            "SELECT id FROM rooms WHERE warm > 0 \
             UNION SELECT room FROM room_pool WHERE claimed_at IS NULL",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut rooms = Vec::new();
        for (id,) in ids {
            if let Some(room) = self.room(&id).await? {
                rooms.push(room);
            }
        }
        Ok(rooms)
    }
}

//! The warm pool: a room that asked for `warm` workspaces gets them made before attendees
//! come — every namespace its lessons use, each with the full isolation policy — so a
//! new attendee who joins is handed one (their attendee id becomes the workspace's) and
//! waits for nothing. The keeper runs every few seconds: it tops each open room's pool up
//! to `warm` (never past the seats left), remakes what went missing (after a restart, or
//! a cluster that lost them), and when the room closes or its deadline passes deletes the
//! workspaces still waiting. Claimed workspaces are their attendees' and go as theirs do.

use crate::db::rooms::Room;
use crate::state::AppState;
use futures::StreamExt;
use std::time::Duration;

/// How often the keeper looks at the pools.
const TICK: Duration = Duration::from_secs(5);
/// How many workspaces it makes at once.
const AT_ONCE: usize = 8;

/// Keeps every room's pool, forever.
pub async fn keep(state: AppState) {
    let mut tick = tokio::time::interval(TICK);
    loop {
        tick.tick().await;
        if let Err(e) = keep_once(&state).await {
            tracing::warn!("keeping the warm pools: {e}");
        }
    }
}

/// One round of the keeper over every room with a pool.
pub async fn keep_once(state: &AppState) -> Result<(), sqlx::Error> {
    for room in state.db.pooled_rooms().await? {
        let (waiting, _) = state.db.pool_of(&room.id).await?;
        let now = state.db.now();
        let over =
            room.closes_at.is_some_and(|t| t <= now) || room.deadline.is_some_and(|t| t <= now);
        let wanted = if over { 0 } else { wanted(state, &room).await? };
        let shorts = namespaces_of(state, &room);
        // Those still wanted are checked (and remade if something deleted them); the rest go.
        let (kept, extra) = waiting.split_at(waiting.len().min(wanted));
        for id in extra {
            let workspace = state.workspace(id);
            if let Err(e) = workspace.reset(state.platform()).await {
                tracing::warn!(workspace = %id, "deleting a pooled workspace: {e}");
                continue;
            }
            state.db.unpool(id).await?;
        }
        let missing = wanted - kept.len();
        let ids: Vec<String> = kept
            .iter()
            .cloned()
            .chain((0..missing).map(|_| crate::sessions::new_id()))
            .collect();
        // Owned values in each future: the keeper is spawned, and its futures must not
        // borrow from one another.
        let made = futures::stream::iter(ids.into_iter().map(|id| {
            let (state, shorts) = (state.clone(), shorts.clone());
            async move {
                let outcome = make(&state, &id, &shorts).await;
                (id, outcome)
            }
        }))
        .buffer_unordered(AT_ONCE)
        .collect::<Vec<_>>()
        .await;
        for (id, outcome) in made {
            match outcome {
                Ok(()) if !kept.contains(&id) => state.db.pooled(&room.id, &id).await?,
                Ok(()) => {}
                Err(e) => {
                    tracing::warn!(room = %room.id, workspace = %id, "making a pooled workspace: {e}")
                }
            }
        }
    }
    Ok(())
}

/// How many workspaces should wait in `room`'s pool: its `warm`, never more than the
/// seats not yet taken.
async fn wanted(state: &AppState, room: &Room) -> Result<usize, sqlx::Error> {
    let seated = state.db.members(&room.id).await?.len();
    let seats_left = usize::try_from(room.capacity)
        .unwrap_or(0)
        .saturating_sub(seated);
    Ok(usize::try_from(room.warm).unwrap_or(0).min(seats_left))
}

/// Every namespace the room's lessons use.
fn namespaces_of(state: &AppState, room: &Room) -> Vec<String> {
    let mut shorts: Vec<String> = room
        .lessons
        .iter()
        .flat_map(|l| state.lesson_namespaces(Some(l)))
        .collect();
    shorts.sort();
    shorts.dedup();
    shorts
}

/// Makes (or completes) workspace `id`'s namespaces.
async fn make(
    state: &AppState,
    id: &str,
    shorts: &[String],
) -> Result<(), crate::workspace::WorkspaceError> {
    let workspace = state.workspace(id);
    let existing = workspace.namespaces(state.platform()).await?;
    workspace
        .ensure(state.platform(), &existing, shorts)
        .await?;
    Ok(())
}

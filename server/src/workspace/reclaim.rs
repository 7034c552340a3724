//! Idle reclaim: workspaces unused for longer than the configured time are deleted, and
//! come back empty on the attendee's next visit; so are those whose time in a room is
//! over (their results stay). Namespaces whose deletion a finalizer holds are released
//! ([`super::finalizers`]).

use super::Workspaces;
use crate::db::Database;
use std::time::Duration;

/// Deletes the workspaces idle for longer than `idle`, and those whose time in a room is
/// over; returns how many.
pub async fn delete_idle(
    db: &Database,
    workspaces: &Workspaces,
    client: &kube::Client,
    idle: Duration,
) -> Result<usize, sqlx::Error> {
    let cutoff = db.now() - i64::try_from(idle.as_secs()).unwrap_or(i64::MAX);
    let mut idle = db.idle_since(cutoff).await?;
    for over in db.over_with_workspace().await? {
        if !idle.contains(&over) {
            idle.push(over);
        }
    }
    for id in &idle {
        match workspaces.of(id).reset(client).await {
            Ok(n) => tracing::info!(attendee = %id, namespaces = n, "idle workspace deleted"),
            Err(e) => tracing::warn!(attendee = %id, "deleting an idle workspace: {e}"),
        }
        db.workspace_reclaimed(id).await?;
    }
    Ok(idle.len())
}

/// Runs [`delete_idle`] every minute, forever, releases the workspace namespaces stuck
/// Terminating, and deletes the rooms kept past their retention.
pub async fn sweep(db: Database, workspaces: Workspaces, client: kube::Client, idle: Duration) {
    let mut tick = tokio::time::interval(Duration::from_secs(60));
    let mut stuck = super::finalizers::Stuck::default();
    loop {
        tick.tick().await;
        if let Err(e) = stuck.round(&client).await {
            tracing::warn!("releasing namespaces stuck Terminating: {e}");
        }
        if let Err(e) = delete_idle(&db, &workspaces, &client, idle).await {
            tracing::warn!("sweeping idle workspaces: {e}");
        }
        match db.delete_expired_rooms().await {
            Ok(rooms) if !rooms.is_empty() => {
                tracing::info!(?rooms, "rooms past their retention deleted")
            }
            Ok(_) => {}
            Err(e) => tracing::warn!("deleting rooms past their retention: {e}"),
        }
    }
}

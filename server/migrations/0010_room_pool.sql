-- A room's warm pool (`db::pool`): workspaces made before attendees come (their
-- namespaces with the isolation policy), each later handed to a new attendee whose
-- attendee id becomes the workspace's. `claimed_by` is NULL while it waits.
CREATE TABLE IF NOT EXISTS room_pool (
    workspace TEXT PRIMARY KEY,
    room TEXT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    made_at INTEGER NOT NULL,
    claimed_at INTEGER
);
CREATE INDEX IF NOT EXISTS room_pool_waiting ON room_pool (room, claimed_at);

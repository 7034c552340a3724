-- Rooms (`db::rooms`): a trainer's group event. `lessons` is a JSON array of `COURSE/SLUG`
-- in order; `opens_at`/`closes_at` (seconds since the epoch) bound when attendees may
-- join, NULL for no bound; `warm` is how many workspaces the trainer asked to have ready.
CREATE TABLE IF NOT EXISTS rooms (
    id TEXT PRIMARY KEY,
    trainer TEXT NOT NULL REFERENCES trainers (name) ON DELETE CASCADE,
    title TEXT NOT NULL,
    lessons TEXT NOT NULL,
    capacity INTEGER NOT NULL,
    warm INTEGER NOT NULL,
    access_code TEXT NOT NULL,
    opens_at INTEGER,
    closes_at INTEGER,
    created_at INTEGER NOT NULL
);
-- Who joined which room, under which display name, when; `seq` numbers them in the order
-- they joined (one more than the room's last), as many join within one second.
CREATE TABLE IF NOT EXISTS room_attendees (
    room TEXT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    attendee TEXT NOT NULL,
    name TEXT NOT NULL,
    joined_at INTEGER NOT NULL,
    PRIMARY KEY (room, attendee)
);
CREATE INDEX IF NOT EXISTS room_attendees_by_attendee ON room_attendees (attendee);

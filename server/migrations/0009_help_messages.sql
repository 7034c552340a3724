-- Raised hands (`db::help`): an attendee's question on a step of a room's lesson, with
-- what the page showed then (`failing` checks and recent `warnings`, JSON arrays of
-- text); the trainer's `answer`; `closed_at` once the trainer marked it done or the
-- attendee lowered their hand. One open hand per attendee and room.
CREATE TABLE IF NOT EXISTS help_requests (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    room TEXT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    attendee TEXT NOT NULL,
    lesson TEXT NOT NULL,
    step INTEGER NOT NULL,
    question TEXT NOT NULL,
    failing TEXT NOT NULL,
    warnings TEXT NOT NULL,
    asked_at INTEGER NOT NULL,
    answer TEXT,
    answered_at INTEGER,
    closed_at INTEGER
);
CREATE INDEX IF NOT EXISTS help_requests_open ON help_requests (room, closed_at);
-- A trainer's messages (`db::help`): to one attendee (`attendee`), or to the whole room
-- (`attendee` NULL). A message to "those on step N" is one row per attendee on it.
CREATE TABLE IF NOT EXISTS room_messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    room TEXT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    attendee TEXT,
    text TEXT NOT NULL,
    sent_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS room_messages_by_room ON room_messages (room, id);

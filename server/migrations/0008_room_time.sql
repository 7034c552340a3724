-- An attendee's time in a room (`db::rooms`): the room's `time_limit` (seconds from
-- joining) and hard `deadline` (seconds since the epoch), NULL for none; each member's
-- `ends_at`, set at joining from both, moved by the trainer's extend and end. Past it
-- the attendee's workspace is deleted and their results stay.
ALTER TABLE rooms ADD COLUMN time_limit INTEGER;
ALTER TABLE rooms ADD COLUMN deadline INTEGER;
ALTER TABLE room_attendees ADD COLUMN ends_at INTEGER;

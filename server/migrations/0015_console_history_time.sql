-- When each console line was run (seconds since the epoch; NULL for lines from before),
-- so a trainer's look into a workspace shows only what was run since the attendee joined
-- the room.
ALTER TABLE console_history ADD COLUMN at INTEGER;

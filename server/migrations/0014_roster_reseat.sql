-- A roster code its trainer reopened: the next new browser that joins with it becomes the
-- same attendee (their workspace and progress), for someone who changed machines.
ALTER TABLE room_roster ADD COLUMN reseat INTEGER NOT NULL DEFAULT 0;

-- How long a room and its results are kept after it ends (its deadline, else when joining
-- closes, else when it was made), in days (`db::rooms::delete_expired_rooms`).
ALTER TABLE rooms ADD COLUMN retention_days INTEGER NOT NULL DEFAULT 90;

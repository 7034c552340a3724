-- Pacing: when the trainer paces a room, what is open (JSON `{"lesson", "step"}`,
-- `app::model::pacing::Unlocked`); NULL for a self-paced room.
ALTER TABLE rooms ADD COLUMN unlocked TEXT;

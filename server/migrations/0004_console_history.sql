-- The kubectl console's history, per attendee: the lines they ran, oldest first by `seq`
-- (one more than the attendee's last). Only the newest lines are kept
-- (`db::history::KEPT`), so that ↑ brings them back in any tab, browser or device.
CREATE TABLE IF NOT EXISTS console_history (
    attendee TEXT NOT NULL,
    seq INTEGER NOT NULL,
    line TEXT NOT NULL,
    PRIMARY KEY (attendee, seq)
);

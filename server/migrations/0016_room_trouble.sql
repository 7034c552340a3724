-- What troubled a room's attendees, for its report (`db::trouble`): each check still
-- failing two minutes after an attendee started trying on its step (or when they raised
-- a hand), once per attendee; and each message the pipeline refused an attendee's
-- manifests with, with how often.
CREATE TABLE IF NOT EXISTS room_troubled_checks (
    room TEXT NOT NULL,
    attendee TEXT NOT NULL,
    lesson TEXT NOT NULL,
    step INTEGER NOT NULL,
    label TEXT NOT NULL,
    PRIMARY KEY (room, attendee, lesson, step, label)
);

CREATE TABLE IF NOT EXISTS room_refusals (
    room TEXT NOT NULL,
    attendee TEXT NOT NULL,
    lesson TEXT NOT NULL,
    message TEXT NOT NULL,
    times INTEGER NOT NULL,
    PRIMARY KEY (room, attendee, lesson, message)
);

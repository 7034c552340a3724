-- What each attendee saw last from the console and from Try the app (`db::answers`), in
-- which lesson (`course/slug`, empty when the page named none): the lesson checks that
-- judge an answer rather than an object read those of their lesson. Oldest first by
-- `seq`; only the newest are kept (`db::answers::KEPT`).
CREATE TABLE IF NOT EXISTS answers (
    attendee TEXT NOT NULL,
    seq INTEGER NOT NULL,
    lesson TEXT NOT NULL,
    source TEXT NOT NULL,
    subject TEXT NOT NULL,
    code INTEGER NOT NULL,
    text TEXT NOT NULL,
    PRIMARY KEY (attendee, seq)
);

-- A room's named roster (`trainer::roster`): each person's personal code, their name and
-- email, and the attendee who joined with the code (NULL until someone has).
CREATE TABLE IF NOT EXISTS room_roster (
    room TEXT NOT NULL,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    email TEXT,
    attendee TEXT,
    seq INTEGER NOT NULL,
    PRIMARY KEY (room, code)
);

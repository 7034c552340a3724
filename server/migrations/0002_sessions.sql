-- The session store's table, as tower-sessions' SQLite store defines it (its own
-- `migrate` would create the same; here it is part of the schema, in one place).
CREATE TABLE IF NOT EXISTS tower_sessions (
    id TEXT PRIMARY KEY NOT NULL,
    data BLOB NOT NULL,
    expiry_date INTEGER NOT NULL
);

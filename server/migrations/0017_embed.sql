-- Docs sites that embed lessons (`db::embed`): each site has a key (public: it is in the
-- site's snippet) and the origins allowed to frame `/embed/*` with it, one per line.
CREATE TABLE IF NOT EXISTS embed_sites (
    key TEXT PRIMARY KEY,
    origins TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
-- A reader's sandbox behind an embed: the bearer token (kept only as its SHA-256 digest)
-- stands for the attendee whose workspace it is, until `expires_at` or until it has been
-- idle too long (`last_seen`).
CREATE TABLE IF NOT EXISTS embed_sessions (
    digest TEXT PRIMARY KEY,
    attendee TEXT NOT NULL,
    site TEXT NOT NULL REFERENCES embed_sites (key) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    last_seen INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS embed_sessions_site ON embed_sessions (site);
-- Single-use tickets that let a websocket in on behalf of an embed's session (a browser
-- cannot put a header on a websocket): digest, attendee, until when.
CREATE TABLE IF NOT EXISTS embed_tickets (
    digest TEXT PRIMARY KEY,
    attendee TEXT NOT NULL,
    expires_at INTEGER NOT NULL
);

-- Trainers (`db::trainers`): accounts made with `kubeclass trainer add NAME`, each with an
-- argon2 password hash (PHC string) for the login page, and API tokens made with
-- `kubeclass trainer token NAME`, kept only as their SHA-256 digests (hex).
CREATE TABLE IF NOT EXISTS trainers (
    name TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS trainer_tokens (
    digest TEXT PRIMARY KEY,
    trainer TEXT NOT NULL REFERENCES trainers (name) ON DELETE CASCADE,
    created_at INTEGER NOT NULL
);
-- Every trainer action, oldest first by `seq`: who, when (seconds since the epoch), what
-- (a short verb such as `login`), and on what (free text, JSON where it has parts).
CREATE TABLE IF NOT EXISTS trainer_audit (
    seq INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    trainer TEXT NOT NULL,
    action TEXT NOT NULL,
    detail TEXT NOT NULL
);

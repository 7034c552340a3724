-- The attendee tables kubeclass has kept since the lesson loop. `IF NOT EXISTS`: data
-- directories from before migrations already hold them. Times are seconds since the
-- Unix epoch (BIGINT: past 2038, and the same on PostgreSQL).

CREATE TABLE IF NOT EXISTS attendees (
    id TEXT PRIMARY KEY,
    created_at BIGINT NOT NULL,
    last_seen BIGINT NOT NULL,
    -- 1 while the attendee's namespaces may exist; 0 once idle reclaim deleted them.
    workspace_live INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE IF NOT EXISTS drafts (
    attendee TEXT NOT NULL,
    lesson TEXT NOT NULL,
    pane TEXT NOT NULL,
    text TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (attendee, lesson, pane)
);

CREATE TABLE IF NOT EXISTS progress (
    attendee TEXT NOT NULL,
    lesson TEXT NOT NULL,
    step INTEGER NOT NULL,
    completed_at BIGINT NOT NULL,
    PRIMARY KEY (attendee, lesson, step)
);

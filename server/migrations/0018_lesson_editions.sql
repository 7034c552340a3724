-- Every edition of every lesson this server has loaded (`db::editions`): a docs page
-- pinned to one (`pods@3f2a1b9c0d12`, or its tag) keeps showing it after the lesson's
-- file has changed. `version` is the first 12 hex digits of the text's SHA-256.
CREATE TABLE IF NOT EXISTS lesson_editions (
    course TEXT NOT NULL,
    slug TEXT NOT NULL,
    version TEXT NOT NULL,
    tag TEXT,
    file TEXT NOT NULL,
    source TEXT NOT NULL,
    first_seen INTEGER NOT NULL,
    PRIMARY KEY (course, slug, version)
);

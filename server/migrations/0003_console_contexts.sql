-- The kubectl console's contexts, per attendee (`kubectl config set-context` and
-- `use-context`): each a name and the namespace (the workspace's short name) commands
-- use without `-n`; `current` marks the one in use. An attendee with no row has the one
-- context every console starts with.
CREATE TABLE IF NOT EXISTS console_contexts (
    attendee TEXT NOT NULL,
    name TEXT NOT NULL,
    namespace TEXT NOT NULL,
    current INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (attendee, name)
);

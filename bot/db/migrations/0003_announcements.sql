-- Season announcements: who follows what, what TVmaze last said, the news recorded, and its delivery.
-- Times are unix seconds (UTC). Discord ids fit a signed 64-bit integer (BIGINT on PostgreSQL).

-- A member following a show, in the mode they picked.
CREATE TABLE follows (
    user_id INTEGER NOT NULL,
    show_id INTEGER NOT NULL REFERENCES shows (id) ON DELETE CASCADE,
    mode TEXT NOT NULL CHECK (mode IN ('seasons', 'every_episode', 'premiere_day')),
    created_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, show_id)
);
CREATE INDEX follows_show ON follows (show_id);

-- The servers a member follows a show from: each of those servers' announce channels gets one post.
CREATE TABLE follow_guilds (
    user_id INTEGER NOT NULL,
    show_id INTEGER NOT NULL,
    guild_id INTEGER NOT NULL,
    PRIMARY KEY (user_id, show_id, guild_id),
    FOREIGN KEY (user_id, show_id) REFERENCES follows (user_id, show_id) ON DELETE CASCADE
);
CREATE INDEX follow_guilds_guild ON follow_guilds (guild_id);

-- Members whose DMs refused the bot (Discord error 50007): no DM is queued for them until they follow again.
CREATE TABLE dm_closed (
    user_id INTEGER PRIMARY KEY,
    closed_at INTEGER NOT NULL
);

-- The last snapshot of each followed TVmaze show; next_due_at is its next release the poller must look at.
-- title, url and poster_url are copied out of data so that delivery reads them with a plain join.
CREATE TABLE tvmaze_snapshots (
    tvmaze_id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    url TEXT,
    poster_url TEXT,
    updated INTEGER,
    fetched_at INTEGER NOT NULL,
    next_due_at INTEGER,
    data TEXT NOT NULL
);
CREATE INDEX tvmaze_snapshots_due ON tvmaze_snapshots (next_due_at);

-- Every event, once, under its key (recording the same news again is a no-op).
CREATE TABLE announce_events (
    event_key TEXT PRIMARY KEY,
    tvmaze_id INTEGER NOT NULL,
    kind TEXT NOT NULL,
    data TEXT NOT NULL,
    recorded_at INTEGER NOT NULL
);
CREATE INDEX announce_events_show ON announce_events (tvmaze_id);

-- One row per event and target (a server's announce channel, or a member's DMs), written with the event.
-- available_at: not before (a retry's back-off) and, while claimed, when the claim lapses.
CREATE TABLE announce_outbox (
    id INTEGER PRIMARY KEY,
    event_key TEXT NOT NULL REFERENCES announce_events (event_key) ON DELETE CASCADE,
    target_kind TEXT NOT NULL CHECK (target_kind IN ('guild', 'dm')),
    target_id INTEGER NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'failed', 'dropped')),
    attempts INTEGER NOT NULL DEFAULT 0,
    available_at INTEGER NOT NULL,
    claimed_by TEXT,
    last_error TEXT,
    done_at INTEGER,
    UNIQUE (event_key, target_kind, target_id)
);
CREATE INDEX announce_outbox_ready ON announce_outbox (state, available_at);
CREATE INDEX announce_outbox_target ON announce_outbox (target_kind, target_id);

-- Who runs a singleton job (the season poller) and until when; an expired row may be taken over.
CREATE TABLE job_leases (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    expires_at INTEGER NOT NULL
);

-- Episode progress, watchlists, member settings and watch parties (issue 9).
-- Times are UTC ISO 8601 text with microseconds (fixed width, so they compare as text).

-- Where each member is in each show, shared across servers: the current pass. Earlier passes are in watch_passes.
-- season/episode: the last regular episode watched in this pass (NULL: the pass has not started);
-- seen_season/seen_episode: the furthest any pass reached (what the member has seen, for hiding spoilers).
CREATE TABLE progress (
    user_id INTEGER NOT NULL,
    show_id INTEGER NOT NULL REFERENCES shows (id) ON DELETE CASCADE,
    pass_number INTEGER NOT NULL CHECK (pass_number >= 1),
    season INTEGER,
    episode INTEGER,
    seen_season INTEGER,
    seen_episode INTEGER,
    pass_started_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    completed_at TEXT,
    PRIMARY KEY (user_id, show_id),
    CHECK ((season IS NULL) = (episode IS NULL)),
    CHECK (season IS NULL OR (season >= 1 AND episode >= 1))
);
-- No index on show_id: shows are not deleted in normal running, and every progress write would pay for it.

CREATE TABLE watch_passes (
    user_id INTEGER NOT NULL,
    show_id INTEGER NOT NULL REFERENCES shows (id) ON DELETE CASCADE,
    pass_number INTEGER NOT NULL,
    started_at TEXT NOT NULL,
    ended_at TEXT NOT NULL,
    season INTEGER,
    episode INTEGER,
    completed_at TEXT,
    PRIMARY KEY (user_id, show_id, pass_number)
);

-- Specials (season 0) a member marked as watched; they never count toward progress.
CREATE TABLE specials_watched (
    user_id INTEGER NOT NULL,
    show_id INTEGER NOT NULL REFERENCES shows (id) ON DELETE CASCADE,
    number INTEGER NOT NULL CHECK (number >= 1),
    marked_at TEXT NOT NULL,
    PRIMARY KEY (user_id, show_id, number)
);

CREATE TABLE watchlist (
    user_id INTEGER NOT NULL,
    show_id INTEGER NOT NULL REFERENCES shows (id) ON DELETE CASCADE,
    status TEXT NOT NULL CHECK (status IN ('plan', 'watching', 'completed', 'on_hold', 'dropped')),
    added_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (user_id, show_id)
);

CREATE TABLE member_settings (
    user_id INTEGER PRIMARY KEY,
    timezone TEXT,
    updated_at TEXT NOT NULL
);

-- A watch party in one channel of one server. season/episode: the last episode watched together.
-- name_key: the name folded for comparison; unique among the channel's open parties only.
CREATE TABLE parties (
    id INTEGER PRIMARY KEY,
    guild_id INTEGER NOT NULL,
    channel_id INTEGER NOT NULL,
    show_id INTEGER NOT NULL REFERENCES shows (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    host_id INTEGER NOT NULL,
    season INTEGER,
    episode INTEGER,
    created_at TEXT NOT NULL,
    ended_at TEXT
);
CREATE UNIQUE INDEX parties_open_name ON parties (guild_id, channel_id, name_key) WHERE ended_at IS NULL;
CREATE INDEX parties_guild ON parties (guild_id, ended_at);

-- guild_id repeats the party's so that "a member left the server" is one indexed delete.
CREATE TABLE party_members (
    party_id INTEGER NOT NULL REFERENCES parties (id) ON DELETE CASCADE,
    guild_id INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    joined_at TEXT NOT NULL,
    PRIMARY KEY (party_id, user_id)
);
CREATE INDEX party_members_user ON party_members (user_id, guild_id);

-- One evening of a party. At most one open session per party; season/episode are set when the party moves on
-- (the episode watched); reminder_sent_at makes the start reminder post once, across restarts.
CREATE TABLE party_sessions (
    id INTEGER PRIMARY KEY,
    party_id INTEGER NOT NULL REFERENCES parties (id) ON DELETE CASCADE,
    guild_id INTEGER NOT NULL,
    season INTEGER,
    episode INTEGER,
    starts_at TEXT,
    event_id INTEGER,
    reminder_sent_at TEXT,
    created_at TEXT NOT NULL,
    closed_at TEXT
);
CREATE UNIQUE INDEX party_sessions_open ON party_sessions (party_id) WHERE closed_at IS NULL;
CREATE INDEX party_sessions_due ON party_sessions (starts_at) WHERE reminder_sent_at IS NULL AND closed_at IS NULL;

CREATE TABLE party_checkins (
    session_id INTEGER NOT NULL REFERENCES party_sessions (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL,
    checked_in_at TEXT NOT NULL,
    PRIMARY KEY (session_id, user_id)
);
CREATE INDEX party_checkins_user ON party_checkins (user_id);

-- Reviews are per server. The text is stored as submitted (clean form); the post is rebuilt from it.
-- spoilers_season/_episode are both NULL when the review did not say how far its spoilers go.
CREATE TABLE reviews (
    id INTEGER PRIMARY KEY,
    guild_id INTEGER NOT NULL,
    author_id INTEGER NOT NULL,
    show_id INTEGER NOT NULL REFERENCES shows (id),
    grade TEXT NOT NULL CHECK (grade IN ('A+', 'A', 'A-', 'B+', 'B', 'B-', 'C+', 'C', 'C-', 'D', 'F')),
    spoilers_season INTEGER,
    spoilers_episode INTEGER,
    headline TEXT NOT NULL,
    spoiler_free TEXT NOT NULL,
    spoiler TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    edited_at TEXT,
    CHECK ((spoilers_season IS NULL) = (spoilers_episode IS NULL))
);
CREATE INDEX reviews_guild_show ON reviews (guild_id, show_id, created_at);
CREATE INDEX reviews_author ON reviews (author_id);

-- The messages a review was posted as, in order (a long review takes more than one).
CREATE TABLE review_messages (
    review_id INTEGER NOT NULL REFERENCES reviews (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    channel_id INTEGER NOT NULL,
    message_id INTEGER NOT NULL,
    PRIMARY KEY (review_id, position)
);
CREATE INDEX review_messages_message ON review_messages (message_id);

-- Per-server settings, and when the bot left the server (its data is removed 30 days later unless it returns).
CREATE TABLE guild_config (
    guild_id INTEGER PRIMARY KEY,
    review_channel_id INTEGER,
    announce_channel_id INTEGER,
    left_at TEXT,
    updated_at TEXT NOT NULL
);
CREATE INDEX guild_config_left_at ON guild_config (left_at);

-- A built search index, kept so a large catalogue starts without rebuilding it. It reflects shows as of
-- its generation; shows written since (shows.changed_gen greater than it) are replayed on top at start.
CREATE TABLE search_snapshot (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    generation INTEGER NOT NULL,
    format INTEGER NOT NULL,
    data BLOB NOT NULL
);

-- The value of meta.shows_generation that the last write of this show produced.
ALTER TABLE shows ADD COLUMN changed_gen INTEGER NOT NULL DEFAULT 0;
CREATE INDEX shows_changed_gen ON shows (changed_gen);

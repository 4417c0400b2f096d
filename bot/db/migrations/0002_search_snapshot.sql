-- A built search index, kept so a large catalogue starts without rebuilding it. It is valid only while
-- meta.shows_generation (bumped by every change to shows) still equals its generation.
CREATE TABLE search_snapshot (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    generation INTEGER NOT NULL,
    format INTEGER NOT NULL,
    data BLOB NOT NULL
);

-- How each show's TVmaze link was decided: by the matcher (with the facts that agreed) or by a server manager.
-- Kept beside shows.tvmaze_id so a manager correcting a wrong link can see why it was made.
CREATE TABLE tvmaze_links (
    show_id INTEGER PRIMARY KEY REFERENCES shows (id) ON DELETE CASCADE,
    tvmaze_id INTEGER NOT NULL,
    method TEXT NOT NULL CHECK (method IN ('matched', 'manual')),
    detail TEXT NOT NULL,
    linked_at INTEGER NOT NULL
);

-- Shows from the bundled catalogue, imports and TVmaze, and every name they can be searched by.
CREATE TABLE shows (
    id INTEGER PRIMARY KEY,
    source TEXT NOT NULL CHECK (source IN ('catalog', 'import', 'tvmaze')),
    catalog_key TEXT,
    tvmaze_id INTEGER,
    title TEXT NOT NULL,
    native_title TEXT,
    year INTEGER,
    popularity REAL NOT NULL DEFAULT 0,
    data TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX shows_catalog_key ON shows (catalog_key) WHERE catalog_key IS NOT NULL;
CREATE UNIQUE INDEX shows_tvmaze_id ON shows (tvmaze_id) WHERE tvmaze_id IS NOT NULL;

CREATE TABLE show_names (
    show_id INTEGER NOT NULL REFERENCES shows (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    norm TEXT NOT NULL
);
CREATE INDEX show_names_show ON show_names (show_id);

-- Episodes as TVmaze lists them (the catalogue only knows counts).
CREATE TABLE episodes (
    show_id INTEGER NOT NULL REFERENCES shows (id) ON DELETE CASCADE,
    season INTEGER NOT NULL,
    number INTEGER NOT NULL,
    name TEXT,
    airdate TEXT,
    airstamp TEXT,
    runtime INTEGER,
    PRIMARY KEY (show_id, season, number)
);

-- Small bits of bot state: the synced command tree's hash, the catalogue file's hash, poll cursors.
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- /party create with a title that needs a pick: the party's name waits here (not in the process) until the member
-- picks the show from the list, so the pick still works after a restart. id: the interaction the list answered.
-- Rows are taken by the pick, dropped a day after they were made, and with the member's or the server's data.
CREATE TABLE party_name_picks (
    id TEXT PRIMARY KEY,
    guild_id INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    name TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX party_name_picks_user ON party_name_picks (user_id);
CREATE INDEX party_name_picks_guild ON party_name_picks (guild_id);

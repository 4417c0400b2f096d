"""ShowStore: shows, their searchable names and their episodes."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from typing import Any, cast

import aiosqlite

from bot.db.database import Database
from bot.domain.models import CastMember, Episode, SeasonInfo, Show, SourceWork
from bot.domain.text import normalize

IndexRow = tuple[int, str, str, str]

GENERATION_KEY = "shows_generation"
_ALL_SHOWS = "SELECT id, title, year, popularity FROM shows"
_ALL_NAMES = "SELECT show_id, kind, name, norm FROM show_names"
_CHANGED_SHOWS = "SELECT id, title, year, popularity FROM shows WHERE changed_gen > ?"
_CHANGED_NAMES = (
    "SELECT show_id, kind, name, norm FROM show_names WHERE show_id IN (SELECT id FROM shows WHERE changed_gen > ?)"
)

# Bundled shows are the curated, well-known ones: they rank above imports and search results fetched on demand.
POPULARITY = {"catalog": 1.0, "import": 0.5, "tvmaze": 0.25}


def show_label(title: str, year: int | None) -> str:
    return f"{title} ({year})" if year else title


class ShowStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    # -- writes -------------------------------------------------------------------------------------------------

    async def add_many(self, shows: Sequence[Show]) -> list[int]:
        """Insert or update shows (matched by catalogue key or TVmaze id) in one transaction; returns their ids."""

        async def op(conn: aiosqlite.Connection) -> list[int]:
            # A new generation per write: a saved search index knows which shows changed after it was made.
            await conn.execute(
                "INSERT INTO meta (key, value) VALUES (?, '1')"
                " ON CONFLICT (key) DO UPDATE SET value = CAST(value AS INTEGER) + 1",
                (GENERATION_KEY,),
            )
            generation = await _scalar(conn, "SELECT CAST(value AS INTEGER) FROM meta WHERE key = ?", (GENERATION_KEY,))
            return [await self._upsert(conn, show, generation or 0) for show in shows]

        return await self.db.write(op)

    async def add(self, show: Show) -> int:
        return (await self.add_many([show]))[0]

    async def _upsert(self, conn: aiosqlite.Connection, show: Show, generation: int) -> int:
        existing: int | None = None
        if show.id:
            existing = show.id
        elif show.catalog_key is not None:
            existing = await _scalar(conn, "SELECT id FROM shows WHERE catalog_key = ?", (show.catalog_key,))
        if existing is None and show.tvmaze_id is not None:
            existing = await _scalar(conn, "SELECT id FROM shows WHERE tvmaze_id = ?", (show.tvmaze_id,))
        now = dt.datetime.now(dt.UTC).isoformat()
        values = (
            show.source,
            show.catalog_key,
            show.tvmaze_id,
            show.title,
            show.native_title,
            show.year,
            POPULARITY.get(show.source, 0.0),
            json.dumps(show_to_dict(show), ensure_ascii=False),
            now,
            generation,
        )
        if existing is None:
            cur = await conn.execute(
                "INSERT INTO shows (source, catalog_key, tvmaze_id, title, native_title, year, popularity, data,"
                " updated_at, changed_gen) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                values,
            )
            show_id = int(cur.lastrowid or 0)
        else:
            show_id = existing
            await conn.execute(
                "UPDATE shows SET source = ?, catalog_key = ?, tvmaze_id = ?, title = ?, native_title = ?, year = ?,"
                " popularity = ?, data = ?, updated_at = ?, changed_gen = ? WHERE id = ?",
                (*values, show_id),
            )
            await conn.execute("DELETE FROM show_names WHERE show_id = ?", (show_id,))
        await conn.executemany(
            "INSERT INTO show_names (show_id, kind, name, norm) VALUES (?, ?, ?, ?)",
            [(show_id, kind, name, normalize(name)) for kind, name in show.search_names()],
        )
        return show_id

    async def save_episodes(self, show_id: int, episodes: Iterable[Episode]) -> None:
        rows = [
            (
                show_id,
                e.season,
                e.number,
                e.name,
                e.airdate.isoformat() if e.airdate else None,
                e.airstamp.astimezone(dt.UTC).isoformat() if e.airstamp else None,
                e.runtime,
            )
            for e in episodes
        ]

        async def op(conn: aiosqlite.Connection) -> None:
            await conn.execute("DELETE FROM episodes WHERE show_id = ?", (show_id,))
            await conn.executemany("INSERT INTO episodes VALUES (?, ?, ?, ?, ?, ?, ?)", rows)

        await self.db.write(op)

    # -- reads --------------------------------------------------------------------------------------------------

    async def get(self, show_id: int) -> Show | None:
        row = await self.db.fetchone("SELECT id, data FROM shows WHERE id = ?", (show_id,))
        return None if row is None else show_from_dict(json.loads(row["data"]), show_id=row["id"])

    async def episodes(self, show_id: int, season: int | None = None) -> list[Episode]:
        sql = "SELECT season, number, name, airdate, airstamp, runtime FROM episodes WHERE show_id = ?"
        params: list[Any] = [show_id]
        if season is not None:
            sql += " AND season = ?"
            params.append(season)
        rows = await self.db.fetchall(sql + " ORDER BY season, number", params)
        return [
            Episode(
                season=r["season"],
                number=r["number"],
                name=r["name"],
                airdate=dt.date.fromisoformat(r["airdate"]) if r["airdate"] else None,
                airstamp=_aware(r["airstamp"]),
                runtime=r["runtime"],
            )
            for r in rows
        ]

    async def count_by_source(self) -> dict[str, int]:
        rows = await self.db.fetchall("SELECT source, COUNT(*) FROM shows GROUP BY source")
        return {r[0]: int(r[1]) for r in rows}

    async def index_rows(
        self, changed_since: int | None = None
    ) -> tuple[list[IndexRow], dict[int, str], dict[int, float]]:
        """What the search index needs, in two queries: (show_id, kind, name, norm) rows, labels, popularity.

        With ``changed_since``, only shows written after that generation. Rows come back as plain tuples (no
        ``sqlite3.Row``): at 100,000 shows that is most of the time a full load takes.
        """
        params: tuple[int, ...] = ()
        if changed_since is None:
            shows_sql, names_sql = _ALL_SHOWS, _ALL_NAMES
        else:
            shows_sql, names_sql, params = _CHANGED_SHOWS, _CHANGED_NAMES, (changed_since,)
        async with self.db.conn.execute(shows_sql, params) as cur:
            cur.row_factory = None
            shows = await cur.fetchall()
        labels = {r[0]: show_label(r[1], r[2]) for r in shows}
        popularity = {r[0]: float(r[3]) for r in shows}
        async with self.db.conn.execute(names_sql, params) as cur:
            cur.row_factory = None
            rows = cast("list[IndexRow]", await cur.fetchall())
        return rows, labels, popularity

    # -- the saved search index --------------------------------------------------------------------------------

    async def generation(self) -> int:
        """A number that grows with every write of shows."""
        value = await self.db.fetchval("SELECT value FROM meta WHERE key = ?", (GENERATION_KEY,))
        return int(value) if value is not None else 0

    async def load_snapshot(self, snapshot_format: int) -> tuple[int, bytes] | None:
        """The saved index and the generation it reflects, when one was saved in this format."""
        row = await self.db.fetchone(
            "SELECT generation, data FROM search_snapshot WHERE id = 1 AND format = ?", (snapshot_format,)
        )
        return None if row is None else (int(row[0]), bytes(row[1]))

    async def save_snapshot(self, generation: int, snapshot_format: int, data: bytes) -> None:
        async def op(conn: aiosqlite.Connection) -> None:
            await conn.execute(
                "INSERT INTO search_snapshot (id, generation, format, data) VALUES (1, ?, ?, ?)"
                " ON CONFLICT (id) DO UPDATE SET generation = excluded.generation, format = excluded.format,"
                " data = excluded.data",
                (generation, snapshot_format, data),
            )

        await self.db.write(op)


async def _scalar(conn: aiosqlite.Connection, sql: str, params: tuple[Any, ...]) -> int | None:
    async with conn.execute(sql, params) as cur:
        row = await cur.fetchone()
    return None if row is None else int(row[0])


def _aware(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    stamp = dt.datetime.fromisoformat(value)
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=dt.UTC)


# -- (de)serialisation of the JSON column -----------------------------------------------------------------------


def show_to_dict(show: Show) -> dict[str, Any]:
    return {
        "title": show.title,
        "native_title": show.native_title,
        "aliases": list(show.aliases),
        "year": show.year,
        "country": show.country,
        "network": show.network,
        "platform": show.platform,
        "seasons": [
            {
                "number": s.number,
                "episodes": s.episode_count,
                "premiere_date": s.premiere_date.isoformat() if s.premiere_date else None,
            }
            for s in show.seasons
        ],
        "status": show.status,
        "genres": list(show.genres),
        "directors": list(show.directors),
        "writers": list(show.writers),
        "cast": [{"actor": c.actor, "character": c.character, "nicknames": list(c.nicknames)} for c in show.cast],
        "based_on": [{"kind": b.kind, "title": b.title, "creator": b.creator} for b in show.based_on],
        "summary": show.summary,
        "poster_url": show.poster_url,
        "source": show.source,
        "source_url": show.source_url,
        "catalog_key": show.catalog_key,
        "tvmaze_id": show.tvmaze_id,
    }


def show_from_dict(data: dict[str, Any], show_id: int = 0) -> Show:
    return Show(
        id=show_id,
        title=data["title"],
        native_title=data.get("native_title"),
        aliases=tuple(data.get("aliases") or ()),
        year=data.get("year"),
        country=data.get("country"),
        network=data.get("network"),
        platform=data.get("platform"),
        seasons=tuple(
            SeasonInfo(
                number=s["number"],
                episode_count=s.get("episodes"),
                premiere_date=dt.date.fromisoformat(s["premiere_date"]) if s.get("premiere_date") else None,
            )
            for s in data.get("seasons") or ()
        ),
        status=data.get("status"),
        genres=tuple(data.get("genres") or ()),
        directors=tuple(data.get("directors") or ()),
        writers=tuple(data.get("writers") or ()),
        cast=tuple(
            CastMember(actor=c["actor"], character=c.get("character"), nicknames=tuple(c.get("nicknames") or ()))
            for c in data.get("cast") or ()
        ),
        based_on=tuple(
            SourceWork(kind=b["kind"], title=b.get("title"), creator=b.get("creator"))
            for b in data.get("based_on") or ()
        ),
        summary=data.get("summary"),
        poster_url=data.get("poster_url"),
        source=data.get("source", "catalog"),
        source_url=data.get("source_url"),
        catalog_key=data.get("catalog_key"),
        tvmaze_id=data.get("tvmaze_id"),
    )

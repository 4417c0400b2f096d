"""ShowStore: shows, their searchable names and their episodes (a bulk merge's plan is in ``bot.db.merge``)."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
from collections.abc import Iterable, Sequence
from functools import partial
from typing import Any, cast

import aiosqlite

from bot.db.database import Database
from bot.db.merge import (
    BUMP_GENERATION,
    GENERATION,
    GENERATION_KEY,
    MERGE_CHECKPOINT_PAGES,
    MERGE_CHUNK,
    IndexRow,
    KnownShows,
    MergeCounts,
    MergePlan,
    plain_rows,
    plan_chunk,
    show_values,
    stamp_now,
)
from bot.domain.errors import TvmazeLinkTakenError
from bot.domain.models import Episode, Show
from bot.domain.ranking import show_label
from bot.domain.show_schema import decode_stored, encode_stored
from bot.domain.text import normalize

_ALL_SHOWS = "SELECT id, title, year, popularity FROM shows"
_ALL_NAMES = "SELECT show_id, kind, name, norm FROM show_names"
_CHANGED_SHOWS = "SELECT id, title, year, popularity FROM shows WHERE changed_gen > ?"
_CHANGED_NAMES = (
    "SELECT show_id, kind, name, norm FROM show_names WHERE show_id IN (SELECT id FROM shows WHERE changed_gen > ?)"
)


class ShowStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    # -- writes -------------------------------------------------------------------------------------------------

    async def add_many(self, shows: Sequence[Show]) -> list[int]:
        """Insert or update shows (matched by catalogue key or TVmaze id) in one transaction; returns their ids."""

        async def op(conn: aiosqlite.Connection) -> list[int]:
            # A new generation per write: a saved search index knows which shows changed after it was made.
            generation = await _next_generation(conn)
            return [await self._upsert(conn, show, generation) for show in shows]

        return await self.db.write(op)

    async def merge(self, shows: Sequence[Show], *, chunk_size: int = MERGE_CHUNK) -> MergeCounts:
        """Store shows by the rules of precedence, in transactions of ``chunk_size`` shows; returns what happened.

        A show already stored (same catalogue key or TVmaze id, else same title or native title in the same year)
        is updated in place, never added twice; a bundled show never replaces an imported or TVmaze record
        (``bot.domain.precedence``). Each chunk is one transaction with one generation, so a bot reading the
        database meanwhile sees whole chunks and waits for the write lock at most one chunk's time.
        """
        return await self.write_merge(await self.plan_merge(shows, chunk_size=chunk_size))

    async def plan_merge(self, shows: Sequence[Show], *, chunk_size: int = MERGE_CHUNK) -> MergePlan:
        """Work out what ``merge`` will write, chunk by chunk, from what is stored now; nothing is written.

        ``write_merge`` then writes it. Between the two, the plan tells what the search index will hold once it is
        written (``MergePlan.index_rows``), so the index can be built while the chunks are written.
        """
        known = KnownShows()
        generation, last_id = await self.db.run_read(known.read_all)
        plan = MergePlan(shows, max(chunk_size, 1), generation, known)
        now = stamp_now()
        for start in range(0, len(shows), plan.chunk_size):
            chunk, last_id = plan_chunk(shows[start : start + plan.chunk_size], known, last_id, now)
            plan.chunks.append(chunk)
        return plan

    async def write_merge(self, plan: MergePlan) -> MergeCounts:
        """Write a plan of ``plan_merge``, each chunk its own transaction.

        A chunk is written as planned only when no other writer stored shows since the plan was made (the shows
        generation has moved by our own chunks only). Otherwise that chunk and every later one are worked out again
        under the write lock, against what is stored then, as if no plan had been made; ``plan.held`` turns False.
        """
        async with self.db.bulk_writes(MERGE_CHECKPOINT_PAGES if len(plan.chunks) > 1 else None):
            for number in range(len(plan.chunks)):
                await self.db.run_atomic(partial(plan.write_chunk, number))
                await asyncio.sleep(0)  # let this process's other coroutines (a running bot) in between chunks
        return plan.counts()

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
        values = tuple(show_values(show, now, generation))
        if existing is None:
            inserted = await conn.execute_fetchall(  # one trip to the database thread
                "INSERT INTO shows (source, catalog_key, tvmaze_id, title, native_title, year, popularity, data,"
                " updated_at, changed_gen) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                values,
            )
            show_id = int(next(iter(inserted))[0])
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

    async def link_tvmaze(self, show_id: int, tvmaze_id: int, method: str, detail: str) -> Show | None:
        """Link the show to a TVmaze record (or correct its link), keeping how it was decided: ``method``
        "matched" (``detail``: the facts that agreed) or "manual" (``detail``: who set it).

        Returns the linked show; None when the show is gone. Raises ``TvmazeLinkTakenError`` when another stored
        show already has that TVmaze id (two shows announcing each other's seasons would be worse than none).
        Episodes stored from an earlier link are dropped: they were another record's.
        """

        async def op(conn: aiosqlite.Connection) -> Show | None:
            async with conn.execute(
                "SELECT id, title FROM shows WHERE tvmaze_id = ? AND id != ?", (tvmaze_id, show_id)
            ) as cur:
                taken = await cur.fetchone()
            if taken is not None:
                raise TvmazeLinkTakenError(tvmaze_id, str(taken[1]))
            async with conn.execute("SELECT id, data, tvmaze_id FROM shows WHERE id = ?", (show_id,)) as cur:
                row = await cur.fetchone()
            if row is None:
                return None
            show = decode_stored(row[1], row[0])
            linked = dataclasses.replace(show, tvmaze_id=tvmaze_id)
            generation = await _next_generation(conn)
            now = dt.datetime.now(dt.UTC)
            await conn.execute(
                "UPDATE shows SET tvmaze_id = ?, data = ?, updated_at = ?, changed_gen = ? WHERE id = ?",
                (tvmaze_id, encode_stored(linked), now.isoformat(), generation, show_id),
            )
            await conn.execute(
                "INSERT INTO tvmaze_links (show_id, tvmaze_id, method, detail, linked_at) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (show_id) DO UPDATE SET tvmaze_id = excluded.tvmaze_id, method = excluded.method,"
                " detail = excluded.detail, linked_at = excluded.linked_at",
                (show_id, tvmaze_id, method, detail[:500], int(now.timestamp())),
            )
            if row[2] is not None and row[2] != tvmaze_id:
                await conn.execute("DELETE FROM episodes WHERE show_id = ?", (show_id,))
            return linked

        return await self.db.write(op)

    async def by_tvmaze_id(self, tvmaze_id: int) -> Show | None:
        """The stored show linked to this TVmaze record, if any."""
        return (await self.by_tvmaze_ids([tvmaze_id])).get(tvmaze_id)

    async def by_tvmaze_ids(self, tvmaze_ids: Sequence[int]) -> dict[int, Show]:
        """The stored shows linked to these TVmaze records, by TVmaze id, in one query (TVmaze's search gives ten)."""
        wanted = list(dict.fromkeys(tvmaze_ids))
        if not wanted:
            return {}
        marks = ", ".join("?" for _ in wanted)
        rows = await self.db.fetchall(
            f"SELECT id, data, tvmaze_id FROM shows WHERE tvmaze_id IN ({marks})",  # noqa: S608 - placeholders only
            wanted,
        )
        return {int(row["tvmaze_id"]): decode_stored(row["data"], row["id"]) for row in rows}

    async def tvmaze_link(self, show_id: int) -> tuple[int, str, str] | None:
        """The show's TVmaze link as ``(tvmaze_id, method, detail)``, when it was set by ``link_tvmaze``."""
        row = await self.db.fetchone("SELECT tvmaze_id, method, detail FROM tvmaze_links WHERE show_id = ?", (show_id,))
        return None if row is None else (int(row[0]), str(row[1]), str(row[2]))

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
        return None if row is None else decode_stored(row["data"], row["id"])

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

    async def count_changed(self, since: int) -> int:
        """How many shows were written after generation ``since``."""
        return int(await self.db.fetchval("SELECT COUNT(*) FROM shows WHERE changed_gen > ?", (since,)) or 0)

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
        shows, rows = await self.db.run_read(lambda raw: plain_rows(raw, (shows_sql, names_sql), params))
        labels = {r[0]: show_label(r[1], r[2]) for r in shows}
        popularity = {r[0]: float(r[3]) for r in shows}
        return cast("list[IndexRow]", rows), labels, popularity

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


async def _next_generation(conn: aiosqlite.Connection) -> int:
    """A new generation for one write: a saved search index knows which shows changed after it was made."""
    await conn.execute(BUMP_GENERATION, (GENERATION_KEY,))
    return await _scalar(conn, GENERATION, (GENERATION_KEY,)) or 0


async def _scalar(conn: aiosqlite.Connection, sql: str, params: tuple[Any, ...]) -> int | None:
    async with conn.execute(sql, params) as cur:
        row = await cur.fetchone()
    return None if row is None else int(row[0])


def _aware(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    stamp = dt.datetime.fromisoformat(value)
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=dt.UTC)

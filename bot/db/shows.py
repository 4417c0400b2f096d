"""ShowStore: shows, their searchable names and their episodes."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache, partial
from itertools import chain
from typing import Any, cast

import aiosqlite

from bot.db.database import Database
from bot.domain.errors import TvmazeLinkTakenError
from bot.domain.models import Episode, Show, ShowSource
from bot.domain.precedence import IdentityKey, folded_identity_keys, is_derived_key, may_replace
from bot.domain.ranking import popularity, show_label
from bot.domain.show_schema import decode_stored, encode_stored
from bot.domain.text import normalize

IndexRow = tuple[int, str, str, str]

GENERATION_KEY = "shows_generation"
_BUMP_GENERATION = (
    "INSERT INTO meta (key, value) VALUES (?, '1') ON CONFLICT (key) DO UPDATE SET value = CAST(value AS INTEGER) + 1"
)
_GENERATION = "SELECT CAST(value AS INTEGER) FROM meta WHERE key = ?"
_ALL_SHOWS = "SELECT id, title, year, popularity FROM shows"
_ALL_NAMES = "SELECT show_id, kind, name, norm FROM show_names"
_CHANGED_SHOWS = "SELECT id, title, year, popularity FROM shows WHERE changed_gen > ?"
_CHANGED_NAMES = (
    "SELECT show_id, kind, name, norm FROM show_names WHERE show_id IN (SELECT id FROM shows WHERE changed_gen > ?)"
)
# Shows written per transaction by ``merge``: small enough that a bot sharing the database waits at most a few
# tens of milliseconds for its own write, large enough that 100,000 shows take about a hundred commits.
MERGE_CHUNK = 1000
_SHOW_COLUMNS = "source, catalog_key, tvmaze_id, title, native_title, year, popularity, data, updated_at, changed_gen"
# Pages of write-ahead log a merge of many chunks lets grow before they are copied into the database file (SQLite's
# default is 1,000). Each copy waits for the disk and rewrites every page the chunks since touched, the same index
# pages again and again: at 100,000 shows a fifth of the store's time. Four times the default keeps what a running
# bot's own commit may find to copy meanwhile small.
MERGE_CHECKPOINT_PAGES = 4000
# Names written by one INSERT in ``merge`` (four parameters each; SQLite allows 32,766 in a statement).
NAMES_PER_STATEMENT = 200
# Each show with its folded title and native title as show_names keeps them (the same ``normalize``), so matching
# 100,000 stored shows folds no title again.
_KNOWN_SHOWS = (
    # Through the changed_gen index (a GROUP BY over a join would scan every show for each chunk).
    "SELECT s.id, s.source, s.catalog_key, s.tvmaze_id, s.year,"
    " (SELECT n.norm FROM show_names n WHERE n.show_id = s.id AND n.kind = 'title' LIMIT 1),"
    " (SELECT n.norm FROM show_names n WHERE n.show_id = s.id AND n.kind = 'native' LIMIT 1)"
    " FROM shows s WHERE s.changed_gen > ?"
)


@dataclass(slots=True)
class MergeCounts:
    """What ``merge`` did: shows added, shows updated in place, and shows kept as stored (precedence)."""

    added: int = 0
    updated: int = 0
    kept: int = 0

    @property
    def stored(self) -> int:
        return self.added + self.updated


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
        known = _KnownShows()
        generation, last_id = await self.db.run_read(known.read_all)
        plan = MergePlan(shows, max(chunk_size, 1), generation, known)
        now = _now()
        for start in range(0, len(shows), plan.chunk_size):
            chunk, last_id = _plan_chunk(shows[start : start + plan.chunk_size], known, last_id, now)
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
        values = tuple(_show_values(show, now, generation))
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
        shows, rows = await self.db.run_read(lambda raw: _plain_rows(raw, (shows_sql, names_sql), params))
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


# ``popularity`` by source, without its enum lookup per show (a source it does not know weighs 0 in both).
_POPULARITY = {source: popularity(source) for source in ShowSource}


def _plain_rows(raw: sqlite3.Connection, queries: tuple[str, ...], params: tuple[int, ...]) -> tuple[list[Any], ...]:
    """On the database thread: each query's rows as plain tuples (no ``sqlite3.Row``)."""
    cursor = raw.cursor()
    cursor.row_factory = None
    try:
        return tuple(cursor.execute(sql, params).fetchall() for sql in queries)
    finally:
        cursor.close()


def _insert_names(raw: sqlite3.Connection, rows: list[IndexRow]) -> None:
    """Insert show_names rows, ``NAMES_PER_STATEMENT`` to a statement: SQLite binds and steps once per batch instead
    of once per name, which halves the time 500,000 names take. Rows keep their order (and so their rowids)."""
    whole = len(rows) - len(rows) % NAMES_PER_STATEMENT
    if whole:
        flat = list(chain.from_iterable(rows[:whole]))
        step = 4 * NAMES_PER_STATEMENT
        raw.executemany(_names_sql(NAMES_PER_STATEMENT), [flat[i : i + step] for i in range(0, len(flat), step)])
    if whole < len(rows):
        raw.execute(_names_sql(len(rows) - whole), list(chain.from_iterable(rows[whole:])))


@cache
def _names_sql(count: int) -> str:
    placeholders = ", ".join(["(?, ?, ?, ?)"] * count)
    return f"INSERT INTO show_names (show_id, kind, name, norm) VALUES {placeholders}"  # noqa: S608 - placeholders only


async def _next_generation(conn: aiosqlite.Connection) -> int:
    """A new generation for one write: a saved search index knows which shows changed after it was made."""
    await conn.execute(_BUMP_GENERATION, (GENERATION_KEY,))
    return await _scalar(conn, _GENERATION, (GENERATION_KEY,)) or 0


def _bump_generation(raw: sqlite3.Connection) -> int:
    """``_next_generation`` on the database thread, inside the caller's transaction."""
    raw.execute(_BUMP_GENERATION, (GENERATION_KEY,))
    return _read_generation(raw)


def _read_generation(raw: sqlite3.Connection) -> int:
    row = raw.execute(_GENERATION, (GENERATION_KEY,)).fetchone()
    return 0 if row is None else int(row[0])


def _max_id(raw: sqlite3.Connection) -> int:
    return int(raw.execute("SELECT COALESCE(MAX(id), 0) FROM shows").fetchone()[0])


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat()


@dataclass(slots=True)
class _Chunk:
    """One transaction of a merge, worked out: rows for ``shows`` (``_SHOW_COLUMNS`` then the id; the generation is
    filled in when written) and the shows' names, in the order they are inserted."""

    shows: Sequence[Show]
    inserts: list[list[Any]]
    updates: list[list[Any]]
    names: list[IndexRow]
    counts: MergeCounts


_GENERATION_AT = _SHOW_COLUMNS.split(", ").index("changed_gen")


@dataclass(slots=True)
class MergePlan:
    """A merge worked out chunk by chunk against what was stored at shows generation ``generation``.

    ``held`` stays True while every chunk is written as planned; once another writer is found to have stored shows
    in between, the rest is worked out again as it is written, and the plan no longer tells what was stored.
    """

    shows: Sequence[Show]
    chunk_size: int
    generation: int
    known: _KnownShows
    chunks: list[_Chunk] = field(default_factory=list)
    held: bool = True

    def counts(self) -> MergeCounts:
        total = MergeCounts()
        for chunk in self.chunks:
            total.added += chunk.counts.added
            total.updated += chunk.counts.updated
            total.kept += chunk.counts.kept
        return total

    def index_rows(
        self, stored: list[IndexRow], labels: dict[int, str], weights: dict[int, float]
    ) -> tuple[list[IndexRow], dict[int, str], dict[int, float]]:
        """What ``ShowStore.index_rows()`` gives once the plan is written as planned, from what it gave before (read
        after the plan was made): the stored names of the shows it leaves alone, then the names it writes, in the
        order SQLite keeps them (a show written by two chunks has the later chunk's names, where that chunk put them).
        """
        last = {}
        for number, chunk in enumerate(self.chunks):
            for row in chain(chunk.inserts, chunk.updates):
                last[row[-1]] = number
        rows = [row for row in stored if row[0] not in last]
        for number, chunk in enumerate(self.chunks):
            rows.extend(row for row in chunk.names if last[row[0]] == number)
        labels, weights = dict(labels), dict(weights)
        for chunk in self.chunks:
            for row in chain(chunk.inserts, chunk.updates):
                labels[row[-1]] = show_label(row[3], row[5])
                weights[row[-1]] = float(row[6])
        return rows, labels, weights

    def write_chunk(self, number: int, raw: sqlite3.Connection, _transactions: int) -> None:
        """On the database thread, inside the chunk's transaction (``Database.run_atomic``): write chunk ``number``,
        worked out again first when another writer stored shows since the plan (or the previous chunk) was made."""
        generation = _bump_generation(raw)
        chunk = self.chunks[number]
        if self.held and generation != self.generation + 1:
            # Another writer came in between: what it stored may be a show this chunk or a later one adds, and the
            # ids planned may be taken. From here on, each chunk is matched against what is stored when written.
            self.held = False
            self.known = _KnownShows()
        if not self.held:
            self.known.catch_up(raw)
            chunk, _ = _plan_chunk(chunk.shows, self.known, _max_id(raw), _now())
            self.chunks[number] = chunk
        _write_chunk(raw, chunk, generation)
        self.generation = self.known.seen = generation


def _plan_chunk(shows: Sequence[Show], known: _KnownShows, last_id: int, now: str) -> tuple[_Chunk, int]:
    """The rows one chunk writes, with new shows numbered after ``last_id``; returns them and the last id used.
    ``known`` takes in each show as planned, so a later show (in this chunk or the next) matches it."""
    counts = MergeCounts()
    # By id, so a show met twice in one chunk is written once, as last met.
    rows: dict[int, list[Any]] = {}
    names: dict[int, list[IndexRow]] = {}
    new_ids: set[int] = set()
    fold = known.normalize
    folded = known.folded.get  # inlined fold for the names met before (most of them): a call less each
    for incoming in shows:
        native = incoming.native_title
        identity = folded_identity_keys(fold(incoming.title), fold(native) if native else "", incoming.year)
        show_id = known.match(incoming, identity)
        if show_id is None:
            last_id += 1
            show_id = last_id
            new_ids.add(show_id)
            key = known.free_key(incoming.catalog_key)
            show = incoming if key == incoming.catalog_key else dataclasses.replace(incoming, catalog_key=key)
            counts.added += 1
        elif not may_replace(known.source[show_id], incoming.source):
            counts.kept += 1
            continue
        else:
            show = known.merged(show_id, incoming)
            counts.updated += 1
        known.remember(show_id, show, identity)
        row = _show_values(show, now, 0)  # the generation is filled in when the chunk is written
        row.append(show_id)
        rows[show_id] = row
        names[show_id] = [(show_id, kind, name, folded(name) or fold(name)) for kind, name in show.search_names()]
    inserts = [row for show_id, row in rows.items() if show_id in new_ids]
    updates = [row for show_id, row in rows.items() if show_id not in new_ids]
    flat = [row for rows_of_show in names.values() for row in rows_of_show]
    return _Chunk(shows, inserts, updates, flat, counts), last_id


def _show_values(show: Show, now: str, generation: int) -> list[Any]:
    """The show's columns, in ``_SHOW_COLUMNS`` order."""
    return [
        show.source,
        show.catalog_key,
        show.tvmaze_id,
        show.title,
        show.native_title,
        show.year,
        _POPULARITY.get(show.source, 0.0),
        encode_stored(show),
        now,
        generation,
    ]


def _write_chunk(raw: sqlite3.Connection, chunk: _Chunk, generation: int) -> None:
    for row in chain(chunk.updates, chunk.inserts):
        row[_GENERATION_AT] = generation
    if chunk.updates:
        sets = ", ".join(f"{column} = ?" for column in _SHOW_COLUMNS.split(", "))
        raw.executemany(f"UPDATE shows SET {sets} WHERE id = ?", chunk.updates)  # noqa: S608 - our own columns
        raw.executemany("DELETE FROM show_names WHERE show_id = ?", [(row[-1],) for row in chunk.updates])
    if chunk.inserts:
        # Ids planned after the highest stored one: no other writer took them, or the chunk would have been worked
        # out again under this transaction's write lock (``MergePlan.write_chunk``).
        raw.executemany(
            f"INSERT INTO shows ({_SHOW_COLUMNS}, id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",  # noqa: S608
            chunk.inserts,
        )
    _insert_names(raw, chunk.names)


class _KnownShows:
    """What ``merge`` matches incoming shows against: every stored show's keys, source and identity."""

    def __init__(self) -> None:
        self.seen = -1
        self.source: dict[int, str] = {}
        self.key: dict[int, str | None] = {}
        self.tvmaze: dict[int, int | None] = {}
        self.by_key: dict[str, int] = {}
        self.by_tvmaze: dict[int, int] = {}
        self.by_identity: dict[IdentityKey, int] = {}
        # The same people play in many shows: their names are folded once per merge, not once per show.
        self.folded: dict[str, str] = {}

    def read_all(self, raw: sqlite3.Connection) -> tuple[int, int]:
        """On the database thread: every stored show; returns the shows generation and the highest show id.

        The generation is read first: a write that lands between these reads leaves it behind what was read, and
        the plan made from them is then not used (``MergePlan.write_chunk``), never wrong.
        """
        generation = _read_generation(raw)
        self.catch_up(raw)
        return generation, _max_id(raw)

    def catch_up(self, raw: sqlite3.Connection) -> None:
        """Take in the shows written after generation ``seen`` (all of them at first)."""
        (rows,) = _plain_rows(raw, (_KNOWN_SHOWS,), (self.seen,))
        for show_id, source, key, tvmaze_id, year, title, native_title in rows:
            self._index(show_id, source, key, tvmaze_id, folded_identity_keys(title or "", native_title or "", year))

    def _index(
        self, show_id: int, source: str, key: str | None, tvmaze_id: int | None, identity: list[IdentityKey]
    ) -> None:
        self.source[show_id] = source
        self.key[show_id] = key
        self.tvmaze[show_id] = tvmaze_id
        if key is not None:
            self.by_key[key] = show_id
        if tvmaze_id is not None:
            self.by_tvmaze[tvmaze_id] = show_id
        for identity_key in identity:
            self.by_identity.setdefault(identity_key, show_id)

    def match(self, show: Show, identity: list[IdentityKey]) -> int | None:
        # A key the import derived from a title says nothing about which show it is: "import-signal" of one file
        # may be another year's Signal than that of an earlier file. Only a key someone wrote matches by key.
        if show.catalog_key is not None and not is_derived_key(show.catalog_key) and show.catalog_key in self.by_key:
            return self.by_key[show.catalog_key]
        if show.tvmaze_id is not None and show.tvmaze_id in self.by_tvmaze:
            return self.by_tvmaze[show.tvmaze_id]
        return next((self.by_identity[k] for k in identity if k in self.by_identity), None)

    def merged(self, show_id: int, incoming: Show) -> Show:
        """The incoming show as it replaces the stored one: same id, and the stored keys where it brings none.

        A stored catalogue key is kept, so the bundled file still recognises the record (and leaves it alone).
        """
        key, tvmaze_id = self.key[show_id], self.tvmaze[show_id]
        if key is None and incoming.catalog_key is not None and incoming.catalog_key not in self.by_key:
            key = incoming.catalog_key
        if incoming.tvmaze_id is not None and self.by_tvmaze.get(incoming.tvmaze_id, show_id) == show_id:
            tvmaze_id = incoming.tvmaze_id
        return dataclasses.replace(incoming, id=show_id, catalog_key=key, tvmaze_id=tvmaze_id)

    def normalize(self, name: str) -> str:
        folded = self.folded.get(name)
        if folded is None:
            folded = self.folded[name] = normalize(name)
        return folded

    def free_key(self, key: str | None) -> str | None:
        """``key``, or when a stored show has it already (a derived key of an earlier import), ``key-2``, ..."""
        if key is None or key not in self.by_key:
            return key
        number = 2
        while f"{key}-{number}" in self.by_key:
            number += 1
        return f"{key}-{number}"

    def remember(self, show_id: int, show: Show, identity: list[IdentityKey]) -> None:
        self._index(show_id, show.source, show.catalog_key, show.tvmaze_id, identity)


async def _scalar(conn: aiosqlite.Connection, sql: str, params: tuple[Any, ...]) -> int | None:
    async with conn.execute(sql, params) as cur:
        row = await cur.fetchone()
    return None if row is None else int(row[0])


def _aware(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    stamp = dt.datetime.fromisoformat(value)
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=dt.UTC)

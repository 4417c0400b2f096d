"""A bulk merge of shows (``ShowStore.merge``, ``catalog import``): the stored shows it matches against, its plan,
and the writing of that plan one chunk (one transaction) at a time."""

from __future__ import annotations

import dataclasses
import datetime as dt
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from itertools import chain
from typing import Any

from bot.domain.models import Show, ShowSource
from bot.domain.precedence import IdentityKey, folded_identity_keys, is_derived_key, may_replace
from bot.domain.ranking import popularity, show_label
from bot.domain.show_schema import encode_stored
from bot.domain.text import normalize

__all__ = [
    "BUMP_GENERATION",
    "GENERATION",
    "GENERATION_KEY",
    "MERGE_CHECKPOINT_PAGES",
    "MERGE_CHUNK",
    "NAMES_PER_STATEMENT",
    "IndexRow",
    "KnownShows",
    "MergeCounts",
    "MergePlan",
    "plain_rows",
    "plan_chunk",
    "show_values",
    "stamp_now",
]

IndexRow = tuple[int, str, str, str]

# The shows generation: one more with every write of shows, so a saved search index knows what changed after it.
GENERATION_KEY = "shows_generation"
BUMP_GENERATION = (
    "INSERT INTO meta (key, value) VALUES (?, '1') ON CONFLICT (key) DO UPDATE SET value = CAST(value AS INTEGER) + 1"
)
GENERATION = "SELECT CAST(value AS INTEGER) FROM meta WHERE key = ?"
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


# ``popularity`` by source, without its enum lookup per show (a source it does not know weighs 0 in both).
_POPULARITY = {source: popularity(source) for source in ShowSource}


def plain_rows(raw: sqlite3.Connection, queries: tuple[str, ...], params: tuple[int, ...]) -> tuple[list[Any], ...]:
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


def _bump_generation(raw: sqlite3.Connection) -> int:
    """``_next_generation`` on the database thread, inside the caller's transaction."""
    raw.execute(BUMP_GENERATION, (GENERATION_KEY,))
    return _read_generation(raw)


def _read_generation(raw: sqlite3.Connection) -> int:
    row = raw.execute(GENERATION, (GENERATION_KEY,)).fetchone()
    return 0 if row is None else int(row[0])


def _max_id(raw: sqlite3.Connection) -> int:
    return int(raw.execute("SELECT COALESCE(MAX(id), 0) FROM shows").fetchone()[0])


def stamp_now() -> str:
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
    known: KnownShows
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
            self.known = KnownShows()
        if not self.held:
            self.known.catch_up(raw)
            chunk, _ = plan_chunk(chunk.shows, self.known, _max_id(raw), stamp_now())
            self.chunks[number] = chunk
        _write_chunk(raw, chunk, generation)
        self.generation = self.known.seen = generation


def plan_chunk(shows: Sequence[Show], known: KnownShows, last_id: int, now: str) -> tuple[_Chunk, int]:
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
        row = show_values(show, now, 0)  # the generation is filled in when the chunk is written
        row.append(show_id)
        rows[show_id] = row
        names[show_id] = [(show_id, kind, name, folded(name) or fold(name)) for kind, name in show.search_names()]
    inserts = [row for show_id, row in rows.items() if show_id in new_ids]
    updates = [row for show_id, row in rows.items() if show_id not in new_ids]
    flat = [row for rows_of_show in names.values() for row in rows_of_show]
    return _Chunk(shows, inserts, updates, flat, counts), last_id


def show_values(show: Show, now: str, generation: int) -> list[Any]:
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


class KnownShows:
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
        (rows,) = plain_rows(raw, (_KNOWN_SHOWS,), (self.seen,))
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

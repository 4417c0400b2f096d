"""ProgressStore: each member's place in each show (shared across servers), its passes and marked specials.

Writes are read-modify-write: a transition from ``bot.domain.progress`` runs on the state stored when its
transaction runs, so two ``/progress next`` at once give two episodes, never one. Concurrent updates are gathered
into one transaction that runs whole on the database thread (``Database.run_atomic``): read the standings this
process does not already hold, run the transitions in order (several for the same member and show chain), write
one statement per table, commit. An update returns once its transaction has committed. While one batch is on the
database thread, the updates that arrive meanwhile gather for the next one.

A transition's refusal fails that update alone; if the database refuses the batch, its updates are retried one by
one so that only the bad one fails. ``load_standings`` and ``save_updates`` are shared with PartyStore, whose
``next`` moves several members' progress in its own transaction.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import sqlite3
import weakref
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import aiosqlite

from bot.db.database import Database
from bot.domain.models import Show
from bot.domain.progress import (
    Position,
    Progress,
    ProgressUpdate,
    Standing,
    WatchPass,
    WatchStatus,
    check_special,
    next_episode,
    rewatch,
    set_episode,
)

Clock = Callable[[], dt.datetime]
Transition = Callable[[Standing], ProgressUpdate]
Key = tuple[int, int]

# Updates gathered into one transaction at most (two parameters each in the read; far under SQLite's limit).
MAX_BATCH = 512


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def to_text(value: dt.datetime | None) -> str | None:
    """UTC ISO 8601 with microseconds: fixed width, so stored times compare correctly as text."""
    return None if value is None else value.astimezone(dt.UTC).isoformat(timespec="microseconds")


def from_text(value: str | None) -> dt.datetime | None:
    if value is None:
        return None
    stamp = dt.datetime.fromisoformat(value)
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=dt.UTC)


def required_time(value: str) -> dt.datetime:
    stamp = from_text(value)
    assert stamp is not None  # noqa: S101 - NOT NULL column
    return stamp


def _position(season: int | None, episode: int | None) -> Position | None:
    return None if season is None or episode is None else Position(season, episode)


def _code(position: Position | None) -> str | None:
    """ "S1E8", as exports carry an episode."""
    return None if position is None else f"S{position.season}E{position.episode}"


def _iso(value: dt.datetime | None) -> str | None:
    return None if value is None else value.isoformat()


_PROGRESS_COLUMNS = "pass_number, season, episode, seen_season, seen_episode, pass_started_at, updated_at, completed_at"


def _progress(
    user_id: int, show_id: int, row: Sequence[Any], when: Callable[[str], dt.datetime] = required_time
) -> Progress:
    """A Progress from the eight columns of ``_PROGRESS_COLUMNS``, in order (``when`` reads a stored time)."""
    completed = row[7]
    return Progress(
        user_id=user_id,
        show_id=show_id,
        position=None if row[1] is None or row[2] is None else Position(row[1], row[2]),
        seen_through=None if row[3] is None or row[4] is None else Position(row[3], row[4]),
        pass_number=row[0],
        pass_started_at=when(row[5]),
        updated_at=when(row[6]),
        completed_at=None if completed is None else when(completed),
    )


UPSERT_PROGRESS = (
    f"INSERT INTO progress (user_id, show_id, {_PROGRESS_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"  # noqa: S608
    " ON CONFLICT (user_id, show_id) DO UPDATE SET pass_number = excluded.pass_number,"
    " season = excluded.season, episode = excluded.episode, seen_season = excluded.seen_season,"
    " seen_episode = excluded.seen_episode, pass_started_at = excluded.pass_started_at,"
    " updated_at = excluded.updated_at, completed_at = excluded.completed_at"
)
UPSERT_STATUS = (
    "INSERT INTO watchlist (user_id, show_id, status, added_at, updated_at) VALUES (?, ?, ?, ?, ?)"
    " ON CONFLICT (user_id, show_id) DO UPDATE SET status = excluded.status, updated_at = excluded.updated_at"
)
RECORD_FINISHED_ROUND = (
    "INSERT INTO watch_passes (user_id, show_id, pass_number, started_at, ended_at, season, episode, completed_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)


Rows = list[tuple[Any, ...]]


def write_update_rows(raw: sqlite3.Connection, rows: Rows, statuses: Rows, passes: Rows) -> None:
    """On the database thread: ``update_rows``'s three lists into their tables."""
    raw.executemany(UPSERT_PROGRESS, rows)
    if statuses:
        raw.executemany(UPSERT_STATUS, statuses)
    if passes:
        raw.executemany(RECORD_FINISHED_ROUND, passes)


def standings_query(keys: Sequence[Key]) -> tuple[str, list[int]]:
    """One query for the progress and watchlist status of each distinct (user_id, show_id)."""
    values = ", ".join("(?, ?)" for _ in keys)
    sql = (
        f"WITH k (user_id, show_id) AS (VALUES {values}) "  # noqa: S608 - placeholders only
        f"SELECT k.user_id, k.show_id, w.status, p.pass_number, p.season, p.episode, p.seen_season, p.seen_episode,"
        f" p.pass_started_at, p.updated_at, p.completed_at FROM k"
        f" LEFT JOIN progress p ON p.user_id = k.user_id AND p.show_id = k.show_id"
        f" LEFT JOIN watchlist w ON w.user_id = k.user_id AND w.show_id = k.show_id"
    )
    return sql, [value for key in keys for value in key]


_STATUSES = {status.value: status for status in WatchStatus}


def standings_from_rows(rows: Iterable[Sequence[Any]]) -> dict[Key, Standing]:
    found: dict[Key, Standing] = {}
    # Rows written by one batch share their timestamps: read each distinct one once (fromisoformat was a third of
    # the decoding time).
    times: dict[str, dt.datetime] = {}

    def when(value: str) -> dt.datetime:
        stamp = times.get(value)
        if stamp is None:
            stamp = times[value] = required_time(value)
        return stamp

    for row in rows:
        user_id, show_id, status = row[0], row[1], row[2]
        progress = None if row[3] is None else _progress(user_id, show_id, row[3:], when)
        found[(user_id, show_id)] = Standing(user_id, show_id, progress, None if status is None else _STATUSES[status])
    return found


async def load_standings(conn: aiosqlite.Connection, keys: Iterable[Key]) -> dict[Key, Standing]:
    """Progress and watchlist status of each (user_id, show_id), in one query; missing parts are None."""
    wanted = list(dict.fromkeys(keys))
    if not wanted:
        return {}
    sql, params = standings_query(wanted)
    # One round trip to the database thread (execute, fetch and close separately would be three).
    return standings_from_rows(await conn.execute_fetchall(sql, params))


def update_rows(updates: Sequence[ProgressUpdate], now: dt.datetime) -> tuple[Rows, Rows, Rows]:
    """Parameters for UPSERT_PROGRESS, UPSERT_STATUS and RECORD_FINISHED_ROUND from the results of transitions:
    one progress row per (member, show) (the last update of each wins), a status row where it differs from what
    was stored before the first of them, and every closed pass."""
    texts: dict[dt.datetime | None, str | None] = {None: None}

    def text(value: dt.datetime | None) -> str | None:
        # A batch shares a handful of timestamps; formatting each once saves most of the time spent here.
        if value not in texts:
            texts[value] = to_text(value)
        return texts[value]

    last: dict[Key, ProgressUpdate] = {}
    first_status: dict[Key, WatchStatus | None] = {}
    passes: Rows = []
    for update in updates:
        key = (update.before.user_id, update.before.show_id)
        first_status.setdefault(key, update.before.status)
        last[key] = update
        closed = update.closed_pass
        if closed is not None:
            reached = closed.reached
            passes.append(
                (
                    *key,
                    closed.number,
                    text(closed.started_at),
                    text(closed.ended_at),
                    reached.season if reached else None,
                    reached.episode if reached else None,
                    text(closed.completed_at),
                )
            )
    rows: Rows = []
    statuses: Rows = []
    stamp = text(now)
    for key, update in last.items():
        p = update.progress
        position, seen = p.position, p.seen_through
        rows.append(
            (
                *key,
                p.pass_number,
                position.season if position else None,
                position.episode if position else None,
                seen.season if seen else None,
                seen.episode if seen else None,
                text(p.pass_started_at),
                text(p.updated_at),
                text(p.completed_at),
            )
        )
        if update.status is not None and update.status is not first_status[key]:
            statuses.append((*key, update.status.value, stamp, stamp))
    return rows, statuses, passes


async def save_updates(conn: aiosqlite.Connection, updates: Sequence[ProgressUpdate], now: dt.datetime) -> None:
    """Write the results of transitions (see ``update_rows``)."""
    rows, statuses, passes = update_rows(updates, now)
    # Queued together: the database thread runs them back to back, in this order, without waiting on the loop.
    writes = [conn.executemany(UPSERT_PROGRESS, rows)]
    if statuses:
        writes.append(conn.executemany(UPSERT_STATUS, statuses))
    if passes:
        writes.append(conn.executemany(RECORD_FINISHED_ROUND, passes))
    await asyncio.gather(*writes)


@dataclass(slots=True)
class _Request:
    key: Key
    transition: Transition
    future: asyncio.Future[ProgressUpdate] = field(repr=False)


Outcome = ProgressUpdate | Exception

# How many (member, show) standings a process keeps before starting afresh.
STANDING_CACHE = 50_000


class StandingCache:
    """Members' standings (progress and watchlist status) per (member, show), as committed, kept in the process.

    The write path runs its transitions on them instead of reading them back, and /drama info and Reveal read
    progress from them. They are right as of ``stamp``, a ``Database.generation``: when the database's generation
    has moved on, some other transaction (a party's next, a watchlist change, a deletion, anything) wrote since,
    and everything kept is dropped before it is used. One process per database; shards sharing a database would
    have to stop keeping them.
    """

    def __init__(self) -> None:
        self.entries: dict[Key, Standing] = {}
        self.stamp = -1  # never a generation: nothing is trusted until a read or a write sets it

    def current(self, generation: int) -> bool:
        return self.stamp == generation

    def renew(self, generation: int, fresh: dict[Key, Standing]) -> None:
        """After a transaction ended at ``generation``: keep ``fresh`` over what was kept if that was current."""
        if self.stamp != generation - 2 or len(self.entries) + len(fresh) > STANDING_CACHE:
            self.entries.clear()
        self.entries.update(fresh)
        self.stamp = generation

    def keep(self, key: Key, standing: Standing, generation: int) -> None:
        """Keep a standing read while no transaction was open and none began (``generation`` even and unchanged)."""
        if generation % 2:
            return
        if self.stamp != generation or len(self.entries) >= STANDING_CACHE:
            self.entries.clear()
            self.stamp = generation
        self.entries[key] = standing

    def drop(self) -> None:
        self.entries.clear()
        self.stamp = -1


_CACHES: weakref.WeakKeyDictionary[Database, StandingCache] = weakref.WeakKeyDictionary()


def standing_cache(db: Database) -> StandingCache:
    """The one standing cache of this database in this process."""
    cache = _CACHES.get(db)
    if cache is None:
        cache = _CACHES[db] = StandingCache()
    return cache


def _run_batch(
    raw: sqlite3.Connection, generation: int, batch: Sequence[_Request], cache: StandingCache, now: dt.datetime
) -> tuple[list[Outcome], dict[Key, Standing]]:
    """On the database thread, inside the batch's transaction: the transitions and their writes.

    Reads only the standings the cache does not hold (all of them when it is not current: the event loop does not
    touch the cache while this transaction is open, its generation being odd).
    """
    kept = cache.entries if cache.current(generation) else {}
    standings: dict[Key, Standing] = {}
    missing: list[Key] = []
    for request in batch:
        key = request.key
        if key not in standings:
            found = kept.get(key)
            if found is None:
                missing.append(key)
            else:
                standings[key] = found
    if missing:
        sql, params = standings_query(missing)
        standings.update(standings_from_rows(raw.execute(sql, params).fetchall()))
    outcomes: list[Outcome] = []
    done: list[ProgressUpdate] = []
    for request in batch:
        try:
            update = request.transition(standings[request.key])
        except Exception as exc:  # the transition's refusal goes to its caller only
            outcomes.append(exc)
            continue
        standings[request.key] = update.after
        done.append(update)
        outcomes.append(update)
    if done:
        write_update_rows(raw, *update_rows(done, now))
    return outcomes, standings


def _settle(batch: list[_Request], outcomes: list[Outcome]) -> None:
    for request, outcome in zip(batch, outcomes, strict=True):
        if request.future.done():
            continue
        if isinstance(outcome, Exception):
            request.future.set_exception(outcome)
        else:
            request.future.set_result(outcome)


class ProgressStore:
    def __init__(self, db: Database, clock: Clock = utcnow) -> None:
        self.db = db
        self.clock = clock
        self._queue: list[_Request] = []
        self._flusher: asyncio.Task[None] | None = None
        self._cache = standing_cache(db)

    # -- writes -------------------------------------------------------------------------------------------------

    async def set(self, user_id: int, show: Show, season: int, episode: int) -> ProgressUpdate:
        """``/progress set``: everything up to this regular episode watched. Season 0 goes to ``mark_special``."""
        now = self.clock()
        return await self.apply(user_id, show.id, lambda s: set_episode(s, show, season, episode, now))

    async def next(self, user_id: int, show: Show) -> ProgressUpdate:
        now = self.clock()
        return await self.apply(user_id, show.id, lambda s: next_episode(s, show, now))

    async def rewatch(self, user_id: int, show: Show) -> ProgressUpdate:
        now = self.clock()
        return await self.apply(user_id, show.id, lambda s: rewatch(s, show, now))

    async def apply(self, user_id: int, show_id: int, transition: Transition) -> ProgressUpdate:
        """Run ``transition`` on the member's stored standing and store its result; returns once committed.

        A ``UserFacingError`` from the transition reaches the caller and stores nothing. The transition runs on the
        database thread: it must be a pure function of the standing (the domain's transitions are).
        """
        future: asyncio.Future[ProgressUpdate] = asyncio.get_running_loop().create_future()
        self._queue.append(_Request((user_id, show_id), transition, future))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush())
        return await future

    async def drain(self) -> None:
        """Wait until every queued update is committed (call before closing the database)."""
        while self._flusher is not None and not self._flusher.done():
            await asyncio.shield(self._flusher)

    async def mark_special(self, user_id: int, show: Show, number: int) -> bool:
        """Mark special ``number`` (season 0) watched; False when it already was. Progress does not move."""
        check_special(show, number)
        stamp = to_text(self.clock())

        async def op(conn: aiosqlite.Connection) -> bool:
            cur = await conn.execute(
                "INSERT INTO specials_watched (user_id, show_id, number, marked_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (user_id, show_id, number) DO NOTHING",
                (user_id, show.id, number, stamp),
            )
            return cur.rowcount == 1

        return await self.db.write(op)

    async def delete_user_data(self, user_id: int) -> int:
        """Forget the member's progress, passes and specials; returns how many shows they had progress in."""

        async def op(conn: aiosqlite.Connection) -> int:
            cur = await conn.execute("DELETE FROM progress WHERE user_id = ?", (user_id,))
            await conn.execute("DELETE FROM watch_passes WHERE user_id = ?", (user_id,))
            await conn.execute("DELETE FROM specials_watched WHERE user_id = ?", (user_id,))
            return cur.rowcount

        return await self.db.write(op)

    async def export_user_data(self, user_id: int) -> list[dict[str, Any]]:
        """The member's place in every show, their passes and marked specials, as JSON-ready dicts (/privacy)."""
        out: list[dict[str, Any]] = []
        for progress in await self.for_member(user_id):
            passes = await self.history(user_id, progress.show_id)
            out.append(
                {
                    "show_id": progress.show_id,
                    "position": _code(progress.position),
                    "seen_through": _code(progress.seen_through),
                    "pass_number": progress.pass_number,
                    "updated_at": progress.updated_at.isoformat(),
                    "completed_at": _iso(progress.completed_at),
                    "passes": [
                        {
                            "number": p.number,
                            "started_at": p.started_at.isoformat(),
                            "ended_at": _iso(p.ended_at),
                            "reached": _code(p.reached),
                            "completed_at": _iso(p.completed_at),
                        }
                        for p in passes
                    ],
                    "specials_watched": sorted(await self.specials(user_id, progress.show_id)),
                }
            )
        return out

    async def _flush(self) -> None:
        """Write what is queued, a batch (one transaction on the database thread) at a time, until nothing is.

        Measured against alternating two half batches so that one half's Python work overlaps the other's SQLite
        work: that was slower here (25,700 against 28,600 updates a second, best of five, 50 writers, a quiet
        2-core machine), as the two threads mostly trade Python's lock, and twice the commits cost more.
        """
        # Let the coroutines that are ready in this loop iteration queue their updates first.
        await asyncio.sleep(0)
        batch: list[_Request] = []
        try:
            while self._queue:
                batch, self._queue = self._queue[:MAX_BATCH], self._queue[MAX_BATCH:]
                _settle(batch, await self._store(batch))
                batch = []
        except BaseException:  # cancelled: what is not settled fails (the batch on the thread may still commit)
            stopped = RuntimeError("the progress write was cancelled")
            for request in (*batch, *self._queue):
                if not request.future.done():
                    request.future.set_exception(stopped)
            self._queue = []
            raise

    async def _store(self, batch: list[_Request]) -> list[Outcome]:
        try:
            return await self._write_batch(batch)
        except Exception as exc:
            if len(batch) == 1:
                return [exc]
            # One bad update (a show that is not stored, say) must not fail its batch-mates: write each alone, each
            # in its own transaction.
            return await self._write_one_by_one(batch)

    async def _write_one_by_one(self, batch: list[_Request]) -> list[Outcome]:
        outcomes: list[Outcome] = []
        for request in batch:
            try:
                outcomes.extend(await self._write_batch([request]))
            except Exception as exc:
                outcomes.append(exc)
        return outcomes

    async def _write_batch(self, batch: list[_Request]) -> list[Outcome]:
        cache, now = self._cache, self.clock()
        try:
            outcomes, fresh = await self.db.run_atomic(
                lambda raw, generation: _run_batch(raw, generation, batch, cache, now)
            )
        except BaseException:
            cache.drop()  # what the batch read or meant to write may be half-kept: start afresh
            raise
        cache.renew(self.db.generation, fresh)
        return outcomes

    # -- reads --------------------------------------------------------------------------------------------------

    async def standing(self, user_id: int, show_id: int) -> Standing:
        return (await load_standings(self.db.reader, [(user_id, show_id)]))[(user_id, show_id)]

    async def get(self, user_id: int, show_id: int) -> Progress | None:
        key = (user_id, show_id)
        cache, generation = self._cache, self.db.generation
        if cache.current(generation):
            kept = cache.entries.get(key)
            if kept is not None:
                return kept.progress
        standing = await self.standing(user_id, show_id)
        if self.db.generation == generation:
            cache.keep(key, standing, generation)
        return standing.progress

    async def for_member(self, user_id: int, limit: int | None = None, offset: int = 0) -> list[Progress]:
        """The member's progress in every show, most recently updated first (``limit``/``offset`` for pages)."""
        rows = await self.db.reader.execute_fetchall(  # one round trip to the database thread
            f"SELECT show_id, {_PROGRESS_COLUMNS} FROM progress WHERE user_id = ?"  # noqa: S608 - constant columns
            " ORDER BY updated_at DESC, show_id LIMIT ? OFFSET ?",
            (user_id, -1 if limit is None else limit, offset),
        )
        return [_progress(user_id, row[0], row[1:]) for row in rows]

    async def count(self, user_id: int) -> int:
        return int(await self.db.fetchval("SELECT COUNT(*) FROM progress WHERE user_id = ?", (user_id,)) or 0)

    async def specials(self, user_id: int, show_id: int) -> frozenset[int]:
        rows = await self.db.fetchall(
            "SELECT number FROM specials_watched WHERE user_id = ? AND show_id = ?", (user_id, show_id)
        )
        return frozenset(int(r[0]) for r in rows)

    async def history(self, user_id: int, show_id: int) -> list[WatchPass]:
        """Every pass through the show, oldest first; the current one last, with ``ended_at`` None."""
        rows = await self.db.fetchall(
            "SELECT pass_number, started_at, ended_at, season, episode, completed_at FROM watch_passes"
            " WHERE user_id = ? AND show_id = ? ORDER BY pass_number",
            (user_id, show_id),
        )
        passes = [
            WatchPass(
                number=r[0],
                started_at=required_time(r[1]),
                ended_at=from_text(r[2]),
                reached=_position(r[3], r[4]),
                completed_at=from_text(r[5]),
            )
            for r in rows
        ]
        current = await self.get(user_id, show_id)
        if current is not None:
            passes.append(
                WatchPass(current.pass_number, current.pass_started_at, None, current.position, current.completed_at)
            )
        return passes

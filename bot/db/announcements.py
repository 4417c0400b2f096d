"""AnnouncementStore: snapshots of followed shows, events recorded once, and their delivery outbox; JobLease.

Recording is one transaction (snapshot, new events, one outbox row per target), so a crash leaves either the
old snapshot and no events, or everything: the next poll re-derives the same keys, and a restart delivers what
the outbox holds. Delivery claims rows for a while; a claimer that dies lets its claim lapse and another takes
the rows over. Every time is passed in ("now"), never read from the clock here.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import aiosqlite

from bot.db.database import Database
from bot.domain.announcements import (
    AnnouncementEvent,
    DeliveryTarget,
    ShowSnapshot,
    ShowUpdate,
    TargetKind,
    snapshot_from_dict,
    snapshot_to_dict,
)

LAST_POLL_KEY = "announce_last_poll"
# How long a claimed outbox row stays with its claimer before another may take it (a crashed claimer).
CLAIM_FOR = dt.timedelta(minutes=5)
# Tries before a row is given up as failed (the back-off between them is the caller's).
MAX_ATTEMPTS = 8


class DeliveryState(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"  # gave up after MAX_ATTEMPTS
    DROPPED = "dropped"  # cannot be delivered (no announce channel, DMs closed, member or server gone)


@dataclass(frozen=True, slots=True)
class OutboxItem:
    """One claimed delivery: the event, where it goes, which try this is (1 on the first), and the show as TVmaze
    names it, its record's link (attribution) and poster, from the latest snapshot (None when it was forgotten).

    ``id`` is stable across tries: a Discord message nonce made from it lets Discord drop a repeat of a send
    whose acknowledgement was lost.
    """

    id: int
    event: AnnouncementEvent
    target: DeliveryTarget
    attempt: int
    title: str | None = None
    url: str | None = None
    poster_url: str | None = None


@dataclass(frozen=True, slots=True)
class DeliveryRecord:
    """The state of one outbox row, for status lines and tests."""

    target: DeliveryTarget
    state: DeliveryState
    attempts: int
    last_error: str | None


Deliveries = Sequence[tuple[AnnouncementEvent, Sequence[DeliveryTarget]]]


class AnnouncementStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    # -- snapshots ----------------------------------------------------------------------------------------------

    async def snapshot(self, tvmaze_id: int) -> ShowSnapshot | None:
        data = await self.db.fetchval("SELECT data FROM tvmaze_snapshots WHERE tvmaze_id = ?", (tvmaze_id,))
        return None if data is None else snapshot_from_dict(json.loads(data))

    async def stored_updated(self) -> dict[int, int | None]:
        """Each stored snapshot's TVmaze ``updated``, for comparing with the change feed."""
        rows = await self.db.fetchall("SELECT tvmaze_id, updated FROM tvmaze_snapshots")
        return {int(r[0]): None if r[1] is None else int(r[1]) for r in rows}

    async def due_snapshots(self, until: dt.datetime) -> list[ShowSnapshot]:
        """Snapshots with a release at or before ``until`` not yet looked at (see ``record``'s ``next_due``)."""
        rows = await self.db.fetchall(
            "SELECT data FROM tvmaze_snapshots WHERE next_due_at IS NOT NULL AND next_due_at <= ?"
            " ORDER BY next_due_at, tvmaze_id",
            (_secs(until),),
        )
        return [snapshot_from_dict(json.loads(r[0])) for r in rows]

    async def forget_snapshots(self, keep: Iterable[int]) -> int:
        """Drop snapshots of shows nobody follows any more; returns how many went."""
        keep_ids = set(keep)

        async def op(conn: aiosqlite.Connection) -> int:
            stored = [int(r[0]) for r in await _rows(conn, "SELECT tvmaze_id FROM tvmaze_snapshots", ())]
            gone = [(i,) for i in stored if i not in keep_ids]
            await conn.executemany("DELETE FROM tvmaze_snapshots WHERE tvmaze_id = ?", gone)
            return len(gone)

        return await self.db.write(op)

    # -- recording ----------------------------------------------------------------------------------------------

    async def record(
        self,
        snapshot: ShowSnapshot,
        deliveries: Deliveries,
        now: dt.datetime,
        next_due: dt.datetime | None = None,
    ) -> list[AnnouncementEvent]:
        """Store ``snapshot`` and each event not recorded before, with its outbox rows, in one transaction.

        Returns the events that were new; one recorded before (same key) is skipped with its targets, so
        recording twice is a no-op. ``next_due`` is the snapshot's next release still to look at.
        """
        data = json.dumps(snapshot_to_dict(snapshot), ensure_ascii=False)
        at = _secs(now)

        async def op(conn: aiosqlite.Connection) -> list[AnnouncementEvent]:
            await conn.execute(
                "INSERT INTO tvmaze_snapshots (tvmaze_id, title, url, poster_url, updated, fetched_at, next_due_at,"
                " data) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (tvmaze_id) DO UPDATE SET title = excluded.title,"
                " url = excluded.url, poster_url = excluded.poster_url, updated = excluded.updated,"
                " fetched_at = excluded.fetched_at, next_due_at = excluded.next_due_at, data = excluded.data",
                (
                    snapshot.tvmaze_id,
                    snapshot.title,
                    snapshot.url,
                    snapshot.poster_url,
                    snapshot.updated,
                    _secs(snapshot.fetched_at),
                    None if next_due is None else _secs(next_due),
                    data,
                ),
            )
            recorded: list[AnnouncementEvent] = []
            for event, targets in deliveries:
                cur = await conn.execute(
                    "INSERT INTO announce_events (event_key, tvmaze_id, kind, data, recorded_at) VALUES (?, ?, ?, ?, ?)"
                    " ON CONFLICT (event_key) DO NOTHING",
                    (event.key, event.tvmaze_id, event.kind.value, json.dumps(event.to_dict()), at),
                )
                if cur.rowcount != 1:
                    continue
                recorded.append(event)
                await conn.executemany(
                    "INSERT INTO announce_outbox (event_key, target_kind, target_id, available_at) VALUES (?, ?, ?, ?)"
                    " ON CONFLICT (event_key, target_kind, target_id) DO NOTHING",
                    [(event.key, str(t.kind), t.id, at) for t in targets],
                )
            return recorded

        return await self.db.write(op)

    async def record_update(self, update: ShowUpdate, now: dt.datetime) -> list[AnnouncementEvent]:
        """``record`` for one show's part of a poll, as ``show_update`` planned it."""
        return await self.record(update.snapshot, update.deliveries, now, update.next_due)

    async def event(self, key: str) -> AnnouncementEvent | None:
        data = await self.db.fetchval("SELECT data FROM announce_events WHERE event_key = ?", (key,))
        return None if data is None else AnnouncementEvent.from_dict(json.loads(data))

    async def events_for(self, tvmaze_id: int) -> list[AnnouncementEvent]:
        rows = await self.db.fetchall(
            "SELECT data FROM announce_events WHERE tvmaze_id = ? ORDER BY recorded_at, event_key", (tvmaze_id,)
        )
        return [AnnouncementEvent.from_dict(json.loads(r[0])) for r in rows]

    # -- the outbox ---------------------------------------------------------------------------------------------

    async def claim(
        self, holder: str, now: dt.datetime, limit: int = 50, claim_for: dt.timedelta = CLAIM_FOR
    ) -> list[OutboxItem]:
        """Up to ``limit`` pending deliveries that are due and not claimed by someone else, oldest first; they are
        the caller's until ``now + claim_for`` (answer each with ``sent``, ``retry``, ``drop`` or ``dms_closed``).
        """
        at = _secs(now)
        until = _secs(now + claim_for)

        async def op(conn: aiosqlite.Connection) -> list[OutboxItem]:
            # On PostgreSQL this SELECT takes FOR UPDATE SKIP LOCKED; SQLite's write lock already serialises it.
            rows = await _rows(
                conn,
                "SELECT o.id, o.target_kind, o.target_id, o.attempts, e.data, s.title, s.url, s.poster_url"
                " FROM announce_outbox o JOIN announce_events e ON e.event_key = o.event_key"
                " LEFT JOIN tvmaze_snapshots s ON s.tvmaze_id = e.tvmaze_id"
                " WHERE o.state = 'pending' AND o.available_at <= ? ORDER BY o.id LIMIT ?",
                (at, limit),
            )
            await conn.executemany(
                "UPDATE announce_outbox SET attempts = attempts + 1, available_at = ?, claimed_by = ? WHERE id = ?",
                [(until, holder, r[0]) for r in rows],
            )
            return [
                OutboxItem(
                    id=int(r[0]),
                    event=AnnouncementEvent.from_dict(json.loads(r[4])),
                    target=DeliveryTarget(TargetKind(r[1]), int(r[2])),
                    attempt=int(r[3]) + 1,
                    title=r[5],
                    url=r[6],
                    poster_url=r[7],
                )
                for r in rows
            ]

        return await self.db.write(op)

    async def sent(self, item_id: int, now: dt.datetime) -> None:
        await self._finish(item_id, DeliveryState.SENT, now, None)

    async def drop(self, item_id: int, now: dt.datetime, reason: str) -> None:
        """This delivery cannot happen (no announce channel, a channel the bot may not post in): give it up."""
        await self._finish(item_id, DeliveryState.DROPPED, now, reason)

    async def retry(self, item_id: int, now: dt.datetime, delay: dt.timedelta, error: str) -> bool:
        """Try again after ``delay`` (say, Discord's retry_after); after MAX_ATTEMPTS tries it fails for good.

        Returns False when the row was given up.
        """
        not_before = _secs_up(now + delay)

        async def op(conn: aiosqlite.Connection) -> bool:
            cur = await conn.execute(
                "UPDATE announce_outbox SET state = CASE WHEN attempts >= ? THEN 'failed' ELSE 'pending' END,"
                " available_at = ?, claimed_by = NULL, last_error = ?,"
                " done_at = CASE WHEN attempts >= ? THEN ? ELSE NULL END"
                " WHERE id = ? AND state = 'pending' RETURNING state",
                (MAX_ATTEMPTS, not_before, error[:500], MAX_ATTEMPTS, _secs(now), item_id),
            )
            row = await cur.fetchone()
            await cur.close()
            return row is not None and row[0] == DeliveryState.PENDING.value

        return await self.db.write(op)

    async def dms_closed(self, item_id: int, user_id: int, now: dt.datetime) -> int:
        """Discord refused a DM (error 50007): mark the member and drop every pending DM to them, this one too.

        Returns how many rows were dropped. Following a show again reopens their DMs (``FollowStore.follow``).
        """
        at = _secs(now)

        async def op(conn: aiosqlite.Connection) -> int:
            await conn.execute(
                "INSERT INTO dm_closed (user_id, closed_at) VALUES (?, ?) ON CONFLICT (user_id) DO NOTHING",
                (user_id, at),
            )
            cur = await conn.execute(
                "UPDATE announce_outbox SET state = 'dropped', done_at = ?, claimed_by = NULL, last_error = ?"
                " WHERE state = 'pending' AND ((target_kind = 'dm' AND target_id = ?) OR id = ?)",
                (at, "DMs closed", user_id, item_id),
            )
            return int(cur.rowcount)

        return await self.db.write(op)

    async def deliveries(self, event_key: str) -> list[DeliveryRecord]:
        rows = await self.db.fetchall(
            "SELECT target_kind, target_id, state, attempts, last_error FROM announce_outbox WHERE event_key = ?"
            " ORDER BY target_kind, target_id",
            (event_key,),
        )
        return [
            DeliveryRecord(DeliveryTarget(TargetKind(r[0]), int(r[1])), DeliveryState(r[2]), int(r[3]), r[4])
            for r in rows
        ]

    async def pending_count(self) -> int:
        return int(await self.db.fetchval("SELECT COUNT(*) FROM announce_outbox WHERE state = 'pending'") or 0)

    async def _finish(self, item_id: int, state: DeliveryState, now: dt.datetime, error: str | None) -> None:
        async def op(conn: aiosqlite.Connection) -> None:
            await conn.execute(
                "UPDATE announce_outbox SET state = ?, done_at = ?, claimed_by = NULL,"
                " last_error = COALESCE(?, last_error) WHERE id = ?",
                (state.value, _secs(now), error, item_id),
            )

        await self.db.write(op)

    # -- the poll cursor ----------------------------------------------------------------------------------------

    async def last_poll(self) -> dt.datetime | None:
        """When the last poll that reached TVmaze's change feed finished (the look-back is measured from it)."""
        value = await self.db.fetchval("SELECT value FROM meta WHERE key = ?", (LAST_POLL_KEY,))
        return None if value is None else dt.datetime.fromtimestamp(int(value), dt.UTC)

    async def set_last_poll(self, moment: dt.datetime) -> None:
        async def op(conn: aiosqlite.Connection) -> None:
            await conn.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (LAST_POLL_KEY, str(_secs(moment))),
            )

        await self.db.write(op)

    # -- privacy ------------------------------------------------------------------------------------------------

    async def delete_user_data(self, user_id: int) -> None:
        """Drop the member's queued and past DMs (the events themselves name no member)."""

        async def op(conn: aiosqlite.Connection) -> None:
            await conn.execute("DELETE FROM announce_outbox WHERE target_kind = 'dm' AND target_id = ?", (user_id,))

        await self.db.write(op)

    async def export_user_data(self, user_id: int) -> list[dict[str, Any]]:
        """The announcements DMed (or queued) to the member, as JSON-ready dicts (/privacy export)."""
        rows = await self.db.fetchall(
            "SELECT event_key, state, attempts, done_at FROM announce_outbox"
            " WHERE target_kind = 'dm' AND target_id = ? ORDER BY id",
            (user_id,),
        )
        return [
            {
                "event": r[0],
                "state": r[1],
                "attempts": r[2],
                "done_at": None if r[3] is None else dt.datetime.fromtimestamp(int(r[3]), dt.UTC).isoformat(),
            }
            for r in rows
        ]

    async def delete_guild_data(self, guild_id: int) -> None:
        async def op(conn: aiosqlite.Connection) -> None:
            await conn.execute("DELETE FROM announce_outbox WHERE target_kind = 'guild' AND target_id = ?", (guild_id,))

        await self.db.write(op)


class JobLease:
    """A named lease row: one holder at a time runs the job (the season poller); a lapsed lease can be taken."""

    def __init__(self, db: Database, name: str = "season-poller") -> None:
        self.db = db
        self.name = name

    async def acquire(self, holder: str, now: dt.datetime, ttl: dt.timedelta) -> bool:
        """Take or renew the lease until ``now + ttl``; False while another holder's lease runs."""
        at, until = _secs(now), _secs(now + ttl)

        async def op(conn: aiosqlite.Connection) -> bool:
            await conn.execute(
                "INSERT INTO job_leases (name, holder, expires_at) VALUES (?, ?, ?)"
                " ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at"
                " WHERE job_leases.holder = excluded.holder OR job_leases.expires_at <= ?",
                (self.name, holder, until, at),
            )
            rows = await _rows(conn, "SELECT holder FROM job_leases WHERE name = ?", (self.name,))
            return bool(rows) and rows[0][0] == holder

        return await self.db.write(op)

    async def release(self, holder: str) -> None:
        """Give the lease up (a clean shutdown), so the next holder need not wait for it to lapse."""

        async def op(conn: aiosqlite.Connection) -> None:
            await conn.execute("DELETE FROM job_leases WHERE name = ? AND holder = ?", (self.name, holder))

        await self.db.write(op)

    async def holder(self, now: dt.datetime) -> str | None:
        """Who holds the lease at ``now`` (None when nobody does or it lapsed)."""
        value = await self.db.fetchval(
            "SELECT holder FROM job_leases WHERE name = ? AND expires_at > ?", (self.name, _secs(now))
        )
        return None if value is None else str(value)


async def _rows(conn: aiosqlite.Connection, sql: str, params: tuple[Any, ...]) -> list[Any]:
    async with conn.execute(sql, params) as cur:
        return list(await cur.fetchall())


def _secs(moment: dt.datetime) -> int:
    if moment.tzinfo is None:
        raise ValueError("times must be aware")
    return math.floor(moment.timestamp())


def _secs_up(moment: dt.datetime) -> int:
    # A back-off is never shortened by rounding.
    if moment.tzinfo is None:
        raise ValueError("times must be aware")
    return math.ceil(moment.timestamp())

"""WatchlistStore: each member's shows and their status (plan, watching, completed, on hold, dropped).

Progress moves a status through ProgressStore (same transaction as the progress); this store is for what the
member sets by hand, which may move a status anywhere, back included: that is the member saying so.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import aiosqlite

from bot.db.database import Database
from bot.db.progress import Clock, required_time, to_text, utcnow
from bot.domain.progress import WatchlistEntry, WatchStatus

_COLUMNS = "user_id, show_id, status, added_at, updated_at"


def _entry(row: Sequence[Any]) -> WatchlistEntry:
    return WatchlistEntry(row[0], row[1], WatchStatus(row[2]), required_time(row[3]), required_time(row[4]))


class WatchlistStore:
    def __init__(self, db: Database, clock: Clock = utcnow) -> None:
        self.db = db
        self.clock = clock

    async def set(
        self, user_id: int, show_id: int, status: WatchStatus | None = None
    ) -> tuple[WatchlistEntry, WatchStatus | None]:
        """Add the show or change its status; returns the entry and the status it had before (None: new).

        Without a status, a new entry is "plan" and an existing one keeps its status (``/watchlist add`` of a show
        already on the list must not move it back).
        """
        stamp = to_text(self.clock())

        async def op(conn: aiosqlite.Connection) -> tuple[WatchlistEntry, WatchStatus | None]:
            async with conn.execute(
                "SELECT status FROM watchlist WHERE user_id = ? AND show_id = ?", (user_id, show_id)
            ) as cur:
                row = await cur.fetchone()
            before = None if row is None else WatchStatus(row[0])
            wanted = status or before or WatchStatus.PLAN
            if before is not wanted:
                await conn.execute(
                    "INSERT INTO watchlist (user_id, show_id, status, added_at, updated_at) VALUES (?, ?, ?, ?, ?)"
                    " ON CONFLICT (user_id, show_id) DO UPDATE SET status = excluded.status,"
                    " updated_at = excluded.updated_at",
                    (user_id, show_id, wanted.value, stamp, stamp),
                )
            async with conn.execute(
                f"SELECT {_COLUMNS} FROM watchlist WHERE user_id = ? AND show_id = ?",  # noqa: S608 - constant
                (user_id, show_id),
            ) as cur:
                saved = await cur.fetchone()
            assert saved is not None  # noqa: S101 - written just above
            return _entry(saved), before

        return await self.db.write(op)

    async def remove(self, user_id: int, show_id: int) -> bool:
        """Take the show off the list (progress stays); False when it was not on it."""

        async def op(conn: aiosqlite.Connection) -> bool:
            cur = await conn.execute("DELETE FROM watchlist WHERE user_id = ? AND show_id = ?", (user_id, show_id))
            return cur.rowcount > 0

        return await self.db.write(op)

    async def get(self, user_id: int, show_id: int) -> WatchlistEntry | None:
        row = await self.db.fetchone(
            f"SELECT {_COLUMNS} FROM watchlist WHERE user_id = ? AND show_id = ?",  # noqa: S608 - constant
            (user_id, show_id),
        )
        return None if row is None else _entry(row)

    async def for_member(
        self, user_id: int, status: WatchStatus | None = None, limit: int | None = None, offset: int = 0
    ) -> list[WatchlistEntry]:
        """The member's list, most recently changed first, optionally one status only."""
        sql = f"SELECT {_COLUMNS} FROM watchlist WHERE user_id = ?"  # noqa: S608 - constant
        params: list[Any] = [user_id]
        if status is not None:
            sql += " AND status = ?"
            params.append(status.value)
        sql += " ORDER BY updated_at DESC, show_id LIMIT ? OFFSET ?"
        params += [-1 if limit is None else limit, offset]
        return [_entry(r) for r in await self.db.fetchall(sql, params)]

    async def delete_user_data(self, user_id: int) -> int:
        async def op(conn: aiosqlite.Connection) -> int:
            cur = await conn.execute("DELETE FROM watchlist WHERE user_id = ?", (user_id,))
            return cur.rowcount

        return await self.db.write(op)

    async def export_user_data(self, user_id: int) -> list[dict[str, Any]]:
        """The member's list as JSON-ready dicts (/privacy export)."""
        return [
            {
                "show_id": e.show_id,
                "status": e.status.value,
                "added_at": e.added_at.isoformat(),
                "updated_at": e.updated_at.isoformat(),
            }
            for e in await self.for_member(user_id)
        ]
